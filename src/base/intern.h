// Interner: maps id strings (msisdns, account ids, IMEIs ...) to dense uint32
// ids 0..size()-1, once, at the edge. Everything past ingestion speaks dense ids.
//
// Ownership: the interner owns a copy of every string. A Name() view is valid
// until the next Intern() call (the stores may move when they grow); copy it
// if it must live longer.
// Thread safety: none; one interner per ingest thread.
//
// Layout (why): ingest throughput is bound by cache misses on tables of
// millions of ids, so a lookup must touch as few lines as possible.
//  - slots_: open addressing, linear probing, load <= 1/2, 8-byte slots
//    {32-bit hash tag, id}. A miss on the tag never touches a key.
//  - keys_: one 24-byte record per id. Ids of up to 23 bytes (every phone
//    number, IMEI, bank card number and cell id in practice) live inline,
//    zero-padded, so verifying a hit is three word compares on one line.
//    Longer ids (e.g. 128-hex hashed msisdns) keep their bytes in long_bytes_.
//  - Prefetch(hash) lets a caller issue the slot loads of several lookups of
//    one row before resolving any of them, so their misses overlap.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/dense_table.h"
#include "base/hash.h"
#include "base/huge_alloc.h"

namespace interdict {

inline constexpr uint32_t kNoId = 0xffffffffu;

class Interner {
 public:
  Interner();

  // Returns the id of `s`, adding it if new. `inserted` (optional) says which.
  uint32_t Intern(std::string_view s, bool* inserted = nullptr) {
    return InternHashed(s, HashBytes(s), inserted);
  }
  // Same, with h == HashBytes(s) computed by the caller (see Prefetch).
  uint32_t InternHashed(std::string_view s, uint64_t h, bool* inserted = nullptr);
  // kNoId if absent.
  uint32_t Find(std::string_view s) const;
  // Starts loading the slot a lookup of hash h will probe first.
  void Prefetch(uint64_t h) const { PrefetchLine(&slots_[h & mask_]); }

  // Staged lookup for batches (see RowParser): Candidate() walks the slots of
  // hash h (prefetched earlier) to the first tag match, prefetches that id's
  // key and returns it (kNoId if none); InternCandidate() then verifies it and
  // falls back to a full InternHashed() when it does not match (a tag
  // collision, or ids added since Candidate()). Same result as Intern().
  uint32_t Candidate(uint64_t h) const {
    const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot slot = slots_[i];
      if (slot.tag == 0) return kNoId;
      if (slot.tag == tag) {
        PrefetchLine(&keys_[slot.id]);
        return slot.id;
      }
    }
  }
  uint32_t InternCandidate(std::string_view s, uint64_t h, uint32_t cand, bool* inserted = nullptr) {
    if (cand != kNoId) {
      Key probe;
      const bool is_inline = MakeInline(s, &probe);
      if (Matches(cand, s, probe, is_inline)) {
        if (inserted) *inserted = false;
        return cand;
      }
    }
    return InternHashed(s, h, inserted);
  }

  std::string_view Name(uint32_t id) const {
    const Key& k = keys_[id];
    if (k.w[2] >> 56 != kLongMarker) return std::string_view(k.c, k.w[2] >> 56);
    return std::string_view(long_bytes_.data() + k.w[0], k.w[1]);
  }
  // Starts loading the line Name(id) reads (inline names: all of it).
  void PrefetchName(uint32_t id) const {
    if (id < keys_.size()) PrefetchLine(&keys_[id]);
  }
  uint32_t size() const { return static_cast<uint32_t>(keys_.size()); }
  // Bytes held (table, keys and long strings), for memory reports.
  size_t MemoryBytes() const;

 private:
  static constexpr size_t kInline = 23;
  static constexpr uint64_t kLongMarker = 0xff;
  // Inline: bytes in c[0..22], zero padded, length in the top byte of w[2].
  // Long: w[0] = offset into long_bytes_, w[1] = length, top byte of w[2] = 0xff.
  union Key {
    uint64_t w[3];
    char c[24];
  };
  struct Slot {
    uint32_t tag;  // 0 = empty; else (hash >> 32) | 1
    uint32_t id;
  };
  static bool MakeInline(std::string_view s, Key* k) {
    if (s.size() > kInline) return false;
    k->w[0] = k->w[1] = k->w[2] = 0;
    std::memcpy(k->c, s.data(), s.size());
    k->w[2] |= static_cast<uint64_t>(s.size()) << 56;
    return true;
  }
  bool Matches(uint32_t id, std::string_view s, const Key& probe, bool is_inline) const {
    const Key& k = keys_[id];
    if (is_inline) return k.w[0] == probe.w[0] && k.w[1] == probe.w[1] && k.w[2] == probe.w[2];
    return k.w[2] >> 56 == kLongMarker && k.w[1] == s.size() &&
           std::memcmp(long_bytes_.data() + k.w[0], s.data(), s.size()) == 0;
  }
  void Grow();

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  uint64_t mask_;
  std::vector<Key, HugePageAllocator<Key>> keys_;
  std::string long_bytes_;
};

}  // namespace interdict
