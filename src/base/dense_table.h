// Per-entity state in vectors indexed by dense id (base/intern.h hands out
// ids 0..n-1): growing, reading, prefetching, and small sorted id sets.
//
// DenseTable<T> is the vector type for the big tables (one entry per number,
// handset, account, person): it takes its memory in 2 MiB transparent huge
// pages (base/huge_alloc.h). Why: at a province's scale these tables span
// hundreds of megabytes read at random, and with 4 KiB pages nearly every
// access also missed the TLB; a page walk whose own entries miss the cache
// costs as much as the access. Measured on the 1M world: 624k -> 727k
// events/s (docs/benchmarks.md).
//
// Why one header: the engine, governance and ring detection each keep tables
// by MsisdnId, AccountId, DeviceId ...; they must grow and be prefetched the
// same way. None of this is thread-safe. References into a DenseTable are
// valid until the next call that may grow it; into a ChunkedTable, for its
// lifetime.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "base/huge_alloc.h"

namespace interdict {

template <typename T>
using DenseTable = std::vector<T, HugePageAllocator<T>>;

// A table by dense id in fixed chunks of 2^16 entries, for per-entity state
// whose id range keeps growing during a run (accounts and numbers first seen
// in transfers and calls, not only in the registry files). Why not a vector:
// a vector of 160-byte entries grown by half copies and page-clears the
// whole table again at each step (about three times its final size in all;
// 4.8 % of a 1M run when grown by an eighth). Here growth allocates one
// chunk, never copies, and references stay valid across growth. Indexing
// costs one load from the chunk list, which stays in L1. Entries are
// value-initialised (T{}); large chunks are in huge pages.
template <typename T>
class ChunkedTable {
 public:
  static constexpr uint32_t kShift = 16;
  static constexpr size_t kChunk = size_t{1} << kShift;

  ChunkedTable() = default;
  ChunkedTable(const ChunkedTable&) = delete;
  ChunkedTable& operator=(const ChunkedTable&) = delete;
  ChunkedTable(ChunkedTable&&) noexcept = default;
  ChunkedTable& operator=(ChunkedTable&&) noexcept = default;

  T& operator[](size_t i) { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  size_t size() const { return size_; }
  size_t capacity() const { return chunks_.size() * kChunk; }
  // Makes ids below n valid (never shrinks).
  void resize(size_t n) {
    while (capacity() < n) {
      HugePageAllocator<T> alloc;
      T* p = alloc.allocate(kChunk);
      std::uninitialized_value_construct_n(p, kChunk);
      chunks_.emplace_back(p);
    }
    if (n > size_) size_ = n;
  }

 private:
  struct Free {
    void operator()(T* p) const {
      std::destroy_n(p, kChunk);
      HugePageAllocator<T>().deallocate(p, kChunk);
    }
  };
  std::vector<std::unique_ptr<T[], Free>> chunks_;
  size_t size_ = 0;
};

// The entry of `id` in a chunked table, growing it on demand.
template <typename T>
T& At(ChunkedTable<T>& t, uint32_t id) {
  if (id >= t.size()) t.resize(id + size_t{1});
  return t[id];
}

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
// New entries are default-constructed (T may be move-only), or copies of
// `fill` in the second form.
template <typename T, typename A>
size_t ReserveSized(std::vector<T, A>& v, uint32_t id, size_t known) {  // the new size
  const size_t n = std::max<size_t>(id + 1, known);
  if (n > v.capacity()) v.reserve(std::max(n, v.capacity() + v.capacity() / 8));
  return n;
}
template <typename T, typename A>
T& AtSized(std::vector<T, A>& v, uint32_t id, size_t known) {
  if (id >= v.size()) v.resize(ReserveSized(v, id, known));
  return v[id];
}
template <typename T, typename A>
T& AtSized(std::vector<T, A>& v, uint32_t id, size_t known, const T& fill) {
  if (id >= v.size()) v.resize(ReserveSized(v, id, known), fill);
  return v[id];
}

// The entry of `id`, or `absent` past the end (never grows).
template <typename T, typename A>
T Get(const std::vector<T, A>& v, uint32_t id, const T& absent) {
  return id < v.size() ? v[id] : absent;
}

// A prefetch the optimiser cannot delete. Why not __builtin_prefetch: GCC
// treats it as free of side effects, so its inter-procedural analysis marks a
// function made of prefetches "pure" and then deletes every call to it whose
// result is unused, which is every call. That silently turned all of the
// engine's, governance's and the rings' prefetches off (their Prefetch
// functions compiled to nothing). A volatile asm is a side effect.
inline void PrefetchLine(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 1);
  asm volatile("" : : "r"(p) : "memory");
#endif
}

// Prefetches every cache line of *entry: its first byte, every 64 bytes on,
// and its last byte (a 152-byte entry may span three lines).
template <typename T>
inline void PrefetchEntry(const T* entry) {
  const char* p = reinterpret_cast<const char*>(entry);
  [p]<size_t... k>(std::index_sequence<k...>) {
    (PrefetchLine(p + k * 64), ...);
  }(std::make_index_sequence<(sizeof(T) + 63) / 64>{});
  // An entry a whole number of lines long sits on line boundaries in a big
  // table (huge-page allocations are 2 MiB-aligned): its last byte is in the
  // last line the fold loaded. Otherwise it may straddle one more line.
  if constexpr (sizeof(T) % 64 != 0 && sizeof(T) % 64 != 1) PrefetchLine(p + sizeof(T) - 1);
}

// Software prefetch of the entry of `id` in a table by id (a vector or a
// ChunkedTable). Why: the engine's work per event is mostly cache misses on
// state spread over gigabytes; `interdict run` reads events ahead and calls
// each detector's Prefetch so the misses of several events overlap. Only a
// hint: an id past the end is ignored, nothing is read or written.
template <typename Table>
inline void PrefetchAt(const Table& t, uint32_t id) {
  if (id >= t.size()) return;
  PrefetchEntry(&t[id]);
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
