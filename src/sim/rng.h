// The simulator's own pseudo-random generator: xoshiro256** seeded through
// splitmix64, and the few distributions the world needs, written out here so
// that the same seed gives the same bytes with any standard library (std::
// distributions are implementation-defined and differ between libstdc++ and
// libc++ or across versions). The only floating-point library calls are log,
// exp and sqrt, which glibc rounds correctly.
//
// Value type; not thread-safe (one Rng per generating thread).
#pragma once
#include <cmath>
#include <cstdint>

namespace interdict::sim {

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 1) { Seed(seed); }
  void Seed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& w : s_) w = SplitMix64(&x);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift (tiny bias is
  // irrelevant here; determinism is what matters).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<__uint128_t>(Next()) * n) >> 64); }
  // Uniform integer in [lo, hi] (inclusive).
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1))); }
  bool Chance(double p) { return Uniform() < p; }

  // Standard normal by Marsaglia's polar method (log and sqrt only).
  double Normal() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * Uniform() - 1.0;
      v = 2.0 * Uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    have_spare_ = true;
    return u * m;
  }
  // Log-normal with the given median and log-space sigma.
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }
  // Pareto (type I) with scale xmin and tail index alpha: heavy-tailed degrees.
  double Pareto(double xmin, double alpha) { return xmin / std::pow(1.0 - Uniform(), 1.0 / alpha); }
  // Poisson: Knuth's product method for small means, a rounded normal above 30.
  uint32_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
      double x = mean + std::sqrt(mean) * Normal() + 0.5;
      return x < 0 ? 0 : static_cast<uint32_t>(x);
    }
    const double l = std::exp(-mean);
    uint32_t k = 0;
    double p = Uniform();
    while (p > l) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_ = 0;
  bool have_spare_ = false;
};

// Picks an index by weight from a cumulative table (cum[i] = w0 + ... + wi).
template <typename Vec>
inline size_t PickCumulative(const Vec& cum, double u01) {
  const double x = u01 * cum.back();
  size_t lo = 0, hi = cum.size() - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cum[mid] > x) hi = mid; else lo = mid + 1;
  }
  return lo;
}

}  // namespace interdict::sim
