#include "ml/forest.h"

#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "base/test_util.h"
#include "ml/ml_test_util.h"

namespace interdict {
namespace {

// A learnable table with holes: 12 % of all cells missing, plus f2 missing
// far more often on fraud rows (so default directions carry signal), and
// half the columns on a coarse grid, so that many values fall exactly on a
// split condition (x == condition goes right).
void TableWithHoles(size_t rows, uint64_t seed, Matrix* x, std::vector<float>* y) {
  testing::SyntheticTable(rows, 8, true, seed, x, y);
  std::mt19937_64 rng(seed + 1000);
  std::bernoulli_distribution hole(0.12), fraud_hole(0.5);
  for (size_t r = 0; r < x->rows; ++r) {
    for (size_t c = 0; c < x->cols; ++c) {
      float& v = x->values[r * x->cols + c];
      if (c % 2 == 1) v = std::round(v * 2) / 2;
      if (hole(rng) || (c == 2 && (*y)[r] == 1 && fraud_hole(rng))) v = kMissing;
    }
  }
  for (size_t c = 0; c < x->cols; ++c) x->values[c] = kMissing;  // one row with nothing at all
}

GbmParams Params(int bags) {
  GbmParams p;
  p.rounds = 80;
  p.max_depth = 4;
  p.eta = 0.1;
  p.bags = bags;
  p.seed = 3;
  return p;
}

// Forest::Probability against GbmModel::Predict on every row of `x`.
void ExpectSameAsPredict(const GbmModel& m, const Forest& f, const Matrix& x) {
  std::vector<float> p;
  ASSERT_TRUE(m.Predict(x, &p).ok());
  ASSERT_EQ(f.num_features(), x.cols);
  for (size_t r = 0; r < x.rows; ++r) {
    const double q = f.Probability(x.row(r));
    ASSERT_NEAR(q, p[r], 1e-5) << "row " << r;
    ASSERT_DOUBLE_EQ(q, 1 / (1 + std::exp(-f.Margin(x.row(r)))));
  }
}

// A model trained on TableWithHoles(rows, seed), and its Forest.
struct Trained {
  Matrix x;
  std::vector<float> y;
  GbmModel m;
  Forest f;
};

void Train(size_t rows, uint64_t seed, const GbmParams& p, Trained* t) {
  TableWithHoles(rows, seed, &t->x, &t->y);
  ASSERT_TRUE(t->m.Train(t->x, t->y, p).ok());
  ASSERT_TRUE(Forest::FromModel(t->m, &t->f).ok());
}

void TrainAndCompare(int bags) {
  Trained t;
  ASSERT_NO_FATAL_FAILURE(Train(800, 11, Params(bags), &t));
  Matrix xt;
  std::vector<float> yt;
  TableWithHoles(500, 12, &xt, &yt);
  EXPECT_EQ(t.f.bags(), static_cast<size_t>(bags));
  EXPECT_EQ(t.f.num_trees(), static_cast<size_t>(80 * bags));
  EXPECT_EQ(t.f.feature_names(), t.x.names);
  ExpectSameAsPredict(t.m, t.f, t.x);
  ExpectSameAsPredict(t.m, t.f, xt);
}

TEST(ForestEval, SameProbabilityAsPredictOneBag) { TrainAndCompare(1); }

TEST(ForestEval, SameProbabilityAsPredictThreeBags) { TrainAndCompare(3); }

TEST(ForestEval, EarlyStoppingUsesOnlyTheKeptTrees) {
  Matrix x, xv;
  std::vector<float> y, yv;
  TableWithHoles(400, 21, &x, &y);
  TableWithHoles(400, 22, &xv, &yv);
  GbmParams p = Params(2);
  p.rounds = 300;
  p.early_stopping_rounds = 5;
  GbmModel m;
  ASSERT_TRUE(m.Train(x, y, p, &xv, &yv).ok());
  ASSERT_LT(m.rounds(), 300);
  Forest f;
  ASSERT_TRUE(Forest::FromModel(m, &f).ok());
  EXPECT_LT(f.num_trees(), 600u);
  EXPECT_GE(f.num_trees(), static_cast<size_t>(m.rounds()));
  ExpectSameAsPredict(m, f, x);
  ExpectSameAsPredict(m, f, xv);
}

// xgboost's approximate (Saabas) contributions of the model's boosters,
// averaged over bags: rows x (features + 1), the last column the bias.
std::vector<double> XgboostApproxContribs(const GbmModel& m, const Matrix& x) {
  nlohmann::json doc;
  EXPECT_TRUE(m.ToJson(&doc).ok());
  DMatrixHandle d = nullptr;
  EXPECT_EQ(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, kMissing, &d), 0);
  std::vector<double> sum(x.rows * (x.cols + 1), 0.0);
  for (const auto& jb : doc["boosters"]) {
    std::string text = jb.dump();
    BoosterHandle b = nullptr;
    EXPECT_EQ(XGBoosterCreate(nullptr, 0, &b), 0);
    EXPECT_EQ(XGBoosterLoadModelFromBuffer(b, text.data(), text.size()), 0);
    EXPECT_EQ(XGBoosterSetParam(b, "nthread", "1"), 0);
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* res = nullptr;
    const char* cfg = R"({"type":3,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
    EXPECT_EQ(XGBoosterPredictFromDMatrix(b, d, cfg, &shape, &dim, &res), 0);
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += res[i] / static_cast<double>(m.bags());
    XGBoosterFree(b);
  }
  XGDMatrixFree(d);
  return sum;
}

TEST(ForestEval, ContributionsAddUpToTheMarginAndMatchXgboostApprox) {
  for (int bags : {1, 3}) {
    Trained t;
    ASSERT_NO_FATAL_FAILURE(Train(400, 31, Params(bags), &t));
    const Matrix& x = t.x;
    const Forest& f = t.f;
    const GbmModel& m = t.m;
    const std::vector<double> want = XgboostApproxContribs(m, x);
    const size_t w = x.cols + 1;
    std::vector<float> c(x.cols, 123.0f);  // overwritten, not added to
    size_t top_is_signal = 0, flagged = 0;
    for (size_t r = 0; r < x.rows; ++r) {
      const double margin = f.Contributions(x.row(r), c.data());
      ASSERT_NEAR(margin, f.Margin(x.row(r)), 1e-9);
      double sum = f.bias();
      for (size_t k = 0; k < x.cols; ++k) {
        sum += c[k];
        ASSERT_NEAR(c[k], want[r * w + k], 1e-5) << "bags " << bags << " row " << r << " feature " << k;
      }
      ASSERT_NEAR(sum, margin, 1e-5);
      ASSERT_NEAR(f.bias(), want[r * w + x.cols], 1e-5);
      if (margin > 1.5) {
        ++flagged;
        size_t top = static_cast<size_t>(std::max_element(c.begin(), c.end()) - c.begin());
        if (top <= 2) ++top_is_signal;  // f0, f1, and f2's holes
      }
    }
    ASSERT_GT(flagged, 50u);
    EXPECT_GT(top_is_signal, flagged * 9 / 10);
  }
}

TEST(ForestEval, LoadFromFileGivesTheSameForest) {
  Trained t;
  ASSERT_NO_FATAL_FAILURE(Train(300, 41, Params(2), &t));
  const Matrix& x = t.x;
  const Forest& a = t.f;
  t.m.set_threshold(0.375);
  testing::TempDir dir;
  ASSERT_TRUE(t.m.Save(dir.File("m.json")).ok());
  Forest b;
  Status s = Forest::Load(dir.File("m.json"), &b);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(b.feature_names(), x.names);
  EXPECT_DOUBLE_EQ(b.threshold(), 0.375);
  EXPECT_EQ(b.bags(), 2u);
  EXPECT_EQ(b.num_trees(), a.num_trees());
  EXPECT_EQ(b.num_nodes(), a.num_nodes());
  EXPECT_EQ(b.bias(), a.bias());
  for (size_t r = 0; r < x.rows; ++r) ASSERT_EQ(a.Margin(x.row(r)), b.Margin(x.row(r)));  // bit-identical
  GbmModel back;
  ASSERT_TRUE(GbmModel::Load(dir.File("m.json"), &back).ok());
  ExpectSameAsPredict(back, b, x);
}

// xgboost 1.7 trains binary:logistic from base_score 0.5 (margin 0), which
// would hide a wrong reading of it: a model file with another base_score must
// still agree with xgboost (margin = logit(base_score) + leaves).
TEST(ForestEval, BaseScoreIsAProbability) {
  Trained t;
  ASSERT_NO_FATAL_FAILURE(Train(300, 61, Params(2), &t));
  nlohmann::json doc;
  ASSERT_TRUE(t.m.ToJson(&doc).ok());
  ASSERT_EQ(doc["boosters"][0]["learner"]["learner_model_param"]["base_score"], "5E-1");
  doc["boosters"][0]["learner"]["learner_model_param"]["base_score"] = "2E-1";
  doc["boosters"][1]["learner"]["learner_model_param"]["base_score"] = "9E-1";
  testing::TempDir dir;
  testing::WriteFile(dir.File("m.json"), doc.dump());
  GbmModel back;
  ASSERT_TRUE(GbmModel::Load(dir.File("m.json"), &back).ok());
  Forest f;
  ASSERT_TRUE(Forest::Load(dir.File("m.json"), &f).ok());
  ExpectSameAsPredict(back, f, t.x);
  EXPECT_NEAR(f.Margin(t.x.row(5)) - t.f.Margin(t.x.row(5)), (std::log(0.2 / 0.8) + std::log(0.9 / 0.1)) / 2, 1e-6);
}

// xgboost refuses infinite values (training and prediction); Forest compares
// them as numbers, beyond every (finite) split condition.
TEST(ForestEval, InfinityIsBeyondEverySplit) {
  Trained t;
  ASSERT_NO_FATAL_FAILURE(Train(300, 71, Params(1), &t));
  const Matrix& x = t.x;
  const float kInf = std::numeric_limits<float>::infinity(), kMax = std::numeric_limits<float>::max();
  for (size_t r = 0; r < 50; ++r) {
    std::vector<float> inf(x.row(r), x.row(r) + x.cols), big = inf;
    for (size_t c = r % 3; c < x.cols; c += 3) {
      inf[c] = c % 2 ? kInf : -kInf;
      big[c] = c % 2 ? kMax : -kMax;
    }
    ASSERT_EQ(t.f.Margin(inf.data()), t.f.Margin(big.data()));
  }
}

TEST(ForestEval, BadModelsAreStatusesNotCrashes) {
  GbmParams p = Params(1);
  p.rounds = 5;
  Trained t;
  ASSERT_NO_FATAL_FAILURE(Train(200, 51, p, &t));
  nlohmann::json good;
  ASSERT_TRUE(t.m.ToJson(&good).ok());
  Forest f;
  ASSERT_TRUE(Forest::FromJson(good, &f).ok());

  testing::TempDir dir;
  EXPECT_EQ(Forest::Load(dir.File("none.json"), &f).code(), Status::Code::kNotFound);
  testing::WriteFile(dir.File("junk.json"), "{not json");
  EXPECT_FALSE(Forest::Load(dir.File("junk.json"), &f).ok());
  EXPECT_FALSE(Forest::FromModel(GbmModel(), &f).ok());  // untrained

  auto broken = [&](auto&& edit) {
    nlohmann::json j = good;
    edit(j);
    Forest g;
    Status s = Forest::FromJson(j, &g);
    EXPECT_EQ(s.code(), Status::Code::kInvalidInput);
    return s.message();
  };
  auto tree0 = [](nlohmann::json& j) -> nlohmann::json& {
    return j["boosters"][0]["learner"]["gradient_booster"]["model"]["trees"][0];
  };
  EXPECT_NE(broken([&](nlohmann::json& j) { tree0(j)["left_children"][0] = 999; }).find("tree 0"), std::string::npos);
  broken([&](nlohmann::json& j) { tree0(j)["left_children"][1] = 0; });  // a cycle back to the root
  broken([&](nlohmann::json& j) { tree0(j)["right_children"][0] = tree0(j)["left_children"][0]; });  // shared child
  broken([&](nlohmann::json& j) { tree0(j)["split_indices"][0] = 8; });
  broken([&](nlohmann::json& j) { tree0(j)["split_indices"][0] = -1; });
  broken([&](nlohmann::json& j) { tree0(j)["split_conditions"].erase(0); });
  broken([&](nlohmann::json& j) { tree0(j)["split_conditions"][0] = "x"; });
  broken([&](nlohmann::json& j) { tree0(j)["split_type"][0] = 1; });
  broken([&](nlohmann::json& j) { tree0(j)["default_left"][0] = "yes"; });
  broken([&](nlohmann::json& j) { j["boosters"][0]["learner"]["objective"]["name"] = "reg:squarederror"; });
  broken([&](nlohmann::json& j) { j["boosters"][0]["learner"]["learner_model_param"]["base_score"] = "1"; });
  broken([&](nlohmann::json& j) { j["boosters"][0]["learner"]["learner_model_param"]["num_class"] = "3"; });
  broken([&](nlohmann::json& j) { j["boosters"][0]["learner"]["gradient_booster"]["name"] = "dart"; });
  broken([&](nlohmann::json& j) { j["boosters"][0]["learner"] = "garbage"; });
  broken([&](nlohmann::json& j) { j["features"].push_back("extra"); });  // num_feature no longer matches
  broken([&](nlohmann::json& j) { j["format"] = "other"; });
  broken([&](nlohmann::json& j) { j["boosters"] = nlohmann::json::array(); });
}

}  // namespace
}  // namespace interdict
