// Interner: maps id strings (msisdns, account ids, IMEIs ...) to dense uint32
// ids 0..size()-1, once, at the edge. Everything past ingestion speaks dense ids.
//
// Ownership: the interner owns a copy of every string; Name() views stay valid
// for the interner's lifetime (the backing store only grows; views are
// re-derived on each call, never cached across a grow).
// Thread safety: none; one interner per ingest thread (callers shard by id kind).
//
// Layout (why): an open-addressing table of 8-byte slots {32-bit fingerprint,
// id} with linear probing, and the strings in one contiguous buffer addressed
// by an offsets array. A hit touches the slot, the offset pair and the bytes:
// at 1 M numbers the whole structure stays inside a 32 MiB L3.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"

namespace interdict {

inline constexpr uint32_t kNoId = 0xffffffffu;

class Interner {
 public:
  Interner();

  // Returns the id of `s`, adding it if new. `inserted` (optional) says which.
  uint32_t Intern(std::string_view s, bool* inserted = nullptr) {
    return InternHashed(s, HashBytes(s), inserted);
  }
  uint32_t InternHashed(std::string_view s, uint64_t h, bool* inserted);
  // kNoId if absent.
  uint32_t Find(std::string_view s) const;

  std::string_view Name(uint32_t id) const {
    return std::string_view(bytes_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  // Bytes held (table, offsets and strings), for memory reports.
  size_t MemoryBytes() const;

 private:
  struct Slot {
    uint32_t tag;  // 0 = empty; else (hash >> 32) | 1
    uint32_t id;
  };
  void Grow();

  std::vector<Slot> slots_;
  uint64_t mask_;
  std::vector<uint64_t> offsets_;  // offsets_[id]..offsets_[id+1] in bytes_
  std::string bytes_;
};

}  // namespace interdict
