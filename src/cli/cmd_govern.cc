// interdict govern DATASET --out DIR: runs the source-governance finders
// (detect/governance.h) alone over a data set and writes DIR/actions.csv, so
// they can be measured with `interdict eval` before the engine embeds them.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/log.h"
#include "cli/command.h"
#include "detect/governance.h"
#include "ingest/dataset.h"

namespace interdict::cli {
namespace {

struct GovernOptions {
  std::string dataset;
  std::string out;
  GovernanceConfig cfg;
};

int RunGovern(const GovernOptions& o) {
  const GlobalOptions& g = Globals();
  ReadOptions ropt;
  ropt.tz = g.tz;
  ropt.lateness_s = g.lateness_s;
  // The input is checked before anything is created, so a mistyped data set
  // leaves no empty run directory behind.
  if (!std::filesystem::is_directory(o.dataset))
    return Fail(kExitInput, fmt::format("{}: no such data set directory", o.dataset));
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return Fail(kExitOutput, fmt::format("{}: cannot create directory", o.out));
  Dictionaries dicts;
  RejectSink rejects;
  Status s = rejects.Open(o.out + "/rejects.csv");
  if (!s.ok()) return Fail(kExitOutput, s.message());
  ActionWriter writer;
  s = writer.Open(o.out + "/actions.csv", g.tz);
  if (!s.ok()) return Fail(kExitOutput, s.message());

  DatasetReader reader(&dicts, &rejects, ropt);
  s = reader.OpenDirectory(o.dataset);
  if (!s.ok()) return Fail(kExitInput, s.message());
  auto t0 = std::chrono::steady_clock::now();
  GovernanceDetector det(&dicts, o.cfg, [&writer](Action&& a) { writer.Write(a); });
  Event e;
  Ts last = 0;
  uint64_t events = 0;
  while (reader.Next(&e)) {
    det.Apply(e);
    last = std::max(last, e.ts);
    ++events;
  }
  det.Finish(last);
  s = reader.Finish();
  if (!s.ok()) return Fail(kExitInput, s.message());
  s = writer.Close();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  s = rejects.Close();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const GovernanceStats& st = det.stats();
  std::printf(
      "govern: %llu events in %.1f s; %llu actions: %llu sellers, %llu outlets, %llu SIM boxes, %llu rotation "
      "phones, %llu mule phones, %llu mule accounts (%llu ring associates), %llu collectors, %llu numbers; "
      "%llu rejects\n",
      static_cast<unsigned long long>(events), secs, static_cast<unsigned long long>(writer.count()),
      static_cast<unsigned long long>(st.sellers), static_cast<unsigned long long>(st.outlets),
      static_cast<unsigned long long>(st.simboxes), static_cast<unsigned long long>(st.fraud_phones),
      static_cast<unsigned long long>(st.mule_phones), static_cast<unsigned long long>(st.mules),
      static_cast<unsigned long long>(st.ring_mules),
      static_cast<unsigned long long>(st.collectors), static_cast<unsigned long long>(st.numbers),
      static_cast<unsigned long long>(rejects.total()));
  return kExitOk;
}

const bool kRegistered = RegisterCommand(65, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<GovernOptions>();
  GovernanceConfig& c = o->cfg;
  auto* cmd = app.add_subcommand(
      "govern", "Run the source-governance finders (card sellers, insider outlets, dens, mules) over a data set");
  cmd->add_option("DATASET", o->dataset, "data set directory")->required();
  cmd->add_option("--out", o->out, "output directory (actions.csv, rejects.csv)")->required();
  cmd->add_option("--seller-sims", c.seller_sims_batch, "SIM openings in one batch window that flag a seller")
      ->capture_default_str();
  cmd->add_option("--seller-accounts", c.seller_accounts_batch, "accounts at distinct banks in one batch window")
      ->capture_default_str();
  cmd->add_option("--simbox-sims", c.simbox_min_sims, "distinct SIMs on one IMEI for a SIM box")->capture_default_str();
  cmd->add_option("--mule-score", c.mule_flag_score, "flag_account from this score")->capture_default_str();
  cmd->add_option("--insider-alpha", c.insider_alpha, "per-outlet error of the insider test")->capture_default_str();
  cmd->add_option("--ring-alpha", c.ring_alpha, "chance an ordinary account is taken for a ring associate")
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = RunGovern(*o); });
});

}  // namespace
}  // namespace interdict::cli
