// HyperLogLog distinct counter (Flajolet et al. 2007, with the small-range
// linear-counting correction of Heule et al. 2013). 2^14 one-byte registers:
// 16 KiB, standard error 1.04/sqrt(2^14) = 0.8 %. Takes 64-bit hashes
// (SketchHash below, or HashBytes).
// Not thread-safe.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "base/hash.h"

namespace interdict {

// The hash validate's sketches take (not the interner's HashBytes: nothing
// else sees these values, so it may be cheaper). Ids of 4 to 16 bytes are
// read as two overlapping words, which cover every byte, and mixed with
// wyhash's two multiply-folds; other lengths use HashBytes.
inline uint64_t SketchHash(const char* p, size_t n) {
  using namespace hash_detail;
  uint64_t a, b;
  if (n - 8 <= 8) {
    a = Read8(p);
    b = Read8(p + n - 8);
  } else if (n - 4 < 4) {
    a = Read4(p);
    b = Read4(p + n - 4);
  } else {
    return HashBytes(p, n);
  }
  return Mum(kP1 ^ n, Mum(a ^ kP1, b ^ kP0));
}

class HyperLogLog {
 public:
  static constexpr int kPrecision = 14;
  static constexpr uint32_t kRegisters = 1u << kPrecision;

  HyperLogLog() : reg_(kRegisters, 0) {}

  void Add(uint64_t hash) { AddTo(reg_.data(), hash); }
  // The registers, for hot loops that keep them in a register (AddTo).
  uint8_t* registers() { return reg_.data(); }
  static void AddTo(uint8_t* reg, uint64_t hash) {
    const uint32_t idx = static_cast<uint32_t>(hash >> (64 - kPrecision));
    const uint64_t rest = (hash << kPrecision) | (uint64_t{1} << (kPrecision - 1));
    const uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    // Unconditional store of the max (why: which register grows is random,
    // so a compare-and-branch mispredicts while the sketch is young).
    uint8_t& r = reg[idx];
    r = rank > r ? rank : r;
  }

  uint64_t Estimate() const {
    double sum = 0;
    uint32_t zeros = 0;
    for (uint8_t r : reg_) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    const double m = kRegisters;
    const double alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / zeros);  // linear counting
    return static_cast<uint64_t>(std::llround(e));
  }

 private:
  std::vector<uint8_t> reg_;
};

}  // namespace interdict
