#include "ml/cv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "base/test_util.h"
#include "ml/ml_test_util.h"

namespace interdict {
namespace {

CvOptions SmallCv() {
  CvOptions o;
  o.folds = 4;
  o.repeats = 2;
  o.seed = 11;
  o.params.rounds = 30;
  o.params.max_depth = 3;
  o.params.eta = 0.2;
  return o;
}

TEST(MlCv, StratifiedFoldsAreBalancedAndDeterministic) {
  std::vector<float> y(103, 0);
  for (size_t i = 0; i < y.size(); i += 3) y[i] = 1;  // 35 fraud
  auto f = StratifiedFolds(y, 5, 42);
  EXPECT_EQ(f, StratifiedFolds(y, 5, 42));
  EXPECT_NE(f, StratifiedFolds(y, 5, 43));
  for (int k = 0; k < 5; ++k) {
    int n = 0, pos = 0;
    for (size_t i = 0; i < y.size(); ++i)
      if (f[i] == k) {
        ++n;
        pos += y[i] > 0 ? 1 : 0;
      }
    EXPECT_GE(n, 20);
    EXPECT_LE(n, 21);
    EXPECT_GE(pos, 7);
    EXPECT_LE(pos, 7 + 1);
  }
}

TEST(MlCv, SeparableTableScoresHighOutOfFold) {
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(500, 6, true, 21, &x, &y);
  CvResult r;
  ASSERT_TRUE(CrossValidate(x, y, SmallCv(), &r).ok());
  ASSERT_EQ(r.repeats.size(), 2u);
  EXPECT_GT(r.auc.mean, 0.95);
  EXPECT_GT(r.macro_f1.mean, 0.85);
  EXPECT_GT(r.pooled.threshold, 0.0);
  EXPECT_LT(r.pooled.threshold, 1.0);
}

TEST(MlCv, NoiseTableStaysNearHalf) {
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(800, 6, false, 22, &x, &y);
  CvResult r;
  ASSERT_TRUE(CrossValidate(x, y, SmallCv(), &r).ok());
  EXPECT_NEAR(r.auc.mean, 0.5, 0.06);
}

TEST(MlCv, SameSeedSameFiguresOtherSeedOtherFolds) {
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(300, 5, true, 23, &x, &y);
  CvResult a, b, c;
  ASSERT_TRUE(CrossValidate(x, y, SmallCv(), &a).ok());
  ASSERT_TRUE(CrossValidate(x, y, SmallCv(), &b).ok());
  EXPECT_EQ(a.repeats[0].oof, b.repeats[0].oof);
  EXPECT_EQ(a.repeats[1].oof, b.repeats[1].oof);
  EXPECT_EQ(a.auc.mean, b.auc.mean);
  EXPECT_EQ(a.macro_f1.mean, b.macro_f1.mean);
  EXPECT_EQ(a.pooled.threshold, b.pooled.threshold);
  CvOptions o = SmallCv();
  o.seed = 99;
  ASSERT_TRUE(CrossValidate(x, y, o, &c).ok());
  EXPECT_NE(a.repeats[0].oof, c.repeats[0].oof);
}

TEST(MlCv, TrainWithCvThenSaveLoadScoresIdentically) {
  Matrix t;
  std::vector<float> y;
  testing::SyntheticTable(300, 4, true, 24, &t, &y);
  FeatureSpec spec = FeatureSpec::ForTable(t.names, {DerivedFeature::Ratio("r", "f0", "f2")});
  CvResult cv;
  GbmModel m;
  ASSERT_TRUE(TrainWithCv(t, y, spec, SmallCv(), &cv, &m).ok());
  EXPECT_EQ(m.threshold(), cv.pooled.threshold);
  EXPECT_EQ(m.feature_names(), spec.Names());

  testing::TempDir dir;
  ASSERT_TRUE(m.Save(dir.File("m.json")).ok());
  GbmModel back;
  ASSERT_TRUE(GbmModel::Load(dir.File("m.json"), &back).ok());
  // Score a table whose columns come in another order.
  Matrix shuffled;
  shuffled.rows = t.rows;
  shuffled.cols = t.cols;
  shuffled.names = {t.names[3], t.names[1], t.names[0], t.names[2]};
  for (size_t r = 0; r < t.rows; ++r)
    for (int c : {3, 1, 0, 2}) shuffled.values.push_back(t.at(r, static_cast<size_t>(c)));
  Matrix x1, x2;
  ASSERT_TRUE(m.spec().Build(t, &x1).ok());
  ASSERT_TRUE(back.spec().Build(shuffled, &x2).ok());
  std::vector<float> p1, p2;
  ASSERT_TRUE(m.Predict(x1, &p1).ok());
  ASSERT_TRUE(back.Predict(x2, &p2).ok());
  EXPECT_EQ(p1, p2);
}

TEST(MlCv, ShiftChecksScoreChangedHeldOutRows) {
  // f0 and f1 carry the signal. Blanking f0 on every row costs AUC and
  // macro-F1; blanking only columns the table lacks changes nothing; the
  // shapes must match.
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(400, 5, true, 26, &x, &y);
  CvOptions o = SmallCv();
  o.shifted.push_back(ShiftByBlanking(x, "no f0", {"f0"}, 1.0, 3));
  o.shifted.push_back(ShiftByBlanking(x, "unchanged", {"not_a_column"}, 1.0, 3));
  o.prior_shares = {0.1, 0.35};
  CvResult r;
  ASSERT_TRUE(CrossValidate(x, y, o, &r).ok());
  ASSERT_EQ(r.shifts.size(), 2u);
  EXPECT_EQ(r.shifts[0].name, "no f0");
  EXPECT_LT(r.shifts[0].auc.mean, r.auc.mean - 0.1);
  EXPECT_LT(r.shifts[0].macro_f1.mean, r.macro_f1.mean - 0.1);
  EXPECT_DOUBLE_EQ(r.shifts[1].auc.mean, r.auc.mean);
  EXPECT_DOUBLE_EQ(r.shifts[1].macro_f1.mean, r.macro_f1.mean);
  ASSERT_EQ(r.macro_f1_at_share.size(), 2u);
  // At its own share (35 % fraud in the generator, about 0.35) the reweighting changes little;
  // at 10 % fraud the false flags weigh more.
  EXPECT_NEAR(r.macro_f1_at_share[1].mean, r.macro_f1.mean, 0.02);
  EXPECT_LT(r.macro_f1_at_share[0].mean, r.macro_f1_at_share[1].mean);

  // A share of 0 blanks nothing; 0.5 about half of the rows, the same rows for every column.
  ShiftedRows none = ShiftByBlanking(x, "none", {"f0"}, 0.0, 3);
  EXPECT_EQ(none.x.values, x.values);
  ShiftedRows half = ShiftByBlanking(x, "half", {"f0", "f1"}, 0.5, 3);
  size_t blanked = 0;
  for (size_t i = 0; i < x.rows; ++i) {
    EXPECT_EQ(std::isnan(half.x.at(i, 0)), std::isnan(half.x.at(i, 1)));
    blanked += std::isnan(half.x.at(i, 0)) ? 1 : 0;
  }
  EXPECT_GT(blanked, 150u);
  EXPECT_LT(blanked, 250u);
  ShiftedRows again = ShiftByBlanking(x, "half", {"f0", "f1"}, 0.5, 3);  // same seed, same rows (NaN != NaN: bytes)
  ASSERT_EQ(again.x.values.size(), half.x.values.size());
  EXPECT_EQ(std::memcmp(again.x.values.data(), half.x.values.data(), half.x.values.size() * sizeof(float)), 0);
  EXPECT_NE(std::memcmp(ShiftByBlanking(x, "half", {"f0", "f1"}, 0.5, 4).x.values.data(), half.x.values.data(),
                        half.x.values.size() * sizeof(float)),
            0);

  o.shifted.push_back(ShiftByBlanking(x.Select({0, 1, 2}), "wrong shape", {"f0"}, 1.0, 3));
  EXPECT_FALSE(CrossValidate(x, y, o, &r).ok());
}

TEST(MlCv, ThresholdRuleDecidesTheSavedThreshold) {
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(300, 4, true, 27, &x, &y);
  CvOptions o = SmallCv();
  CvResult best, cal;
  ASSERT_TRUE(CrossValidate(x, y, o, &best).ok());
  o.threshold_rule = ThresholdRule::kCalibrated;
  ASSERT_TRUE(CrossValidate(x, y, o, &cal).ok());
  EXPECT_EQ(best.repeats[0].oof, cal.repeats[0].oof);  // same models, another rule
  std::vector<float> scores, labels;
  for (const auto& rep : cal.repeats) {
    scores.insert(scores.end(), rep.oof.begin(), rep.oof.end());
    labels.insert(labels.end(), y.begin(), y.end());
  }
  EXPECT_NEAR(FitPlatt(scores, labels).Apply(cal.pooled.threshold), 0.5, 1e-6);
  EXPECT_NE(cal.pooled.threshold, best.pooled.threshold);
  ASSERT_EQ(cal.repeats[0].crossfit_thresholds.size(), 4u);
  EXPECT_GT(cal.crossfit_threshold.sd, 0.0);
  EXPECT_NEAR(cal.crossfit_threshold.mean,
              (cal.repeats[0].crossfit_threshold_mean + cal.repeats[1].crossfit_threshold_mean) / 2, 1e-12);
}

TEST(MlCv, RejectsDegenerateInput) {
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(20, 3, true, 25, &x, &y);
  std::vector<float> ones(20, 1);
  CvResult r;
  Status s = CrossValidate(x, ones, SmallCv(), &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("each class"), std::string::npos) << s.message();
  CvOptions o = SmallCv();
  o.folds = 1;
  EXPECT_FALSE(CrossValidate(x, y, o, &r).ok());
}

}  // namespace
}  // namespace interdict
