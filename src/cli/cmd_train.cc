// interdict train: the fraud-number model, in two modes.
//  - train DATASET --out MODEL: the engine's own model, from a labelled data
//    set (train_dataset.cc); `run --model MODEL` uses it.
//  - train --table CSV --label COL: a classifier on an external per-entity
//    feature table (one row per phone number), with repeated stratified
//    cross-validation for honest figures and the decision threshold, then the
//    final model on all rows; `score --table` uses it.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "cli/command.h"
#include "cli/train_dataset.h"
#include "ml/cv.h"
#include "ml/feature_table.h"
#include "ml/features.h"
#include "ml/gbm.h"

namespace interdict::cli {
namespace {

struct TrainOptions {
  std::string dataset;
  std::string config;
  std::string table;
  std::string label = "label";
  std::string id;
  int folds = 5;
  int repeats = 1;
  uint64_t seed = 1;
  std::string out = "model.json";
  std::vector<std::string> params;  // key=value overrides of GbmParams
  bool no_derived = false;
  std::vector<std::string> drop;  // columns left out of the model
  std::vector<std::string> fill;  // PREFIX=VALUE: missing cells of matching inputs become VALUE
  bool no_fill = false;
  std::string threshold_rule = "calibrated";
  bool shift_check = false;
  bool json = false;
};

// Shift checks (--shift-check): whole source tables of the Sichuan layout
// absent for 10 % of the held-out rows, by column-name prefix.
struct ShiftBlock {
  const char* name;
  std::vector<std::string> prefixes;
};
const ShiftBlock kShiftBlocks[] = {
    {"no billing on 10% of rows", {"arpu_"}},
    {"no app traffic on 10% of rows", {"flow_", "busi_count", "month_ids"}},
    {"no SMS on 10% of rows", {"sms_", "calltype_2", "calltype_rate", "hour_", "day_"}},
    {"no calls on 10% of rows",
     {"opposite_", "voc", "imeis", "city_name_call", "county_name_call", "phone2opp", "call_dur",
      "city_name_nunique", "county_name_nunique", "calltype_id_unique"}},
};
constexpr double kShiftShare = 0.10;

// Missing cells filled by default (docs/models.md "Robustness to shift"): in the
// Sichuan table a number with no billing record is always fraud and one
// without a flow variance mostly so; what no billing or no app traffic
// means is "no revenue", "no traffic", and a model that reads a hole as
// fraud flags every normal number whose record is absent on new rows.
// Prefixes that match no column are skipped silently.
const char* const kDefaultFill[] = {"arpu_=0", "flow_=0"};
const double kPriorShares[] = {0.20, 0.45};

int ExitFor(const Status& s) { return s.code() == Status::Code::kInternal ? kExitFailure : kExitInput; }

void PrintReadReport(const std::string& path, const FeatureTable& t, const FeatureTableReport& r) {
  INTERDICT_LOG_INFO("{}: {} rows, {} feature columns, {} rows skipped", path, t.rows(), t.features().cols,
                     r.rows_skipped);
  for (const auto& m : r.messages) INTERDICT_LOG_WARN("{}", m);
  if (r.rows_skipped > r.messages.size())
    INTERDICT_LOG_WARN("{}: {} more bad rows not listed", path, r.rows_skipped - r.messages.size());
  INTERDICT_LOG_INFO("{}: {}", path, r.Summary(t.features().names));
}

// Prints the cross-validation figures and returns them as JSON for the model's metadata.
nlohmann::json ReportCv(const CvOptions& copt, const CvResult& cv, size_t rows, size_t fraud, size_t features,
                        bool json_out) {
  auto ms = [](const MeanSd& m) { return nlohmann::json{{"mean", m.mean}, {"sd", m.sd}}; };
  const Confusion& pc = cv.pooled.confusion;
  nlohmann::json j{{"rows", rows},
                   {"fraud", fraud},
                   {"features", features},
                   {"folds", copt.folds},
                   {"repeats", copt.repeats},
                   {"seed", copt.seed},
                   {"auc", ms(cv.auc)},
                   {"macro_f1", ms(cv.macro_f1)},
                   {"fraud_precision", ms(cv.precision)},
                   {"fraud_recall", ms(cv.recall)},
                   {"fraud_f1", ms(cv.f1)},
                   {"macro_f1_at_own_best_threshold", ms(cv.best_macro_f1)},
                   {"threshold_rule", ThresholdRuleName(copt.threshold_rule)},
                   {"crossfit_threshold", ms(cv.crossfit_threshold)},
                   {"threshold", cv.pooled.threshold},
                   {"threshold_macro_f1", cv.pooled.macro_f1},
                   {"threshold_confusion", {{"tp", pc.tp}, {"fp", pc.fp}, {"tn", pc.tn}, {"fn", pc.fn}}}};
  for (size_t k = 0; k < cv.shifts.size(); ++k)
    j["shift_checks"].push_back(
        {{"name", cv.shifts[k].name}, {"auc", ms(cv.shifts[k].auc)}, {"macro_f1", ms(cv.shifts[k].macro_f1)}});
  for (size_t k = 0; k < cv.macro_f1_at_share.size(); ++k)
    j["macro_f1_at_fraud_share"].push_back(
        {{"share", copt.prior_shares[k]}, {"macro_f1", ms(cv.macro_f1_at_share[k])}});
  if (json_out) return j;
  std::printf("rows: %zu (%zu fraud), features: %zu\n", rows, fraud, features);
  std::printf("cross-validation: %d folds x %d repeat(s), seed %llu, out-of-fold:\n", copt.folds, copt.repeats,
              static_cast<unsigned long long>(copt.seed));
  auto line = [&](const char* name, const MeanSd& m) {
    if (copt.repeats > 1)
      std::printf("  %-16s %.4f +- %.4f\n", name, m.mean, m.sd);
    else
      std::printf("  %-16s %.4f\n", name, m.mean);
  };
  line("auc", cv.auc);
  line("macro_f1", cv.macro_f1);
  line("fraud_precision", cv.precision);
  line("fraud_recall", cv.recall);
  line("fraud_f1", cv.f1);
  std::printf("  (precision, recall and F1 at a threshold chosen on the other folds, %.3f +- %.3f over\n"
              "   folds; macro_f1 at each repeat's own best threshold: %.4f)\n",
              cv.crossfit_threshold.mean, cv.crossfit_threshold.sd, cv.best_macro_f1.mean);
  if (!cv.shifts.empty() || !cv.macro_f1_at_share.empty())
    std::printf("shift checks (each fold's model on changed held-out rows, cross-fitted thresholds):\n");
  for (const auto& sh : cv.shifts)
    std::printf("  %-32s auc %.4f +- %.4f  macro_f1 %.4f +- %.4f\n", sh.name.c_str(), sh.auc.mean, sh.auc.sd,
                sh.macro_f1.mean, sh.macro_f1.sd);
  for (size_t k = 0; k < cv.macro_f1_at_share.size(); ++k)
    std::printf("  %-32s macro_f1 %.4f +- %.4f\n", fmt::format("fraud share {:.2f}", copt.prior_shares[k]).c_str(),
                cv.macro_f1_at_share[k].mean, cv.macro_f1_at_share[k].sd);
  std::printf("threshold (%s): %.6f (macro-F1 %.4f on pooled out-of-fold scores: tp %llu fp %llu tn %llu fn %llu)\n",
              ThresholdRuleName(copt.threshold_rule), cv.pooled.threshold, cv.pooled.macro_f1,
              static_cast<unsigned long long>(pc.tp),
              static_cast<unsigned long long>(pc.fp), static_cast<unsigned long long>(pc.tn),
              static_cast<unsigned long long>(pc.fn));
  return j;
}

int RunTrainTable(const TrainOptions& o) {
  CvOptions copt;
  copt.folds = o.folds;
  copt.repeats = o.repeats;
  copt.seed = o.seed;
  Status s = ParseGbmParams(o.params, &copt.params);
  if (!s.ok()) return Fail(kExitUsage, s.message());
  if (!ParseThresholdRule(o.threshold_rule, &copt.threshold_rule))
    return Fail(kExitUsage, fmt::format("--threshold-rule: '{}' is not max-macro-f1, plateau or calibrated",
                                        o.threshold_rule));

  FeatureTableOptions topt;
  topt.id_column = o.id;
  topt.label_column = o.label;
  topt.label_required = true;
  FeatureTable table;
  FeatureTableReport rep;
  s = FeatureTable::Read(o.table, topt, &table, &rep);
  if (!s.ok()) return Fail(kExitInput, s.message());
  PrintReadReport(o.table, table, rep);

  FeatureSpec spec =
      FeatureSpec::ForTable(table.features().names, o.no_derived ? std::vector<DerivedFeature>{}
                                                                 : DefaultDerivedFeatures());
  s = spec.Drop(o.drop);
  if (!s.ok()) return Fail(kExitUsage, fmt::format("--drop: {}", s.message()));
  const bool default_fill = o.fill.empty() && !o.no_fill;
  std::vector<std::string> fills = o.fill;
  if (default_fill) fills.assign(std::begin(kDefaultFill), std::end(kDefaultFill));
  if (o.no_fill) fills.clear();
  for (const auto& f : fills) {
    size_t eq = f.find('=');
    char* end = nullptr;
    float v = eq == std::string::npos ? 0.0f : std::strtof(f.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq == 0 || end == f.c_str() + eq + 1 || *end != '\0')
      return Fail(kExitUsage, fmt::format("--fill-missing: '{}' is not PREFIX=VALUE", f));
    std::string prefix = f.substr(0, eq);
    size_t matched = 0;
    for (const auto& name : spec.inputs())
      if (name.rfind(prefix, 0) == 0) {
        s = spec.SetFill(name, v);
        if (!s.ok()) return Fail(kExitUsage, fmt::format("--fill-missing: {}", s.message()));
        ++matched;
      }
    if (matched == 0 && !default_fill)
      return Fail(kExitUsage, fmt::format("--fill-missing: no input column starts with '{}'", prefix));
  }
  if (o.shift_check) {
    const Matrix& raw = table.features();
    uint64_t block_seed = o.seed * 1000 + 17;
    for (const auto& b : kShiftBlocks) {
      std::vector<std::string> cols;
      for (const auto& name : raw.names)
        for (const auto& p : b.prefixes)
          if (name.rfind(p, 0) == 0) cols.push_back(name);
      ShiftedRows blanked = ShiftByBlanking(raw, b.name, cols, kShiftShare, block_seed++);
      ShiftedRows shifted{b.name, {}};
      s = spec.Build(blanked.x, &shifted.x);
      if (!s.ok()) return Fail(kExitInput, s.message());
      copt.shifted.push_back(std::move(shifted));
    }
    copt.prior_shares.assign(std::begin(kPriorShares), std::end(kPriorShares));
  }
  size_t fraud = 0;
  for (float v : table.labels()) fraud += v > 0.5f ? 1 : 0;
  CvResult cv;
  GbmModel model;
  s = TrainWithCv(table.features(), table.labels(), spec, copt, &cv, &model);
  if (!s.ok()) return Fail(ExitFor(s), fmt::format("{}: {}", o.table, s.message()));
  nlohmann::json figures = ReportCv(copt, cv, table.rows(), fraud, spec.size(), o.json);

  model.metadata()["trained_on"] = o.table;
  model.metadata()["id_column"] = table.id_column();
  model.metadata()["label_column"] = o.label;
  model.metadata()["cv"] = figures;
  s = model.Save(o.out);
  if (!s.ok()) return Fail(kExitOutput, s.message());
  if (o.json) {
    figures["model"] = o.out;
    figures["rounds"] = model.rounds();
    std::printf("%s\n", figures.dump(2).c_str());
  } else {
    std::printf("model: %s (%d trees on %zu rows, %zu features)\n", o.out.c_str(), model.rounds(), table.rows(),
                spec.size());
  }
  return kExitOk;
}

const bool kRegistered = RegisterCommand(50, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand(
      "train", "Train and cross-validate the fraud-number model: on a labelled data set (the engine's model, "
               "for run --model) or on a feature table (--table, for score)");
  cmd->add_option("DATASET", o->dataset, "labelled data set directory (with labels/numbers.csv)");
  cmd->add_option("--config", o->config, "with DATASET: configuration (TOML, docs/config.md), as for run");
  cmd->add_option("--table", o->table, "CSV with a header: an id column, numeric features, a 0/1 label");
  cmd->add_option("--label", o->label, "label column (1 = fraud)")->capture_default_str();
  cmd->add_option("--id", o->id, "id column (default: the first column)");
  cmd->add_option("--folds", o->folds, "cross-validation folds")->capture_default_str()->check(CLI::Range(2, 50));
  cmd->add_option("--repeats", o->repeats, "cross-validation repeats with successive seeds")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  cmd->add_option("--seed", o->seed, "seed of the CV folds (repeat r uses seed+r); xgboost's own: --param seed=N")->capture_default_str();
  cmd->add_option("--out", o->out, "where to save the model (JSON)")->capture_default_str();
  cmd->add_option("--param", o->params, "override a hyper-parameter, key=value (max_depth, eta, rounds, ...)");
  cmd->add_flag("--no-derived", o->no_derived, "use only the table's columns, no derived ratios");
  cmd->add_option("--drop", o->drop, "leave a column (a table column or a derived one) out of the model");
  cmd->add_option("--fill-missing", o->fill,
                  "PREFIX=VALUE: a missing cell of every input column starting with PREFIX becomes VALUE "
                  "(default arpu_=0 and flow_=0: no billing record, no revenue; no traffic record, no traffic)");
  cmd->add_flag("--no-fill", o->no_fill, "leave every missing cell missing (no --fill-missing, not even the default)");
  cmd->add_option("--threshold-rule", o->threshold_rule,
                  "how the decision threshold is chosen on out-of-fold scores: max-macro-f1, plateau, calibrated")
      ->capture_default_str();
  cmd->add_flag("--shift-check", o->shift_check,
                "also score held-out folds with a source table blanked on 10% of rows, and at fraud shares "
                "0.20 / 0.45");
  cmd->add_flag("--json", o->json, "print the figures as JSON");
  cmd->callback([o, exit_code] {
    if (o->dataset.empty() == o->table.empty()) {
      *exit_code = Fail(kExitUsage, "train: give a DATASET or --table CSV (one of them)");
      return;
    }
    if (o->table.empty()) {
      TrainDatasetOptions d;
      d.dataset = o->dataset;
      d.out = o->out;
      d.config = o->config;
      d.folds = o->folds;
      d.seed = o->seed;
      d.params = o->params;
      d.json = o->json;
      *exit_code = RunTrainDataset(d);
    } else {
      *exit_code = RunTrainTable(*o);
    }
  });
});

}  // namespace
}  // namespace interdict::cli
