// HugePageAllocator: a std::allocator for large, randomly accessed arrays
// (interner tables, per-entity engine state). Allocations of 2 MiB or more are
// 2 MiB-aligned and advised MADV_HUGEPAGE, so on kernels with transparent huge
// pages in "madvise" mode (Debian's default) a random probe costs one TLB
// entry per 2 MiB instead of per 4 KiB: at tens of millions of ids the page
// walks otherwise cost as much as the cache misses. Smaller allocations use
// operator new (aligned new for over-aligned T). Stateless; thread-safe as
// malloc is.
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace interdict {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHuge) {
      if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
        return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
      return static_cast<T*>(::operator new(bytes));
    }
    const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHuge) {
      if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
        ::operator delete(p, std::align_val_t{alignof(T)});
        return;
      }
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace interdict
