#include "runtime/pipeline.h"

#include <sys/resource.h>

#include <algorithm>

#include <fmt/format.h>

namespace interdict {
namespace {

double PeakRssMb() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

}  // namespace

nlohmann::json FileStatsJson(const FileStats& f, const TimeZone& tz) {
  nlohmann::json j;
  j["file"] = f.file;
  j["rows"] = f.rows;
  j["accepted"] = f.accepted;
  j["rejected"] = f.rejected;
  nlohmann::json by = nlohmann::json::object();
  for (int r = 0; r < kNumRejectReasons; ++r)
    if (f.by_reason[r]) by[std::string(ToString(static_cast<RejectReason>(r)))] = f.by_reason[r];
  j["rejects_by_reason"] = by;
  j["blank_lines"] = f.blank_lines;
  j["late"] = f.late;
  j["first_ts"] = f.min_ts == kNoTs ? nlohmann::json(nullptr) : nlohmann::json(FormatTs(f.min_ts, tz));
  j["last_ts"] = f.max_ts == kNoTs ? nlohmann::json(nullptr) : nlohmann::json(FormatTs(f.max_ts, tz));
  nlohmann::json d = nlohmann::json::object();
  bool approx = false;
  for (const auto& c : f.distinct) {
    d[c.column] = c.distinct;
    approx |= c.approximate;
  }
  j["distinct"] = d;
  j["distinct_approximate"] = approx;
  j["unknown_columns"] = f.unknown_columns;
  return j;
}

Status SaveGangs(CaseStore* store, const std::vector<GangRecord>& gangs) {
  for (const GangRecord& g : gangs) {
    GangRow row;
    row.gang_id = g.gang_id;
    row.graph = g.graph;
    row.first_ts = g.first_ts;
    row.last_ts = g.last_ts;
    row.size = g.size;
    row.density = g.density;
    row.ratio = g.ratio;
    for (const GangMember& m : g.members) row.links.push_back({m.kind, m.id, m.role, m.ts});
    if (Status s = store->SaveGang(row); !s.ok()) return s;
  }
  return Status::Ok();
}

Pipeline::Pipeline(Env* env, PipelineOptions opts) : env_(env), opts_(std::move(opts)), hist_(100001, 0) {}

Pipeline::~Pipeline() = default;

Status Pipeline::Create(Env* env, PipelineOptions opts, std::unique_ptr<Pipeline>* out) {
  std::unique_ptr<Pipeline> p(new Pipeline(env, std::move(opts)));
  const std::string& dir = p->opts_.out;
  Status s = env->CreateDirs(dir);
  if (s.ok()) s = p->rejects_.Open(dir + "/rejects.csv", env);
  if (s.ok()) s = p->writer_.Open(dir + "/actions.csv", p->opts_.tz, env);
  // The case database: every action as decided, cases as they change. A
  // fresh file per run; it outlives the run (`interdict cases`, `report`).
  const std::string db = dir + "/cases.db";
  for (const char* suffix : {"", "-wal", "-shm"})
    if (s.ok()) s = env->RemoveFile(db + suffix);
  if (s.ok()) s = CaseStore::Open(env, db, &p->store_);
  if (s.ok()) s = p->store_->Begin();
  if (!s.ok()) return s;
  *out = std::move(p);
  return Status::Ok();
}

void Pipeline::Start(std::unique_ptr<EventSource> source) {
  source_ = std::move(source);
  // Built after the source is open: the registry (people.csv) is read by then.
  engine_ = std::make_unique<Engine>(&dicts_, opts_.config, [this](const Action& a) { OnAction(a); });
  if (opts_.model) engine_->SetNumberModel(opts_.model);
  t0_ns_ = env_->MonotonicNanos();
}

void Pipeline::Fail(Side side, Status s) {
  if (!error_.ok() || s.ok()) return;
  error_ = std::move(s);
  error_side_ = side;
}

void Pipeline::OnAction(const Action& a) {
  writer_.Write(a);
  if (opts_.on_action) opts_.on_action(a);
  ++actions_since_persist_;
  if (!error_.ok()) return;
  Status s = store_->AddAction(a);
  if (s.ok() && ++in_txn_ >= opts_.actions_per_commit) {  // batched: one commit per N actions
    s = store_->Commit();
    if (s.ok()) s = store_->Begin();
    in_txn_ = 0;
  }
  if (!s.ok()) Fail(Side::kOutput, Status::Io(fmt::format("{}/cases.db: {}", opts_.out, s.message())));
}

void Pipeline::Apply(const Event& ev) {
  // Saved before the event that crosses a boundary: what is saved at a
  // boundary is what was known before it.
  if (opts_.persist_every_s <= 0) {
    // saved at the end only
  } else if (next_persist_ == kNoTs) {
    next_persist_ = (ev.ts / opts_.persist_every_s + 1) * opts_.persist_every_s;
  } else if (ev.ts >= next_persist_) {
    // Only a day that changed something: the registry's years of openings
    // cross thousands of boundaries before the first call.
    if (actions_since_persist_ > 0 || engine_->CaseCount() != cases_saved_) Persist();
    next_persist_ = (ev.ts / opts_.persist_every_s + 1) * opts_.persist_every_s;
  }
  // Per-event latency is sampled (1 in 16 events) so that timing does not
  // dominate what it measures.
  if ((applied_++ & 15) == 0) {
    const int64_t a = env_->MonotonicNanos();
    engine_->Apply(ev);
    const double us = static_cast<double>(env_->MonotonicNanos() - a) / 1000.0;
    ++hist_[std::min<size_t>(static_cast<size_t>(us * 10), hist_.size() - 1)];
    ++sampled_;
  } else {
    engine_->Apply(ev);
  }
  last_ts_ = std::max(last_ts_, ev.ts);
}

uint64_t Pipeline::Step(uint64_t max_events) {
  // Read kAhead events ahead of the one applied and prefetch their state: the
  // engine's work is mostly cache misses on per-number, handset and account
  // state spread over gigabytes, and this overlaps those of several events.
  uint64_t n = 0;
  Event e;
  while (n < max_events && error_.ok() && source_->Next(&e)) {
    engine_->Prefetch(e);
    if (read_ - applied_ >= kAhead) {
      engine_->PrefetchNear(ahead_[(applied_ + kNear) % kAhead]);  // applied kNear events from now
      Apply(ahead_[applied_ % kAhead]);  // the event read kAhead before this one (Apply counts it)
    }
    ahead_[read_ % kAhead] = e;
    ++read_;
    ++n;
  }
  return n;
}

Status Pipeline::Drain() {
  while (applied_ < read_ && error_.ok()) Apply(ahead_[applied_ % kAhead]);
  if (!error_.ok()) return error_;
  if (in_txn_ > 0) {
    Status s = store_->Commit();
    if (s.ok()) s = store_->Begin();
    in_txn_ = 0;
    if (!s.ok()) Fail(Side::kOutput, Status::Io(fmt::format("{}/cases.db: {}", opts_.out, s.message())));
  }
  if (writer_.count() != flushed_actions_) {
    flushed_actions_ = writer_.count();
    if (Status s = writer_.Flush(); !s.ok()) Fail(Side::kOutput, s);
  }
  return error_;
}

Status Pipeline::Run() {
  while (error_.ok() && Step(UINT64_MAX) > 0) {
  }
  return Finish();
}

void Pipeline::Persist() {
  if (!error_.ok()) return;
  CaseStore* store = store_.get();
  Status s;
  for (const CaseInfo& c : engine_->Cases()) {
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
    s = store->UpsertCase(r);
    if (s.ok() && !c.victim_account.empty()) s = store->LinkEntity(c.case_id, "account", c.victim_account, "victim_account");
    if (s.ok() && !c.suspect_msisdn.empty()) s = store->LinkEntity(c.case_id, "msisdn", c.suspect_msisdn, "suspect_number");
    for (const std::string& a : c.stopped_accounts)
      if (s.ok()) s = store->LinkEntity(c.case_id, "account", a, "mule");
    std::vector<TraceHopRow> hops;
    for (const CaseInfo::Hop& h : c.hops)
      hops.push_back({h.account, h.depth, h.received, h.remaining, h.sent, h.cashed_out, h.first_in, h.first_out});
    if (s.ok()) s = store->SaveTrace(c.case_id, c.closed != kNoTs ? c.closed : last_ts_, hops);
    if (!s.ok()) break;
  }
  // Restitutions only grow: the new ones since the last save.
  const std::vector<Restitution>& rs = engine_->restitutions();
  for (; s.ok() && restitutions_saved_ < rs.size(); ++restitutions_saved_) {
    const Restitution& r = rs[restitutions_saved_];
    s = store->AddRestitution({r.case_id, r.account, r.victim_account, r.amount, r.ts});
  }
  if (s.ok()) {
    const std::vector<GangRecord> gangs = engine_->Gangs();
    s = SaveGangs(store, gangs);
    summary_.gangs = gangs.size();  // the last save's count is the run's (Finish saves last)
  }
  actions_since_persist_ = 0;
  cases_saved_ = engine_->CaseCount();
  if (s.ok()) s = store->Commit();
  if (s.ok()) s = store->Begin();
  in_txn_ = 0;
  if (s.ok()) s = writer_.Flush();  // actions.csv as far as cases.db
  if (!s.ok()) Fail(Side::kOutput, Status::Io(fmt::format("{}/cases.db: {}", opts_.out, s.message())));
}

Status Pipeline::Finish() {
  if (finished_) return error_;
  finished_ = true;
  while (applied_ < read_ && error_.ok()) Apply(ahead_[applied_ % kAhead]);
  if (last_ts_ != kNoTs && error_.ok()) engine_->Finish(last_ts_);
  summary_.seconds = static_cast<double>(env_->MonotonicNanos() - t0_ns_) / 1e9;
  if (Status s = source_->Finish(); !s.ok()) Fail(Side::kInput, s);
  if (Status s = writer_.Close(); !s.ok()) Fail(Side::kOutput, s);
  if (Status s = rejects_.Close(); !s.ok()) Fail(Side::kOutput, s);
  if (!error_.ok()) return error_;

  Persist();
  if (!error_.ok()) return error_;
  if (Status s = store_->Commit(); !s.ok())  // Persist left a transaction open
    Fail(Side::kOutput, Status::Io(fmt::format("{}/cases.db: {}", opts_.out, s.message())));
  if (!error_.ok()) return error_;

  std::string csv = "case_id,account,victim_account,amount,ts\n";
  for (const Restitution& r : engine_->restitutions())
    csv += fmt::format("{},{},{},{},{}\n", r.case_id, r.account, r.victim_account, FormatMoney(r.amount),
                       FormatTs(r.ts, opts_.tz));
  if (Status s = WriteStringToFile(env_, opts_.out + "/restitution.csv", csv); !s.ok()) {
    Fail(Side::kOutput, s);
    return error_;
  }

  PipelineSummary& m = summary_;
  m.engine = engine_->Stats();
  m.events_per_second = m.seconds > 0 ? static_cast<double>(m.engine.events) / m.seconds : 0;
  auto pct = [&](double q) {
    const uint64_t target = static_cast<uint64_t>(q * static_cast<double>(sampled_));
    uint64_t acc = 0;
    for (size_t i = 0; i < hist_.size(); ++i) {
      acc += hist_[i];
      if (acc > target) return static_cast<double>(i) / 10.0;
    }
    return static_cast<double>(hist_.size()) / 10.0;
  };
  m.p50_us = pct(0.5);
  m.p99_us = pct(0.99);
  m.p999_us = pct(0.999);
  m.latency_sampled = sampled_;
  m.restitutions = engine_->restitutions().size();
  m.files = source_->stats();
  for (const FileStats& f : m.files) {
    m.rejected += f.rejected;
    m.late += f.late;
  }
  m.position = source_->Position();
  m.peak_rss_mb = PeakRssMb();
  if (Status s = WriteStringToFile(env_, opts_.out + "/summary.json", SummaryJson().dump(2) + "\n"); !s.ok())
    Fail(Side::kOutput, s);
  return error_;
}

nlohmann::json Pipeline::SummaryJson() const {
  const PipelineSummary& m = summary_;
  const EngineStats& st = m.engine;
  nlohmann::json j;
  j["model"] = opts_.model_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(opts_.model_name);
  j["events"] = st.events;
  j["seconds"] = m.seconds;
  j["events_per_second"] = m.events_per_second;
  j["latency_us"] = {{"p50", m.p50_us}, {"p99", m.p99_us}, {"p999", m.p999_us}, {"sampled", m.latency_sampled}};
  nlohmann::json acts = nlohmann::json::object();
  for (int i = 0; i < kNumActionTypes; ++i)
    if (st.actions[i]) acts[std::string(ToString(static_cast<ActionType>(i)))] = st.actions[i];
  j["actions"] = acts;
  j["warnings_unserved"] = {{"call", st.warnings_unserved_call}, {"visit", st.warnings_unserved_visit}};
  j["cases"] = {{"reported", st.cases_opened}, {"detected_before_report", st.cases_detected}};
  j["holds_skipped_own_use"] = st.holds_skipped_own_use;
  j["warnings_skipped_public"] = st.warnings_skipped_public;
  j["restitutions"] = m.restitutions;
  j["gangs"] = m.gangs;
  j["active_numbers"] = st.active_numbers;
  j["engine_state_bytes"] = st.state_bytes;
  for (const auto& [part, bytes] : st.state_parts) j["engine_state_parts"][part] = bytes;
  j["state_bytes_per_active_number"] =
      st.active_numbers ? static_cast<double>(st.state_bytes) / static_cast<double>(st.active_numbers) : 0;
  j["peak_rss_mb"] = m.peak_rss_mb;
  j["rejected"] = m.rejected;
  j["late"] = m.late;
  nlohmann::json files = nlohmann::json::array();
  for (const FileStats& f : m.files) files.push_back(FileStatsJson(f, opts_.tz));
  j["files"] = files;
  nlohmann::json pos = nlohmann::json::object();
  for (const auto& [input, records] : m.position.inputs) pos[input] = records;
  j["source_position"] = {{"events", m.position.events}, {"records_read", pos}};
  return j;
}

}  // namespace interdict
