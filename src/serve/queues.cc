#include "serve/queues.h"

#include <fmt/format.h>

#include "serve/serve_db.h"

namespace interdict {

bool WorkQueues::ValidOutcome(const std::string& o) {
  return o == "reached" || o == "not_reached" || o == "refused" || o == "prevented";
}

Status WorkQueues::Open(const std::string& dir, std::unique_ptr<WorkQueues>* out) {
  std::unique_ptr<WorkQueues> q(new WorkQueues());
  if (Status s = OpenServeDb(dir, /*create=*/true,
                              "CREATE TABLE IF NOT EXISTS queue_items(action_id TEXT PRIMARY KEY,"
                              " claimed_by TEXT NOT NULL, claimed_at TEXT NOT NULL, outcome TEXT NOT NULL,"
                              " outcome_at TEXT NOT NULL, note TEXT NOT NULL)",
                              &q->db_);
      !s.ok())
    return s;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(q->db_, "SELECT action_id, claimed_by, claimed_at, outcome, outcome_at, note FROM queue_items", -1,
                     &st, nullptr);
  while (st && sqlite3_step(st) == SQLITE_ROW)
    q->items_[ColumnText(st, 0)] = {ColumnText(st, 1), ColumnText(st, 2), ColumnText(st, 3), ColumnText(st, 4), ColumnText(st, 5)};
  sqlite3_finalize(st);
  *out = std::move(q);
  return Status::Ok();
}

WorkQueues::~WorkQueues() { sqlite3_close(db_); }

QueueItemState WorkQueues::Get(const std::string& action_id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(action_id);
  return it == items_.end() ? QueueItemState{} : it->second;
}

Status WorkQueues::Save(const std::string& action_id, const QueueItemState& s) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_,
                     "INSERT OR REPLACE INTO queue_items(action_id, claimed_by, claimed_at, outcome, outcome_at, note)"
                     " VALUES(?,?,?,?,?,?)",
                     -1, &st, nullptr);
  const std::string* f[] = {&action_id, &s.claimed_by, &s.claimed_at, &s.outcome, &s.outcome_at, &s.note};
  for (int i = 0; i < 6; ++i) sqlite3_bind_text(st, i + 1, f[i]->c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return Status::Io(fmt::format("serve.db queue_items: {}", sqlite3_errmsg(db_)));
  return Status::Ok();
}

WorkQueues::Result WorkQueues::Claim(const std::string& action_id, const std::string& token_id, bool admin,
                                     Status* io) {
  std::lock_guard<std::mutex> l(mu_);
  QueueItemState& s = items_[action_id];
  if (!s.outcome.empty()) return Result::kClosed;
  if (!s.claimed_by.empty() && s.claimed_by != token_id && !admin) return Result::kAlreadyClaimed;
  s.claimed_by = token_id;
  s.claimed_at = UtcNow(false);
  *io = Save(action_id, s);
  return Result::kOk;
}

WorkQueues::Result WorkQueues::Record(const std::string& action_id, const std::string& token_id, bool admin,
                                      const std::string& outcome, const std::string& note, Status* io) {
  std::lock_guard<std::mutex> l(mu_);
  QueueItemState& s = items_[action_id];
  if (!s.outcome.empty()) return Result::kClosed;
  if (s.claimed_by != token_id && !admin) return Result::kNotClaimant;
  if (s.claimed_by.empty()) {
    s.claimed_by = token_id;
    s.claimed_at = UtcNow(false);
  }
  s.outcome = outcome;
  s.outcome_at = UtcNow(false);
  s.note = note;
  *io = Save(action_id, s);
  return Result::kOk;
}

}  // namespace interdict
