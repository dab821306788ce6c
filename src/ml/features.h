// FeatureSpec: how a model's feature vector is built from a table's named
// input columns — which raw columns, in which order, plus derived columns
// (ratios, differences, a missing-value count) computed from them.
//
// The spec is saved inside the model file, so scoring rebuilds exactly the
// vector training saw: columns are matched by name (any order in the scored
// table), and a missing input column is an error that names it.
//
// Why derived ratios at all: trees split on one column at a time, so "calls
// per distinct callee" or "share of calls outgoing" — what separates a fraud
// number's burst of one-shot outgoing calls from a person's regular contacts —
// needs many axis-aligned splits to approximate from the raw counts. Handing
// the ratio to the trees directly lets shallow trees use it (docs/models.md).
//
// Value type; thread-safe for concurrent const use.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/status.h"
#include "ml/feature_table.h"

namespace interdict {

struct DerivedFeature {
  enum class Op { kRatio, kDiff, kProduct, kMissingCount };
  std::string name;
  Op op = Op::kRatio;
  std::string a;  // inputs by column name (unused by kMissingCount, which counts over all inputs)
  std::string b;

  // a / b; NaN (missing) when either is missing or b == 0, because "no calls"
  // and "a ratio of zero" must stay distinguishable to the trees.
  static DerivedFeature Ratio(std::string name, std::string a, std::string b) {
    return {std::move(name), Op::kRatio, std::move(a), std::move(b)};
  }
  static DerivedFeature Diff(std::string name, std::string a, std::string b) {
    return {std::move(name), Op::kDiff, std::move(a), std::move(b)};
  }
  static DerivedFeature Product(std::string name, std::string a, std::string b) {
    return {std::move(name), Op::kProduct, std::move(a), std::move(b)};
  }
  static DerivedFeature MissingCount(std::string name) { return {std::move(name), Op::kMissingCount, "", ""}; }
};

class FeatureSpec {
 public:
  FeatureSpec() = default;
  // All of `table`'s columns as inputs, plus those `candidates` whose inputs
  // all exist in the table (a recipe written for one table quietly skips the
  // ratios another table cannot support).
  static FeatureSpec ForTable(const std::vector<std::string>& table_columns,
                              const std::vector<DerivedFeature>& candidates);

  // The model's columns: inputs then derived, in order.
  std::vector<std::string> Names() const;
  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::vector<DerivedFeature>& derived() const { return derived_; }
  size_t size() const { return inputs_.size() + derived_.size(); }

  // Builds the model matrix from a table matrix whose columns are matched by
  // name. Fails naming the first input column the table lacks.
  Status Build(const Matrix& table, Matrix* out) const;

  // A value that replaces a missing cell of input `name` before anything is
  // derived (so the missing count does not count it either): for columns
  // where "absent" has a meaning, e.g. no billing record = no revenue.
  // Fails when `name` is not an input or `value` is not finite.
  Status SetFill(const std::string& name, float value);
  const std::vector<std::pair<std::string, float>>& fill() const { return fill_; }

  // Removes the named columns (inputs or derived) from the spec. Fails naming
  // a column the spec does not have, or an input a derived column reads.
  Status Drop(const std::vector<std::string>& names);

  nlohmann::json ToJson() const;
  static Status FromJson(const nlohmann::json& j, FeatureSpec* out);

 private:
  std::vector<std::string> inputs_;
  std::vector<DerivedFeature> derived_;
  std::vector<std::pair<std::string, float>> fill_;  // by input name, in the order set
};

// The derived columns tried for call/SMS/traffic tables such as the Sichuan
// per-number table (column names as there). Chosen by repeated CV; see
// docs/models.md for the list and the figures with and without them.
std::vector<DerivedFeature> DefaultDerivedFeatures();

}  // namespace interdict
