#include "engine/known_pairs.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

TEST(KnownPairs, RemembersUnorderedPairsWithoutFalseNo) {
  KnownPairs k(1024, 90 * 86400);
  EXPECT_FALSE(k.Contains(1, 2));
  k.Add(1, 2, 0);
  EXPECT_TRUE(k.Contains(1, 2));
  EXPECT_TRUE(k.Contains(2, 1));
  // Many more pairs than the first generation holds: new generations start,
  // and every pair added is still there.
  for (uint32_t i = 0; i < 20000; ++i) k.Add(i, i + 1000003, i);
  EXPECT_GT(k.generations(), 1u);
  for (uint32_t i = 0; i < 20000; ++i) ASSERT_TRUE(k.Contains(i + 1000003, i)) << i;
  EXPECT_TRUE(k.Contains(1, 2));
  // False yes stays rare: pairs never added.
  int wrong = 0;
  for (uint32_t i = 0; i < 20000; ++i) wrong += k.Contains(i, i + 7000001);
  EXPECT_LT(wrong, 200);  // < 1 % over all generations together
  EXPECT_GT(k.MemoryBytes(), 0u);
}

TEST(KnownPairs, ForgetsGenerationsUnusedForTheMemorySpan) {
  KnownPairs k(1024, 10 * 86400);
  k.Add(5, 6, 0);
  for (uint32_t i = 0; i < 1024; ++i) k.Add(100 + i, 200000 + i, 0);  // fills the first generation
  k.Add(7, 8, 20 * 86400);  // 20 days later: the first generation is gone
  EXPECT_TRUE(k.Contains(7, 8));
  EXPECT_FALSE(k.Contains(5, 6));
  EXPECT_EQ(k.generations(), 1u);
}

// Payer -> payee pairs: direction matters, the first payment is new and a
// repeat is not, over generations; new pairs are rarely called old.
TEST(KnownPairs, DirectedPairsReportTheFirstTime) {
  KnownPairs k(1024, 90 * 86400);
  EXPECT_TRUE(k.AddDirected(1, 2, 0));
  EXPECT_FALSE(k.AddDirected(1, 2, 10));
  EXPECT_TRUE(k.AddDirected(2, 1, 20));  // the other way is another pair
  int first = 0;
  for (uint32_t i = 0; i < 20000; ++i) first += k.AddDirected(i + 5000000, i, i);
  EXPECT_GT(first, 19800);  // all new; a few may collide with earlier ones
  EXPECT_GT(k.generations(), 1u);
  int old_called_new = 0, new_called_old = 0;
  for (uint32_t i = 0; i < 20000; ++i) old_called_new += k.AddDirected(i + 5000000, i, 30000);
  for (uint32_t i = 0; i < 20000; ++i) new_called_old += !k.AddDirected(i, i + 5000000, 30000);
  EXPECT_EQ(old_called_new, 0);
  EXPECT_LT(new_called_old, 200);  // < 1 %
}

}  // namespace
}  // namespace interdict
