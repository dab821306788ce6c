// Training the engine's fraud-number model from a labelled data set.
//
// The engine runs over the data set exactly as `run` would, and at each of its
// model checkpoints (every 5th outgoing call of a number past the rules'
// gate) hands over the number's feature vector. Each vector is a row, labelled
// by labels/numbers.csv (fraud_caller and simbox_sim are fraud, as in
// evaluation.md). Cross-validation folds are drawn by number, never by row: a
// number's checkpoints are near-copies of each other, and splitting them
// across folds would leak. In the stream a number is flagged at its first
// checkpoint over the threshold, so the threshold is chosen on each number's
// highest out-of-fold score, and the figures printed are per number.
#include "cli/train_dataset.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "cli/command.h"
#include "engine/engine.h"
#include "ingest/dataset.h"
#include "ingest/named_csv.h"
#include "ml/cv.h"
#include "ml/gbm.h"
#include "ml/metrics.h"

namespace interdict::cli {

Status ParseGbmParams(const std::vector<std::string>& kvs, GbmParams* p) {
  for (const auto& kv : kvs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) return Status::Invalid(fmt::format("--param '{}': expected key=value", kv));
    Status s = p->Set(kv.substr(0, eq), kv.substr(eq + 1));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

namespace {

// Fraud numbers of labels/numbers.csv, by name.
Status ReadFraudNumbers(const std::string& dataset, RejectSink* rejects, absl::flat_hash_map<std::string, bool>* out) {
  NamedCsv f("labels/numbers.csv", rejects);
  Status s = f.Open(dataset + "/labels/numbers.csv", {"msisdn", "role"}, {});
  if (!s.ok()) return s;
  while (f.Next()) {
    const std::string_view role = f.Get(1);
    (*out)[std::string(f.Get(0))] = role == "fraud_caller" || role == "simbox_sim";
    f.Accept();
  }
  return f.Finish();
}

}  // namespace

int RunTrainDataset(const TrainDatasetOptions& o) {
  const GlobalOptions& g = Globals();
  GbmParams params;
  Status s = ParseGbmParams(o.params, &params);
  if (!s.ok()) return Fail(kExitUsage, s.message());
  EngineConfig cfg;
  if (!o.config.empty() && !(s = EngineConfig::Load(o.config, &cfg)).ok()) return Fail(kExitUsage, s.message());

  RejectSink rejects;  // counted, not written: `validate` is the place to see them
  absl::flat_hash_map<std::string, bool> fraud;
  s = ReadFraudNumbers(o.dataset, &rejects, &fraud);
  if (!s.ok()) return Fail(kExitInput, fmt::format("train needs labels: {}", s.message()));

  // Run the engine (rules deciding) and collect every checkpoint's features.
  Dictionaries dicts;
  ReadOptions ropt;
  ropt.tz = g.tz;
  ropt.lateness_s = g.lateness_s;
  DatasetReader reader(&dicts, &rejects, ropt);
  if (!(s = reader.OpenDirectory(o.dataset)).ok()) return Fail(kExitInput, s.message());
  const std::vector<std::string>& names = NumberFeatureNames();
  Matrix x;
  x.cols = names.size();
  x.names = names;
  std::vector<MsisdnId> row_number;
  Engine engine(&dicts, cfg, [](const Action&) {});
  engine.SetFeatureTap([&](MsisdnId n, Ts, const float* v) {
    x.values.insert(x.values.end(), v, v + x.cols);
    row_number.push_back(n);
  });
  Event e;
  Ts last = kNoTs;
  while (reader.Next(&e)) {
    engine.Apply(e);
    last = std::max(last, e.ts);
  }
  if (last != kNoTs) engine.Finish(last);
  if (!(s = reader.Finish()).ok()) return Fail(kExitInput, s.message());
  x.rows = row_number.size();

  // Per number: its label and its rows.
  absl::flat_hash_map<MsisdnId, uint32_t> number_index;
  std::vector<float> number_label;
  std::vector<uint32_t> row_group(x.rows);
  std::vector<float> y(x.rows);
  for (size_t r = 0; r < x.rows; ++r) {
    auto [it, fresh] = number_index.try_emplace(row_number[r], static_cast<uint32_t>(number_label.size()));
    if (fresh) {
      auto f = fraud.find(std::string(dicts.msisdn.Name(row_number[r])));
      number_label.push_back(f != fraud.end() && f->second ? 1.0f : 0.0f);
    }
    row_group[r] = it->second;
    y[r] = number_label[it->second];
  }
  size_t fraud_numbers = 0;
  for (float v : number_label) fraud_numbers += v > 0.5f;
  if (fraud_numbers < static_cast<size_t>(o.folds) || number_label.size() - fraud_numbers < static_cast<size_t>(o.folds))
    return Fail(kExitInput, fmt::format("{}: {} numbers reached a checkpoint, {} of them fraud: too few to train on",
                                        o.dataset, number_label.size(), fraud_numbers));

  // Cross-validation by number.
  const std::vector<int> number_fold = StratifiedFolds(number_label, o.folds, o.seed);
  std::vector<float> oof(x.rows, 0.0f);
  for (int k = 0; k < o.folds; ++k) {
    std::vector<size_t> train_rows, test_rows;
    for (size_t r = 0; r < x.rows; ++r) (number_fold[row_group[r]] == k ? test_rows : train_rows).push_back(r);
    std::vector<float> ty;
    for (size_t r : train_rows) ty.push_back(y[r]);
    GbmModel m;
    if (!(s = m.Train(x.Select(train_rows), ty, params)).ok()) return Fail(kExitFailure, s.message());
    std::vector<float> p;
    if (!(s = m.Predict(x.Select(test_rows), &p)).ok()) return Fail(kExitFailure, s.message());
    for (size_t i = 0; i < test_rows.size(); ++i) oof[test_rows[i]] = p[i];
  }
  std::vector<float> number_score(number_label.size(), 0.0f);
  for (size_t r = 0; r < x.rows; ++r) number_score[row_group[r]] = std::max(number_score[row_group[r]], oof[r]);
  const double auc = RocAuc(number_score, number_label);
  const ThresholdChoice choice = ChooseThreshold(number_score, number_label);
  const Confusion& c = choice.confusion;
  const double precision = c.Precision(), recall = c.Recall(), f1 = c.F1();

  GbmModel model;
  if (!(s = model.Train(x, y, params)).ok()) return Fail(kExitFailure, s.message());
  model.set_spec(FeatureSpec::ForTable(names, {}));
  model.set_threshold(choice.threshold);
  nlohmann::json figures{{"rows", x.rows},
                         {"numbers", number_label.size()},
                         {"fraud_numbers", fraud_numbers},
                         {"features", x.cols},
                         {"folds", o.folds},
                         {"seed", o.seed},
                         {"number_auc", auc},
                         {"number_precision", precision},
                         {"number_recall", recall},
                         {"number_f1", f1},
                         {"threshold", choice.threshold},
                         {"confusion", {{"tp", c.tp}, {"fp", c.fp}, {"tn", c.tn}, {"fn", c.fn}}}};
  model.metadata()["trained_on"] = o.dataset;
  model.metadata()["kind"] = "engine_number_model";
  model.metadata()["cv"] = figures;
  if (!(s = model.Save(o.out)).ok()) return Fail(kExitOutput, s.message());
  if (o.json) {
    figures["model"] = o.out;
    std::printf("%s\n", figures.dump(2).c_str());
    return kExitOk;
  }
  std::printf("checkpoints: %zu rows from %zu numbers (%zu fraud), %zu features\n", x.rows, number_label.size(),
              fraud_numbers, x.cols);
  std::printf("cross-validation by number, %d folds, seed %llu; a number counts as flagged at its best checkpoint:\n",
              o.folds, static_cast<unsigned long long>(o.seed));
  std::printf("  number_auc       %.4f\n  precision        %.4f\n  recall           %.4f\n  f1               %.4f\n",
              auc, precision, recall, f1);
  std::printf("threshold: %.6f (tp %llu fp %llu tn %llu fn %llu on out-of-fold scores)\n", choice.threshold,
              static_cast<unsigned long long>(c.tp), static_cast<unsigned long long>(c.fp),
              static_cast<unsigned long long>(c.tn), static_cast<unsigned long long>(c.fn));
  std::printf("model: %s (%d trees on %zu rows)\n", o.out.c_str(), model.rounds(), x.rows);
  return kExitOk;
}

}  // namespace interdict::cli
