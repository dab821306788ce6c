// Per-entity state in vectors indexed by dense id (base/intern.h hands out
// ids 0..n-1): growing, reading, prefetching, and small sorted id sets.
//
// DenseTable<T> is the vector type for the big tables (one entry per number,
// handset, account, person): it takes its memory in 2 MiB transparent huge
// pages (base/huge_alloc.h). Why: at a province's scale these tables span
// hundreds of megabytes read at random, and with 4 KiB pages nearly every
// access also missed the TLB; a page walk whose own entries miss the cache
// costs as much as the access. Measured on the 1M world: 624k -> 751k
// events/s with every allocation in huge pages (docs/benchmarks.md).
//
// Why one header: the engine, governance and ring detection each keep tables
// by MsisdnId, AccountId, DeviceId ...; they must grow and be prefetched the
// same way. None of this is thread-safe; references into a table are valid
// until the next call that may grow it.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/huge_alloc.h"

namespace interdict {

template <typename T>
using DenseTable = std::vector<T, HugePageAllocator<T>>;

// The entry of `id`, growing the table on demand (by half, so growth is
// amortised when ids arrive one by one). `fill` is the value of ids not seen
// yet (kNoId, kNoTs ... where 0 is a valid value).
template <typename T, typename A>
T& At(std::vector<T, A>& v, uint32_t id, const T& fill = T{}) {
  if (id >= v.size()) v.resize(std::max<size_t>(id + 1, v.size() + v.size() / 2 + 16), fill);
  return v[id];
}

// For the big per-entity tables: grows to cover every id the dictionary has
// handed out (`known`, e.g. all SIMs read from sim_cards.csv) with exactly
// that capacity, then by an eighth at a time for ids interned later, so the
// table is not left up to twice the size of the population (resize's growth).
// Default-constructs new entries (T may be move-only).
template <typename T, typename A>
T& AtSized(std::vector<T, A>& v, uint32_t id, size_t known) {
  if (id >= v.size()) {
    const size_t n = std::max<size_t>(id + 1, known);
    if (n > v.capacity()) v.reserve(std::max(n, v.capacity() + v.capacity() / 8));
    v.resize(n);
  }
  return v[id];
}

// The entry of `id`, or `absent` past the end (never grows).
template <typename T, typename A>
T Get(const std::vector<T, A>& v, uint32_t id, const T& absent) {
  return id < v.size() ? v[id] : absent;
}

// Software prefetch of the entry of `id`. Why: the engine's work per event is
// mostly cache misses on state spread over gigabytes; `interdict run` reads
// events ahead and calls each detector's Prefetch so the misses of several
// events overlap. Only a hint: an id past the end is ignored, nothing is read
// or written.
template <typename T, typename A>
inline void PrefetchAt(const std::vector<T, A>& v, uint32_t id) {
  if (id >= v.size()) return;
  // Every cache line the entry touches: a 152-byte entry may span three.
  const uintptr_t first = reinterpret_cast<uintptr_t>(&v[id]) & ~uintptr_t{63};
  const uintptr_t last = (reinterpret_cast<uintptr_t>(&v[id]) + sizeof(T) - 1) & ~uintptr_t{63};
  for (uintptr_t line = first; line <= last; line += 64) __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
}

// Adds x to the sorted set v unless present; true if it was new. Sorted so
// that a SIM box's hundreds of SIMs cost a binary search per call, not a scan.
template <typename T>
bool InsertSortedUnique(std::vector<T>& v, T x) {
  const auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it != v.end() && *it == x) return false;
  v.insert(it, x);
  return true;
}

}  // namespace interdict
