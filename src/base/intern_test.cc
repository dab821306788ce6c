#include "base/intern.h"

#include <string>
#include <unordered_map>

#include <gtest/gtest.h>

namespace interdict {
namespace {

TEST(Interner, DenseStableIds) {
  Interner in;
  bool ins = false;
  EXPECT_EQ(in.Intern("13800138000", &ins), 0u);
  EXPECT_TRUE(ins);
  EXPECT_EQ(in.Intern("+85512345678", &ins), 1u);
  EXPECT_EQ(in.Intern("13800138000", &ins), 0u);
  EXPECT_FALSE(ins);
  EXPECT_EQ(in.Name(1), "+85512345678");
  EXPECT_EQ(in.Find("nope"), kNoId);
  EXPECT_EQ(in.size(), 2u);
}

TEST(Interner, ManyKeysSurviveGrowthAndKeepNames) {
  Interner in;
  std::unordered_map<std::string, uint32_t> ref;
  for (int i = 0; i < 200000; ++i) {
    // Lengths 1..140 exercise every hash branch, including long hashed ids.
    std::string k = std::to_string(i * 7919) + std::string(static_cast<size_t>(i % 140), 'a' + (i % 26));
    uint32_t id = in.Intern(k);
    auto [it, fresh] = ref.emplace(k, id);
    if (!fresh) {
      ASSERT_EQ(it->second, id);
    }
  }
  EXPECT_EQ(in.size(), ref.size());
  for (const auto& [k, id] : ref) {
    ASSERT_EQ(in.Find(k), id);
    ASSERT_EQ(in.Name(id), k);
  }
}

TEST(Interner, EmptyAndBinaryKeysAreDistinct) {
  Interner in;
  uint32_t a = in.Intern(std::string_view("a\0b", 3));
  uint32_t b = in.Intern(std::string_view("a\0c", 3));
  uint32_t c = in.Intern("");
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(in.Find(std::string_view("a\0b", 3)), a);
}

}  // namespace
}  // namespace interdict

#include "base/hyperloglog.h"

namespace interdict {
namespace {
TEST(HyperLogLog, WithinTwoPercentAcrossScales) {
  for (uint64_t n : {0ull, 1ull, 100ull, 10000ull, 1000000ull}) {
    HyperLogLog h;
    for (uint64_t i = 0; i < n; ++i) {
      std::string k = "138" + std::to_string(10000000 + i);
      h.Add(HashBytes(k));
      h.Add(HashBytes(k));  // duplicates do not count
    }
    double est = static_cast<double>(h.Estimate());
    EXPECT_NEAR(est, static_cast<double>(n), 0.02 * static_cast<double>(n) + 0.5) << n;
  }
}

// validate's sketches hash with SketchHash: as good on the id shapes of the
// format (msisdns, IMEIs, short cell ids, 16-digit accounts, longer hashes).
TEST(HyperLogLog, SketchHashWithinTwoPercent) {
  for (uint64_t n : {100ull, 10000ull, 300000ull}) {
    HyperLogLog msisdn, imei, cell, account, hashed;
    for (uint64_t i = 0; i < n; ++i) {
      for (auto [h, k] : {std::pair{&msisdn, "138" + std::to_string(10000000 + i)},
                          std::pair{&imei, "86" + std::to_string(1000000000000 + i * 7919)},
                          std::pair{&cell, "C" + std::to_string(i)},
                          std::pair{&account, "6222" + std::to_string(100000000000 + i)},
                          std::pair{&hashed, std::string(20, 'f') + std::to_string(i)}}) {
        h->Add(SketchHash(k.data(), k.size()));
        h->Add(SketchHash(k.data(), k.size()));
      }
    }
    for (const HyperLogLog* h : {&msisdn, &imei, &cell, &account, &hashed})
      EXPECT_NEAR(static_cast<double>(h->Estimate()), static_cast<double>(n), 0.02 * static_cast<double>(n) + 0.5)
          << n;
  }
}
}  // namespace
}  // namespace interdict
