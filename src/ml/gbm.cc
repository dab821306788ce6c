#include "ml/gbm.h"

#include <xgboost/c_api.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <charconv>

namespace interdict {
namespace {

// Every xgboost call goes through this: the C API reports failure as a
// non-zero return with the reason in a thread-local string.
Status XgbStatus(int rc, const char* what) {
  if (rc == 0) return Status::Ok();
  const char* err = XGBGetLastError();
  return Status::Internal(fmt::format("xgboost {}: {}", what, err ? err : "unknown error"));
}
#define XGB_TRY(call)                                  \
  do {                                                 \
    Status xgb_s_ = XgbStatus((call), #call);          \
    if (!xgb_s_.ok()) return xgb_s_;                   \
  } while (0)

void QuietXgboost() {
  // xgboost prints warnings (e.g. on parameters) to stderr at its default
  // verbosity; the CLI owns stderr, so silence it once per process.
  static std::once_flag once;
  std::call_once(once, [] { XGBSetGlobalConfig(R"({"verbosity":0})"); });
}

// Owns a DMatrixHandle.
class DMatrix {
 public:
  DMatrix() = default;
  ~DMatrix() {
    if (h_) XGDMatrixFree(h_);
  }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  Status Create(const Matrix& x, const std::vector<float>* y) {
    if (x.rows == 0) return Status::Invalid("no rows");
    if (x.values.size() != x.rows * x.cols) return Status::Internal("matrix size does not match its shape");
    XGB_TRY(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, std::numeric_limits<float>::quiet_NaN(),
                                   &h_));
    if (y) {
      if (y->size() != x.rows) return Status::Invalid("labels and rows differ in number");
      XGB_TRY(XGDMatrixSetFloatInfo(h_, "label", y->data(), y->size()));
    }
    return Status::Ok();
  }
  DMatrixHandle get() const { return h_; }

 private:
  DMatrixHandle h_ = nullptr;
};

std::string Num(double v) { return fmt::format("{}", v); }

// "name:+1,name:-1" -> {(name, +1), (name, -1)}; false on a malformed entry.
bool ParseMonotone(const std::string& spec, std::vector<std::pair<std::string, int>>* out) {
  out->clear();
  size_t start = 0;
  while (start < spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(start, end - start);
    size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    std::string sign = item.substr(colon + 1);
    int d = sign == "+1" || sign == "1" ? 1 : sign == "-1" ? -1 : 0;
    if (d == 0) return false;
    out->emplace_back(item.substr(0, colon), d);
    start = end + 1;
  }
  return true;
}

Status SetParams(BoosterHandle b, const GbmParams& p, const std::vector<std::string>& names) {
  if (!p.monotone.empty()) {
    std::vector<std::pair<std::string, int>> mono;
    if (!ParseMonotone(p.monotone, &mono)) return Status::Invalid("parameter monotone: expected name:+1,name:-1,...");
    std::vector<int> dir(names.size(), 0);
    for (const auto& [name, d] : mono)
      for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) dir[i] = d;
    std::string v = "(";
    for (size_t i = 0; i < dir.size(); ++i) v += (i ? "," : "") + std::to_string(dir[i]);
    v += ")";
    XGB_TRY(XGBoosterSetParam(b, "monotone_constraints", v.c_str()));
  }
  const std::pair<const char*, std::string> kv[] = {
      {"objective", "binary:logistic"},
      {"eval_metric", "logloss"},
      {"tree_method", "hist"},
      {"verbosity", "0"},
      {"max_depth", std::to_string(p.max_depth)},
      {"eta", Num(p.eta)},
      {"min_child_weight", Num(p.min_child_weight)},
      {"subsample", Num(p.subsample)},
      {"colsample_bytree", Num(p.colsample_bytree)},
      {"gamma", Num(p.gamma)},
      {"lambda", Num(p.lambda)},
      {"alpha", Num(p.alpha)},
      {"scale_pos_weight", Num(p.scale_pos_weight)},
      {"max_delta_step", Num(p.max_delta_step)},
      {"seed", std::to_string(p.seed)},
      {"nthread", std::to_string(p.nthread)},
  };
  for (const auto& [k, v] : kv) XGB_TRY(XGBoosterSetParam(b, k, v.c_str()));
  return Status::Ok();
}

// "[12]\teval-logloss:0.23456" -> 0.23456
bool ParseEvalLoss(const char* s, double* out) {
  const char* p = std::strrchr(s, ':');
  if (!p) return false;
  std::string v(p + 1);
  char* end = nullptr;
  *out = std::strtod(v.c_str(), &end);
  return end != v.c_str() && std::isfinite(*out);
}

}  // namespace

Status GbmParams::Set(const std::string& key, const std::string& value) {
  auto as_double = [&](double* d, double lo, double hi) -> Status {
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi)
      return Status::Invalid(fmt::format("parameter {}: '{}' is not a number in [{}, {}]", key, value, lo, hi));
    *d = v;
    return Status::Ok();
  };
  auto as_int = [&](int* i, int lo, int hi) -> Status {
    double d = 0;
    Status s = as_double(&d, lo, hi);
    if (!s.ok()) return s;
    if (d != std::floor(d)) return Status::Invalid(fmt::format("parameter {}: '{}' is not an integer", key, value));
    *i = static_cast<int>(d);
    return Status::Ok();
  };
  constexpr double kBig = 1e9;
  if (key == "rounds") return as_int(&rounds, 1, 100000);
  if (key == "max_depth") return as_int(&max_depth, 1, 20);
  if (key == "eta") return as_double(&eta, 1e-6, 1);
  if (key == "min_child_weight") return as_double(&min_child_weight, 0, kBig);
  if (key == "subsample") return as_double(&subsample, 0.01, 1);
  if (key == "colsample_bytree") return as_double(&colsample_bytree, 0.01, 1);
  if (key == "gamma") return as_double(&gamma, 0, kBig);
  if (key == "lambda") return as_double(&lambda, 0, kBig);
  if (key == "alpha") return as_double(&alpha, 0, kBig);
  if (key == "scale_pos_weight") return as_double(&scale_pos_weight, 1e-6, kBig);
  if (key == "max_delta_step") return as_double(&max_delta_step, 0, kBig);
  if (key == "early_stopping_rounds") return as_int(&early_stopping_rounds, 0, 100000);
  if (key == "seed") return as_int(&seed, 0, 2147483647);
  if (key == "nthread") return as_int(&nthread, 1, 256);
  if (key == "bags") return as_int(&bags, 1, 100);
  if (key == "monotone") {
    std::vector<std::pair<std::string, int>> mono;
    if (!ParseMonotone(value, &mono))
      return Status::Invalid(fmt::format("parameter monotone: '{}' is not name:+1,name:-1,...", value));
    monotone = value;
    return Status::Ok();
  }
  return Status::Invalid(fmt::format("unknown parameter '{}'", key));
}

nlohmann::json GbmParams::ToJson() const {
  nlohmann::json j{{"rounds", rounds},
          {"max_depth", max_depth},
          {"eta", eta},
          {"min_child_weight", min_child_weight},
          {"subsample", subsample},
          {"colsample_bytree", colsample_bytree},
          {"gamma", gamma},
          {"lambda", lambda},
          {"alpha", alpha},
          {"scale_pos_weight", scale_pos_weight},
          {"max_delta_step", max_delta_step},
          {"early_stopping_rounds", early_stopping_rounds},
          {"seed", seed},
          {"bags", bags},
          {"nthread", nthread}};
  if (!monotone.empty()) j["monotone"] = monotone;
  return j;
}

GbmModel::~GbmModel() { Reset(); }

void GbmModel::Reset() {
  for (void* b : boosters_) XGBoosterFree(static_cast<BoosterHandle>(b));
  boosters_.clear();
}

GbmModel::GbmModel(GbmModel&& o) noexcept { *this = std::move(o); }

GbmModel& GbmModel::operator=(GbmModel&& o) noexcept {
  if (this != &o) {
    Reset();
    boosters_ = std::move(o.boosters_);
    o.boosters_.clear();
    feature_names_ = std::move(o.feature_names_);
    spec_ = std::move(o.spec_);
    params_ = o.params_;
    threshold_ = o.threshold_;
    rounds_ = o.rounds_;
    metadata_ = std::move(o.metadata_);
  }
  return *this;
}

Status GbmModel::TrainOne(const Matrix& x, const std::vector<float>& y, const GbmParams& params,
                          const Matrix* eval_x, const std::vector<float>* eval_y, int* rounds) {
  DMatrix dtrain, deval;
  Status s = dtrain.Create(x, &y);
  if (!s.ok()) return s;
  bool early = eval_x && eval_y && params.early_stopping_rounds > 0;
  if (early) {
    if (eval_x->cols != x.cols) return Status::Invalid("eval set has different columns");
    s = deval.Create(*eval_x, eval_y);
    if (!s.ok()) return s;
  }
  DMatrixHandle cache[2] = {dtrain.get(), deval.get()};
  BoosterHandle b = nullptr;
  XGB_TRY(XGBoosterCreate(cache, early ? 2 : 1, &b));
  boosters_.push_back(b);  // owned from here: Reset() frees it on any later failure
  s = SetParams(b, params, x.names);
  if (!s.ok()) return s;
  double best = std::numeric_limits<double>::infinity();
  int best_iter = -1;
  int done = 0;
  for (int i = 0; i < params.rounds; ++i) {
    XGB_TRY(XGBoosterUpdateOneIter(b, i, dtrain.get()));
    done = i + 1;
    if (!early) continue;
    DMatrixHandle ev[1] = {deval.get()};
    const char* names[1] = {"eval"};
    const char* res = nullptr;
    XGB_TRY(XGBoosterEvalOneIter(b, i, ev, names, 1, &res));
    double loss = 0;
    if (!ParseEvalLoss(res, &loss)) return Status::Internal("xgboost: unreadable evaluation result");
    if (loss < best - 1e-12) {
      best = loss;
      best_iter = i;
    } else if (i - best_iter >= params.early_stopping_rounds) {
      break;
    }
  }
  if (early && best_iter + 1 < done) {
    BoosterHandle sliced = nullptr;
    XGB_TRY(XGBoosterSlice(b, 0, best_iter + 1, 1, &sliced));
    XGBoosterFree(b);
    boosters_.back() = sliced;
    done = best_iter + 1;
    // A sliced booster starts with default parameters; prediction needs only
    // the thread count.
    XGB_TRY(XGBoosterSetParam(sliced, "nthread", std::to_string(params.nthread).c_str()));
  }
  *rounds = done;
  return Status::Ok();
}

Status GbmModel::Train(const Matrix& x, const std::vector<float>& y, const GbmParams& params,
                       const Matrix* eval_x, const std::vector<float>* eval_y) {
  QuietXgboost();
  Reset();
  if (x.names.size() != x.cols) return Status::Internal("matrix has unnamed columns");
  if (params.bags < 1) return Status::Invalid("bags must be at least 1");
  for (float v : y)
    if (v != 0.0f && v != 1.0f) return Status::Invalid("labels must be 0 or 1");
  for (int bag = 0; bag < params.bags; ++bag) {
    GbmParams p = params;
    // Seeds far apart so bag k of one CV repeat never equals bag 0 of the next.
    p.seed = params.seed + 7919 * bag;
    int rounds = 0;
    Status s = TrainOne(x, y, p, eval_x, eval_y, &rounds);
    if (!s.ok()) {
      Reset();
      return s;
    }
    if (bag == 0) rounds_ = rounds;
  }
  params_ = params;
  feature_names_ = x.names;
  if (spec_.size() != feature_names_.size() || spec_.Names() != feature_names_)
    spec_ = FeatureSpec::ForTable(feature_names_, {});
  return Status::Ok();
}

Status GbmModel::CheckColumns(const Matrix& x) const {
  if (boosters_.empty()) return Status::Invalid("model is not trained");
  if (x.cols != feature_names_.size())
    return Status::Invalid(fmt::format("matrix has {} columns, model expects {}", x.cols, feature_names_.size()));
  if (!x.names.empty() && x.names != feature_names_) return Status::Invalid("matrix columns differ from the model's");
  return Status::Ok();
}

Status GbmModel::PredictImpl(const Matrix& x, int type, std::vector<float>* out, size_t* width) const {
  Status s = CheckColumns(x);
  if (!s.ok()) return s;
  out->clear();
  if (x.rows == 0) return Status::Ok();
  DMatrix d;
  s = d.Create(x, nullptr);
  if (!s.ok()) return s;
  std::string cfg = fmt::format(
      R"({{"type":{},"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false}})", type);
  // Summed in double, in bag order: the same model gives the same bits.
  std::vector<double> sum;
  for (void* booster : boosters_) {
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* res = nullptr;
    XGB_TRY(XGBoosterPredictFromDMatrix(static_cast<BoosterHandle>(booster), d.get(), cfg.c_str(), &shape, &dim,
                                        &res));
    size_t n = 1;
    for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
    if (n % x.rows != 0 || (!sum.empty() && n != sum.size()))
      return Status::Internal("xgboost returned an unexpected prediction shape");
    sum.resize(n, 0.0);
    for (size_t i = 0; i < n; ++i) sum[i] += res[i];
  }
  *width = sum.size() / x.rows;
  out->resize(sum.size());
  const double k = static_cast<double>(boosters_.size());
  for (size_t i = 0; i < sum.size(); ++i) out->at(i) = static_cast<float>(sum[i] / k);
  return Status::Ok();
}

Status GbmModel::Predict(const Matrix& x, std::vector<float>* out) const {
  size_t w = 0;
  Status s = PredictImpl(x, 1, out, &w);  // margins (log-odds)
  if (!s.ok()) return s;
  if (x.rows > 0 && w != 1) return Status::Internal("xgboost returned more than one score per row");
  for (float& v : *out) v = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v))));
  return Status::Ok();
}

Status GbmModel::PredictContributions(const Matrix& x, std::vector<float>* out) const {
  size_t w = 0;
  Status s = PredictImpl(x, 2, out, &w);
  if (s.ok() && x.rows > 0 && w != x.cols + 1)
    return Status::Internal("xgboost returned contributions of an unexpected width");
  return s;
}

std::vector<std::pair<std::string, float>> GbmModel::TopReasons(const std::vector<float>& contribs, size_t r,
                                                                size_t k) const {
  const size_t w = feature_names_.size() + 1;
  std::vector<std::pair<std::string, float>> out;
  if ((r + 1) * w > contribs.size()) return out;
  std::vector<size_t> idx;
  for (size_t c = 0; c + 1 < w; ++c)
    if (contribs[r * w + c] > 0) idx.push_back(c);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    float va = contribs[r * w + a], vb = contribs[r * w + b];
    return va != vb ? va > vb : a < b;
  });
  for (size_t i = 0; i < idx.size() && i < k; ++i) out.emplace_back(feature_names_[idx[i]], contribs[r * w + idx[i]]);
  return out;
}

Status GbmModel::ToJson(nlohmann::json* out) const {
  if (boosters_.empty()) return Status::Invalid("model is not trained");
  if (spec_.Names() != feature_names_) return Status::Internal("feature spec does not match the model's features");
  nlohmann::json boosters = nlohmann::json::array();
  for (void* b : boosters_) {
    bst_ulong len = 0;
    const char* buf = nullptr;
    XGB_TRY(XGBoosterSaveModelToBuffer(static_cast<BoosterHandle>(b), R"({"format":"json"})", &len, &buf));
    nlohmann::json booster = nlohmann::json::parse(buf, buf + len, nullptr, false);
    if (booster.is_discarded()) return Status::Internal("xgboost produced an unreadable JSON model");
    boosters.push_back(std::move(booster));
  }
  nlohmann::json j;
  j["format"] = "interdict-gbm";
  j["version"] = 1;
  j["features"] = feature_names_;
  j["spec"] = spec_.ToJson();
  j["threshold"] = threshold_;
  j["rounds"] = rounds_;
  j["params"] = params_.ToJson();
  j["metadata"] = metadata_;
  j["boosters"] = std::move(boosters);
  *out = std::move(j);
  return Status::Ok();
}

Status GbmModel::Save(const std::string& path) const {
  nlohmann::json j;
  Status s = ToJson(&j);
  if (!s.ok()) return s;
  // Written beside the target and renamed, so a crash never leaves half a model.
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::Io(fmt::format("{}: cannot write", tmp));
    f << j.dump() << '\n';
    f.close();
    if (!f) return Status::Io(fmt::format("{}: write failed", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Io(fmt::format("{}: cannot rename into place: {}", path, ec.message()));
  return Status::Ok();
}

Status CheckGbmModelJson(const nlohmann::json& j) {
  auto bad = [](const char* why) { return Status::Invalid(why); };
  if (!j.is_object()) return bad("not JSON");
  if (j.value("format", "") != "interdict-gbm") return bad("format is not interdict-gbm");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != 1)
    return bad("unsupported version");
  if (!j.contains("features") || !j["features"].is_array()) return bad("no feature list");
  if (!j.contains("threshold") || !j["threshold"].is_number()) return bad("no threshold");
  if (!j.contains("boosters") || !j["boosters"].is_array() || j["boosters"].empty()) return bad("no boosters");
  return Status::Ok();
}

Status ReadGbmModelJson(const std::string& path, nlohmann::json* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound(fmt::format("{}: cannot open model file", path));
  std::stringstream ss;
  ss << f.rdbuf();
  *out = nlohmann::json::parse(ss.str(), nullptr, false);
  Status s = out->is_discarded() ? Status::Invalid("not JSON") : CheckGbmModelJson(*out);
  if (!s.ok()) return Status::Invalid(fmt::format("{}: not a model file: {}", path, s.message()));
  return Status::Ok();
}

Status GbmModel::Load(const std::string& path, GbmModel* out) {
  QuietXgboost();
  nlohmann::json j;
  Status read = ReadGbmModelJson(path, &j);
  if (!read.ok()) return read;
  auto bad = [&](const std::string& why) { return Status::Invalid(fmt::format("{}: not a model file: {}", path, why)); };
  GbmModel m;
  for (const auto& n : j["features"]) {
    if (!n.is_string()) return bad("a feature name is not a string");
    m.feature_names_.push_back(n.get<std::string>());
  }
  if (j.contains("spec")) {
    Status s = FeatureSpec::FromJson(j["spec"], &m.spec_);
    if (!s.ok()) return bad(s.message());
    if (m.spec_.Names() != m.feature_names_) return bad("feature spec does not match the feature list");
  } else {
    m.spec_ = FeatureSpec::ForTable(m.feature_names_, {});
  }
  m.threshold_ = j["threshold"].get<double>();
  if (!std::isfinite(m.threshold_)) return bad("threshold is not finite");
  if (j.contains("rounds") && j["rounds"].is_number_integer()) m.rounds_ = j["rounds"].get<int>();
  if (j.contains("params") && j["params"].is_object()) {
    for (const auto& [k, v] : j["params"].items()) {
      std::string sv = v.is_string() ? v.get<std::string>() : v.dump();
      Status s = m.params_.Set(k, sv);
      if (!s.ok()) return bad(s.message());
    }
  }
  if (j.contains("metadata")) m.metadata_ = j["metadata"];
  for (const auto& jb : j["boosters"]) {
    if (!jb.is_object()) return bad("a booster is not a JSON object");
    std::string booster = jb.dump();
    BoosterHandle b = nullptr;
    XGB_TRY(XGBoosterCreate(nullptr, 0, &b));
    m.boosters_.push_back(b);  // owned by m from here, freed on any return
    XGB_TRY(XGBoosterLoadModelFromBuffer(b, booster.data(), booster.size()));
    XGB_TRY(XGBoosterSetParam(b, "nthread", std::to_string(m.params_.nthread).c_str()));
    bst_ulong nf = 0;
    XGB_TRY(XGBoosterGetNumFeature(b, &nf));
    if (nf != m.feature_names_.size())
      return bad(fmt::format("booster has {} features, the list {}", nf, m.feature_names_.size()));
  }
  *out = std::move(m);
  return Status::Ok();
}

}  // namespace interdict
