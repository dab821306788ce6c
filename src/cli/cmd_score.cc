// interdict score --table CSV --model MODEL --out FILE: scores every row of a
// feature table with a model saved by `interdict train`, writing
// id,score,flag (flag = score >= the threshold chosen in training), and with
// --reasons N the N features that pushed each row most towards fraud (SHAP).
//
// Columns are matched by name, in any order; extra columns (a label, notes)
// are ignored; a missing feature column is an error that names it.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/log.h"
#include "cli/command.h"
#include "ingest/csv.h"
#include "ml/feature_table.h"
#include "ml/gbm.h"

namespace interdict::cli {
namespace {

struct ScoreOptions {
  std::string table;
  std::string model;
  std::string out;
  std::string id;
  int reasons = 0;
};

int RunScoreTable(const ScoreOptions& o) {
  GbmModel model;
  Status s = GbmModel::Load(o.model, &model);
  if (!s.ok()) return Fail(kExitInput, s.message());

  FeatureTableOptions topt;
  const nlohmann::json& meta = model.metadata();
  topt.id_column = o.id;
  if (topt.id_column.empty() && meta.contains("id_column") && meta["id_column"].is_string())
    topt.id_column = meta["id_column"].get<std::string>();
  // The training label, when the scored table still has it, is not a feature.
  if (meta.contains("label_column") && meta["label_column"].is_string())
    topt.ignore_columns.push_back(meta["label_column"].get<std::string>());
  FeatureTable table;
  FeatureTableReport rep;
  s = FeatureTable::Read(o.table, topt, &table, &rep);
  if (!s.ok()) return Fail(kExitInput, s.message());
  INTERDICT_LOG_INFO("{}: {} rows, {} rows skipped", o.table, table.rows(), rep.rows_skipped);
  for (const auto& m : rep.messages) INTERDICT_LOG_WARN("{}", m);
  if (rep.rows_skipped > rep.messages.size())
    INTERDICT_LOG_WARN("{}: {} more bad rows not listed", o.table, rep.rows_skipped - rep.messages.size());
  INTERDICT_LOG_INFO("{}: {}", o.table, rep.Summary(table.features().names));

  Matrix x;
  s = model.spec().Build(table.features(), &x);
  if (!s.ok()) return Fail(kExitInput, fmt::format("{}: {} (needed by model {})", o.table, s.message(), o.model));
  std::vector<float> scores, contribs;
  s = model.Predict(x, &scores);
  if (s.ok() && o.reasons > 0) s = model.PredictContributions(x, &contribs);
  if (!s.ok()) return Fail(kExitFailure, s.message());

  std::FILE* f = o.out == "-" ? stdout : std::fopen(o.out.c_str(), "wb");
  if (!f) return Fail(kExitOutput, fmt::format("{}: cannot write", o.out));
  std::string buf = o.reasons > 0 ? "id,score,flag,reasons\n" : "id,score,flag\n";
  size_t flagged = 0;
  bool ok = true;
  for (size_t r = 0; r < table.rows(); ++r) {
    AppendCsvField(table.ids()[r], &buf);
    bool flag = scores[r] >= model.threshold();
    flagged += flag ? 1 : 0;
    buf += fmt::format(",{:.6f},{}", scores[r], flag ? 1 : 0);
    if (o.reasons > 0) {
      std::string why;
      for (const auto& [name, c] : model.TopReasons(contribs, r, static_cast<size_t>(o.reasons)))
        why += fmt::format("{}{}:{:.3f}", why.empty() ? "" : ";", name, c);
      buf += ',';
      AppendCsvField(why, &buf);
    }
    buf += '\n';
    if (buf.size() > (1 << 16)) {
      ok &= std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
      buf.clear();
    }
  }
  ok &= std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  ok &= std::fflush(f) == 0;
  if (f != stdout) ok &= std::fclose(f) == 0;
  if (!ok) return Fail(kExitOutput, fmt::format("{}: write failed", o.out));
  INTERDICT_LOG_INFO("scored {} rows, {} flagged at threshold {:.6f}", table.rows(), flagged, model.threshold());
  return kExitOk;
}

const bool kRegistered = RegisterCommand(55, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ScoreOptions>();
  auto* cmd = app.add_subcommand("score", "Score a feature table with a trained model: id,score,flag per row");
  cmd->add_option("--table", o->table, "CSV with the model's feature columns (any order) and an id column")
      ->required();
  cmd->add_option("--model", o->model, "model file written by 'interdict train'")->required();
  cmd->add_option("--out", o->out, "output CSV (id,score,flag), - for standard output")->required();
  cmd->add_option("--id", o->id, "id column (default: the training table's id column)");
  cmd->add_option("--reasons", o->reasons, "add the N features that raised each score most (SHAP)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->callback([o, exit_code] { *exit_code = RunScoreTable(*o); });
});

}  // namespace
}  // namespace interdict::cli
