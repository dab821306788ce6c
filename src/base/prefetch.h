// Software prefetch of per-entity state kept in vectors indexed by dense id.
//
// Why: the engine's work per event is mostly cache misses on state spread
// over gigabytes (numbers, handsets, accounts). `interdict run` reads events
// ahead and calls each detector's Prefetch, so the misses of several events
// overlap. A prefetch is only a hint: an id past the end is ignored, nothing
// is read or written.
#pragma once
#include <cstdint>
#include <vector>

namespace interdict {

template <typename T, typename A>
inline void PrefetchAt(const std::vector<T, A>& v, uint32_t id) {
  if (id >= v.size()) return;
  const char* p = reinterpret_cast<const char*>(&v[id]);
  __builtin_prefetch(p, 1);
  if constexpr (sizeof(T) > 8) __builtin_prefetch(p + sizeof(T) - 1, 1);  // a second line if it straddles
}

}  // namespace interdict
