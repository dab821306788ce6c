// HugePageAllocator: a std::allocator for the large flat arrays of the ring
// detector (adjacency pool, per-vertex state, order labels, order tree).
//
// Why: incremental re-peeling reads those arrays at random (a neighbour's order
// label, a marked vertex's state); at 5M vertices they span hundreds of MB, so
// with 4 KiB pages nearly every such read also misses the TLB, and on a virtual
// machine a TLB miss is a two-level page walk. Blocks of 2 MiB or more are
// aligned to 2 MiB and marked MADV_HUGEPAGE (the kernel's transparent huge
// pages in "madvise" mode); smaller blocks use operator new. Behaviour is
// otherwise that of std::allocator (stateless, all instances equal).
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace interdict {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    if (bytes < kHuge) return static_cast<T*>(::operator new(bytes));
    size_t rounded = (bytes + kHuge - 1) & ~(kHuge - 1);
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves 4 KiB pages
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHuge) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace interdict
