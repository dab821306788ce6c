// Forest: a GbmModel's trees flattened into one contiguous node array, for
// scoring one feature vector at a time without xgboost (no DMatrix, no
// allocation, about 2 us for 600 depth-3 trees where xgboost takes 30 us;
// docs/models.md "Native evaluator"). It gives the same numbers as
// GbmModel::Predict (to float rounding: xgboost sums a booster's leaves in
// float, Forest in double). Infinite values, which xgboost refuses, compare
// as numbers beyond every split.
//
// What it reads: the interdict-gbm document (GbmModel::Save / ToJson), each
// booster xgboost's own JSON model of a gbtree with the binary:logistic
// objective, numeric splits only. A row goes left when x < split_condition,
// and a missing value (NaN) goes the split's default direction; the margin is
// logit(base_score) plus the sum of the leaves reached. Every tree stored in a
// booster is used, as GbmModel::Predict does (iteration_end 0): early stopping
// slices the booster to its best rounds before it is saved, so the file holds
// exactly the trees that count. Bags are averaged in log-odds.
//
// Ownership: a Forest owns its arrays; a plain value (copyable, movable).
// Thread safety: immutable once built; any number of threads may score with
// one Forest at once (unlike GbmModel, whose xgboost predictor caches).
// Scoring uses 16 KiB of stack (the row and its negation, kMaxFeatures).
//
// Operation:
//   Forest f;
//   Status s = Forest::Load("model.json", &f);     // or Forest::FromModel(m, &f)
//   double p = f.Probability(x);                   // x: f.num_features() floats
//   std::vector<float> c(f.num_features());
//   double margin = f.Contributions(x, c.data());  // margin == f.bias() + sum(c)
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/status.h"
#include "ml/gbm.h"

namespace interdict {

class Forest {
 public:
  Forest() = default;

  // From a trained (or loaded) model.
  static Status FromModel(const GbmModel& m, Forest* out);
  // From an interdict-gbm model file (what GbmModel::Save writes).
  static Status Load(const std::string& model_path, Forest* out);
  // From the parsed document (GbmModel::ToJson). Validates every tree: child
  // indices in range, each node reached once from the root, split features
  // below num_features(), finite values; fails with Invalid naming the
  // booster and tree otherwise, and on objectives, booster kinds or
  // categorical splits it does not evaluate, and beyond kMaxFeatures (2048)
  // features.
  static Status FromJson(const nlohmann::json& doc, Forest* out);

  size_t num_features() const { return feature_names_.size(); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  double threshold() const { return threshold_; }
  size_t num_trees() const { return trees_.size(); }
  size_t num_nodes() const { return nodes_.size() - 1; }
  size_t bags() const { return bags_; }

  // Margin (log-odds) of one row: `x` holds num_features() values in
  // feature_names() order, NaN = missing. No allocation.
  double Margin(const float* x) const;
  // logistic(Margin(x)) = P(label = 1), as GbmModel::Predict.
  double Probability(const float* x) const;

  // Per-feature contributions to the margin by path attribution (Saabas):
  // along each tree's path, the change of the node value from a node to the
  // child taken is credited to that node's split feature; averaged over bags
  // like the margin. A node's value is the hessian-weighted mean of its
  // leaves (xgboost's own approximate contributions, pred_contribs with
  // approx_contribs; the JSON's base_weights are not used: at internal nodes
  // they are unshrunk by eta while the leaves are shrunk). `contrib` has
  // num_features() entries and is overwritten. Returns the margin, which is
  // bias() + the sum of `contrib` (to float rounding); the bias is not in
  // `contrib`. No allocation.
  double Contributions(const float* x, float* contrib) const;
  // The constant part of every margin's attribution: the bags' mean of
  // logit(base_score) plus each tree's root value (the margin of an "average"
  // row); xgboost's bias column.
  double bias() const { return bias_; }

 private:
  // One node, 16 bytes (four to a cache line). A row at a split goes to
  // child[v >= value], v its value in slot `slot` of the expanded row (the
  // row, then the row negated; Expand), so a step is one load, one compare
  // and no branch (a mispredicted branch costs more than the step):
  //   - NaN goes left: slot = f, value = the split condition c, child =
  //     {left, right}: v >= c goes right; v < c, and NaN (every comparison
  //     with NaN is false), go left.
  //   - NaN goes right: slot = num_features + f (-v), value = -(the largest
  //     float below c), child = {right, left}: -v >= value iff v < c goes
  //     left; NaN goes right.
  //   - a leaf: value = NaN (v >= NaN is false), child[0] = itself, so a walk that
  //     reaches a leaf stays there: Margin takes a fixed number of steps per
  //     tree. Its leaf value is in mean_.
  // Node 0 is a leaf of value 0 that pads the last block of trees.
  struct Node {
    float value;
    uint32_t slot;
    uint32_t child[2];
  };
  struct Tree {
    uint32_t root;
    uint32_t depth;  // steps from the root to its deepest leaf
  };
  // Margin walks kBlock trees side by side, one level at a time: the steps of
  // one level are independent, so their loads overlap.
  static constexpr size_t kBlock = 32;
  // The expanded row lives on the stack (no allocation), which bounds it.
  static constexpr size_t kMaxFeatures = 2048;

  Status AddBooster(const nlohmann::json& booster, double* base_margin);
  Status AddTree(const nlohmann::json& tree);
  // xx[f] = x[f], xx[num_features + f] = -x[f] (NaN stays NaN).
  void Expand(const float* x, float* xx) const;
  static uint32_t Next(const Node& n, const float* xx) { return n.child[xx[n.slot] >= n.value]; }

  std::vector<Node> nodes_;  // node 0 the padding leaf, then all trees, each in breadth-first order
  // Per node: the hessian-weighted mean of its leaves (Contributions); at a
  // leaf, the leaf value.
  std::vector<float> mean_;
  std::vector<uint32_t> feature_;  // per node: its split feature (0 at a leaf), for Contributions
  std::vector<Tree> trees_;
  std::vector<uint32_t> roots_;        // trees_' roots, padded with node 0 to whole blocks
  std::vector<uint32_t> block_depth_;  // per block: the deepest of its trees
  std::vector<std::string> feature_names_;
  double threshold_ = 0.5;
  double base_margin_ = 0;  // mean over bags of logit(base_score)
  double scale_ = 1;        // 1 / bags
  double bias_ = 0;
  size_t bags_ = 0;
};

}  // namespace interdict
