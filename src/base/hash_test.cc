#include "base/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace interdict {
namespace {

// HashBytes must give the values it gave before its 4..16-byte path was
// split out to inline (the interner's tables depend on nothing else, but a
// silent change of every hash is not what an inlining should do). The
// constant is this checksum computed with the previous implementation.
TEST(Hash, SameValuesAsBeforeAtEveryLength) {
  std::string s;
  uint64_t x = 12345, sum = 0;
  for (size_t n = 0; n <= 200; ++n) {
    for (int rep = 0; rep < 20; ++rep) {
      s.resize(n);
      for (char& c : s) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        c = static_cast<char>(x >> 56);
      }
      for (uint64_t seed : {uint64_t{0}, uint64_t{7}, ~uint64_t{0}}) sum = sum * 31 + HashBytes(s.data(), n, seed);
    }
  }
  EXPECT_EQ(sum, 0xc82cf0cbe3f11295ull);
}

}  // namespace
}  // namespace interdict
