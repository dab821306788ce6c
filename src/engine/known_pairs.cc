#include "engine/known_pairs.h"

#include <algorithm>

#include "base/dense_table.h"
#include "base/hash.h"

namespace interdict {

namespace {
constexpr uint64_t kWordsPerBlock = 8;  // one cache line
constexpr uint64_t kBitsPerPair = 16;   // ~0.2 % false yes per full generation, 8 probes
}  // namespace

KnownPairs::KnownPairs(uint64_t first_capacity, Ts memory_s)
    : first_capacity_(std::max<uint64_t>(first_capacity, 1024)), memory_s_(memory_s) {}

uint64_t KnownPairs::Key(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return HashU64((static_cast<uint64_t>(a) << 32) | b);
}

// The block comes from the high bits; the 8 probes take 9 bits each of a
// second mix of the hash, all inside that one 512-bit block.
bool KnownPairs::Test(const Generation& g, uint64_t h) {
  const uint64_t* w = g.words.data() + ((h >> 32) % g.blocks) * kWordsPerBlock;
  uint64_t p = HashU64(h ^ 0x9e3779b97f4a7c15ULL);
  for (int i = 0; i < 8; ++i, p >>= 8) {
    const uint32_t bit = static_cast<uint32_t>(p & 511);
    if (!(w[bit >> 6] & (uint64_t{1} << (bit & 63)))) return false;
  }
  return true;
}

bool KnownPairs::Set(Generation& g, uint64_t h) {
  uint64_t* w = g.words.data() + ((h >> 32) % g.blocks) * kWordsPerBlock;
  uint64_t p = HashU64(h ^ 0x9e3779b97f4a7c15ULL);
  bool fresh = false;
  for (int i = 0; i < 8; ++i, p >>= 8) {
    const uint32_t bit = static_cast<uint32_t>(p & 511);
    const uint64_t m = uint64_t{1} << (bit & 63);
    fresh |= !(w[bit >> 6] & m);
    w[bit >> 6] |= m;
  }
  return fresh;
}

void KnownPairs::StartGeneration(uint64_t capacity, Ts now) {
  Generation g;
  g.capacity = capacity;
  g.blocks = std::max<uint64_t>(1, capacity * kBitsPerPair / (64 * kWordsPerBlock));
  g.words.assign(g.blocks * kWordsPerBlock, 0);
  g.last_add = now;
  gens_.push_back(std::move(g));
}

void KnownPairs::Add(uint32_t a, uint32_t b, Ts now) { AddHash(Key(a, b), now); }

bool KnownPairs::Contains(uint32_t a, uint32_t b) const { return ContainsHash(Key(a, b)); }

uint64_t KnownPairs::DirectedKey(uint32_t from, uint32_t to) {
  return HashU64((static_cast<uint64_t>(from) << 32) | to);
}

void KnownPairs::PrefetchHash(uint64_t h) const {
  for (const Generation& g : gens_) PrefetchLine(g.words.data() + ((h >> 32) % g.blocks) * kWordsPerBlock);
}

void KnownPairs::Prefetch(uint32_t a, uint32_t b) const { PrefetchHash(Key(a, b)); }

void KnownPairs::PrefetchDirected(uint32_t from, uint32_t to) const { PrefetchHash(DirectedKey(from, to)); }

bool KnownPairs::AddDirected(uint32_t from, uint32_t to, Ts now) {
  const uint64_t h = DirectedKey(from, to);
  const bool known = ContainsHash(h);
  AddHash(h, now);
  return !known;
}

bool KnownPairs::ContainsDirected(uint32_t from, uint32_t to) const { return ContainsHash(DirectedKey(from, to)); }

void KnownPairs::AddHash(uint64_t h, Ts now) {
  // Forget generations nobody added to within the memory span.
  while (!gens_.empty() && now - gens_.front().last_add > memory_s_) gens_.erase(gens_.begin());
  if (gens_.empty() || gens_.back().count >= gens_.back().capacity) {
    // Size the new generation like everything still remembered: memory stays
    // about twice the distinct pairs of the memory span, however long the run.
    StartGeneration(std::max(first_capacity_, distinct()), now);
  }
  // Already in an older generation and still remembered: refresh it in the
  // current one only, so the old generation can age out.
  Generation& cur = gens_.back();
  if (Set(cur, h)) ++cur.count;
  cur.last_add = now;
}

bool KnownPairs::ContainsHash(uint64_t h) const {
  for (auto it = gens_.rbegin(); it != gens_.rend(); ++it)
    if (Test(*it, h)) return true;
  return false;
}

size_t KnownPairs::MemoryBytes() const {
  size_t n = 0;
  for (const Generation& g : gens_) n += g.words.capacity() * sizeof(uint64_t);
  return n;
}

uint64_t KnownPairs::distinct() const {
  uint64_t n = 0;
  for (const Generation& g : gens_) n += g.count;
  return n;
}

}  // namespace interdict
