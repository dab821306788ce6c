// interdict run DATASET --out DIR: the engine over a data set (or a stream on
// stdin), writing DIR/actions.csv, DIR/restitution.csv, DIR/rejects.csv and
// DIR/summary.json. Never reads labels/.
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/report_util.h"
#include "engine/engine.h"
#include "ingest/dataset.h"
#include "store/case_store.h"

namespace interdict::cli {
namespace {

struct RunOptions {
  std::string dataset;
  std::string out;
  std::string config;
  std::string stream_kind;
  std::string model;
  bool quiet = false;
  bool exact_distinct = false;
};

double PeakRssMb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

// The pipeline, in one thread: DatasetReader (a directory or one event file
// on stdin, merged in event-time order, rejects to rejects.csv) -> a ring of
// kAhead events read ahead, each Prefetch()ed, then PrefetchNear()ed, then
// Apply()ed to the Engine -> its sink writes each action to actions.csv and
// to the case database (cases.db, committed every 50,000 actions) as it is
// decided -> at the end Finish(), then cases, gangs and restitution are saved
// and summary.json written. Ownership: this function owns the reader, the
// dictionaries (which outlive the engine: declared first), the engine and
// the writers; everything is destroyed when it returns. A server or a stream
// source (issues 13-14) needs this loop as a library (issue 11, runtime/):
// it is not one yet.
int RunRun(const RunOptions& o) {
  const GlobalOptions& g = Globals();
  EngineConfig cfg;
  if (!o.config.empty()) {
    Status s = EngineConfig::Load(o.config, &cfg);
    if (!s.ok()) return Fail(kExitUsage, s.message());
  }
  std::shared_ptr<Forest> model;
  if (!o.model.empty()) {
    model = std::make_shared<Forest>();
    Status s = Forest::Load(o.model, model.get());
    if (!s.ok()) return Fail(kExitInput, s.message());
    if (model->feature_names() != NumberFeatureNames())
      return Fail(kExitInput, fmt::format("{}: not an engine number model (train it with 'interdict train DATASET')",
                                          o.model));
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return Fail(kExitOutput, fmt::format("{}: cannot create: {}", o.out, ec.message()));

  Dictionaries dicts;
  RejectSink rejects;
  Status s = rejects.Open(o.out + "/rejects.csv");
  if (!s.ok()) return Fail(kExitOutput, s.message());
  ActionWriter writer;
  s = writer.Open(o.out + "/actions.csv", g.tz);
  if (!s.ok()) return Fail(kExitOutput, s.message());

  ReadOptions ropt;
  ropt.tz = g.tz;
  ropt.lateness_s = g.lateness_s;
  ropt.exact_distinct = o.exact_distinct;
  ropt.intern_sms_templates = false;  // the engine compares sms.template_hash, never the dense id
  DatasetReader reader(&dicts, &rejects, ropt);
  if (o.dataset == "-") {
    const FileSpec* spec = FindFileSpec(o.stream_kind);
    if (!spec || spec->is_registry)
      return Fail(kExitUsage, "run -: --stream must name an event file kind (calls, sms, transfers ...)");
    s = reader.OpenStream(spec->kind, "-");
  } else {
    s = reader.OpenDirectory(o.dataset);
  }
  if (!s.ok()) return Fail(kExitInput, s.message());

  // The case database: every action, and at the end every case with its
  // links, trace and restitution. A fresh file per run; it outlives the run
  // (`interdict cases`, `interdict report` read it).
  const std::string db_path = o.out + "/cases.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix, ec);
  std::unique_ptr<CaseStore> store;
  s = CaseStore::Open(db_path, &store);
  if (!s.ok()) return Fail(kExitOutput, s.message());
  s = store->Begin();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  uint64_t in_txn = 0;
  Status store_error;
  Engine engine(&dicts, cfg, [&](const Action& a) {
    writer.Write(a);
    if (!store_error.ok()) return;
    store_error = store->AddAction(a);
    if (store_error.ok() && ++in_txn >= 50000) {  // batched: one commit per 50k actions
      store_error = store->Commit();
      if (store_error.ok()) store_error = store->Begin();
      in_txn = 0;
    }
  });
  if (model) engine.SetNumberModel(model);
  // Per-event latency is sampled (1 in 16 events) so that timing does not
  // dominate what it measures; the histogram has 0.1 us buckets up to 10 ms.
  std::vector<uint32_t> hist(100001, 0);
  uint64_t sampled = 0;
  Event e;
  Ts last_ts = kNoTs;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t n = 0;
  // Read kAhead events ahead of the one applied and prefetch their state: the
  // engine's work is mostly cache misses on per-number, handset and account
  // state spread over gigabytes, and this overlaps those of several events.
  constexpr size_t kAhead = 32;
  std::array<Event, kAhead> ahead;  // event i of the stream sits at i % kAhead until applied
  uint64_t read = 0;
  auto apply = [&](const Event& ev) {
    if ((n++ & 15) == 0) {
      auto a = std::chrono::steady_clock::now();
      engine.Apply(ev);
      auto b = std::chrono::steady_clock::now();
      double us = std::chrono::duration<double, std::micro>(b - a).count();
      ++hist[std::min<size_t>(static_cast<size_t>(us * 10), hist.size() - 1)];
      ++sampled;
    } else {
      engine.Apply(ev);
    }
    last_ts = std::max(last_ts, ev.ts);
  };
  // Second stage: kNear events before an event is applied, the state found
  // through what its first prefetch loaded (Engine::PrefetchNear).
  constexpr size_t kNear = 8;
  while (reader.Next(&e)) {
    engine.Prefetch(e);
    Event& slot = ahead[read % kAhead];
    if (read >= kAhead) {
      engine.PrefetchNear(ahead[(read + kNear) % kAhead]);  // applied kNear events from now
      apply(slot);  // the event read kAhead before this one
    }
    slot = e;
    ++read;
  }
  for (uint64_t i = read > kAhead ? read - kAhead : 0; i < read; ++i) apply(ahead[i % kAhead]);
  if (last_ts != kNoTs) engine.Finish(last_ts);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s = reader.Finish();
  if (!s.ok()) return Fail(kExitInput, s.message());
  Status ws = writer.Close();
  Status rs = rejects.Close();
  if (!ws.ok()) return Fail(kExitOutput, ws.message());
  if (!rs.ok()) return Fail(kExitOutput, rs.message());

  // Cases, their links, traces and restitution into the case database.
  for (const CaseInfo& c : engine.Cases()) {
    if (!store_error.ok()) break;
    CaseRecord r;
    r.case_id = c.case_id;
    r.opened_ts = c.opened;
    r.report_id = c.report_id;
    r.victim_person = c.victim_person;
    r.victim_msisdn = c.victim_msisdn;
    r.victim_account = c.victim_account;
    r.fraud_type = c.fraud_type;
    r.stated_loss = c.stated_loss;
    r.status = c.closed != kNoTs ? "closed" : "open";
    r.closed_ts = c.closed;
    r.origin = c.origin;
    r.first_loss_ts = c.first_loss;
    store_error = store->UpsertCase(r);
    if (store_error.ok() && !c.victim_account.empty())
      store_error = store->LinkEntity(c.case_id, "account", c.victim_account, "victim_account");
    if (store_error.ok() && !c.suspect_msisdn.empty())
      store_error = store->LinkEntity(c.case_id, "msisdn", c.suspect_msisdn, "suspect_number");
    for (const std::string& a : c.stopped_accounts)
      if (store_error.ok()) store_error = store->LinkEntity(c.case_id, "account", a, "mule");
    std::vector<TraceHopRow> hops;
    for (const CaseInfo::Hop& h : c.hops)
      hops.push_back({h.account, h.depth, h.received, h.remaining, h.sent, h.cashed_out, h.first_in, h.first_out});
    if (store_error.ok()) store_error = store->SaveTrace(c.case_id, c.closed != kNoTs ? c.closed : last_ts, hops);
  }
  for (const Restitution& r : engine.restitutions())
    if (store_error.ok()) store_error = store->AddRestitution({r.case_id, r.account, r.victim_account, r.amount, r.ts});
  const std::vector<GangRecord> gangs = engine.Gangs();  // rings found, with linked entities
  if (store_error.ok()) store_error = SaveGangs(store.get(), gangs);
  if (store_error.ok()) store_error = store->Commit();
  if (!store_error.ok()) return Fail(kExitOutput, fmt::format("{}: {}", db_path, store_error.message()));

  // restitution.csv
  {
    std::ofstream f(o.out + "/restitution.csv");
    f << "case_id,account,victim_account,amount,ts\n";
    for (const Restitution& r : engine.restitutions())
      f << r.case_id << ',' << r.account << ',' << r.victim_account << ',' << FormatMoney(r.amount) << ','
        << FormatTs(r.ts, g.tz) << '\n';
    if (!f) return Fail(kExitOutput, fmt::format("{}/restitution.csv: write failed", o.out));
  }

  auto pct = [&](double q) {
    uint64_t target = static_cast<uint64_t>(q * static_cast<double>(sampled));
    uint64_t acc = 0;
    for (size_t i = 0; i < hist.size(); ++i) {
      acc += hist[i];
      if (acc > target) return i / 10.0;
    }
    return hist.size() / 10.0;
  };
  const EngineStats st = engine.Stats();
  nlohmann::json j;
  j["model"] = o.model.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.model);
  j["events"] = st.events;
  j["seconds"] = secs;
  j["events_per_second"] = secs > 0 ? static_cast<double>(st.events) / secs : 0;
  j["latency_us"] = {{"p50", pct(0.5)}, {"p99", pct(0.99)}, {"p999", pct(0.999)}, {"sampled", sampled}};
  nlohmann::json acts = nlohmann::json::object();
  for (int i = 0; i < kNumActionTypes; ++i)
    if (st.actions[i]) acts[std::string(ToString(static_cast<ActionType>(i)))] = st.actions[i];
  j["actions"] = acts;
  j["warnings_unserved"] = {{"call", st.warnings_unserved_call}, {"visit", st.warnings_unserved_visit}};
  j["cases"] = {{"reported", st.cases_opened}, {"detected_before_report", st.cases_detected}};
  j["holds_skipped_own_use"] = st.holds_skipped_own_use;
  j["restitutions"] = engine.restitutions().size();
  j["gangs"] = gangs.size();
  j["active_numbers"] = st.active_numbers;
  j["engine_state_bytes"] = st.state_bytes;
  for (const auto& [part, bytes] : st.state_parts) j["engine_state_parts"][part] = bytes;
  j["state_bytes_per_active_number"] =
      st.active_numbers ? static_cast<double>(st.state_bytes) / static_cast<double>(st.active_numbers) : 0;
  j["peak_rss_mb"] = PeakRssMb();
  uint64_t rejected = 0, late = 0;
  nlohmann::json files = nlohmann::json::array();
  for (const FileStats& f : reader.stats()) {
    rejected += f.rejected;
    late += f.late;
    files.push_back(FileStatsJson(f, g.tz));
  }
  j["rejected"] = rejected;
  j["late"] = late;
  j["files"] = files;
  std::ofstream(o.out + "/summary.json") << j.dump(2) << '\n';

  if (!o.quiet) {
    std::printf("events        %s in %.2f s: %s events/s\n", Thousands(st.events).c_str(), secs,
                Thousands(static_cast<uint64_t>(j["events_per_second"].get<double>())).c_str());
    std::printf("latency       p50 %.1f us, p99 %.1f us, p999 %.1f us (per event, sampled 1/16)\n", pct(0.5),
                pct(0.99), pct(0.999));
    std::string a;
    for (auto& [k, v] : acts.items()) a += fmt::format("{}{} {}", a.empty() ? "" : ", ", k, v.get<uint64_t>());
    std::printf("actions       %s\n", a.empty() ? "none" : a.c_str());
    std::printf("unserved      %s calls, %s visits (over capacity, expired)\n",
                Thousands(st.warnings_unserved_call).c_str(), Thousands(st.warnings_unserved_visit).c_str());
    std::printf("cases         %s reported, %s detected before a report, %zu restitutions\n",
                Thousands(st.cases_opened).c_str(), Thousands(st.cases_detected).c_str(),
                engine.restitutions().size());
    std::printf("gangs         %zu rings as gang records (interdict cases gangs --run %s)\n", gangs.size(),
                o.out.c_str());
    std::printf("state         %.1f MB engine state, %s active numbers, %.0f bytes per number; peak RSS %.0f MB\n",
                st.state_bytes / 1e6, Thousands(st.active_numbers).c_str(),
                j["state_bytes_per_active_number"].get<double>(), PeakRssMb());
    std::printf("input         %s rejected rows, %s late events\n", Thousands(rejected).c_str(),
                Thousands(late).c_str());
    std::printf("output        %s/actions.csv, cases.db, summary.json, restitution.csv, rejects.csv\n", o.out.c_str());
  }
  return kExitOk;
}

const bool kRegistered = RegisterCommand(60, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run the detection and response engine over a data set or a stream");
  cmd->add_option("DATASET", o->dataset, "data set directory, or - for one event file on standard input")
      ->required();
  cmd->add_option("--out", o->out, "output directory")->required();
  cmd->add_option("--config", o->config,
                  "configuration of every stage: engine, [governance], [rings] (TOML, docs/config.md; "
                  "default: built-in, as config/engine-default.toml)");
  cmd->add_option("--model", o->model, "fraud-number model from 'interdict train DATASET' (default: the rules decide)");
  cmd->add_option("--stream", o->stream_kind, "with DATASET -: the file kind on stdin (calls, sms, transfers ...)");
  cmd->add_flag("--quiet", o->quiet, "print nothing on success");
  cmd->add_flag("--exact-distinct", o->exact_distinct,
                "exact distinct ids per column in summary.json (default: HyperLogLog estimate, ~1 %)");
  cmd->callback([o, exit_code] { *exit_code = RunRun(*o); });
});

}  // namespace
}  // namespace interdict::cli
