#include "ml/cv.h"

#include <gtest/gtest.h>

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
