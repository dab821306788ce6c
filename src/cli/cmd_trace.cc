// interdict trace DATASET --account A --since TS: follows the money that left
// account A (the victim) from TS on, through every account it reached, and
// prints the tree (or JSON, DOT, GraphML). The whole transfers file is read
// into a TransferGraph first; bank_accounts.csv says which accounts are
// internal (followed) and which are outside (the path ends there). Other
// files of the data set are not read. See docs/tracing.md.
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/log.h"
#include "base/money.h"
#include "cli/command.h"
#include "graph/trace.h"
#include "graph/trace_export.h"
#include "graph/transfer_graph.h"
#include "ingest/dataset.h"

namespace interdict::cli {
namespace {

struct TraceCmdOptions {
  std::string dataset;
  std::string account;
  std::string since;
  std::string now;
  int depth = 6;
  std::string min_amount = "100";
  double lookback_days = 30;
  bool proportional = false;
  bool taint_first = false;
  bool json = false;
  bool dot = false;
  bool graphml = false;
  std::string out;
  std::string rejects;
};

int RunTrace(const TraceCmdOptions& o) {
  const GlobalOptions& g = Globals();
  TraceOptions topt;
  if (o.proportional + o.taint_first > 1) return Fail(kExitUsage, "--proportional and --taint-first exclude each other");
  if (o.json + o.dot + o.graphml > 1) return Fail(kExitUsage, "choose one of --json, --dot, --graphml");
  topt.model = o.proportional  ? AttributionModel::kProportional
               : o.taint_first ? AttributionModel::kTaintFirst
                               : AttributionModel::kFifo;
  topt.max_depth = o.depth;
  if (ParseMoney(o.min_amount, &topt.min_amount) != MoneyError::kOk)
    return Fail(kExitUsage, fmt::format("--min-amount: expected decimal yuan like 100 or 99.5, got '{}'", o.min_amount));
  topt.lookback_s = static_cast<Ts>(o.lookback_days * 86400.0);
  Ts since = kNoTs, now = kNoTs;
  if (!o.since.empty() && !ParseTs(o.since, g.tz, &since))
    return Fail(kExitUsage, fmt::format("--since: not a timestamp: '{}'", o.since));
  if (!o.now.empty() && !ParseTs(o.now, g.tz, &now))
    return Fail(kExitUsage, fmt::format("--now: not a timestamp: '{}'", o.now));

  ReadOptions ropt;
  ropt.tz = g.tz;
  ropt.lateness_s = g.lateness_s;
  Dictionaries dicts;
  RejectSink rejects;
  Status s = rejects.Open(o.rejects);
  if (!s.ok()) return Fail(kExitOutput, s.message());
  if (!std::filesystem::is_directory(o.dataset))
    return Fail(kExitInput, fmt::format("{}: no such data set directory", o.dataset));

  // Only two files matter: bank_accounts (which accounts are internal) and
  // transfers. Each is read on its own, after its reorder buffer; the graph
  // places any late transfer, and internal marks do not depend on order.
  auto t0 = std::chrono::steady_clock::now();
  TransferGraph graph;
  bool have_transfers = false, have_accounts = false;
  for (EventKind kind : {EventKind::kBankAccount, EventKind::kTransfer}) {
    const FileSpec& spec = EventFileSpec(kind);
    std::string warning;
    std::string path = FindDatasetFile(o.dataset, spec.stem, &warning);
    if (!warning.empty()) std::fprintf(stderr, "interdict: warning: %s\n", warning.c_str());
    if (path.empty()) continue;
    (kind == EventKind::kTransfer ? have_transfers : have_accounts) = true;
    EventFileStream fs(spec, &dicts, &rejects, ropt);
    s = fs.Open(path, path.substr(path.find_last_of('/') + 1));
    if (!s.ok()) return Fail(kExitInput, s.message());
    while (const Event* e = fs.Peek()) {
      graph.Add(*e);
      fs.Pop();
    }
    s = fs.Finish();
    if (!s.ok()) return Fail(kExitInput, s.message());
  }
  s = rejects.Close();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  if (!have_transfers) return Fail(kExitInput, fmt::format("{}: no transfers.csv: nothing to trace", o.dataset));
  if (!have_accounts) {
    graph.SetAllInternal(true);
    std::fprintf(stderr, "interdict: note: no bank_accounts.csv: every account counts as internal\n");
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INTERDICT_LOG_INFO("trace: {} transfers loaded in {:.2f} s ({} MB graph), {} bad rows", graph.size(), load_s,
                     graph.MemoryBytes() >> 20, rejects.total());

  AccountId victim = dicts.account.Find(o.account);
  if (victim == kNoId || (graph.OutOf(victim).empty() && graph.InTo(victim).empty() && !graph.IsInternal(victim)))
    return Fail(kExitUsage, fmt::format("account '{}' does not appear in {}", o.account, o.dataset));
  if (since == kNoTs) since = graph.min_ts();
  if (now == kNoTs) now = graph.max_ts();
  if (now == kNoTs) now = since;

  auto t1 = std::chrono::steady_clock::now();
  MoneyTrace trace = MoneyTrace::FromAccount(graph, victim, since, now, topt);
  double trace_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  INTERDICT_LOG_INFO("trace: {} accounts reached, {} transfers replayed in {:.2f} ms", trace.hops().size(),
                     trace.totals().steps, trace_ms);

  TraceNames names;
  names.accounts = &dicts.account;
  names.txns = &dicts.txn;
  names.tz = g.tz;
  std::string text;
  if (o.json) {
    text = TraceToJson(trace, names);
  } else if (o.dot) {
    text = TraceToDot(trace, names);
  } else if (o.graphml) {
    text = TraceToGraphml(trace, names);
  } else {
    text = fmt::format("trace of {} from {} to {} ({}, depth <= {}, min {} yuan, lookback {} days)\n", o.account,
                       FormatTs(since, g.tz), FormatTs(now, g.tz), ToString(topt.model), topt.max_depth,
                       FormatMoney(topt.min_amount), o.lookback_days);
    if (trace.totals().seeds == 0) text += "no payments out of this account in that period\n";
    text += TraceToText(trace, names);
  }
  if (o.out.empty() || o.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  std::FILE* f = std::fopen(o.out.c_str(), "wb");
  if (!f) return Fail(kExitOutput, fmt::format("cannot write {}", o.out));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return Fail(kExitOutput, fmt::format("cannot write {}", o.out));
  return kExitOk;
}

const bool kRegistered = RegisterCommand(70, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<TraceCmdOptions>();
  auto* cmd = app.add_subcommand("trace", "Follow a victim's money forward through the accounts it reached");
  cmd->add_option("DATASET", o->dataset, "data set directory (transfers.csv, bank_accounts.csv)")->required();
  cmd->add_option("--account", o->account, "the victim's account: every payment out of it from --since on is traced")
      ->required();
  cmd->add_option("--since", o->since, "first payment time (default: the data set's first transfer)");
  cmd->add_option("--now", o->now, "trace as of this time (default: the data set's last transfer)");
  cmd->add_option("--depth", o->depth, "hops to follow from the victim")->capture_default_str()->check(CLI::Range(1, 64));
  cmd->add_option("--min-amount", o->min_amount, "yuan: smaller amounts of traced money are not followed")
      ->capture_default_str();
  cmd->add_option("--lookback-days", o->lookback_days, "days of an account's history replayed to estimate its clean balance")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 36500.0));
  cmd->add_flag("--proportional", o->proportional, "attribute in proportion to the traced share of each balance");
  cmd->add_flag("--taint-first", o->taint_first, "traced money leaves before clean money (the scorer's model)");
  cmd->add_flag("--json", o->json, "print the trace as JSON");
  cmd->add_flag("--dot", o->dot, "print the trace as Graphviz DOT");
  cmd->add_flag("--graphml", o->graphml, "print the trace as GraphML (Gephi, yEd)");
  cmd->add_option("--out", o->out, "write to this file instead of standard output");
  cmd->add_option("--rejects", o->rejects, "where bad rows go (CSV); default: only count them");
  cmd->callback([o, exit_code] { *exit_code = RunTrace(*o); });
});

}  // namespace
}  // namespace interdict::cli
