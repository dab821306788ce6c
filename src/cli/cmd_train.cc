// interdict train: the fraud-number model, in two modes.
//  - train DATASET --out MODEL: the engine's own model, from a labelled data
//    set (train_dataset.cc); `run --model MODEL` uses it.
//  - train --table CSV --label COL: a classifier on an external per-entity
//    feature table (one row per phone number), with repeated stratified
//    cross-validation for honest figures and the decision threshold, then the
//    final model on all rows; `score --table` uses it.
#include <cstdio>
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
  bool json = false;
};

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
                   {"threshold", cv.pooled.threshold},
                   {"threshold_macro_f1", cv.pooled.macro_f1},
                   {"threshold_confusion", {{"tp", pc.tp}, {"fp", pc.fp}, {"tn", pc.tn}, {"fn", pc.fn}}}};
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
  std::printf("  (precision, recall and F1 at a threshold chosen on the other folds; macro_f1 at each\n"
              "   repeat's own best threshold: %.4f)\n",
              cv.best_macro_f1.mean);
  std::printf("threshold: %.6f (max macro-F1 %.4f on pooled out-of-fold scores: tp %llu fp %llu tn %llu fn %llu)\n",
              cv.pooled.threshold, cv.pooled.macro_f1, static_cast<unsigned long long>(pc.tp),
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
