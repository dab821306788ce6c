// GbmModel: a binary gradient-boosted tree classifier (libxgboost C API)
// together with what is needed to use it on new data: how to build its
// feature vector from named columns (FeatureSpec), the decision threshold
// chosen in training, and free-form training metadata.
//
// Ownership: a GbmModel owns its BoosterHandle (freed in the destructor);
// movable, not copyable. Thread safety: Predict* are const but xgboost's
// predictor caches per booster, so use one model per thread.
//
// Operation:
//   GbmModel m;
//   Status s = m.Train(x, y, GbmParams{}, nullptr, nullptr);  // x: Matrix, y: 0/1 labels
//   std::vector<float> p;  s = m.Predict(x, &p);              // P(fraud) per row
//   m.set_threshold(0.42);  s = m.Save("model.json");
//   GbmModel m2;  s = GbmModel::Load("model.json", &m2);
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "ml/feature_table.h"
#include "ml/features.h"

namespace interdict {

// Hyper-parameters. The defaults are the ones chosen by repeated stratified
// CV on the Sichuan table (docs/models.md "Tuning"); change them only with
// new CV figures.
struct GbmParams {
  // Shallow trees, many rounds at a small step, and 40 % of the columns per
  // tree: the 77 columns are highly redundant (counts, their ratios, their
  // SMS twins), and sampling them keeps one strong column from crowding out
  // the others. Fraud rows weighted 2:1 (a third of the rows are fraud).
  int rounds = 600;
  int max_depth = 3;
  double eta = 0.03;
  double min_child_weight = 2;
  double subsample = 0.8;
  double colsample_bytree = 0.4;
  double gamma = 0;
  double lambda = 1;
  double alpha = 0;
  double scale_pos_weight = 2;
  double max_delta_step = 0;
  // Monotone constraints by feature name, "name:+1,name:-1,...": the score
  // may only rise (+1) or fall (-1) with that column. Names the matrix lacks
  // are ignored (a recipe for one table used on another), as for derived
  // columns. Empty: none.
  std::string monotone;
  int early_stopping_rounds = 0;  // > 0 and an eval set: stop when eval logloss stalls
  int seed = 0;
  // Boosters trained with different seeds and averaged in log-odds: lowers
  // the variance that row/column subsampling adds (docs/models.md).
  int bags = 1;
  // One thread: on a shared machine xgboost's OpenMP workers spin-wait for
  // each other, and on these small tables two threads ran ten times slower
  // than one. Data-parallel work (CV folds) is the better place for threads.
  int nthread = 1;

  // Sets one parameter by name ("max_depth", "eta", ...). For --param k=v.
  Status Set(const std::string& key, const std::string& value);
  nlohmann::json ToJson() const;
};

class GbmModel {
 public:
  GbmModel() = default;
  ~GbmModel();
  GbmModel(GbmModel&& o) noexcept;
  GbmModel& operator=(GbmModel&& o) noexcept;
  GbmModel(const GbmModel&) = delete;
  GbmModel& operator=(const GbmModel&) = delete;

  // Trains on `x` (rows x features, NaN = missing) with 0/1 `y`. With an eval
  // set and params.early_stopping_rounds > 0, keeps the rounds up to the best
  // eval logloss. Column names become the model's feature names.
  Status Train(const Matrix& x, const std::vector<float>& y, const GbmParams& params,
               const Matrix* eval_x = nullptr, const std::vector<float>* eval_y = nullptr);

  // P(label = 1) per row (the mean of the bags' log-odds, through the
  // logistic function). `x` must have the model's columns in its order.
  Status Predict(const Matrix& x, std::vector<float>* out) const;
  // SHAP contributions: rows x (features + 1) in log-odds, the last column
  // the bias, averaged over bags; a row's contributions sum to its margin.
  Status PredictContributions(const Matrix& x, std::vector<float>* out) const;
  // The `k` features that pushed row `r` of a contributions matrix most
  // towards fraud, as (name, contribution), largest first; only positive ones.
  std::vector<std::pair<std::string, float>> TopReasons(const std::vector<float>& contribs, size_t r,
                                                        size_t k) const;

  // One JSON file: {"format":"interdict-gbm", "version":1, "features":[...],
  // "spec":{...}, "threshold":t, "params":{...}, "metadata":{...},
  // "boosters":[{xgboost JSON model}, ...]}.
  Status Save(const std::string& path) const;
  static Status Load(const std::string& path, GbmModel* out);
  // The document Save writes, boosters included (each booster's own JSON
  // model, as XGBoosterSaveModelToBuffer gives it). For readers of the trees
  // such as the native evaluator (ml/forest.h).
  Status ToJson(nlohmann::json* out) const;

  bool trained() const { return !boosters_.empty(); }
  // Trees per booster (after early stopping, the first booster's).
  int rounds() const { return rounds_; }
  size_t bags() const { return boosters_.size(); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  double threshold() const { return threshold_; }
  void set_threshold(double t) { threshold_ = t; }
  const FeatureSpec& spec() const { return spec_; }
  // The spec must produce exactly feature_names(); checked by Save.
  void set_spec(FeatureSpec s) { spec_ = std::move(s); }
  const GbmParams& params() const { return params_; }
  nlohmann::json& metadata() { return metadata_; }
  const nlohmann::json& metadata() const { return metadata_; }

 private:
  Status CheckColumns(const Matrix& x) const;
  Status PredictImpl(const Matrix& x, int type, std::vector<float>* out, size_t* width) const;
  void Reset();

  Status TrainOne(const Matrix& x, const std::vector<float>& y, const GbmParams& params, const Matrix* eval_x,
                  const std::vector<float>* eval_y, int* rounds);

  // BoosterHandles, owned; kept opaque so callers need no xgboost header.
  std::vector<void*> boosters_;
  std::vector<std::string> feature_names_;
  FeatureSpec spec_;
  GbmParams params_;
  double threshold_ = 0.5;
  int rounds_ = 0;
  nlohmann::json metadata_ = nlohmann::json::object();
};

// The checks every reader of a model file makes before looking inside:
// format "interdict-gbm", version 1, a feature list, a threshold and at least
// one booster. Fails with Invalid naming what is wrong.
Status CheckGbmModelJson(const nlohmann::json& j);
// Reads, parses and checks (CheckGbmModelJson) the model file at `path`:
// NotFound when it cannot be opened, Invalid "PATH: not a model file: ...".
Status ReadGbmModelJson(const std::string& path, nlohmann::json* out);

}  // namespace interdict
