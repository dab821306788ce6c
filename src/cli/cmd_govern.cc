// interdict govern DATASET --out DIR: runs the source-governance finders
// (detect/governance.h) alone over a data set and writes DIR/actions.csv, so
// they can be measured with `interdict eval` before the engine embeds them.
// Ring detection (detect/ring_watch.h) runs beside them as in the engine
// (--no-rings turns it off); its gangs go to DIR/cases.db. --config reads the
// [governance] and [rings] tables of the engine's configuration file (the
// engine's own keys are checked but unused); options given on the command
// line win over the file.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/log.h"
#include "cli/command.h"
#include "cli/report_util.h"
#include "detect/governance.h"
#include "detect/ring_watch.h"
#include "engine/config.h"
#include "ingest/dataset.h"
#include "respond/emitter.h"

namespace interdict::cli {
namespace {

struct GovernOptions {
  std::string dataset;
  std::string out;
  std::string config;
  GovernanceConfig cfg;
  RingWatchConfig rings;
  bool no_rings = false;
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
  // Both finders behind the detector interface (detect/detector.h), their
  // verdicts through one emitter as in `run`: ids, an entity flagged by both
  // once, and the ring watch hears of every governance flag (flagged numbers
  // are watched callers; flagged accounts are not flagged twice).
  ActionEmitter out("A", [&](const Action& a) { writer.Write(a); });
  SharedState shared;  // one record per number for both finders (state/number.h)
  std::unique_ptr<RingWatch> rings;
  if (!o.no_rings) rings = std::make_unique<RingWatch>(&dicts, o.rings, &shared);
  GovernanceDetector det(&dicts, o.cfg, &shared);
  Verdicts verdicts, ignored;
  auto take = [&](bool from_rings) {
    for (Action& a : verdicts) {
      if (!out.Admit(a.type, a.target)) continue;
      if (rings && !from_rings) rings->Note(Fact::ActionSent(a), &ignored);
      out.Send(a);
    }
    verdicts.clear();
  };
  Event e;
  Ts last = 0;
  uint64_t events = 0;
  while (reader.Next(&e)) {
    det.Apply(e, &verdicts);
    take(false);
    if (rings) {
      rings->Apply(e, &verdicts);
      take(true);
    }
    last = std::max(last, e.ts);
    ++events;
  }
  det.Finish(last, &verdicts);
  take(false);
  if (rings) {
    rings->Finish(last, &verdicts);
    take(true);
  }
  s = reader.Finish();
  if (!s.ok()) return Fail(kExitInput, s.message());
  s = writer.Close();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  s = rejects.Close();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rings) {
    // The gangs into a fresh DIR/cases.db (`interdict cases gangs --run DIR`).
    const std::string db_path = o.out + "/cases.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix, ec);
    std::unique_ptr<CaseStore> store;
    s = CaseStore::Open(db_path, &store);
    if (s.ok()) s = store->Begin();
    if (s.ok()) s = SaveGangs(store.get(), rings->Gangs());
    if (s.ok()) s = store->Commit();
    if (!s.ok()) return Fail(kExitOutput, s.message());
    const RingWatchStats& rs = rings->stats();
    std::printf(
        "rings: %llu gangs, %llu accounts and %llu numbers flagged; %llu transfer and %llu call edges in %.2f s, "
        "%llu readings in %.2f s (CPU)\n",
        static_cast<unsigned long long>(rs.gangs), static_cast<unsigned long long>(rs.flagged_accounts),
        static_cast<unsigned long long>(rs.flagged_numbers), static_cast<unsigned long long>(rs.money_edges),
        static_cast<unsigned long long>(rs.call_edges), rs.detector_seconds, static_cast<unsigned long long>(rs.reads),
        rs.read_seconds);
  }
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
  cmd->add_option("--out", o->out, "output directory (actions.csv, rejects.csv, cases.db with the gangs)")->required();
  cmd->add_option("--seller-sims", c.seller_sims_batch, "SIM openings in one batch window that flag a seller")
      ->capture_default_str();
  cmd->add_option("--seller-accounts", c.seller_accounts_batch, "accounts at distinct banks in one batch window")
      ->capture_default_str();
  cmd->add_option("--simbox-sims", c.simbox_min_sims, "distinct SIMs on one IMEI for a SIM box")->capture_default_str();
  cmd->add_option("--mule-score", c.mule_flag_score, "flag_account from this score")->capture_default_str();
  cmd->add_option("--insider-alpha", c.insider_alpha, "per-outlet error of the insider test")->capture_default_str();
  cmd->add_option("--ring-alpha", c.ring_alpha, "chance an ordinary account is taken for a ring associate")
      ->capture_default_str();
  cmd->add_flag("--no-rings", o->no_rings, "no ring detection (no ring flags, no gang records in DIR/cases.db)");
  cmd->add_option("--ring-ratio", o->rings.money_min_ratio, "a transfer ring's density over the graph's average")
      ->capture_default_str();
  cmd->add_option("--ring-flagged", o->rings.min_flagged_members,
                  "members already flagged by the finders that make a ring a gang (0: structure alone)")
      ->capture_default_str();
  cmd->add_option("--config", o->config,
                  "configuration (TOML, as for run): its [governance] and [rings] tables; the options above win")
      ->check(CLI::ExistingFile);
  cmd->callback([o, cmd, exit_code] {
    if (!o->config.empty()) {
      EngineConfig file;
      Status s = EngineConfig::Load(o->config, &file);
      if (!s.ok()) {
        *exit_code = Fail(kExitUsage, s.message());
        return;
      }
      // The file under the options that were given (the others hold defaults).
      GovernanceConfig g = file.governance_config;
      RingWatchConfig r = file.rings_config;
      auto given = [&](const char* name) { return cmd->count(name) > 0; };
      if (given("--seller-sims")) g.seller_sims_batch = o->cfg.seller_sims_batch;
      if (given("--seller-accounts")) g.seller_accounts_batch = o->cfg.seller_accounts_batch;
      if (given("--simbox-sims")) g.simbox_min_sims = o->cfg.simbox_min_sims;
      if (given("--mule-score")) g.mule_flag_score = o->cfg.mule_flag_score;
      if (given("--insider-alpha")) g.insider_alpha = o->cfg.insider_alpha;
      if (given("--ring-alpha")) g.ring_alpha = o->cfg.ring_alpha;
      if (given("--ring-ratio")) r.money_min_ratio = o->rings.money_min_ratio;
      if (given("--ring-flagged")) r.min_flagged_members = o->rings.min_flagged_members;
      o->cfg = g;
      o->rings = r;
      // [rings] enabled = 0 is --no-rings; [governance] enabled is the
      // engine's switch: govern runs the finders whatever it says.
      if (!file.rings) o->no_rings = true;
    }
    *exit_code = RunGovern(*o);
  });
});

}  // namespace
}  // namespace interdict::cli
