// Approximate memory of which pairs of persons have talked on the phone.
//
// Why: a victim under a fraud call often also pays people they know (family,
// friends) in the same days, and in a data set that starts recently such a
// payee looks "first-time". Mules are strangers to their victims. Before the
// engine holds a payment from an exposed person, or seeds a report's trace
// with it, it asks whether payer and payee's holder have spoken; if they have,
// the payee is not treated as a mule.
//
// A blocked Bloom filter (one 64-byte block per pair, 8 bits in it) in
// generations: when the current generation has taken its capacity of
// distinct pairs, a new one as large as all live ones together starts, and
// generations whose last insert is older than `memory_s` are dropped. So
// memory follows the number of distinct pairs seen in the memory span (about
// 16 bits each, twice over at worst), never the event count. Errors are
// one-sided: Contains() may say yes for a pair never added (about 0.2 % per
// full generation, summed over the generations), never no for a pair added
// within the memory span. A false yes costs a missed hold or stop, never a
// false one.
//
// Thread safety: none. Pairs are unordered: Add(a, b) == Add(b, a) (AddDirected
// aside).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/huge_alloc.h"
#include "base/time.h"

namespace interdict {

class KnownPairs {
 public:
  // `first_capacity`: distinct pairs the first generation holds (it doubles
  // from there); `memory_s`: how long a generation is kept after its last insert.
  explicit KnownPairs(uint64_t first_capacity = uint64_t{1} << 18, Ts memory_s = 90 * 86400);

  void Add(uint32_t a, uint32_t b, Ts now);
  bool Contains(uint32_t a, uint32_t b) const;
  // Ordered pairs (from -> to is not to -> from), e.g. payer and payee
  // accounts; keep them in their own instance. Adds the pair and returns
  // whether it was new: true if it was not remembered, except that the
  // one-sided error above may call a new pair old (never an old one new).
  bool AddDirected(uint32_t from, uint32_t to, Ts now);
  // Whether the ordered pair is remembered, adding nothing: !AddDirected's
  // answer without its insert.
  bool ContainsDirected(uint32_t from, uint32_t to) const;
  // Start loading the blocks Add / Contains (a, b) or AddDirected(from, to)
  // will read: one cache line per generation. Hints only.
  void Prefetch(uint32_t a, uint32_t b) const;
  void PrefetchDirected(uint32_t from, uint32_t to) const;

  size_t MemoryBytes() const;
  uint64_t distinct() const;  // approximate: inserts that set a new bit
  size_t generations() const { return gens_.size(); }

 private:
  struct Generation {
    std::vector<uint64_t, HugePageAllocator<uint64_t>> words;  // 8 words (512 bits) a block; probed at random
    uint64_t blocks = 0;
    uint64_t capacity = 0;
    uint64_t count = 0;
    Ts last_add = 0;
  };
  static uint64_t Key(uint32_t a, uint32_t b);
  void AddHash(uint64_t h, Ts now);
  bool ContainsHash(uint64_t h) const;
  void PrefetchHash(uint64_t h) const;
  static uint64_t DirectedKey(uint32_t from, uint32_t to);
  static bool Test(const Generation& g, uint64_t h);
  static bool Set(Generation& g, uint64_t h);  // true if a bit was new
  void StartGeneration(uint64_t capacity, Ts now);

  std::vector<Generation> gens_;
  uint64_t first_capacity_;
  Ts memory_s_;
};

}  // namespace interdict
