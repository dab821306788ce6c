// WorkQueues: the call agents' and officers' work on the warnings the engine
// served within capacity (warn_call, warn_visit actions): who claimed which,
// and its outcome (reached, not reached, refused, prevented), kept in
// serve.db (table queue_items) across restarts. The items themselves are the
// actions: a restarted server regenerates them with the same ids from its
// inbox, so claims and outcomes stay attached.
//
// Rules: an item is claimed by one token at a time (a second claim by
// another token is refused: 409); only the claimant (or an admin) records
// the outcome, once; an outcome closes the item.
//
// Thread safety: all methods lock one mutex; safe from any thread.
#pragma once
#include <sqlite3.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"

namespace interdict {

struct QueueItemState {
  std::string claimed_by;  // token id; empty: open
  std::string claimed_at;
  std::string outcome;     // empty until recorded
  std::string outcome_at;
  std::string note;
};

class WorkQueues {
 public:
  static Status Open(const std::string& dir, std::unique_ptr<WorkQueues>* out);
  ~WorkQueues();
  WorkQueues(const WorkQueues&) = delete;
  WorkQueues& operator=(const WorkQueues&) = delete;

  // The state of an action's item (default: open, nothing recorded).
  QueueItemState Get(const std::string& action_id) const;
  // Claim for `token_id`. kAlreadyClaimed when another token holds it or it
  // is closed.
  enum class Result { kOk, kAlreadyClaimed, kNotClaimant, kClosed };
  Result Claim(const std::string& action_id, const std::string& token_id, bool admin, Status* io);
  Result Record(const std::string& action_id, const std::string& token_id, bool admin, const std::string& outcome,
                const std::string& note, Status* io);
  static bool ValidOutcome(const std::string& o);

 private:
  WorkQueues() = default;
  Status Save(const std::string& action_id, const QueueItemState& s);
  mutable std::mutex mu_;
  sqlite3* db_ = nullptr;
  std::map<std::string, QueueItemState> items_;  // every item ever claimed
};

}  // namespace interdict
