#include "store/case_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "base/intern.h"
#include "graph/trace.h"

namespace interdict {
namespace {

// The schema (docs/cases.md). Absent values (no ts, no stated loss) are NULL
// so that SQL aggregates and analysts' queries skip them naturally.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cases (
  case_id        TEXT PRIMARY KEY,
  opened_ts      INTEGER NOT NULL,
  report_id      TEXT NOT NULL DEFAULT '',
  victim_person  TEXT NOT NULL DEFAULT '',
  victim_msisdn  TEXT NOT NULL DEFAULT '',
  victim_account TEXT NOT NULL DEFAULT '',
  fraud_type     TEXT NOT NULL DEFAULT '',
  stated_loss    INTEGER CHECK (stated_loss IS NULL OR stated_loss >= 0),
  status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  closed_ts      INTEGER,
  origin         TEXT NOT NULL CHECK (origin IN ('report', 'detection')),
  first_loss_ts  INTEGER
);
CREATE INDEX IF NOT EXISTS cases_opened ON cases (opened_ts);
CREATE INDEX IF NOT EXISTS cases_victim_msisdn ON cases (victim_msisdn);
CREATE INDEX IF NOT EXISTS cases_victim_person ON cases (victim_person);
CREATE TABLE IF NOT EXISTS case_links (
  seq       INTEGER PRIMARY KEY,
  case_id   TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('msisdn', 'account', 'device', 'person', 'outlet')),
  entity_id TEXT NOT NULL,
  role      TEXT NOT NULL,
  linked_ts INTEGER,
  UNIQUE (case_id, kind, entity_id, role)
);
CREATE INDEX IF NOT EXISTS case_links_entity ON case_links (kind, entity_id);
CREATE TABLE IF NOT EXISTS actions (
  seq         INTEGER PRIMARY KEY,
  action_id   TEXT UNIQUE,
  ts          INTEGER NOT NULL,
  action      TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target      TEXT NOT NULL,
  amount      INTEGER,
  score       REAL NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  case_id     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS actions_case ON actions (case_id, ts);
CREATE INDEX IF NOT EXISTS actions_target ON actions (target);
CREATE INDEX IF NOT EXISTS actions_ts ON actions (ts);
CREATE TABLE IF NOT EXISTS traces (
  case_id  TEXT PRIMARY KEY,
  trace_ts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS trace_hops (
  case_id    TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  account    TEXT NOT NULL,
  depth      INTEGER NOT NULL,
  received   INTEGER NOT NULL,
  remaining  INTEGER NOT NULL,
  sent       INTEGER NOT NULL,
  cashed_out INTEGER NOT NULL,
  first_in   INTEGER,
  first_out  INTEGER,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS restitution (
  seq     INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL,
  account TEXT NOT NULL,
  victim  TEXT NOT NULL,
  amount  INTEGER NOT NULL CHECK (amount >= 0),
  ts      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS restitution_case ON restitution (case_id);
CREATE TABLE IF NOT EXISTS gangs (
  gang_id  TEXT PRIMARY KEY,
  graph    TEXT NOT NULL CHECK (graph IN ('money', 'calls')),
  first_ts INTEGER NOT NULL,
  last_ts  INTEGER NOT NULL,
  size     INTEGER NOT NULL CHECK (size >= 0),
  density  REAL NOT NULL,
  ratio    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS gang_links (
  seq       INTEGER PRIMARY KEY,
  gang_id   TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('msisdn', 'account', 'device', 'person')),
  entity_id TEXT NOT NULL,
  role      TEXT NOT NULL,
  linked_ts INTEGER,
  UNIQUE (gang_id, kind, entity_id, role)
);
CREATE INDEX IF NOT EXISTS gang_links_entity ON gang_links (kind, entity_id);
)sql";

enum Slot { kUpsertCase, kLink, kAction, kTraceDelete, kTraceHop, kTraceHeader, kRestitution, kGangDelete, kGang, kGangLink };

void BindText(sqlite3_stmt* st, int i, std::string_view s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
void BindTs(sqlite3_stmt* st, int i, Ts ts) {
  if (ts == kNoTs) sqlite3_bind_null(st, i);
  else sqlite3_bind_int64(st, i, ts);
}
void BindMoney(sqlite3_stmt* st, int i, Money m) {
  if (m == kNoMoney) sqlite3_bind_null(st, i);
  else sqlite3_bind_int64(st, i, m);
}
std::string Text(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st, i)))
           : std::string();
}
int64_t Int(sqlite3_stmt* st, int i, int64_t null_value) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? null_value : sqlite3_column_int64(st, i);
}

// A statement used once (queries): finalized when it goes out of scope.
class OneShot {
 public:
  OneShot() = default;
  ~OneShot() { sqlite3_finalize(st_); }
  OneShot(const OneShot&) = delete;
  OneShot& operator=(const OneShot&) = delete;
  sqlite3_stmt** out() { return &st_; }
  sqlite3_stmt* get() const { return st_; }

 private:
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace

std::string MaskMsisdn(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() <= 5) return std::string(s.size(), '*');
  std::string out(s);
  for (size_t i = 3; i + 2 < out.size(); ++i) out[i] = '*';
  return out;
}

std::vector<TraceHopRow> ToTraceRows(const MoneyTrace& trace, const Interner& accounts) {
  std::vector<TraceHopRow> rows;
  rows.reserve(trace.hops().size());
  for (const TraceHop& h : trace.hops()) {
    TraceHopRow r;
    r.account = h.account < accounts.size() ? std::string(accounts.Name(h.account)) : std::string("?");
    r.depth = h.depth;
    r.received = h.received;
    r.remaining = h.remaining;
    r.sent = h.sent;
    r.cashed_out = h.cashed_out;
    r.first_in = h.first_in;
    r.first_out = h.first_out;
    rows.push_back(std::move(r));
  }
  return rows;
}

Status CaseStore::Open(const std::string& path, std::unique_ptr<CaseStore>* out) {
  return Open(Env::Default(), path, out);
}

Status CaseStore::Open(Env* env, const std::string& path, std::unique_ptr<CaseStore>* out) {
  return OpenImpl(env->SqliteName(path), path, false, out);
}

Status CaseStore::OpenReadOnly(const std::string& path, std::unique_ptr<CaseStore>* out) {
  return OpenReadOnly(Env::Default(), path, out);
}

Status CaseStore::OpenReadOnly(Env* env, const std::string& path, std::unique_ptr<CaseStore>* out) {
  // Under a MemEnv a database exists while a store on it is open: SQLite says so.
  if (env == Env::Default() && !env->FileExists(path))
    return Status::NotFound(fmt::format("{}: no such case database", path));
  return OpenImpl(env->SqliteName(path), path, true, out);
}

Status CaseStore::OpenImpl(const std::string& name, const std::string& path, bool read_only,
                           std::unique_ptr<CaseStore>* out) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_URI | (read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Io(fmt::format("{}: cannot open: {}", path, msg));
  }
  std::unique_ptr<CaseStore> store(new CaseStore(db, path, read_only));
  // A reader waits up to 5 s for a checkpoint or a writer's lock instead of
  // failing at once; the engine's batches are far shorter.
  sqlite3_busy_timeout(db, 5000);
  Status s;
  if (!read_only) {
    // WAL: readers (CLI, server) never block the engine and one commit is one
    // append. synchronous=NORMAL in WAL cannot corrupt the file; a power cut
    // loses at most the last commits, which a replay of the events restores.
    s = store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;");
    if (!s.ok()) return s;
    s = store->Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    s = store->Exec(kSchema);
    if (s.ok()) {
      std::string ins = fmt::format("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '{}')",
                                    kSchemaVersion);
      s = store->Exec(ins.c_str());
    }
    if (!s.ok()) {
      (void)store->Exec("ROLLBACK");
      return s;
    }
    s = store->Exec("COMMIT");
    if (!s.ok()) return s;
  }
  // Check that this is our database, at our schema version.
  OneShot q;
  rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, q.out(), nullptr);
  if (rc != SQLITE_OK) return Status::Invalid(fmt::format("{}: not an interdict case database ({})", path, sqlite3_errmsg(db)));
  rc = sqlite3_step(q.get());
  if (rc != SQLITE_ROW) return Status::Invalid(fmt::format("{}: not an interdict case database (no schema version)", path));
  std::string version = Text(q.get(), 0);
  if (version != std::to_string(kSchemaVersion))
    return Status::Invalid(fmt::format("{}: case database schema version {}, this build reads {}", path, version,
                                       kSchemaVersion));
  *out = std::move(store);
  return Status::Ok();
}

CaseStore::~CaseStore() {
  // Work not committed is dropped: the contract is "what was committed survives".
  if (in_txn_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  for (sqlite3_stmt*& st : stmts_) sqlite3_finalize(st);
  sqlite3_close_v2(db_);
}

Status CaseStore::Error(std::string_view what) const {
  int code = sqlite3_errcode(db_) & 0xff;
  std::string msg = fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(db_));
  switch (code) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Invalid(std::move(msg));
    default:
      return Status::Io(std::move(msg));
  }
}

Status CaseStore::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error("statement failed");
  return Status::Ok();
}

Status CaseStore::Prepare(int slot, const char* sql, sqlite3_stmt** st) {
  if (read_only_) return Status::Invalid(fmt::format("{}: opened read-only", path_));
  if (!stmts_[slot]) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmts_[slot], nullptr) != SQLITE_OK)
      return Error("prepare");
  } else {
    sqlite3_reset(stmts_[slot]);
    sqlite3_clear_bindings(stmts_[slot]);
  }
  *st = stmts_[slot];
  return Status::Ok();
}

Status CaseStore::Step(sqlite3_stmt* st, std::string_view what) {
  int rc = sqlite3_step(st);
  Status s = rc == SQLITE_DONE ? Status::Ok() : Error(what);
  sqlite3_reset(st);  // releases the statement's read/write locks at once
  return s;
}

Status CaseStore::Begin() {
  if (in_txn_) return Status::Internal(fmt::format("{}: Begin inside a transaction", path_));
  // IMMEDIATE takes the write lock now, so a batch never fails half-way on a
  // lock another writer holds.
  Status s = Exec("BEGIN IMMEDIATE");
  if (s.ok()) in_txn_ = true;
  return s;
}

Status CaseStore::Commit() {
  if (!in_txn_) return Status::Internal(fmt::format("{}: Commit without Begin", path_));
  Status s = Exec("COMMIT");
  if (s.ok()) in_txn_ = false;
  return s;
}

Status CaseStore::Rollback() {
  if (!in_txn_) return Status::Ok();
  in_txn_ = false;
  return Exec("ROLLBACK");
}

Status CaseStore::Atomically(const std::function<Status()>& run) {
  // Several statements: atomic on their own when the caller has no batch open.
  const bool own = !in_txn_;
  if (own) {
    Status s = Begin();
    if (!s.ok()) return s;
  }
  Status s = run();
  if (own) {
    if (s.ok()) return Commit();
    (void)Rollback();
  }
  return s;
}

Status CaseStore::UpsertCase(const CaseRecord& c) {
  if (c.case_id.empty()) return Status::Invalid("case without a case_id");
  sqlite3_stmt* st;
  Status s = Prepare(kUpsertCase,
                     "INSERT INTO cases (case_id, opened_ts, report_id, victim_person, victim_msisdn, victim_account,"
                     " fraud_type, stated_loss, status, closed_ts, origin, first_loss_ts)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                     " ON CONFLICT (case_id) DO UPDATE SET opened_ts = ?2, report_id = ?3, victim_person = ?4,"
                     " victim_msisdn = ?5, victim_account = ?6, fraud_type = ?7, stated_loss = ?8, status = ?9,"
                     " closed_ts = ?10, origin = ?11, first_loss_ts = ?12",
                     &st);
  if (!s.ok()) return s;
  BindText(st, 1, c.case_id);
  sqlite3_bind_int64(st, 2, c.opened_ts);
  BindText(st, 3, c.report_id);
  BindText(st, 4, c.victim_person);
  BindText(st, 5, c.victim_msisdn);
  BindText(st, 6, c.victim_account);
  BindText(st, 7, c.fraud_type);
  BindMoney(st, 8, c.stated_loss);
  BindText(st, 9, c.status);
  BindTs(st, 10, c.closed_ts);
  BindText(st, 11, c.origin);
  BindTs(st, 12, c.first_loss_ts);
  return Step(st, "upsert case");
}

Status CaseStore::LinkEntity(const std::string& case_id, std::string_view kind, const std::string& id,
                             std::string_view role, Ts ts) {
  if (case_id.empty() || id.empty()) return Status::Invalid("link without a case_id or an entity id");
  sqlite3_stmt* st;
  Status s = Prepare(kLink,
                     // ON CONFLICT, not OR IGNORE: OR IGNORE would also swallow a CHECK violation.
                     "INSERT INTO case_links (case_id, kind, entity_id, role, linked_ts)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (case_id, kind, entity_id, role) DO NOTHING",
                     &st);
  if (!s.ok()) return s;
  BindText(st, 1, case_id);
  BindText(st, 2, kind);
  BindText(st, 3, id);
  BindText(st, 4, role);
  BindTs(st, 5, ts);
  return Step(st, "link entity");
}

Status CaseStore::AddAction(const Action& a) {
  sqlite3_stmt* st;
  Status s = Prepare(kAction,
                     "INSERT OR REPLACE INTO actions (action_id, ts, action, target_kind, target, amount, score,"
                     " reason, case_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                     &st);
  if (!s.ok()) return s;
  // An action without an id gets a NULL key: stored, never merged with another.
  if (a.action_id.empty()) sqlite3_bind_null(st, 1);
  else BindText(st, 1, a.action_id);
  sqlite3_bind_int64(st, 2, a.ts);
  BindText(st, 3, ToString(a.type));
  BindText(st, 4, ToString(a.target_kind));
  BindText(st, 5, a.target);
  BindMoney(st, 6, a.amount);
  sqlite3_bind_double(st, 7, a.score);
  BindText(st, 8, a.reason);
  BindText(st, 9, a.case_id);
  return Step(st, "add action");
}

Status CaseStore::SaveTrace(const std::string& case_id, Ts ts, std::span<const TraceHopRow> hops) {
  if (case_id.empty()) return Status::Invalid("trace without a case_id");
  return Atomically([&]() -> Status {
    sqlite3_stmt* st;
    Status s = Prepare(kTraceDelete, "DELETE FROM trace_hops WHERE case_id = ?1", &st);
    if (!s.ok()) return s;
    BindText(st, 1, case_id);
    if (s = Step(st, "replace trace"); !s.ok()) return s;
    s = Prepare(kTraceHeader, "INSERT OR REPLACE INTO traces (case_id, trace_ts) VALUES (?1, ?2)", &st);
    if (!s.ok()) return s;
    BindText(st, 1, case_id);
    sqlite3_bind_int64(st, 2, ts);
    if (s = Step(st, "save trace"); !s.ok()) return s;
    s = Prepare(kTraceHop,
                "INSERT INTO trace_hops (case_id, seq, account, depth, received, remaining, sent, cashed_out,"
                " first_in, first_out) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                &st);
    if (!s.ok()) return s;
    for (size_t i = 0; i < hops.size(); ++i) {
      const TraceHopRow& h = hops[i];
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      BindText(st, 1, case_id);
      sqlite3_bind_int64(st, 2, static_cast<int64_t>(i));
      BindText(st, 3, h.account);
      sqlite3_bind_int(st, 4, h.depth);
      sqlite3_bind_int64(st, 5, h.received);
      sqlite3_bind_int64(st, 6, h.remaining);
      sqlite3_bind_int64(st, 7, h.sent);
      sqlite3_bind_int64(st, 8, h.cashed_out);
      BindTs(st, 9, h.first_in);
      BindTs(st, 10, h.first_out);
      if (s = Step(st, "save trace hop"); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

Status CaseStore::AddRestitution(const RestitutionRow& r) {
  if (r.case_id.empty()) return Status::Invalid("restitution without a case_id");
  sqlite3_stmt* st;
  Status s = Prepare(kRestitution,
                     "INSERT INTO restitution (case_id, account, victim, amount, ts) VALUES (?1, ?2, ?3, ?4, ?5)", &st);
  if (!s.ok()) return s;
  BindText(st, 1, r.case_id);
  BindText(st, 2, r.account);
  BindText(st, 3, r.victim);
  sqlite3_bind_int64(st, 4, r.amount);
  sqlite3_bind_int64(st, 5, r.ts);
  return Step(st, "add restitution");
}

Status CaseStore::SaveGang(const GangRow& g) {
  if (g.gang_id.empty()) return Status::Invalid("gang without a gang_id");
  return Atomically([&]() -> Status {
    sqlite3_stmt* st;
    Status s = Prepare(kGangDelete, "DELETE FROM gang_links WHERE gang_id = ?1", &st);
    if (!s.ok()) return s;
    BindText(st, 1, g.gang_id);
    if (s = Step(st, "replace gang"); !s.ok()) return s;
    s = Prepare(kGang,
                "INSERT OR REPLACE INTO gangs (gang_id, graph, first_ts, last_ts, size, density, ratio)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &st);
    if (!s.ok()) return s;
    BindText(st, 1, g.gang_id);
    BindText(st, 2, g.graph);
    sqlite3_bind_int64(st, 3, g.first_ts);
    sqlite3_bind_int64(st, 4, g.last_ts);
    sqlite3_bind_int64(st, 5, g.size);
    sqlite3_bind_double(st, 6, g.density);
    sqlite3_bind_double(st, 7, g.ratio);
    if (s = Step(st, "save gang"); !s.ok()) return s;
    for (const GangLinkRow& l : g.links) {
      if (l.id.empty()) return Status::Invalid(fmt::format("gang {}: link without an entity id", g.gang_id));
      s = Prepare(kGangLink,
                  "INSERT INTO gang_links (gang_id, kind, entity_id, role, linked_ts) VALUES (?1, ?2, ?3, ?4, ?5)"
                  " ON CONFLICT (gang_id, kind, entity_id, role) DO NOTHING",
                  &st);
      if (!s.ok()) return s;
      BindText(st, 1, g.gang_id);
      BindText(st, 2, l.kind);
      BindText(st, 3, l.id);
      BindText(st, 4, l.role);
      BindTs(st, 5, l.ts);
      if (s = Step(st, "save gang link"); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

namespace {

// Runs `sql` with `bind` applied and calls `row` for every result row.
template <typename Bind, typename Row>
Status Query(sqlite3* db, const std::string& path, const char* sql, Bind bind, Row row) {
  OneShot q;
  if (sqlite3_prepare_v2(db, sql, -1, q.out(), nullptr) != SQLITE_OK)
    return Status::Invalid(fmt::format("{}: query: {}", path, sqlite3_errmsg(db)));
  bind(q.get());
  int rc;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) row(q.get());
  if (rc != SQLITE_DONE) return Status::Io(fmt::format("{}: query: {}", path, sqlite3_errmsg(db)));
  return Status::Ok();
}
void NoBind(sqlite3_stmt*) {}

constexpr const char* kCaseColumns =
    "case_id, opened_ts, report_id, victim_person, victim_msisdn, victim_account, fraud_type, stated_loss,"
    " status, closed_ts, origin, first_loss_ts";
CaseRecord ReadCase(sqlite3_stmt* st) {
  CaseRecord c;
  c.case_id = Text(st, 0);
  c.opened_ts = Int(st, 1, 0);
  c.report_id = Text(st, 2);
  c.victim_person = Text(st, 3);
  c.victim_msisdn = Text(st, 4);
  c.victim_account = Text(st, 5);
  c.fraud_type = Text(st, 6);
  c.stated_loss = Int(st, 7, kNoMoney);
  c.status = Text(st, 8);
  c.closed_ts = Int(st, 9, kNoTs);
  c.origin = Text(st, 10);
  c.first_loss_ts = Int(st, 11, kNoTs);
  return c;
}

TraceHopRow ReadHop(sqlite3_stmt* st, int first) {
  TraceHopRow h;
  h.account = Text(st, first);
  h.depth = static_cast<int>(Int(st, first + 1, 0));
  h.received = Int(st, first + 2, 0);
  h.remaining = Int(st, first + 3, 0);
  h.sent = Int(st, first + 4, 0);
  h.cashed_out = Int(st, first + 5, 0);
  h.first_in = Int(st, first + 6, kNoTs);
  h.first_out = Int(st, first + 7, kNoTs);
  return h;
}

}  // namespace

Status CaseStore::ListCases(std::vector<CaseSummary>* out) {
  out->clear();
  return Query(
      db_, path_,
      "SELECT c.case_id, c.opened_ts, c.origin, c.status, c.victim_msisdn, c.stated_loss,"
      " (SELECT COALESCE(SUM(a.amount), 0) FROM actions a WHERE a.case_id = c.case_id AND a.action = 'stop_payment'),"
      " (SELECT COALESCE(SUM(r.amount), 0) FROM restitution r WHERE r.case_id = c.case_id),"
      " (SELECT COUNT(*) FROM case_links l WHERE l.case_id = c.case_id)"
      " FROM cases c ORDER BY c.opened_ts, c.case_id",
      NoBind, [&](sqlite3_stmt* st) {
        CaseSummary s;
        s.case_id = Text(st, 0);
        s.opened_ts = Int(st, 1, 0);
        s.origin = Text(st, 2);
        s.status = Text(st, 3);
        s.victim_msisdn = Text(st, 4);
        s.stated_loss = Int(st, 5, kNoMoney);
        s.stop_paid = Int(st, 6, 0);
        s.returned = Int(st, 7, 0);
        s.linked = Int(st, 8, 0);
        out->push_back(std::move(s));
      });
}

Status CaseStore::GetCase(const std::string& id, CaseDetail* out) {
  *out = CaseDetail{};
  auto bind_id = [&](sqlite3_stmt* st) { BindText(st, 1, id); };
  bool found = false;
  std::string sql = fmt::format("SELECT {} FROM cases WHERE case_id = ?1", kCaseColumns);
  Status s = Query(db_, path_, sql.c_str(), bind_id, [&](sqlite3_stmt* st) {
    out->c = ReadCase(st);
    found = true;
  });
  if (!s.ok()) return s;
  if (!found) return Status::NotFound(fmt::format("no case {}", id));
  s = Query(db_, path_, "SELECT kind, entity_id, role, linked_ts FROM case_links WHERE case_id = ?1 ORDER BY seq",
            bind_id, [&](sqlite3_stmt* st) {
              out->links.push_back({Text(st, 0), Text(st, 1), Text(st, 2), Int(st, 3, kNoTs)});
            });
  if (!s.ok()) return s;
  s = Query(db_, path_,
            "SELECT ts, action_id, action, target_kind, target, amount, score, reason, case_id FROM actions"
            " WHERE case_id = ?1 ORDER BY ts, action_id, seq",
            bind_id, [&](sqlite3_stmt* st) {
              Action a;
              a.ts = Int(st, 0, 0);
              a.action_id = Text(st, 1);
              // Rows were written from valid enums; anything else reads as the default.
              if (auto t = ParseActionType(Text(st, 2))) a.type = *t;
              if (auto k = ParseTargetKind(Text(st, 3))) a.target_kind = *k;
              a.target = Text(st, 4);
              a.amount = Int(st, 5, kNoMoney);
              a.score = sqlite3_column_double(st, 6);
              a.reason = Text(st, 7);
              a.case_id = Text(st, 8);
              out->actions.push_back(std::move(a));
            });
  if (!s.ok()) return s;
  s = Query(db_, path_, "SELECT trace_ts FROM traces WHERE case_id = ?1", bind_id,
            [&](sqlite3_stmt* st) { out->trace_ts = Int(st, 0, kNoTs); });
  if (!s.ok()) return s;
  s = Query(db_, path_,
            "SELECT account, depth, received, remaining, sent, cashed_out, first_in, first_out FROM trace_hops"
            " WHERE case_id = ?1 ORDER BY seq",
            bind_id, [&](sqlite3_stmt* st) { out->trace.push_back(ReadHop(st, 0)); });
  if (!s.ok()) return s;
  return Query(db_, path_,
               "SELECT case_id, account, victim, amount, ts FROM restitution WHERE case_id = ?1 ORDER BY ts, seq",
               bind_id, [&](sqlite3_stmt* st) {
                 out->restitution.push_back({Text(st, 0), Text(st, 1), Text(st, 2), Int(st, 3, 0), Int(st, 4, 0)});
               });
}

Status CaseStore::AllCases(std::vector<CaseRecord>* out) {
  out->clear();
  std::string sql = fmt::format("SELECT {} FROM cases ORDER BY opened_ts, case_id", kCaseColumns);
  return Query(db_, path_, sql.c_str(), NoBind, [&](sqlite3_stmt* st) { out->push_back(ReadCase(st)); });
}

Status CaseStore::AllLinks(std::vector<std::pair<std::string, CaseLink>>* out) {
  out->clear();
  return Query(db_, path_, "SELECT case_id, kind, entity_id, role, linked_ts FROM case_links ORDER BY seq", NoBind,
               [&](sqlite3_stmt* st) {
                 out->push_back({Text(st, 0), CaseLink{Text(st, 1), Text(st, 2), Text(st, 3), Int(st, 4, kNoTs)}});
               });
}

Status CaseStore::AllRestitution(std::vector<RestitutionRow>* out) {
  out->clear();
  return Query(db_, path_, "SELECT case_id, account, victim, amount, ts FROM restitution ORDER BY ts, seq", NoBind,
               [&](sqlite3_stmt* st) {
                 out->push_back({Text(st, 0), Text(st, 1), Text(st, 2), Int(st, 3, 0), Int(st, 4, 0)});
               });
}

Status CaseStore::AllTraceSources(std::vector<std::pair<std::string, TraceHopRow>>* out) {
  out->clear();
  return Query(db_, path_,
               "SELECT case_id, account, depth, received, remaining, sent, cashed_out, first_in, first_out"
               " FROM trace_hops WHERE depth = 0 ORDER BY case_id, seq",
               NoBind, [&](sqlite3_stmt* st) { out->push_back({Text(st, 0), ReadHop(st, 1)}); });
}

Status CaseStore::CountActions(int64_t* n) {
  *n = 0;
  return Query(db_, path_, "SELECT COUNT(*) FROM actions", NoBind, [&](sqlite3_stmt* st) { *n = Int(st, 0, 0); });
}

}  // namespace interdict

namespace interdict {
namespace {
// A case database written before gang records has no gangs table: it simply
// holds no gangs (the writer creates the tables when it opens the file).
Status HasGangs(sqlite3* db, const std::string& path, bool* has) {
  *has = false;
  return Query(db, path, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gang_links'", NoBind,
               [&](sqlite3_stmt*) { *has = true; });
}
GangRow ReadGang(sqlite3_stmt* st) {
  GangRow g;
  g.gang_id = Text(st, 0);
  g.graph = Text(st, 1);
  g.first_ts = Int(st, 2, 0);
  g.last_ts = Int(st, 3, 0);
  g.size = Int(st, 4, 0);
  g.density = sqlite3_column_double(st, 5);
  g.ratio = sqlite3_column_double(st, 6);
  return g;
}
constexpr const char* kGangColumns = "gang_id, graph, first_ts, last_ts, size, density, ratio";
}  // namespace

Status CaseStore::ListGangs(std::vector<GangRow>* out) {
  out->clear();
  bool has = false;
  if (Status s = HasGangs(db_, path_, &has); !s.ok() || !has) return s;
  // Numeric order of the id's digits (RG2 before RG10), then the id itself.
  std::string sql = fmt::format(
      "SELECT {}, (SELECT COUNT(DISTINCT entity_id) FROM gang_links l WHERE l.gang_id = g.gang_id AND l.kind = 'account'),"
      " (SELECT COUNT(DISTINCT entity_id) FROM gang_links l WHERE l.gang_id = g.gang_id AND l.kind = 'msisdn'),"
      " (SELECT COUNT(DISTINCT entity_id) FROM gang_links l WHERE l.gang_id = g.gang_id AND l.kind = 'person'),"
      " (SELECT COUNT(DISTINCT entity_id) FROM gang_links l WHERE l.gang_id = g.gang_id AND l.kind = 'device')"
      " FROM gangs g ORDER BY length(gang_id), gang_id",
      kGangColumns);
  return Query(db_, path_, sql.c_str(), NoBind, [&](sqlite3_stmt* st) {
    GangRow g = ReadGang(st);
    g.accounts = Int(st, 7, 0);
    g.numbers = Int(st, 8, 0);
    g.persons = Int(st, 9, 0);
    g.devices = Int(st, 10, 0);
    out->push_back(std::move(g));
  });
}

Status CaseStore::GetGang(const std::string& id, GangRow* out) {
  *out = GangRow{};
  bool has = false;
  if (Status s = HasGangs(db_, path_, &has); !s.ok()) return s;
  if (!has) return Status::NotFound(fmt::format("no gang {}", id));
  auto bind_id = [&](sqlite3_stmt* st) { BindText(st, 1, id); };
  bool found = false;
  std::string sql = fmt::format("SELECT {} FROM gangs WHERE gang_id = ?1", kGangColumns);
  Status s = Query(db_, path_, sql.c_str(), bind_id, [&](sqlite3_stmt* st) {
    *out = ReadGang(st);
    found = true;
  });
  if (!s.ok()) return s;
  if (!found) return Status::NotFound(fmt::format("no gang {}", id));
  return Query(db_, path_, "SELECT kind, entity_id, role, linked_ts FROM gang_links WHERE gang_id = ?1 ORDER BY seq",
               bind_id, [&](sqlite3_stmt* st) {
                 out->links.push_back({Text(st, 0), Text(st, 1), Text(st, 2), Int(st, 3, kNoTs)});
               });
}

}  // namespace interdict
