#include "ml/forest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

namespace interdict {
namespace {

using Json = nlohmann::json;

// The member `key` of object `j`, or nullptr (const operator[] on a missing
// key is undefined behaviour in nlohmann::json).
const Json* Member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

const Json* Array(const Json& j, const char* key) {
  const Json* a = Member(j, key);
  return a && a->is_array() ? a : nullptr;
}

// xgboost writes its model parameters as strings ("5E-1", "77").
bool NumberOf(const Json* j, double* out) {
  if (!j) return false;
  if (j->is_number()) {
    *out = j->get<double>();
  } else if (j->is_string()) {
    const std::string& s = j->get_ref<const std::string&>();
    char* end = nullptr;
    *out = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') return false;
  } else {
    return false;
  }
  return std::isfinite(*out);
}

// A parameter that must equal `want` when present.
bool AbsentOr(const Json& j, const char* key, double want) {
  const Json* v = Member(j, key);
  double d = 0;
  return !v || (NumberOf(v, &d) && d == want);
}

// The per-node arrays of one xgboost JSON tree, type-checked.
struct RawTree {
  std::vector<int64_t> left, right, feature;
  std::vector<float> cond, hess;
  std::vector<uint8_t> default_left;
};

Status Ints(const Json& t, const char* key, size_t n, std::vector<int64_t>* out) {
  const Json* a = Array(t, key);
  if (!a || a->size() != n) return Status::Invalid(fmt::format("{} missing or of the wrong length", key));
  out->clear();
  for (const Json& v : *a) {
    if (!v.is_number_integer()) return Status::Invalid(fmt::format("{}: not an integer", key));
    out->push_back(v.get<int64_t>());
  }
  return Status::Ok();
}

Status Floats(const Json& t, const char* key, size_t n, std::vector<float>* out) {
  const Json* a = Array(t, key);
  if (!a || a->size() != n) return Status::Invalid(fmt::format("{} missing or of the wrong length", key));
  out->clear();
  for (const Json& v : *a) {
    double d = 0;
    if (!v.is_number() || !std::isfinite(d = v.get<double>()) || std::fabs(d) > std::numeric_limits<float>::max())
      return Status::Invalid(fmt::format("{}: not a finite number", key));
    out->push_back(static_cast<float>(d));  // xgboost printed a float: exact
  }
  return Status::Ok();
}

Status ReadRawTree(const Json& t, RawTree* r) {
  const Json* lc = Array(t, "left_children");
  if (!lc || lc->empty()) return Status::Invalid("no left_children");
  const size_t n = lc->size();
  Status s = Ints(t, "left_children", n, &r->left);
  if (s.ok()) s = Ints(t, "right_children", n, &r->right);
  if (s.ok()) s = Ints(t, "split_indices", n, &r->feature);
  if (s.ok()) s = Floats(t, "split_conditions", n, &r->cond);
  if (s.ok()) s = Floats(t, "sum_hessian", n, &r->hess);
  if (!s.ok()) return s;
  const Json* dl = Array(t, "default_left");
  if (!dl || dl->size() != n) return Status::Invalid("default_left missing or of the wrong length");
  r->default_left.clear();
  for (const Json& v : *dl) {
    if (v.is_boolean()) {
      r->default_left.push_back(v.get<bool>() ? 1 : 0);
    } else if (v.is_number_integer()) {
      r->default_left.push_back(v.get<int64_t>() != 0 ? 1 : 0);
    } else {
      return Status::Invalid("default_left: not a flag");
    }
  }
  if (const Json* st = Array(t, "split_type")) {
    for (const Json& v : *st)
      if (!v.is_number_integer() || v.get<int64_t>() != 0) return Status::Invalid("categorical splits are not supported");
  }
  if (const Json* cn = Array(t, "categories_nodes"); cn && !cn->empty())
    return Status::Invalid("categorical splits are not supported");
  return Status::Ok();
}

}  // namespace

Status Forest::FromModel(const GbmModel& m, Forest* out) {
  Json doc;
  Status s = m.ToJson(&doc);
  if (!s.ok()) return s;
  return FromJson(doc, out);
}

Status Forest::Load(const std::string& model_path, Forest* out) {
  Json doc;
  Status s = ReadGbmModelJson(model_path, &doc);
  if (!s.ok()) return s;
  s = FromJson(doc, out);
  if (!s.ok()) return Status::Invalid(fmt::format("{}: {}", model_path, s.message()));
  return Status::Ok();
}

Status Forest::FromJson(const Json& doc, Forest* out) {
  Status s = CheckGbmModelJson(doc);
  if (!s.ok()) return s;
  Forest f;
  for (const Json& n : doc["features"]) {
    if (!n.is_string()) return Status::Invalid("a feature name is not a string");
    f.feature_names_.push_back(n.get<std::string>());
  }
  if (f.feature_names_.empty()) return Status::Invalid("the model has no features");
  if (f.feature_names_.size() > kMaxFeatures)
    return Status::Invalid(fmt::format("more than {} features", kMaxFeatures));
  f.threshold_ = doc["threshold"].get<double>();
  if (!std::isfinite(f.threshold_)) return Status::Invalid("threshold is not finite");
  f.nodes_.push_back({std::numeric_limits<float>::quiet_NaN(), 0, {0, 0}});
  f.mean_.push_back(0);
  f.feature_.push_back(0);
  const Json& boosters = doc["boosters"];
  double base_sum = 0;
  for (size_t b = 0; b < boosters.size(); ++b) {
    double base = 0;
    s = f.AddBooster(boosters[b], &base);
    if (!s.ok()) return Status::Invalid(fmt::format("booster {}: {}", b, s.message()));
    base_sum += base;
  }
  f.bags_ = boosters.size();
  f.scale_ = 1.0 / static_cast<double>(f.bags_);
  f.base_margin_ = base_sum * f.scale_;
  double roots = 0;
  for (const Tree& t : f.trees_) roots += f.mean_[t.root];
  f.bias_ = f.base_margin_ + roots * f.scale_;
  for (size_t t0 = 0; t0 < f.trees_.size(); t0 += kBlock) {
    uint32_t d = 0;
    for (size_t t = t0; t < t0 + kBlock; ++t) {
      const bool real = t < f.trees_.size();
      f.roots_.push_back(real ? f.trees_[t].root : 0);
      if (real) d = std::max(d, f.trees_[t].depth);
    }
    f.block_depth_.push_back(d);
  }
  *out = std::move(f);
  return Status::Ok();
}

Status Forest::AddBooster(const Json& booster, double* base_margin) {
  const Json* learner = Member(booster, "learner");
  if (!learner) return Status::Invalid("not an xgboost model (no learner)");
  const Json* objective = Member(*learner, "objective");
  const Json* objective_name = objective ? Member(*objective, "name") : nullptr;
  if (!objective_name || !objective_name->is_string() || *objective_name != "binary:logistic")
    return Status::Invalid("the objective is not binary:logistic");
  const Json* param = Member(*learner, "learner_model_param");
  double base_score = 0, num_feature = 0;
  if (!param || !NumberOf(Member(*param, "base_score"), &base_score) || !(base_score > 0 && base_score < 1))
    return Status::Invalid("no base_score in (0, 1)");
  if (!NumberOf(Member(*param, "num_feature"), &num_feature) ||
      num_feature != static_cast<double>(feature_names_.size()))
    return Status::Invalid(fmt::format("num_feature is not {}", feature_names_.size()));
  if (!AbsentOr(*param, "num_class", 0) || !AbsentOr(*param, "num_target", 1))
    return Status::Invalid("not a single-output model");
  // binary:logistic keeps base_score as a probability; the margin starts at
  // its log-odds (xgboost's ProbToMargin).
  *base_margin = std::log(base_score / (1 - base_score));

  const Json* gb = Member(*learner, "gradient_booster");
  const Json* gb_name = gb ? Member(*gb, "name") : nullptr;
  if (!gb_name || !gb_name->is_string() || *gb_name != "gbtree") return Status::Invalid("the booster is not a gbtree");
  const Json* model = Member(*gb, "model");
  const Json* trees = model ? Array(*model, "trees") : nullptr;
  if (!trees) return Status::Invalid("no trees");
  if (const Json* info = Array(*model, "tree_info")) {
    for (const Json& g : *info)
      if (!g.is_number_integer() || g.get<int64_t>() != 0) return Status::Invalid("a tree of an output other than 0");
  }
  for (size_t t = 0; t < trees->size(); ++t) {
    Status s = AddTree((*trees)[t]);
    if (!s.ok()) return Status::Invalid(fmt::format("tree {}: {}", t, s.message()));
  }
  return Status::Ok();
}

Status Forest::AddTree(const Json& tree) {
  RawTree r;
  Status s = ReadRawTree(tree, &r);
  if (!s.ok()) return s;
  const size_t n = r.left.size();
  const size_t base = nodes_.size();
  if (base + n > std::numeric_limits<uint32_t>::max()) return Status::Invalid("too many nodes");
  // Breadth-first from the root, renumbered: order[k] is the old id of new
  // node base + k. Every node must be reached once (a tree, no cycles);
  // nodes no path reaches (xgboost's deleted ones) are dropped.
  std::vector<int64_t> order{0};
  std::vector<uint32_t> new_id(n, 0), depth(n, 0);
  std::vector<uint8_t> seen(n, 0);
  seen[0] = 1;
  uint32_t max_depth = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const int64_t o = order[k];
    new_id[o] = static_cast<uint32_t>(base + k);
    max_depth = std::max(max_depth, depth[o]);
    if (r.left[o] == -1 && r.right[o] == -1) continue;
    for (int64_t c : {r.left[o], r.right[o]}) {
      if (c <= 0 || static_cast<size_t>(c) >= n || seen[c]) return Status::Invalid(fmt::format("node {}: bad child", o));
      seen[c] = 1;
      depth[c] = depth[o] + 1;
      order.push_back(c);
    }
    if (r.feature[o] < 0 || static_cast<size_t>(r.feature[o]) >= feature_names_.size())
      return Status::Invalid(fmt::format("node {}: split feature out of range", o));
  }
  nodes_.resize(base + order.size());
  mean_.resize(base + order.size());
  feature_.resize(base + order.size(), 0);
  // Children follow their parent in breadth-first order, so a backward pass
  // has both children's means ready: xgboost's FillNodeMeanValue, in float.
  for (size_t k = order.size(); k-- > 0;) {
    const int64_t o = order[k];
    Node& node = nodes_[base + k];
    const uint32_t id = static_cast<uint32_t>(base + k);
    if (r.left[o] == -1) {
      node = {std::numeric_limits<float>::quiet_NaN(), 0, {id, id}};
      mean_[id] = r.cond[o];
      continue;
    }
    const int64_t lo = r.left[o], ro = r.right[o];
    const uint32_t feature = static_cast<uint32_t>(r.feature[o]);
    const float c = r.cond[o];
    feature_[id] = feature;
    if (r.default_left[o]) {
      node = {c, feature, {new_id[lo], new_id[ro]}};
    } else {
      const uint32_t nf = static_cast<uint32_t>(feature_names_.size());
      node = {-std::nextafter(c, -std::numeric_limits<float>::infinity()), nf + feature, {new_id[ro], new_id[lo]}};
    }
    const float ml = mean_[new_id[lo]], mr = mean_[new_id[ro]];
    mean_[id] = r.hess[o] > 0 ? (ml * r.hess[lo] + mr * r.hess[ro]) / r.hess[o] : (ml + mr) / 2;
  }
  trees_.push_back({static_cast<uint32_t>(base), max_depth});
  return Status::Ok();
}

void Forest::Expand(const float* x, float* xx) const {
  const size_t nf = feature_names_.size();
  for (size_t f = 0; f < nf; ++f) {
    xx[f] = x[f];
    xx[nf + f] = -x[f];
  }
}

double Forest::Margin(const float* x) const {
  float xx[2 * kMaxFeatures];
  Expand(x, xx);
  const Node* nodes = nodes_.data();
  const float* leaf = mean_.data();
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // four sums: one would chain every add on the last
  uint32_t at[kBlock];
  for (size_t b = 0; b < block_depth_.size(); ++b) {
    const uint32_t* roots = roots_.data() + b * kBlock;
    for (size_t j = 0; j < kBlock; ++j) at[j] = roots[j];
    for (uint32_t d = block_depth_[b]; d != 0; --d)
      for (size_t j = 0; j < kBlock; ++j) at[j] = Next(nodes[at[j]], xx);
    for (size_t j = 0; j < kBlock; j += 4) {
      s0 += leaf[at[j]];
      s1 += leaf[at[j + 1]];
      s2 += leaf[at[j + 2]];
      s3 += leaf[at[j + 3]];
    }
  }
  return base_margin_ + ((s0 + s1) + (s2 + s3)) * scale_;
}

double Forest::Probability(const float* x) const { return 1.0 / (1.0 + std::exp(-Margin(x))); }

double Forest::Contributions(const float* x, float* contrib) const {
  float xx[2 * kMaxFeatures];
  Expand(x, xx);
  const uint32_t nf = static_cast<uint32_t>(feature_names_.size());
  std::fill(contrib, contrib + nf, 0.0f);
  const float scale = static_cast<float>(scale_);
  double sum = 0;
  for (const Tree& t : trees_) {
    // A fixed number of steps, as in Margin: a step from a leaf to itself
    // credits 0 to feature 0.
    uint32_t i = t.root;
    for (uint32_t d = t.depth; d != 0; --d) {
      const Node& node = nodes_[i];
      const uint32_t next = Next(node, xx);
      contrib[feature_[i]] += (mean_[next] - mean_[i]) * scale;
      i = next;
    }
    sum += mean_[i];
  }
  return base_margin_ + sum * scale_;
}

}  // namespace interdict
