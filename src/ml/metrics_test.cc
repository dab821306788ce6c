#include "ml/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

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

TEST(MlMetrics, PlateauThresholdIsTheMiddleOfTheNearBestCuts) {
  // Fraud 0.6..0.9 and normal 0.1..0.4 with one normal at 0.5: the best cut
  // is 0.55; cuts with one or two errors (down to just below 0.4, up to just
  // above 0.6) are within the tolerance, three errors are not. The plateau's
  // middle is about 0.5, below the peak.
  std::vector<float> s, y;
  for (int i = 0; i < 250; ++i) {
    s.push_back(0.6f + 0.3f * static_cast<float>(i) / 250);
    y.push_back(1);
    s.push_back(0.1f + 0.3f * static_cast<float>(i) / 250);
    y.push_back(0);
  }
  s.push_back(0.5f);
  y.push_back(0);
  ThresholdChoice best = ChooseThreshold(s, y, ThresholdRule::kMaxMacroF1);
  ThresholdChoice mid = ChooseThreshold(s, y, ThresholdRule::kPlateau);
  EXPECT_NEAR(best.threshold, 0.55, 1e-6);
  EXPECT_NEAR(mid.threshold, 0.5, 0.002);
  EXPECT_DOUBLE_EQ(mid.macro_f1, ConfusionAt(s, y, mid.threshold).MacroF1());
  EXPECT_GE(mid.macro_f1, best.macro_f1 - kPlateauTolerance);
}

TEST(MlMetrics, PlattRecoversAKnownCalibration) {
  // Scores whose true P(fraud) is sigmoid(2 * logit(score) - 1): Platt finds
  // a ~ 2, b ~ -1, and the calibrated threshold is where that crosses 0.5.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.02, 0.98);
  std::vector<float> s, y;
  for (int i = 0; i < 20000; ++i) {
    double p = u(rng);
    double q = 1 / (1 + std::exp(-(2 * std::log(p / (1 - p)) - 1)));
    s.push_back(static_cast<float>(p));
    y.push_back(u(rng) < q * 0.96 + 0.02 ? 1.0f : 0.0f);  // u in [0.02, 0.98]: P(u < .) = q
  }
  Platt pl = FitPlatt(s, y);
  EXPECT_NEAR(pl.a, 2.0, 0.15);
  EXPECT_NEAR(pl.b, -1.0, 0.15);
  ThresholdChoice t = ChooseThreshold(s, y, ThresholdRule::kCalibrated);
  EXPECT_NEAR(pl.Apply(t.threshold), 0.5, 1e-6);
  EXPECT_NEAR(t.threshold, 1 / (1 + std::exp(-0.5)), 0.03);
}

TEST(MlMetrics, ThresholdRuleNamesRoundTrip) {
  for (ThresholdRule r : {ThresholdRule::kMaxMacroF1, ThresholdRule::kPlateau, ThresholdRule::kCalibrated}) {
    ThresholdRule back = ThresholdRule::kMaxMacroF1;
    ASSERT_TRUE(ParseThresholdRule(ThresholdRuleName(r), &back));
    EXPECT_EQ(back, r);
  }
  ThresholdRule r;
  EXPECT_FALSE(ParseThresholdRule("best", &r));
}

TEST(MlMetrics, MacroF1AtShareReweightsTheFraudRows) {
  Confusion c;
  c.tp = 80;
  c.fn = 20;
  c.fp = 10;
  c.tn = 190;  // fraud share 1/3
  EXPECT_NEAR(MacroF1AtShare(c, 100.0 / 300), c.MacroF1(), 1e-12);
  // At share 0.5 the fraud rows count double: tp 160, fn 40, fp 10, tn 190.
  Confusion d;
  d.tp = 160;
  d.fn = 40;
  d.fp = 10;
  d.tn = 190;
  EXPECT_NEAR(MacroF1AtShare(c, 0.5), d.MacroF1(), 1e-12);
  EXPECT_LT(MacroF1AtShare(c, 0.05), c.MacroF1());  // rare fraud: the false flags weigh more
}

TEST(MlMetrics, Summarise) {
  MeanSd m = Summarise({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(m.mean, 2.5);
  EXPECT_NEAR(m.sd, 1.2909944, 1e-6);
  EXPECT_EQ(Summarise({5}).sd, 0.0);
}

}  // namespace
}  // namespace interdict
