// The embedded case database: one SQLite file under a run's output directory
// (OUT/cases.db) holding cases, their victims and linked entities, every
// action, the latest money trace of each case and restitution. It survives a
// restart: everything the engine wrote before its last Commit() is there when
// the file is opened again. docs/cases.md has the schema and why SQLite.
//
// Operation (the engine):
//   std::unique_ptr<CaseStore> db;
//   Status s = CaseStore::Open(out_dir + "/cases.db", &db);
//   db->Begin();  ... UpsertCase / LinkEntity / AddAction / SaveTrace ... db->Commit();  // every N events
// Readers (the CLI, the server) use OpenReadOnly and the query methods; in WAL
// mode they read the last committed state while the engine keeps writing.
//
// Identifiers and amounts are stored exactly as the engine gives them (strings,
// integer fen, Unix-second ts); nothing is logged but counts and the file name.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "model/action.h"

struct sqlite3;
struct sqlite3_stmt;

namespace interdict {

class MoneyTrace;
class Interner;

// One case: opened on a victim's report (origin "report") or on an early
// detection before any report (origin "detection").
struct CaseRecord {
  std::string case_id;
  Ts opened_ts = 0;
  std::string report_id;       // empty until a report is linked
  std::string victim_person;   // empty if unknown
  std::string victim_msisdn;
  std::string victim_account;
  std::string fraud_type;
  Money stated_loss = kNoMoney;  // fen; kNoMoney if the report gave none
  std::string status = "open";   // "open" | "closed"
  Ts closed_ts = kNoTs;
  std::string origin = "report";  // "report" | "detection"
  // When the victim's money first left for the fraud, as far as the engine
  // knows (kNoTs: no loss seen). Used by `interdict report` (cases prevented).
  Ts first_loss_ts = kNoTs;
};

// One entity linked to a case. kind: msisdn|account|device|person|outlet;
// role: suspect_number|mule|victim_account|victim_msisdn|... (free text, the
// engine's vocabulary). ts: when the engine made the link (kNoTs: unknown).
struct CaseLink {
  std::string kind;
  std::string id;
  std::string role;
  Ts ts = kNoTs;
};

// One account of a case's money trace (a graph/trace.h TraceHop as strings).
struct TraceHopRow {
  std::string account;
  int depth = 0;
  Money received = 0;
  Money remaining = 0;
  Money sent = 0;
  Money cashed_out = 0;
  Ts first_in = kNoTs;
  Ts first_out = kNoTs;
};

struct RestitutionRow {
  std::string case_id;
  std::string account;  // the account the money is returned from
  std::string victim;   // the victim account it is returned to
  Money amount = 0;     // fen
  Ts ts = 0;
};

// One row of `interdict cases list`.
struct CaseSummary {
  std::string case_id;
  Ts opened_ts = 0;
  std::string origin;
  std::string status;
  std::string victim_msisdn;
  Money stated_loss = kNoMoney;
  Money stop_paid = 0;  // sum of the case's stop_payment amounts
  Money returned = 0;   // sum of the case's restitution
  int64_t linked = 0;   // linked entities
};

// Everything about one case (`interdict cases show`).
struct CaseDetail {
  CaseRecord c;
  std::vector<CaseLink> links;      // in link order
  std::vector<Action> actions;      // with this case_id, in (ts, action_id) order
  Ts trace_ts = kNoTs;              // the saved trace's now; kNoTs if none
  std::vector<TraceHopRow> trace;   // in the order saved
  std::vector<RestitutionRow> restitution;  // in (ts, insertion) order
};

// One entity linked to a gang (a ring found by detect/ring_watch.h). kind:
// msisdn|account|device|person; role: member (in the dense block), payer or
// contact (in the block, not flagged: see detect/ring_watch.h), holder,
// device, holder_account, holder_number. ts: when it was linked (kNoTs: unknown).
struct GangLinkRow {
  std::string kind;
  std::string id;
  std::string role;
  Ts ts = kNoTs;
};

// One gang: a ring of the money graph or the call graph.
struct GangRow {
  std::string gang_id;
  std::string graph;  // "money" | "calls"
  Ts first_ts = 0;    // first and last time it was read as a ring
  Ts last_ts = 0;
  int64_t size = 0;   // members of the dense block
  double density = 0;  // at its densest reading, in weight units
  double ratio = 0;    // that density / the graph's average density
  std::vector<GangLinkRow> links;  // SaveGang / GetGang only
  // ListGangs only: distinct linked entities by kind.
  int64_t accounts = 0, numbers = 0, persons = 0, devices = 0;
};

// Owns one SQLite connection and its prepared statements; closes them on
// destruction. Not thread-safe: one thread uses a CaseStore at a time. Other
// processes or threads may open their own CaseStore on the same file (WAL:
// readers see the last commit and do not block the writer).
class CaseStore {
 public:
  // Opens or creates `path` (and the schema if new), in WAL mode. Errors: the
  // file cannot be created, is not a SQLite database, or has another schema
  // version.
  static Status Open(const std::string& path, std::unique_ptr<CaseStore>* out);
  // The same at `path` of `env` (base/env.h): on disk for Env::Default(), a
  // named in-memory database under a MemEnv (alive while a store on it is open).
  static Status Open(Env* env, const std::string& path, std::unique_ptr<CaseStore>* out);
  // Opens an existing database read-only (NotFound if the file is missing).
  static Status OpenReadOnly(const std::string& path, std::unique_ptr<CaseStore>* out);
  static Status OpenReadOnly(Env* env, const std::string& path, std::unique_ptr<CaseStore>* out);
  ~CaseStore();
  CaseStore(const CaseStore&) = delete;
  CaseStore& operator=(const CaseStore&) = delete;

  // A write transaction: everything between Begin and Commit lands at once.
  // Without Begin each write is its own transaction (correct, but slower).
  Status Begin();
  Status Commit();
  Status Rollback();
  bool in_transaction() const { return in_txn_; }

  Status UpsertCase(const CaseRecord& c);  // insert, or replace every field of an existing case
  // Idempotent: the same (case, kind, id, role) is stored once (the first ts kept).
  Status LinkEntity(const std::string& case_id, std::string_view kind, const std::string& id,
                    std::string_view role, Ts ts = kNoTs);
  // Every action, keyed by action_id (a repeated id replaces the row).
  Status AddAction(const Action& a);
  // Replaces the case's trace by this snapshot (a newer trace supersedes).
  Status SaveTrace(const std::string& case_id, Ts ts, std::span<const TraceHopRow> hops);
  Status AddRestitution(const RestitutionRow& r);
  // Inserts the gang, or replaces it and all its links (a gang only grows, so
  // the newest record is the whole truth).
  Status SaveGang(const GangRow& g);

  // All cases, by (opened_ts, case_id).
  Status ListCases(std::vector<CaseSummary>* out);
  // NotFound if there is no such case.
  Status GetCase(const std::string& id, CaseDetail* out);
  // Bulk reads for `interdict report`.
  Status AllCases(std::vector<CaseRecord>* out);
  Status AllLinks(std::vector<std::pair<std::string, CaseLink>>* out);  // (case_id, link)
  Status AllRestitution(std::vector<RestitutionRow>* out);
  Status AllTraceSources(std::vector<std::pair<std::string, TraceHopRow>>* out);  // depth-0 hops
  Status CountActions(int64_t* n);
  // All gangs by gang_id (numeric order: RG2 before RG10), links left empty,
  // counts filled. A database written before gang records has none.
  Status ListGangs(std::vector<GangRow>* out);
  // NotFound if there is no such gang.
  Status GetGang(const std::string& id, GangRow* out);

  const std::string& path() const { return path_; }
  static constexpr int kSchemaVersion = 1;

 private:
  CaseStore(sqlite3* db, std::string path, bool read_only) : db_(db), path_(std::move(path)), read_only_(read_only) {}
  // `name` is what SQLite opens (Env::SqliteName), `path` what messages show.
  static Status OpenImpl(const std::string& name, const std::string& path, bool read_only,
                         std::unique_ptr<CaseStore>* out);
  Status Exec(const char* sql);
  Status Error(std::string_view what) const;  // "<path>: <what>: <sqlite message>"
  // Returns a cached prepared statement for `sql` (reset, bindings cleared).
  Status Prepare(int slot, const char* sql, sqlite3_stmt** st);
  Status Step(sqlite3_stmt* st, std::string_view what);  // expects SQLITE_DONE
  // Runs `run` inside the caller's batch, or in a transaction of its own.
  Status Atomically(const std::function<Status()>& run);

  sqlite3* db_;
  std::string path_;
  bool read_only_;
  bool in_txn_ = false;
  static constexpr int kNumSlots = 12;
  sqlite3_stmt* stmts_[kNumSlots] = {};
};

// A trace's hops as rows for SaveTrace; account ids are spelled through
// `accounts` (Dictionaries::account). Ids the interner does not hold read "?".
std::vector<TraceHopRow> ToTraceRows(const MoneyTrace& trace, const Interner& accounts);

// "13812345678" -> "138******78": keeps the first 3 and last 2 characters; a
// value of 5 characters or fewer is masked whole. Empty stays empty.
std::string MaskMsisdn(std::string_view s);

}  // namespace interdict
