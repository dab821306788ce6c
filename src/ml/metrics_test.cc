#include "ml/metrics.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

TEST(MlMetrics, AucPerfectReversedAndTies) {
  std::vector<float> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(RocAuc({0.1f, 0.2f, 0.8f, 0.9f}, y), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({0.9f, 0.8f, 0.2f, 0.1f}, y), 0.0);
  EXPECT_DOUBLE_EQ(RocAuc({0.5f, 0.5f, 0.5f, 0.5f}, y), 0.5);
  // One fraud row tied with one normal row: that pair counts one half.
  // Pairs (pos,neg): (0.5 vs 0.1)=1, (0.5 vs 0.5)=0.5, (0.9 vs 0.1)=1, (0.9 vs 0.5)=1 -> 3.5/4.
  EXPECT_DOUBLE_EQ(RocAuc({0.1f, 0.5f, 0.5f, 0.9f}, y), 0.875);
  EXPECT_DOUBLE_EQ(RocAuc({0.1f, 0.2f}, {1, 1}), 0.5);  // one class only
}

TEST(MlMetrics, AucMatchesPairCounting) {
  std::vector<float> s = {0.3f, 0.7f, 0.7f, 0.2f, 0.9f, 0.3f, 0.5f, 0.7f};
  std::vector<float> y = {0, 1, 0, 0, 1, 1, 0, 1};
  double good = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        good += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
      }
  EXPECT_DOUBLE_EQ(RocAuc(s, y), good / pairs);
}

TEST(MlMetrics, ConfusionAndF1) {
  std::vector<float> s = {0.9f, 0.8f, 0.4f, 0.3f, 0.6f, 0.1f};
  std::vector<float> y = {1, 1, 1, 0, 0, 0};
  Confusion c = ConfusionAt(s, y, 0.5);
  EXPECT_EQ(c.tp, 2u);
  EXPECT_EQ(c.fp, 1u);
  EXPECT_EQ(c.fn, 1u);
  EXPECT_EQ(c.tn, 2u);
  EXPECT_DOUBLE_EQ(c.Precision(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.Recall(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.F1(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.NegativeF1(), 2.0 / 3);
  EXPECT_DOUBLE_EQ(c.MacroF1(), 2.0 / 3);
  Confusion none = ConfusionAt(s, y, 2.0);
  EXPECT_EQ(none.Precision(), 0.0);
  EXPECT_EQ(none.F1(), 0.0);
  EXPECT_DOUBLE_EQ(none.NegativeF1(), 2.0 * 3 / (2.0 * 3 + 3));
}

TEST(MlMetrics, ThresholdSeparatesAndSitsBetweenScores) {
  std::vector<float> s = {0.1f, 0.2f, 0.35f, 0.6f, 0.7f, 0.95f};
  std::vector<float> y = {0, 0, 0, 1, 1, 1};
  ThresholdChoice t = ChooseThreshold(s, y);
  EXPECT_DOUBLE_EQ(t.macro_f1, 1.0);
  EXPECT_NEAR(t.threshold, (0.35 + 0.6) / 2, 1e-7);
  EXPECT_EQ(t.confusion.tp, 3u);
  EXPECT_EQ(t.confusion.fp, 0u);
}

TEST(MlMetrics, ThresholdMaximisesMacroF1ByBruteForce) {
  std::vector<float> s = {0.05f, 0.3f, 0.3f, 0.42f, 0.5f, 0.55f, 0.61f, 0.61f, 0.8f, 0.9f, 0.2f, 0.7f};
  std::vector<float> y = {0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0};
  ThresholdChoice t = ChooseThreshold(s, y);
  double best = 0;
  for (float cut : s) best = std::max(best, ConfusionAt(s, y, cut).MacroF1());
  EXPECT_DOUBLE_EQ(t.macro_f1, best);
  EXPECT_DOUBLE_EQ(ConfusionAt(s, y, t.threshold).MacroF1(), best);
}

TEST(MlMetrics, Summarise) {
  MeanSd m = Summarise({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_NEAR(m.sd, 1.2909944, 1e-6);
  EXPECT_EQ(Summarise({5}).sd, 0.0);
}

}  // namespace
}  // namespace interdict
