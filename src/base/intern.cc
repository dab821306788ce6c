#include "base/intern.h"

namespace interdict {

Interner::Interner() : slots_(1024, Slot{0, 0}), mask_(1023) {}

uint32_t Interner::InternHashed(std::string_view s, uint64_t h, bool* inserted) {
  Key probe;
  const bool is_inline = MakeInline(s, &probe);
  const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;
  uint64_t i = h & mask_;
  for (;;) {
    const Slot slot = slots_[i];
    if (slot.tag == 0) break;
    if (slot.tag == tag && Matches(slot.id, s, probe, is_inline)) {
      if (inserted) *inserted = false;
      return slot.id;
    }
    i = (i + 1) & mask_;
  }
  const uint32_t id = size();
  slots_[i] = Slot{tag, id};
  if (!is_inline) {
    probe.w[0] = long_bytes_.size();
    probe.w[1] = s.size();
    probe.w[2] = kLongMarker << 56;
    long_bytes_.append(s.data(), s.size());
  }
  keys_.push_back(probe);
  if (inserted) *inserted = true;
  // Keep the load factor at or below 1/2: probes stay short.
  if (static_cast<uint64_t>(size()) * 2 > mask_ + 1) Grow();
  return id;
}

uint32_t Interner::Find(std::string_view s) const {
  const uint64_t h = HashBytes(s);
  Key probe;
  const bool is_inline = MakeInline(s, &probe);
  const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;
  for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.tag == 0) return kNoId;
    if (slot.tag == tag && Matches(slot.id, s, probe, is_inline)) return slot.id;
  }
}

void Interner::Grow() {
  const uint64_t cap = (mask_ + 1) * 2;
  std::vector<Slot, HugePageAllocator<Slot>> fresh(cap, Slot{0, 0});
  mask_ = cap - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    const uint64_t h = HashBytes(Name(id));
    uint64_t i = h & mask_;
    while (fresh[i].tag != 0) i = (i + 1) & mask_;
    fresh[i] = Slot{static_cast<uint32_t>(h >> 32) | 1u, id};
  }
  slots_.swap(fresh);
}

size_t Interner::MemoryBytes() const {
  return slots_.capacity() * sizeof(Slot) + keys_.capacity() * sizeof(Key) + long_bytes_.capacity();
}

}  // namespace interdict
