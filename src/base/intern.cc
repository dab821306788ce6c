#include "base/intern.h"

#include <cstring>

namespace interdict {

Interner::Interner() : slots_(1024, Slot{0, 0}), mask_(1023), offsets_{0} {}

uint32_t Interner::InternHashed(std::string_view s, uint64_t h, bool* inserted) {
  const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;
  uint64_t i = h & mask_;
  for (;;) {
    Slot& slot = slots_[i];
    if (slot.tag == 0) break;
    if (slot.tag == tag) {
      const uint64_t off = offsets_[slot.id];
      const uint64_t len = offsets_[slot.id + 1] - off;
      if (len == s.size() && std::memcmp(bytes_.data() + off, s.data(), len) == 0) {
        if (inserted) *inserted = false;
        return slot.id;
      }
    }
    i = (i + 1) & mask_;
  }
  const uint32_t id = size();
  slots_[i] = Slot{tag, id};
  bytes_.append(s.data(), s.size());
  offsets_.push_back(bytes_.size());
  if (inserted) *inserted = true;
  // Keep the load factor at or below 1/2: probes stay short.
  if (static_cast<uint64_t>(size()) * 2 > mask_ + 1) Grow();
  return id;
}

uint32_t Interner::Find(std::string_view s) const {
  const uint64_t h = HashBytes(s);
  const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;
  for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.tag == 0) return kNoId;
    if (slot.tag == tag && Name(slot.id) == s) return slot.id;
  }
}

void Interner::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  const uint64_t cap = (mask_ + 1) * 2;
  slots_.assign(cap, Slot{0, 0});
  mask_ = cap - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    const uint64_t h = HashBytes(Name(id));
    uint64_t i = h & mask_;
    while (slots_[i].tag != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{static_cast<uint32_t>(h >> 32) | 1u, id};
  }
}

size_t Interner::MemoryBytes() const {
  return slots_.capacity() * sizeof(Slot) + offsets_.capacity() * sizeof(uint64_t) +
         bytes_.capacity();
}

}  // namespace interdict
