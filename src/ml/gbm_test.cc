#include "ml/gbm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/test_util.h"
#include "ml/cv.h"
#include "ml/ml_test_util.h"

namespace interdict {
namespace {

GbmParams SmallParams() {
  GbmParams p;
  p.rounds = 40;
  p.max_depth = 3;
  p.eta = 0.2;
  return p;
}

TEST(MlGbm, LearnsASeparableTable) {
  Matrix x, xt;
  std::vector<float> y, yt;
  testing::SyntheticTable(600, 6, true, 1, &x, &y);
  testing::SyntheticTable(400, 6, true, 2, &xt, &yt);
  GbmModel m;
  ASSERT_TRUE(m.Train(x, y, SmallParams()).ok());
  std::vector<float> p;
  ASSERT_TRUE(m.Predict(xt, &p).ok());
  ASSERT_EQ(p.size(), 400u);
  for (float v : p) ASSERT_TRUE(v >= 0 && v <= 1);
  EXPECT_GT(RocAuc(p, yt), 0.95);
}

TEST(MlGbm, NoiseStaysNearHalf) {
  Matrix x, xt;
  std::vector<float> y, yt;
  testing::SyntheticTable(600, 6, false, 3, &x, &y);
  testing::SyntheticTable(2000, 6, false, 4, &xt, &yt);
  GbmModel m;
  ASSERT_TRUE(m.Train(x, y, SmallParams()).ok());
  std::vector<float> p;
  ASSERT_TRUE(m.Predict(xt, &p).ok());
  EXPECT_NEAR(RocAuc(p, yt), 0.5, 0.05);
}

TEST(MlGbm, SaveLoadGivesIdenticalPredictionsAndKeepsEverything) {
  Matrix t;
  std::vector<float> y;
  testing::SyntheticTable(300, 4, true, 5, &t, &y);
  t.values[7] = kMissing;  // missing values must survive the round trip too
  FeatureSpec spec = FeatureSpec::ForTable(t.names, {DerivedFeature::Ratio("r01", "f0", "f1")});
  Matrix x;
  ASSERT_TRUE(spec.Build(t, &x).ok());
  GbmModel m;
  GbmParams params = SmallParams();
  params.bags = 2;  // every booster of a bag must round-trip
  ASSERT_TRUE(m.Train(x, y, params).ok());
  EXPECT_EQ(m.bags(), 2u);
  m.set_spec(spec);
  m.set_threshold(0.4321);
  m.metadata()["note"] = "test";
  std::vector<float> p1, c1;
  ASSERT_TRUE(m.Predict(x, &p1).ok());
  ASSERT_TRUE(m.PredictContributions(x, &c1).ok());

  testing::TempDir dir;
  ASSERT_TRUE(m.Save(dir.File("m.json")).ok());
  GbmModel back;
  ASSERT_TRUE(GbmModel::Load(dir.File("m.json"), &back).ok());
  EXPECT_EQ(back.feature_names(), x.names);
  EXPECT_EQ(back.spec().Names(), spec.Names());
  EXPECT_DOUBLE_EQ(back.threshold(), 0.4321);
  EXPECT_EQ(back.metadata()["note"], "test");
  EXPECT_EQ(back.rounds(), 40);
  EXPECT_EQ(back.params().max_depth, 3);
  EXPECT_EQ(back.bags(), 2u);
  Matrix x2;
  ASSERT_TRUE(back.spec().Build(t, &x2).ok());
  std::vector<float> p2, c2;
  ASSERT_TRUE(back.Predict(x2, &p2).ok());
  ASSERT_TRUE(back.PredictContributions(x2, &c2).ok());
  EXPECT_EQ(p1, p2);  // bit-identical, not just close
  EXPECT_EQ(c1, c2);
}

TEST(MlGbm, ContributionsSumToTheMarginAndNameTheSignal) {
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(500, 5, true, 6, &x, &y);
  GbmModel m;
  ASSERT_TRUE(m.Train(x, y, SmallParams()).ok());
  std::vector<float> p, c;
  ASSERT_TRUE(m.Predict(x, &p).ok());
  ASSERT_TRUE(m.PredictContributions(x, &c).ok());
  ASSERT_EQ(c.size(), x.rows * (x.cols + 1));
  size_t top_is_signal = 0, flagged = 0;
  for (size_t r = 0; r < x.rows; ++r) {
    double margin = 0;
    for (size_t k = 0; k <= x.cols; ++k) margin += c[r * (x.cols + 1) + k];
    EXPECT_NEAR(1 / (1 + std::exp(-margin)), p[r], 1e-4);
    if (p[r] > 0.8) {
      ++flagged;
      auto why = m.TopReasons(c, r, 2);
      ASSERT_FALSE(why.empty());
      if (why[0].first == "f0" || why[0].first == "f1") ++top_is_signal;
      if (why.size() == 2) {
        EXPECT_GE(why[0].second, why[1].second);
      }
    }
  }
  ASSERT_GT(flagged, 50u);
  EXPECT_GT(top_is_signal, flagged * 9 / 10);  // the label depends on f0 and f1 only
}

TEST(MlGbm, EarlyStoppingKeepsTheBestRounds) {
  Matrix x, xv;
  std::vector<float> y, yv;
  testing::SyntheticTable(400, 5, false, 7, &x, &y);  // noise: eval loss worsens quickly
  testing::SyntheticTable(400, 5, false, 8, &xv, &yv);
  GbmParams p = SmallParams();
  p.rounds = 200;
  p.early_stopping_rounds = 10;
  GbmModel m;
  ASSERT_TRUE(m.Train(x, y, p, &xv, &yv).ok());
  EXPECT_LT(m.rounds(), 200);
  EXPECT_GE(m.rounds(), 1);
  std::vector<float> pr;
  EXPECT_TRUE(m.Predict(xv, &pr).ok());
}

TEST(MlGbm, ErrorsAreStatusesNotCrashes) {
  GbmModel m;
  Matrix x;
  std::vector<float> y, p;
  EXPECT_FALSE(m.Predict(x, &p).ok());  // untrained
  testing::SyntheticTable(50, 3, true, 9, &x, &y);
  std::vector<float> bad = y;
  bad[0] = 2;
  EXPECT_FALSE(m.Train(x, bad, SmallParams()).ok());
  bad.pop_back();
  EXPECT_FALSE(m.Train(x, bad, SmallParams()).ok());
  ASSERT_TRUE(m.Train(x, y, SmallParams()).ok());
  Matrix narrow;
  testing::SyntheticTable(5, 2, true, 9, &narrow, &y);
  Status s = m.Predict(narrow, &p);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("columns"), std::string::npos);

  testing::TempDir dir;
  GbmModel back;
  EXPECT_EQ(GbmModel::Load(dir.File("none.json"), &back).code(), Status::Code::kNotFound);
  testing::WriteFile(dir.File("junk.json"), "{not json");
  EXPECT_FALSE(GbmModel::Load(dir.File("junk.json"), &back).ok());
  testing::WriteFile(dir.File("other.json"), R"({"format":"something-else"})");
  EXPECT_FALSE(GbmModel::Load(dir.File("other.json"), &back).ok());
  ASSERT_TRUE(m.Save(dir.File("m.json")).ok());
  std::string text = testing::ReadFile(dir.File("m.json"));
  auto j = nlohmann::json::parse(text);
  j["features"].push_back("extra");  // feature list no longer matches the booster
  testing::WriteFile(dir.File("m2.json"), j.dump());
  EXPECT_FALSE(GbmModel::Load(dir.File("m2.json"), &back).ok());
  j = nlohmann::json::parse(text);
  j["boosters"][0]["learner"] = "garbage";  // xgboost's own failure becomes a Status
  testing::WriteFile(dir.File("m3.json"), j.dump());
  EXPECT_FALSE(GbmModel::Load(dir.File("m3.json"), &back).ok());
}

TEST(MlGbm, ParamsSetValidates) {
  GbmParams p;
  EXPECT_TRUE(p.Set("max_depth", "7").ok());
  EXPECT_EQ(p.max_depth, 7);
  EXPECT_TRUE(p.Set("eta", "0.05").ok());
  EXPECT_DOUBLE_EQ(p.eta, 0.05);
  EXPECT_FALSE(p.Set("max_depth", "2.5").ok());
  EXPECT_FALSE(p.Set("eta", "fast").ok());
  EXPECT_FALSE(p.Set("subsample", "0").ok());
  EXPECT_FALSE(p.Set("no_such", "1").ok());
  EXPECT_TRUE(p.Set("monotone", "f0:+1,f1:-1").ok());
  EXPECT_EQ(p.monotone, "f0:+1,f1:-1");
  EXPECT_FALSE(p.Set("monotone", "f0:2").ok());
  EXPECT_FALSE(p.Set("monotone", "f0").ok());
  EXPECT_EQ(p.monotone, "f0:+1,f1:-1");
}

TEST(MlGbm, MonotoneConstraintsHoldAndSurviveSaveLoad) {
  // The label rises with |f0| (fraud at both ends): unconstrained, the score
  // falls then rises along f0; with f0:+1 it may never fall.
  Matrix x;
  std::vector<float> y;
  testing::SyntheticTable(600, 3, true, 31, &x, &y);
  for (size_t r = 0; r < x.rows; ++r) y[r] = std::fabs(x.at(r, 0)) > 0.8f ? 1.0f : 0.0f;
  Matrix grid;
  grid.cols = 3;
  grid.names = x.names;
  for (int i = -30; i <= 30; ++i) {
    grid.values.insert(grid.values.end(), {static_cast<float>(i) / 10, 0.3f, -0.2f});
    ++grid.rows;
  }
  auto falls = [&](const GbmModel& m) {
    std::vector<float> p;
    EXPECT_TRUE(m.Predict(grid, &p).ok());
    for (size_t i = 1; i < p.size(); ++i)
      if (p[i] < p[i - 1] - 1e-7f) return true;
    return false;
  };
  GbmModel free_model, mono;
  ASSERT_TRUE(free_model.Train(x, y, SmallParams()).ok());
  EXPECT_TRUE(falls(free_model));
  GbmParams p = SmallParams();
  p.monotone = "f0:+1,not_a_column:-1";
  ASSERT_TRUE(mono.Train(x, y, p).ok());
  EXPECT_FALSE(falls(mono));
  testing::TempDir dir;
  ASSERT_TRUE(mono.Save(dir.File("m.json")).ok());
  GbmModel back;
  ASSERT_TRUE(GbmModel::Load(dir.File("m.json"), &back).ok());
  EXPECT_EQ(back.params().monotone, p.monotone);
  EXPECT_FALSE(falls(back));
}

}  // namespace
}  // namespace interdict
