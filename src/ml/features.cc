#include "ml/features.h"

#include <algorithm>

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace interdict {
namespace {

const char* OpName(DerivedFeature::Op op) {
  switch (op) {
    case DerivedFeature::Op::kRatio: return "ratio";
    case DerivedFeature::Op::kDiff: return "diff";
    case DerivedFeature::Op::kProduct: return "product";
    case DerivedFeature::Op::kMissingCount: return "missing_count";
  }
  return "?";
}

bool ParseOp(const std::string& s, DerivedFeature::Op* op) {
  for (auto o : {DerivedFeature::Op::kRatio, DerivedFeature::Op::kDiff, DerivedFeature::Op::kProduct,
                 DerivedFeature::Op::kMissingCount}) {
    if (s == OpName(o)) {
      *op = o;
      return true;
    }
  }
  return false;
}

bool NeedsInputs(DerivedFeature::Op op) { return op != DerivedFeature::Op::kMissingCount; }

}  // namespace

FeatureSpec FeatureSpec::ForTable(const std::vector<std::string>& table_columns,
                                  const std::vector<DerivedFeature>& candidates) {
  FeatureSpec spec;
  spec.inputs_ = table_columns;
  std::unordered_set<std::string> have(table_columns.begin(), table_columns.end());
  for (const auto& d : candidates) {
    if (have.count(d.name)) continue;  // never shadow a real column
    if (NeedsInputs(d.op) && (!have.count(d.a) || !have.count(d.b))) continue;
    spec.derived_.push_back(d);
    have.insert(d.name);
  }
  return spec;
}

Status FeatureSpec::SetFill(const std::string& name, float value) {
  if (std::find(inputs_.begin(), inputs_.end(), name) == inputs_.end())
    return Status::Invalid(fmt::format("cannot fill '{}': not an input column", name));
  if (!std::isfinite(value)) return Status::Invalid(fmt::format("fill of '{}' is not a finite number", name));
  for (auto& [n, v] : fill_)
    if (n == name) {
      v = value;
      return Status::Ok();
    }
  fill_.emplace_back(name, value);
  return Status::Ok();
}

Status FeatureSpec::Drop(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    auto d = std::find_if(derived_.begin(), derived_.end(), [&](const DerivedFeature& f) { return f.name == n; });
    if (d != derived_.end()) {
      derived_.erase(d);
      continue;
    }
    auto i = std::find(inputs_.begin(), inputs_.end(), n);
    if (i == inputs_.end()) return Status::Invalid(fmt::format("cannot drop '{}': no such column", n));
    for (const auto& f : derived_)
      if (NeedsInputs(f.op) && (f.a == n || f.b == n))
        return Status::Invalid(fmt::format("cannot drop '{}': derived column '{}' reads it", n, f.name));
    inputs_.erase(i);
    fill_.erase(std::remove_if(fill_.begin(), fill_.end(), [&](const auto& f) { return f.first == n; }), fill_.end());
  }
  return Status::Ok();
}

std::vector<std::string> FeatureSpec::Names() const {
  std::vector<std::string> n = inputs_;
  for (const auto& d : derived_) n.push_back(d.name);
  return n;
}

Status FeatureSpec::Build(const Matrix& table, Matrix* out) const {
  std::unordered_map<std::string, size_t> pos;
  for (size_t i = 0; i < table.names.size(); ++i) pos.emplace(table.names[i], i);
  std::vector<size_t> src(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    auto it = pos.find(inputs_[i]);
    if (it == pos.end()) return Status::Invalid(fmt::format("missing feature column '{}'", inputs_[i]));
    src[i] = it->second;
  }
  // Derived inputs refer to input columns by name; resolve them to positions
  // in the model row once.
  std::unordered_map<std::string, size_t> in_pos;
  for (size_t i = 0; i < inputs_.size(); ++i) in_pos.emplace(inputs_[i], i);
  struct Resolved {
    DerivedFeature::Op op;
    size_t a, b;
  };
  std::vector<Resolved> res;
  for (const auto& d : derived_) {
    Resolved r{d.op, 0, 0};
    if (NeedsInputs(d.op)) {
      auto ia = in_pos.find(d.a), ib = in_pos.find(d.b);
      if (ia == in_pos.end() || ib == in_pos.end())
        return Status::Invalid(fmt::format("derived feature '{}' uses a column that is not an input", d.name));
      r.a = ia->second;
      r.b = ib->second;
    }
    res.push_back(r);
  }
  const size_t n_in = inputs_.size();
  std::vector<float> fill_of(n_in, kMissing);
  for (const auto& [name, v] : fill_) fill_of[in_pos.at(name)] = v;
  out->rows = table.rows;
  out->cols = size();
  out->names = Names();
  out->values.assign(out->rows * out->cols, kMissing);
  for (size_t r = 0; r < table.rows; ++r) {
    const float* t = table.row(r);
    float* o = out->values.data() + r * out->cols;
    int missing = 0;
    for (size_t i = 0; i < n_in; ++i) {
      o[i] = t[src[i]];
      if (std::isnan(o[i])) o[i] = fill_of[i];
      missing += std::isnan(o[i]) ? 1 : 0;
    }
    for (size_t k = 0; k < res.size(); ++k) {
      const Resolved& d = res[k];
      float v = kMissing;
      if (d.op == DerivedFeature::Op::kMissingCount) {
        v = static_cast<float>(missing);
      } else {
        // Computed in double: counts in the tens of thousands divided by small
        // day counts are exact enough either way, but products of durations
        // and counts can exceed float's integer precision.
        double a = o[d.a], b = o[d.b];
        if (!std::isnan(a) && !std::isnan(b)) {
          double x = std::nan("");
          switch (d.op) {
            case DerivedFeature::Op::kRatio: x = b != 0 ? a / b : std::nan(""); break;
            case DerivedFeature::Op::kDiff: x = a - b; break;
            case DerivedFeature::Op::kProduct: x = a * b; break;
            case DerivedFeature::Op::kMissingCount: break;
          }
          if (std::isfinite(x) && std::isfinite(static_cast<float>(x))) v = static_cast<float>(x);
        }
      }
      o[n_in + k] = v;
    }
  }
  return Status::Ok();
}

nlohmann::json FeatureSpec::ToJson() const {
  nlohmann::json j;
  j["inputs"] = inputs_;
  j["derived"] = nlohmann::json::array();
  for (const auto& d : derived_) {
    nlohmann::json e{{"name", d.name}, {"op", OpName(d.op)}};
    if (NeedsInputs(d.op)) {
      e["a"] = d.a;
      e["b"] = d.b;
    }
    j["derived"].push_back(e);
  }
  if (!fill_.empty()) {
    j["fill"] = nlohmann::json::object();
    for (const auto& [n, v] : fill_) j["fill"][n] = v;
  }
  return j;
}

Status FeatureSpec::FromJson(const nlohmann::json& j, FeatureSpec* out) {
  FeatureSpec spec;
  if (!j.is_object() || !j.contains("inputs") || !j["inputs"].is_array())
    return Status::Invalid("feature spec: no 'inputs' list");
  std::unordered_set<std::string> seen;
  for (const auto& n : j["inputs"]) {
    if (!n.is_string()) return Status::Invalid("feature spec: an input name is not a string");
    if (!seen.insert(n.get<std::string>()).second)
      return Status::Invalid(fmt::format("feature spec: duplicate input '{}'", n.get<std::string>()));
    spec.inputs_.push_back(n.get<std::string>());
  }
  if (j.contains("derived")) {
    if (!j["derived"].is_array()) return Status::Invalid("feature spec: 'derived' is not a list");
    for (const auto& e : j["derived"]) {
      DerivedFeature d;
      if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("op") ||
          !e["op"].is_string() || !ParseOp(e["op"].get<std::string>(), &d.op))
        return Status::Invalid("feature spec: a derived feature lacks a name or a known op");
      d.name = e["name"].get<std::string>();
      if (NeedsInputs(d.op)) {
        if (!e.contains("a") || !e["a"].is_string() || !e.contains("b") || !e["b"].is_string())
          return Status::Invalid(fmt::format("feature spec: derived '{}' lacks its inputs", d.name));
        d.a = e["a"].get<std::string>();
        d.b = e["b"].get<std::string>();
        if (!seen.count(d.a) || !seen.count(d.b))
          return Status::Invalid(fmt::format("feature spec: derived '{}' uses an unknown input", d.name));
      }
      if (!seen.insert(d.name).second)
        return Status::Invalid(fmt::format("feature spec: duplicate feature '{}'", d.name));
      spec.derived_.push_back(d);
    }
  }
  if (j.contains("fill")) {
    if (!j["fill"].is_object()) return Status::Invalid("feature spec: 'fill' is not an object");
    for (const auto& [name, v] : j["fill"].items()) {
      if (!v.is_number()) return Status::Invalid(fmt::format("feature spec: fill of '{}' is not a number", name));
      Status s = spec.SetFill(name, v.get<float>());
      if (!s.ok()) return Status::Invalid("feature spec: " + s.message());
    }
  }
  *out = std::move(spec);
  return Status::Ok();
}

std::vector<DerivedFeature> DefaultDerivedFeatures() {
  using D = DerivedFeature;
  return {
      // Burst dialling: many distinct callees per active day, few repeats.
      D::Ratio("x_calls_per_day", "opposite_count", "voc_day_nunique"),
      D::Ratio("x_callees_per_day", "opposite_unique", "voc_day_nunique"),
      D::Ratio("x_out_calls_per_day", "voccalltype1", "voc_day_nunique"),
      D::Ratio("x_callee_share", "opposite_unique", "opposite_count"),
      D::Ratio("x_out_per_callee", "voccalltype1", "opposite_unique"),
      D::Ratio("x_peak_day_share", "voc_day_mode_count", "opposite_count"),
      D::Ratio("x_peak_hour_share", "voc_hour_mode_count", "opposite_count"),
      D::Ratio("x_hours_per_day", "voc_hour_nunique", "voc_day_nunique"),
      // Handsets and places per active day: SIM-swapping, roaming callers.
      D::Ratio("x_imeis_per_day", "imeis", "voc_day_nunique"),
      D::Ratio("x_counties_per_day", "county_name_nunique", "voc_day_nunique"),
      // Talk time.
      D::Product("x_talk_total", "call_dur_mean", "opposite_count"),
      D::Ratio("x_dur_mean_over_median", "call_dur_mean", "call_dur_median"),
      // A fraud SIM is a calling tool: little SMS, data or apps per call.
      D::Ratio("x_sms_per_call", "sms_count", "opposite_count"),
      D::Ratio("x_sms_per_day", "sms_count", "day_nunique"),
      D::Ratio("x_sms_distinct_share", "sms_nunique", "sms_count"),
      D::Diff("x_call_days_minus_sms_days", "voc_day_nunique", "day_nunique"),
      D::Ratio("x_apps_per_month", "busi_count", "month_ids"),
      D::Ratio("x_flow_per_app", "flow_sum", "busi_count"),
      D::Ratio("x_calls_per_app", "opposite_count", "busi_count"),
      // Short-lived numbers: spend per month of service, spend swings.
      D::Ratio("x_arpu_per_month", "arpu_sum", "month_ids"),
      D::Diff("x_arpu_range", "arpu_max", "arpu_min"),
      // Absent tables (no traffic, no billing) are themselves a signal.
      D::MissingCount("x_missing_count"),
  };
}

}  // namespace interdict
