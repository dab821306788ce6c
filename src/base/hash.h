// Fast non-cryptographic hashing of short byte strings (ids), wyhash-style.
// Reads only inside [p, p+n): safe at the end of a buffer. Not for use as a
// security boundary: ids come from operators and banks, not from attackers
// able to choose collisions at scale, and the interner degrades gracefully.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace interdict {

namespace hash_detail {
inline uint64_t Mum(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t Read8(const char* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }
inline uint64_t Read4(const char* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
}  // namespace hash_detail

namespace hash_detail {
// Lengths outside 4..16; kept out of line so that HashBytes itself is small
// enough to inline on ingest hot paths.
[[gnu::noinline]] inline uint64_t HashOther(const char* p, size_t n, uint64_t seed) {
  uint64_t a, b;
  seed ^= kP0;
  if (n <= 16) {
    if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<uint8_t>(p[n >> 1])) << 8) |
          static_cast<uint8_t>(p[n - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = n;
    if (i > 48) {
      uint64_t s1 = seed, s2 = seed;
      do {
        seed = Mum(Read8(p) ^ kP1, Read8(p + 8) ^ seed);
        s1 = Mum(Read8(p + 16) ^ kP2, Read8(p + 24) ^ s1);
        s2 = Mum(Read8(p + 32) ^ kP0, Read8(p + 40) ^ s2);
        p += 48;
        i -= 48;
      } while (i > 48);
      seed ^= s1 ^ s2;
    }
    while (i > 16) {
      seed = Mum(Read8(p) ^ kP1, Read8(p + 8) ^ seed);
      i -= 16;
      p += 16;
    }
    a = Read8(p + i - 16);
    b = Read8(p + i - 8);
  }
  return Mum(kP1 ^ n, Mum(a ^ kP1, b ^ seed));
}
}  // namespace hash_detail

// Ids of 4 to 16 bytes (every msisdn, IMEI, card number and cell id in
// practice) hash inline with two overlapping pairs of 4-byte loads; other
// lengths call HashOther. Values do not depend on which path ran.
inline uint64_t HashBytes(const char* p, size_t n, uint64_t seed = 0) {
  using namespace hash_detail;
  if (n - 4 <= 12) {
    const size_t d = (n >> 3) << 2;
    const uint64_t a = (Read4(p) << 32) | Read4(p + d);
    const uint64_t b = (Read4(p + n - 4) << 32) | Read4(p + n - 4 - d);
    return Mum(kP1 ^ n, Mum(a ^ kP1, b ^ seed ^ kP0));
  }
  return HashOther(p, n, seed);
}

inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  return HashBytes(s.data(), s.size(), seed);
}

// Mixes an integer key (e.g. a dense id pair) for open-addressing tables.
inline uint64_t HashU64(uint64_t x) {
  return hash_detail::Mum(x ^ hash_detail::kP0, hash_detail::kP1);
}

}  // namespace interdict
