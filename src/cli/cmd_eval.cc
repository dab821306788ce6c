// interdict eval DATASET --actions FILE: scores an actions.csv against the data
// set's labels/ as shared/spec/evaluation.md says (docs/evaluation.md).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "eval/evaluate.h"

namespace interdict::cli {
namespace {

struct EvalCliOptions {
  std::string dataset;
  std::string actions;
  std::string json;
  EvalOptions eval;
};

// True if `path` can be created for writing (checked before a long run).
bool Writable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (!f) return false;
  std::fclose(f);
  return true;
}

int RunEval(EvalCliOptions& o) {
  const GlobalOptions& g = Globals();
  o.eval.read.tz = g.tz;
  o.eval.read.lateness_s = g.lateness_s;
  if (!o.eval.rejects_path.empty() && !Writable(o.eval.rejects_path))
    return Fail(kExitOutput, fmt::format("{}: cannot create rejects file", o.eval.rejects_path));
  if (!o.json.empty() && !Writable(o.json)) return Fail(kExitOutput, fmt::format("{}: cannot create", o.json));
  EvalReport report;
  Status s = Evaluate(o.dataset, o.actions, o.eval, &report);
  if (!s.ok()) return Fail(kExitInput, s.message());
  std::fputs(FormatEvalTable(report, o.eval).c_str(), stdout);
  if (!o.json.empty()) {
    std::FILE* f = std::fopen(o.json.c_str(), "wb");
    if (!f) return Fail(kExitOutput, fmt::format("{}: cannot create", o.json));
    std::string text = EvalReportJson(report, o.eval).dump(2) + "\n";
    bool bad = std::fwrite(text.data(), 1, text.size(), f) != text.size();
    bad |= std::fclose(f) != 0;
    if (bad) return Fail(kExitOutput, fmt::format("{}: write failed", o.json));
  }
  return kExitOk;
}

const bool kRegistered = RegisterCommand(30, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<EvalCliOptions>();
  EvalOptions& e = o->eval;
  auto* cmd = app.add_subcommand("eval", "Score an actions.csv against a labelled data set (shared/spec/evaluation.md)");
  cmd->add_option("DATASET", o->dataset, "labelled data set directory (with labels/)")->required();
  cmd->add_option("--actions", o->actions, "the actions.csv to score")->required();
  cmd->add_option("--json", o->json, "also write the figures as one JSON object to this file");
  cmd->add_option("--rejects", e.rejects_path, "where rejected rows of every input go (CSV); default: only count them");
  cmd->add_option("--latency", e.latency_s, "seconds from a stop_payment/freeze to its effect")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--lead-sms", e.lead_sms_s, "seconds an SMS warning must precede the first loss")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--lead-call", e.lead_call_s, "seconds a call warning must precede the first loss")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--lead-visit", e.lead_visit_s, "seconds a visit must precede the first loss")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--efficacy-sms", e.efficacy_sms, "share of cases an in-time SMS prevents")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--efficacy-call", e.efficacy_call, "share of cases an in-time call prevents")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--efficacy-visit", e.efficacy_visit, "share of cases an in-time visit prevents")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--efficacy-hold", e.efficacy_hold, "share of cases an in-time hold_transfer prevents")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->callback([o, exit_code] { *exit_code = RunEval(*o); });
});

}  // namespace
}  // namespace interdict::cli
