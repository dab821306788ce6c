#include "serve/service.h"

#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/money.h"
#include "ingest/schema.h"
#include "serve/openapi_doc.h"

namespace interdict {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Decision latency buckets (seconds), for /metrics.
constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

void Error(httplib::Response& res, int code, const std::string& msg) {
  res.status = code;
  res.set_content(json{{"error", msg}}.dump(), "application/json");
}

void Ok(httplib::Response& res, const json& j, int code = 200) {
  res.status = code;
  res.set_content(j.dump(), "application/json");
}

// A non-negative integer query parameter, or `def`; false (and a 400) when
// it is present and not a number in [0, max].
bool IntParam(const httplib::Request& req, httplib::Response& res, const char* name, int64_t def, int64_t max,
              int64_t* out) {
  *out = def;
  if (!req.has_param(name)) return true;
  const std::string v = req.get_param_value(name);
  int64_t x = 0;
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos ||
      (x = std::stoll(v)) > max) {
    Error(res, 400, fmt::format("query parameter '{}' must be an integer from 0 to {}", name, max));
    return false;
  }
  *out = x;
  return true;
}

// cursor (default 0) and limit (default 100, at most 1000) of a paged list.
bool PageParams(const httplib::Request& req, httplib::Response& res, int64_t* cursor, int64_t* limit) {
  return IntParam(req, res, "cursor", 0, INT64_C(1) << 40, cursor) && IntParam(req, res, "limit", 100, 1000, limit);
}

// An item of a warning queue: open, claimed, or done (its outcome recorded).
const char* QueueState(const QueueItemState& s) {
  return !s.outcome.empty() ? "done" : !s.claimed_by.empty() ? "claimed" : "open";
}

bool RoleIn(Role r, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

// Roles that may see personal data unmasked (a call agent must dial the
// number; a bank or an operator sees only its own customers anyway). An
// auditor reads everything, masked.
bool MayUnmask(Role r) { return r != Role::kAuditor; }

}  // namespace

struct Service::Metrics {
  std::atomic<uint64_t> http[6] = {};  // by status class 1xx..5xx, [0] unused
  std::atomic<uint64_t> decisions_allow{0}, decisions_hold{0}, decisions_rejected{0};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> decision_le{};  // cumulative at render time
  std::atomic<uint64_t> decision_ns_sum{0};
  std::atomic<uint64_t> ingest_requests{0};
  std::atomic<uint64_t> actions_by_type[kNumActionTypes] = {};
};

Service::Service(ServeOptions opts) : opts_(std::move(opts)), metrics_(std::make_unique<Metrics>()) {}

Service::~Service() {
  Stop();
  Wait();
}

Status Service::Create(ServeOptions opts, std::unique_ptr<Service>* out) {
  std::unique_ptr<Service> s(new Service(std::move(opts)));
  const std::string& dir = s->opts_.data_dir;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Io(fmt::format("{}: cannot create the data directory: {}", dir, std::strerror(errno)));
  if (::access(dir.c_str(), W_OK) != 0)
    return Status::Io(fmt::format("{}: the data directory is not writable: {}", dir, std::strerror(errno)));
  if (Status st = Auth::Open(dir, &s->auth_); !st.ok()) return st;
  if (Status st = WorkQueues::Open(dir, &s->queues_); !st.ok()) return st;

  PipelineOptions po;
  po.out = dir + "/out";
  po.tz = s->opts_.tz;
  po.config = s->opts_.config;
  po.on_action = [p = s.get()](const Action& a) { p->OnAction(a); };
  if (Status st = Pipeline::Create(Env::Default(), po, &s->pipeline_); !st.ok()) return st;

  auto live = std::make_unique<LiveSource>(&s->pipeline_->dictionaries(), &s->pipeline_->rejects(), s->opts_.tz,
                                           s->opts_.lateness_s, dir + "/inbox");
  // Replay reads the inbox as it stood before Open appends headers to new files.
  ReadOptions ropt;
  ropt.tz = s->opts_.tz;
  ropt.lateness_s = s->opts_.lateness_s;
  ropt.intern_sms_templates = false;
  struct stat st;
  const bool had_inbox = ::stat((dir + "/inbox").c_str(), &st) == 0;
  if (Status e = live->Open(); !e.ok()) return e;
  if (had_inbox)
    if (Status e = live->Replay(ropt); !e.ok()) return Status::Invalid(fmt::format("replaying the inbox: {}", e.message()));
  s->live_ = live.get();
  s->pipeline_->Start(std::move(live));
  *out = std::move(s);
  return Status::Ok();
}

void Service::OnAction(const Action& a) {  // engine thread, under mu_
  if (a.type == ActionType::kWarnCall || a.type == ActionType::kWarnVisit) action_index_[a.action_id] = actions_.size();
  actions_.push_back(a);
  metrics_->actions_by_type[static_cast<int>(a.type)].fetch_add(1, std::memory_order_relaxed);
}

Status Service::Start(int* bound_port) {
  http_ = std::make_unique<httplib::Server>();
  const int threads = opts_.http_threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http_->set_keep_alive_max_count(1u << 30);
  http_->set_keep_alive_timeout(30);
  http_->set_read_timeout(10);  // a slow client is cut off, not waited for
  http_->set_write_timeout(10);
  http_->set_payload_max_length(opts_.max_body_bytes);
  http_->set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which lets a
  // second server bind a busy port and take half its connections.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  SetupRoutes();
  int port = opts_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(opts_.host);
    if (port < 0) return Status::Io(fmt::format("cannot bind {} on any port", opts_.host));
  } else if (!http_->bind_to_port(opts_.host, port)) {
    return Status::Io(fmt::format("cannot listen on {}:{}: {}", opts_.host, port,
                                  errno == EADDRINUSE ? "the port is busy" : std::strerror(errno)));
  }
  *bound_port = port;
  engine_thread_ = std::thread([this] { EngineLoop(); });
  sync_thread_ = std::thread([this] { SyncLoop(); });
  http_thread_ = std::thread([this] { http_->listen_after_bind(); });
  return Status::Ok();
}

void Service::Stop() {
  if (stop_.exchange(true)) return;
  if (http_) http_->stop();
  {
    std::lock_guard<std::mutex> l(mu_);
    work_ = true;
  }
  work_cv_.notify_all();
}

Status Service::Wait() {
  {
    std::unique_lock<std::mutex> l(stop_mu_);
    if (finished_) return engine_error_;
    stop_cv_.wait(l, [this] { return stop_.load(); });
  }
  if (http_thread_.joinable()) http_thread_.join();
  if (engine_thread_.joinable()) engine_thread_.join();
  if (sync_thread_.joinable()) sync_thread_.join();
  std::lock_guard<std::mutex> l(stop_mu_);
  if (!finished_) {
    finished_ = true;
    if (auth_) auth_->FlushAudit();
    if (pipeline_) {
      std::lock_guard<std::mutex> g(mu_);
      // Whatever was accepted is decided before the outputs close.
      if (live_) ApplyAllQueued();
      Status s = pipeline_->Finish();
      if (!s.ok() && engine_error_.ok()) engine_error_ = s;
    }
  }
  return engine_error_;
}

void Service::ApplyAllQueued() {
  live_->SetFlush(true);
  while (pipeline_->error().ok() && pipeline_->Step(UINT64_MAX) > 0) {
  }
}

void Service::EngineLoop() {
  ready_ = true;
  while (!stop_) {
    uint64_t n;
    {
      std::lock_guard<std::mutex> l(mu_);
      n = pipeline_->Step(kStepEvents);
      if (n == 0) {
        Status s = pipeline_->Drain();
        if (!s.ok()) {
          engine_error_ = s;
          ready_ = false;
        }
      }
    }
    if (n == 0) {
      std::unique_lock<std::mutex> l(mu_);
      work_cv_.wait_for(l, std::chrono::milliseconds(50), [this] { return work_; });
      work_ = false;
    }
  }
  std::lock_guard<std::mutex> l(stop_mu_);
  stop_cv_.notify_all();
}

void Service::SyncLoop() {
  // The decision endpoint writes each transfer to the inbox without waiting
  // for the disk; this makes them durable every few milliseconds.
  const FileSpec& spec = EventFileSpec(EventKind::kTransfer);
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(opts_.transfer_sync_ms));
    live_->SyncInbox(spec);
  }
  live_->SyncInbox(spec);
}

std::vector<std::string> Service::Routes() {
  return {"GET /healthz",
          "GET /readyz",
          "GET /metrics",
          "GET /v1/openapi.json",
          "POST /v1/events/{kind}",
          "POST /v1/flush",
          "POST /v1/transfers/check",
          "GET /v1/actions",
          "GET /v1/cases",
          "GET /v1/cases/{case_id}",
          "GET /v1/stats",
          "GET /v1/queues/{tier}",
          "POST /v1/queues/{tier}/{action_id}/claim",
          "POST /v1/queues/{tier}/{action_id}/outcome",
          "GET /v1/audit"};
}

std::string_view Service::OpenApiDocument() { return kOpenApiDocument; }

void Service::SetupRoutes() {
  httplib::Server& h = *http_;
  Metrics* m = metrics_.get();

  h.set_logger([m](const httplib::Request&, const httplib::Response& res) {
    const int c = std::clamp(res.status / 100, 1, 5);
    m->http[c].fetch_add(1, std::memory_order_relaxed);
  });
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Error(res, 500, what);
  });
  h.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) Error(res, 404, fmt::format("no route {} {}", req.method, req.path));
    else if (res.status == 413) Error(res, 413, "request body too large");
    else Error(res, res.status, "bad request");
  });

  // Authentication and the role check; every request that passes is audited
  // by its handler (what it read or wrote), none before.
  auto auth = [this](const httplib::Request& req, httplib::Response& res,
                     std::initializer_list<Role> roles) -> std::optional<Principal> {
    const std::string hdr = req.get_header_value("Authorization");
    if (!hdr.starts_with("Bearer ")) {
      Error(res, 401, "missing bearer token (Authorization: Bearer idt_...)");
      return std::nullopt;
    }
    std::optional<Principal> who = auth_->Authenticate(std::string_view(hdr).substr(7));
    if (!who) {
      Error(res, 401, "unknown, malformed or revoked token");
      return std::nullopt;
    }
    if (who->role != Role::kAdmin && !RoleIn(who->role, roles)) {
      Error(res, 403, fmt::format("role {} may not {} {}", ToString(who->role), req.method, req.path));
      auth_->Audit(*who, "denied", req.method + " " + req.path, "403");
      return std::nullopt;
    }
    return who;
  };
  // ?unmask=1: only for roles that may (403 otherwise); false = masked.
  auto unmask = [](const httplib::Request& req, httplib::Response& res, const Principal& who, bool* out) {
    *out = false;
    if (!req.has_param("unmask")) return true;
    const std::string v = req.get_param_value("unmask");
    if (v != "1" && v != "true" && v != "0" && v != "false") {
      Error(res, 400, "query parameter 'unmask' must be 1, true, 0 or false");
      return false;
    }
    if (v == "0" || v == "false") return true;
    if (!MayUnmask(who.role)) {
      Error(res, 403, fmt::format("role {} sees personal data masked only", ToString(who.role)));
      return false;
    }
    *out = true;
    return true;
  };

  h.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { Ok(res, json{{"status", "ok"}}); });
  h.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_ && !stop_) {
      Ok(res, json{{"status", "ready"}});
    } else {
      Error(res, 503, stop_ ? "stopping" : "not ready");
    }
  });
  h.Get("/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kOpenApiDocument), "application/json");
  });

  h.Get("/metrics", [this, m](const httplib::Request&, httplib::Response& res) {
    std::string out;
    uint64_t events = 0, queued = 0, accepted = 0, rejected = 0;
    double lag = 0;
    {
      std::lock_guard<std::mutex> l(mu_);
      events = pipeline_->engine().Stats().events;
      queued = live_->queued();
      accepted = live_->accepted_total();
      rejected = live_->rejected_total();
      const Ts newest = live_->newest_ts(), applied = pipeline_->last_ts();
      if (newest != kNoTs && applied != kNoTs) lag = static_cast<double>(newest - applied);
    }
    auto one = [&out](std::string_view name, std::string_view type, std::string_view help, double v) {
      out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, v);
    };
    one("interdict_events_applied_total", "counter", "Events the engine has applied.", static_cast<double>(events));
    one("interdict_rows_accepted_total", "counter", "Rows accepted through the API.", static_cast<double>(accepted));
    one("interdict_rows_rejected_total", "counter",
        "Rows rejected through the API (line, column and reason in the answer and out/rejects.csv).",
        static_cast<double>(rejected));
    one("interdict_event_queue", "gauge", "Events accepted and waiting for the reorder bound.",
        static_cast<double>(queued));
    one("interdict_lag_seconds", "gauge", "Event time of the newest accepted event minus the engine's clock.", lag);
    out += "# HELP interdict_actions_total Actions decided, by action.\n# TYPE interdict_actions_total counter\n";
    for (int i = 0; i < kNumActionTypes; ++i)
      out += fmt::format("interdict_actions_total{{action=\"{}\"}} {}\n", ToString(static_cast<ActionType>(i)),
                         m->actions_by_type[i].load());
    out += "# HELP interdict_decisions_total Banks' transfer checks, by answer.\n"
           "# TYPE interdict_decisions_total counter\n";
    out += fmt::format("interdict_decisions_total{{decision=\"allow\"}} {}\n", m->decisions_allow.load());
    out += fmt::format("interdict_decisions_total{{decision=\"hold\"}} {}\n", m->decisions_hold.load());
    out += fmt::format("interdict_decisions_total{{decision=\"rejected\"}} {}\n", m->decisions_rejected.load());
    out += "# HELP interdict_decision_seconds Time to answer a transfer check, in the server.\n"
           "# TYPE interdict_decision_seconds histogram\n";
    uint64_t cum = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cum += m->decision_le[i].load();
      out += fmt::format("interdict_decision_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i], cum);
    }
    cum += m->decision_le[kBuckets.size()].load();
    out += fmt::format("interdict_decision_seconds_bucket{{le=\"+Inf\"}} {}\n", cum);
    out += fmt::format("interdict_decision_seconds_sum {}\n", static_cast<double>(m->decision_ns_sum.load()) / 1e9);
    out += fmt::format("interdict_decision_seconds_count {}\n", cum);
    out += "# HELP interdict_http_responses_total HTTP responses by status class.\n"
           "# TYPE interdict_http_responses_total counter\n";
    for (int c = 1; c <= 5; ++c)
      out += fmt::format("interdict_http_responses_total{{code=\"{}xx\"}} {}\n", c, m->http[c].load());
    one("interdict_audit_entries_total", "counter", "Audit log entries.", static_cast<double>(auth_->audit_count()));
    res.set_content(out, "text/plain; version=0.0.4");
  });

  // ---- events in ----
  h.Post(R"(/v1/events/([a-z_]+))", [this, auth, m](const httplib::Request& req, httplib::Response& res) {
    const std::string kind = req.matches[1];
    const FileSpec* spec = FindFileSpec(kind);
    if (!spec) return Error(res, 404, fmt::format("'{}' is no file of the interchange format", kind));
    // Who feeds what: operators their subscribers' records, banks theirs,
    // reports come from the centre's own staff.
    std::initializer_list<Role> feeders = {Role::kAdmin};
    static const std::initializer_list<Role> kOperator = {Role::kOperator};
    static const std::initializer_list<Role> kBank = {Role::kBank};
    static const std::initializer_list<Role> kCentre = {Role::kAnalyst, Role::kOfficer};
    if (!spec->is_registry) {
      switch (spec->kind) {
        case EventKind::kSimCard:
        case EventKind::kCall:
        case EventKind::kSms: feeders = kOperator; break;
        case EventKind::kBankAccount:
        case EventKind::kTransfer: feeders = kBank; break;
        case EventKind::kReport: feeders = kCentre; break;
      }
    }
    auto who = auth(req, res, feeders);
    if (!who) return;
    if (!ready_ || stop_) return Error(res, 503, "not ready");
    const std::string ctype = req.get_header_value("Content-Type");
    const bool ndjson = ctype.starts_with("application/x-ndjson") || ctype.starts_with("application/ndjson");
    if (!ndjson && !ctype.starts_with("text/csv"))
      return Error(res, 415, "Content-Type must be text/csv or application/x-ndjson");
    IngestResult r;
    Status s;
    {
      std::lock_guard<std::mutex> l(mu_);
      s = ndjson ? live_->IngestNdjson(*spec, req.body, &r) : live_->IngestCsv(*spec, req.body, &r);
    }
    if (!s.ok()) {
      auth_->Audit(*who, "events.rejected", kind, s.message());
      return Error(res, s.code() == Status::Code::kIoError ? 500 : 400, s.message());
    }
    if (Status d = live_->SyncInbox(*spec); !d.ok()) return Error(res, 500, d.message());
    {
      std::lock_guard<std::mutex> l(mu_);
      work_ = true;
    }
    work_cv_.notify_one();
    m->ingest_requests.fetch_add(1, std::memory_order_relaxed);
    auth_->Audit(*who, "events.write", kind, fmt::format("accepted {} rejected {}", r.accepted, r.rejected));
    json rejects = json::array();
    for (const IngestReject& x : r.rejects)
      rejects.push_back({{"line", x.line}, {"column", x.column}, {"reason", x.reason}, {"detail", x.detail}});
    Ok(res, {{"rows", r.rows},
             {"accepted", r.accepted},
             {"rejected", r.rejected},
             {"late", r.late},
             {"rejects", rejects},
             {"rejects_listed", r.rejects.size()},
             {"unknown_columns", r.unknown_columns}});
  });

  h.Post("/v1/flush", [this, auth](const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res, {});
    if (!who) return;
    uint64_t queued;
    {
      std::lock_guard<std::mutex> l(mu_);
      queued = live_->queued();
      ApplyAllQueued();
      pipeline_->Drain();
      live_->SetFlush(false);
    }
    auth_->Audit(*who, "events.flush", "", fmt::format("released {}", queued));
    Ok(res, {{"released", queued}, {"actions", actions_.size()}});
  });

  // ---- the banks' decision endpoint ----
  h.Post("/v1/transfers/check", [this, auth, m](const httplib::Request& req, httplib::Response& res) {
    const auto t0 = Clock::now();
    auto who = auth(req, res, {Role::kBank});
    if (!who) return;
    if (!ready_ || stop_) return Error(res, 503, "not ready");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error(res, 400, "body must be one JSON object");
    std::vector<std::string> values;
    std::string key;
    switch (JsonToRow(EventFileSpec(EventKind::kTransfer), j, /*booleans=*/false, &values, &key)) {
      case JsonRowError::kNone: break;
      case JsonRowError::kUnknownField:
        return Error(res, 400, fmt::format("unknown field '{}' (fields: the columns of transfers.csv)", key));
      case JsonRowError::kWrongType:
        return Error(res, 400, fmt::format("field '{}' must be a string or a number", key));
    }
    Event e;
    RejectInfo rej;
    bool accepted = false;
    TransferDecision d;
    std::string from, to;
    {
      std::lock_guard<std::mutex> l(mu_);
      // A bank asks about its own customers' payments only.
      if (who->role == Role::kBank) {
        const AccountId a = pipeline_->dictionaries().account.Find(values[col::kTxFrom]);
        if (a == kNoId || live_->BankOf(a) != who->scope) {
          m->decisions_rejected.fetch_add(1, std::memory_order_relaxed);
          auth_->Audit(*who, "transfers.check.denied", Mask(values[col::kTxFrom]), "not this bank's account");
          return Error(res, 403, "from_account is not an account of this bank");
        }
      }
      Status s = live_->IngestTransfer(values, &e, &rej, &accepted);
      if (!s.ok()) return Error(res, 500, s.message());
      if (accepted) d = pipeline_->engine().CheckTransfer(e.transfer);
    }
    if (!accepted) {
      m->decisions_rejected.fetch_add(1, std::memory_order_relaxed);
      return Error(res, 400, fmt::format("{}: {}{}", ToString(rej.reason), rej.column.empty() ? "" : std::string(rej.column) + ": ",
                                         rej.detail));
    }
    // No wake-up of the engine thread here: a transfer at the newest event
    // time is not released before later events come (their ingest wakes it),
    // and a wake-up per decision would cost the lock at thousands a second.
    (d.hold ? m->decisions_hold : m->decisions_allow).fetch_add(1, std::memory_order_relaxed);
    const std::string& txn = values[col::kTxId];
    auth_->Audit(*who, "transfers.check", txn, d.hold ? "hold" : "allow");
    json reasons = json::array();
    for (size_t p = 0; p < d.reason.size();) {
      size_t q = d.reason.find('+', p);
      if (q == std::string::npos) q = d.reason.size();
      if (q > p) reasons.push_back(d.reason.substr(p, q - p));
      p = q + 1;
    }
    Ok(res, {{"decision_id", "D-" + txn},
             {"txn_id", txn},
             {"decision", d.hold ? "hold" : "allow"},
             {"score", d.score},
             {"reasons", reasons}});
    const uint64_t ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    m->decision_ns_sum.fetch_add(ns, std::memory_order_relaxed);
    size_t b = 0;
    while (b < kBuckets.size() && static_cast<double>(ns) / 1e9 > kBuckets[b]) ++b;
    m->decision_le[b].fetch_add(1, std::memory_order_relaxed);
  });

  // ---- analysts' reads ----
  h.Get("/v1/actions", [this, auth, unmask](const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res,
                    {Role::kAnalyst, Role::kAuditor, Role::kCallAgent, Role::kOfficer, Role::kBank, Role::kOperator});
    if (!who) return;
    bool plain = false;
    if (!unmask(req, res, *who, &plain)) return;
    int64_t cursor, limit;
    if (!PageParams(req, res, &cursor, &limit)) return;
    std::optional<ActionType> only;
    if (req.has_param("action")) {
      const std::string v = req.get_param_value("action");
      for (int i = 0; i < kNumActionTypes; ++i)
        if (ToString(static_cast<ActionType>(i)) == v) only = static_cast<ActionType>(i);
      if (!only) return Error(res, 400, fmt::format("unknown action '{}'", v));
    }
    json items = json::array();
    int64_t next = cursor;
    {
      std::lock_guard<std::mutex> l(mu_);
      const Dictionaries& d = pipeline_->dictionaries();
      for (int64_t i = cursor; i < static_cast<int64_t>(actions_.size()) && static_cast<int64_t>(items.size()) < limit;
           ++i) {
        next = i + 1;
        const Action& a = actions_[static_cast<size_t>(i)];
        if (only && a.type != *only) continue;
        // What each role's work needs of the feed.
        bool visible = true;
        switch (who->role) {
          case Role::kCallAgent:
            visible = a.type == ActionType::kWarnCall || a.type == ActionType::kWarnSms;
            break;
          case Role::kOfficer:
            visible = a.type == ActionType::kWarnVisit || a.type == ActionType::kWarnCall ||
                      a.type == ActionType::kFlagPerson || a.type == ActionType::kFlagDevice ||
                      a.type == ActionType::kFlagOutlet;
            break;
          case Role::kBank:
            visible = a.target_kind == TargetKind::kAccount
                          ? live_->BankOf(d.account.Find(a.target)) == who->scope
                          : a.target_kind == TargetKind::kTxn && live_->BankOfTxn(d.txn.Find(a.target)) == who->scope;
            break;
          case Role::kOperator:
            visible = a.target_kind == TargetKind::kMsisdn &&
                      live_->OperatorOf(d.msisdn.Find(a.target)) == who->scope;
            break;
          default:
            break;
        }
        if (!visible) continue;
        const bool personal = a.target_kind == TargetKind::kMsisdn || a.target_kind == TargetKind::kPerson ||
                              a.target_kind == TargetKind::kAccount;
        json x = {{"seq", i},
                  {"ts", FormatTs(a.ts, opts_.tz)},
                  {"action_id", a.action_id},
                  {"action", ToString(a.type)},
                  {"target_kind", ToString(a.target_kind)},
                  {"target", personal && !plain ? Mask(a.target) : a.target},
                  {"score", a.score},
                  {"reason", a.reason},
                  {"case_id", a.case_id}};
        if (a.amount != kNoMoney) x["amount"] = FormatMoney(a.amount);
        items.push_back(std::move(x));
      }
    }
    auth_->Audit(*who, plain ? "actions.read.unmasked" : "actions.read", fmt::format("cursor {}", cursor),
                 fmt::format("{} items", items.size()));
    Ok(res, {{"items", items}, {"next_cursor", next}});
  });

  auto case_json = [this](const CaseInfo& c, bool plain, bool with_trace) {
    auto mk = [plain](const std::string& s) { return plain || s.empty() ? s : Mask(s); };
    json j = {{"case_id", c.case_id},
              {"origin", c.origin},
              {"report_id", c.report_id},
              {"opened", FormatTs(c.opened, opts_.tz)},
              {"status", c.closed != kNoTs ? "closed" : "open"},
              {"victim_person", mk(c.victim_person)},
              {"victim_msisdn", mk(c.victim_msisdn)},
              {"victim_account", mk(c.victim_account)},
              {"fraud_type", c.fraud_type},
              {"suspect_msisdn", mk(c.suspect_msisdn)},
              {"stated_loss", c.stated_loss == kNoMoney ? "" : FormatMoney(c.stated_loss)},
              {"accounts_traced", c.hops.size()},
              {"accounts_stopped", c.stopped_accounts.size()}};
    if (with_trace) {
      json hops = json::array();
      for (const CaseInfo::Hop& hp : c.hops)
        hops.push_back({{"account", mk(hp.account)},
                        {"depth", hp.depth},
                        {"received", FormatMoney(hp.received)},
                        {"remaining", FormatMoney(hp.remaining)},
                        {"sent", FormatMoney(hp.sent)},
                        {"cashed_out", FormatMoney(hp.cashed_out)},
                        {"first_in", hp.first_in == kNoTs ? "" : FormatTs(hp.first_in, opts_.tz)}});
      j["trace"] = hops;
      json stopped = json::array();
      for (const std::string& a : c.stopped_accounts) stopped.push_back(mk(a));
      j["stopped_accounts"] = stopped;
    }
    return j;
  };

  h.Get("/v1/cases", [this, auth, unmask, case_json](const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res, {Role::kAnalyst, Role::kOfficer, Role::kAuditor});
    if (!who) return;
    bool plain = false;
    if (!unmask(req, res, *who, &plain)) return;
    int64_t cursor, limit;
    if (!PageParams(req, res, &cursor, &limit)) return;
    std::string status = req.has_param("status") ? req.get_param_value("status") : "";
    if (!status.empty() && status != "open" && status != "closed")
      return Error(res, 400, "query parameter 'status' must be open or closed");
    json items = json::array();
    int64_t next = cursor;
    {
      std::lock_guard<std::mutex> l(mu_);
      const std::vector<CaseInfo> cases = pipeline_->engine().Cases();
      for (int64_t i = cursor; i < static_cast<int64_t>(cases.size()) && static_cast<int64_t>(items.size()) < limit;
           ++i) {
        next = i + 1;
        const CaseInfo& c = cases[static_cast<size_t>(i)];
        if (!status.empty() && (status == "closed") != (c.closed != kNoTs)) continue;
        items.push_back(case_json(c, plain, false));
      }
    }
    auth_->Audit(*who, plain ? "cases.read.unmasked" : "cases.read", fmt::format("cursor {}", cursor),
                 fmt::format("{} items", items.size()));
    Ok(res, {{"items", items}, {"next_cursor", next}});
  });

  h.Get(R"(/v1/cases/([A-Za-z0-9_.:-]{1,64}))",
        [this, auth, unmask, case_json](const httplib::Request& req, httplib::Response& res) {
          auto who = auth(req, res, {Role::kAnalyst, Role::kOfficer, Role::kAuditor});
          if (!who) return;
          bool plain = false;
          if (!unmask(req, res, *who, &plain)) return;
          const std::string id = req.matches[1];
          json j;
          {
            std::lock_guard<std::mutex> l(mu_);
            for (const CaseInfo& c : pipeline_->engine().Cases())
              if (c.case_id == id) j = case_json(c, plain, true);
          }
          if (j.is_null()) return Error(res, 404, fmt::format("no case {}", id));
          auth_->Audit(*who, plain ? "case.read.unmasked" : "case.read", id, "");
          Ok(res, j);
        });

  h.Get("/v1/stats", [this, auth](const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res, {Role::kAnalyst, Role::kAuditor, Role::kOfficer});
    if (!who) return;
    json j;
    {
      std::lock_guard<std::mutex> l(mu_);
      const EngineStats st = pipeline_->engine().Stats();
      json actions = json::object();
      for (int i = 0; i < kNumActionTypes; ++i) actions[std::string(ToString(static_cast<ActionType>(i)))] = st.actions[i];
      j = {{"events", st.events},
           {"actions", actions},
           {"cases_opened", st.cases_opened},
           {"cases_detected", st.cases_detected},
           {"warnings_unserved", {{"call", st.warnings_unserved_call}, {"visit", st.warnings_unserved_visit}}},
           {"rows_accepted", live_->accepted_total()},
           {"rows_rejected", live_->rejected_total()},
           {"queued", live_->queued()}};
    }
    auth_->Audit(*who, "stats.read", "", "");
    Ok(res, j);
  });

  // ---- the warning queues of call agents (tier call) and officers (tier visit) ----
  // The engine serves warnings within the centre's capacity (warn_call,
  // warn_visit actions); these routes are the people's side: claim, outcome.
  struct Tier {
    ActionType type;
    Role worker;
    double per_10k_day;
  };
  auto tier_of = [this](const std::string& t) -> std::optional<Tier> {
    if (t == "call") return Tier{ActionType::kWarnCall, Role::kCallAgent, opts_.config.call_capacity_per_10k_day};
    if (t == "visit") return Tier{ActionType::kWarnVisit, Role::kOfficer, opts_.config.visit_capacity_per_10k_day};
    return std::nullopt;
  };
  auto item_json = [this](const Action& a, size_t seq, const QueueItemState& s, bool plain) {
    json x = {{"seq", seq},
              {"ts", FormatTs(a.ts, opts_.tz)},
              {"action_id", a.action_id},
              {"target", plain ? a.target : Mask(a.target)},
              {"score", a.score},
              {"reason", a.reason},
              {"state", QueueState(s)},
              {"claimed_by", s.claimed_by},
              {"claimed_at", s.claimed_at},
              {"outcome", s.outcome},
              {"outcome_at", s.outcome_at},
              {"note", s.note}};
    return x;
  };
  h.Get(R"(/v1/queues/([a-z]+))", [this, auth, unmask, tier_of, item_json](const httplib::Request& req,
                                                                           httplib::Response& res) {
    auto tier = tier_of(req.matches[1]);
    if (!tier) return Error(res, 404, "queues are 'call' and 'visit'");
    auto who = auth(req, res, {tier->worker, Role::kAnalyst, Role::kAuditor});
    if (!who) return;
    bool plain = false;
    if (!unmask(req, res, *who, &plain)) return;
    int64_t cursor, limit;
    if (!PageParams(req, res, &cursor, &limit)) return;
    const std::string state = req.has_param("state") ? req.get_param_value("state") : "open";
    if (state != "open" && state != "claimed" && state != "done" && state != "all")
      return Error(res, 400, "query parameter 'state' must be open, claimed, done or all");
    json items = json::array();
    int64_t next = cursor;
    uint64_t last_day = 0;
    double capacity = 0;
    {
      std::lock_guard<std::mutex> l(mu_);
      const Dictionaries& d = pipeline_->dictionaries();
      if (persons_counted_for_ != d.people.size()) {
        persons_ = 0;
        for (const Person& p : d.people) persons_ += p.id != kNoId;
        persons_counted_for_ = d.people.size();
      }
      capacity = tier->per_10k_day * static_cast<double>(persons_) / 1e4;
      const Ts now = pipeline_->last_ts();
      for (int64_t i = cursor; i < static_cast<int64_t>(actions_.size()); ++i) {
        const Action& a = actions_[static_cast<size_t>(i)];
        if (a.type != tier->type) continue;
        if (now != kNoTs && a.ts > now - 86400) ++last_day;
        if (static_cast<int64_t>(items.size()) >= limit) continue;
        next = i + 1;
        const QueueItemState s = queues_->Get(a.action_id);
        if (state != "all" && state != QueueState(s)) continue;
        items.push_back(item_json(a, static_cast<size_t>(i), s, plain));
      }
    }
    auth_->Audit(*who, plain ? "queue.read.unmasked" : "queue.read", req.matches[1].str(),
                 fmt::format("{} items", items.size()));
    Ok(res, {{"items", items},
             {"next_cursor", next},
             {"capacity_per_day", capacity},
             {"served_last_24h", last_day}});
  });
  auto work = [this, auth, tier_of](const httplib::Request& req, httplib::Response& res, bool outcome) {
    auto tier = tier_of(req.matches[1]);
    if (!tier) return Error(res, 404, "queues are 'call' and 'visit'");
    auto who = auth(req, res, {tier->worker});
    if (!who) return;
    const std::string id = req.matches[2];
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = action_index_.find(id);
      if (it == action_index_.end() || actions_[it->second].type != tier->type)
        return Error(res, 404, fmt::format("no {} warning {}", std::string(req.matches[1]), id));
    }
    std::string result_outcome, note;
    if (outcome) {
      json j = json::parse(req.body, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("outcome") || !j["outcome"].is_string())
        return Error(res, 400, "body must be {\"outcome\": \"reached|not_reached|refused|prevented\", \"note\": \"...\"}");
      for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "outcome" && it.key() != "note") return Error(res, 400, fmt::format("unknown field '{}'", it.key()));
      result_outcome = j["outcome"].get<std::string>();
      if (!WorkQueues::ValidOutcome(result_outcome))
        return Error(res, 400, "outcome must be reached, not_reached, refused or prevented");
      if (j.contains("note")) {
        if (!j["note"].is_string()) return Error(res, 400, "note must be a string");
        note = j["note"].get<std::string>();
        if (note.size() > 2000) return Error(res, 400, "note is longer than 2000 bytes");
      }
    }
    Status io;
    const bool admin = who->role == Role::kAdmin;
    const WorkQueues::Result r = outcome ? queues_->Record(id, who->token_id, admin, result_outcome, note, &io)
                                         : queues_->Claim(id, who->token_id, admin, &io);
    if (!io.ok()) return Error(res, 500, io.message());
    switch (r) {
      case WorkQueues::Result::kAlreadyClaimed: return Error(res, 409, "claimed by someone else");
      case WorkQueues::Result::kNotClaimant: return Error(res, 409, "claim it first: only its claimant records the outcome");
      case WorkQueues::Result::kClosed: return Error(res, 409, "its outcome is already recorded");
      case WorkQueues::Result::kOk: break;
    }
    auth_->Audit(*who, outcome ? "queue.outcome" : "queue.claim", id, result_outcome);
    const QueueItemState s = queues_->Get(id);
    Ok(res, {{"action_id", id}, {"claimed_by", s.claimed_by}, {"outcome", s.outcome}, {"note", s.note}});
  };
  h.Post(R"(/v1/queues/([a-z]+)/([A-Za-z0-9_.:-]{1,64})/claim)",
         [work](const httplib::Request& req, httplib::Response& res) { work(req, res, false); });
  h.Post(R"(/v1/queues/([a-z]+)/([A-Za-z0-9_.:-]{1,64})/outcome)",
         [work](const httplib::Request& req, httplib::Response& res) { work(req, res, true); });

  h.Get("/v1/audit", [this, auth](const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res, {Role::kAuditor});
    if (!who) return;
    int64_t cursor, limit;
    if (!PageParams(req, res, &cursor, &limit)) return;
    std::vector<AuditEntry> entries;
    const std::string action = req.has_param("action") ? req.get_param_value("action") : "";
    if (action.size() > 64) return Error(res, 400, "query parameter 'action' is longer than 64 characters");
    if (Status s = auth_->ReadAudit(cursor, static_cast<int>(limit), &entries, action); !s.ok())
      return Error(res, 500, s.message());
    json items = json::array();
    for (const AuditEntry& e : entries)
      items.push_back({{"seq", e.seq},
                       {"ts", e.ts},
                       {"token_id", e.token_id},
                       {"role", e.role},
                       {"action", e.action},
                       {"target", e.target},
                       {"detail", e.detail},
                       {"hash", e.hash}});
    const int64_t next = entries.empty() ? cursor : entries.back().seq;
    auth_->Audit(*who, "audit.read", fmt::format("cursor {}", cursor), fmt::format("{} items", items.size()));
    Ok(res, {{"items", items}, {"next_cursor", next}});
  });
}

}  // namespace interdict
