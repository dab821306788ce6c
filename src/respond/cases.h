// CaseDesk: the cases of a run and the money response that follows them —
// each case's trace of the victim's money, extended live as the money moves;
// stop-payments of the hops still holding it; the freeze that follows each
// stop-payment; and, when a case closes, restitution of what the stopped
// accounts still hold.
//
// What makes an account fraud's rather than an innocent's is evidence the
// engine holds (who was exposed, who is suspected, who lives on an account);
// the desk asks for it through MoneyEvidence, which the engine implements.
// Which payments seed a case is the engine's decision too (a report's new
// payees; a detection's payment into a suspected mule).
//
// Usage:
//   CaseDesk cases(&dicts, &graph, cfg, &emitter, &evidence);
//   cases.Open("R-123", victim_account, seeds, &report, now);   // traced and stop-paid at once
//   cases.Extend(idx, transfer, now);                           // each new transfer (live tracing)
//   cases.DueWork(now);                                         // freezes as they fall due
//   cases.CloseDue(now);                                        // cases past case_close_s
//   cases.Finish(end);                                          // every freeze, every case closed
//
// Ownership: borrows the dictionaries, the transfer graph, the emitter and
// the evidence, which must outlive it; owns the cases and their traces.
// Thread safety: none; one desk per engine.
#pragma once
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "graph/trace.h"
#include "graph/transfer_graph.h"
#include "model/dictionary.h"
#include "model/events.h"
#include "respond/emitter.h"

namespace interdict {

// A money return to a victim when a case closes (restitution.csv).
struct Restitution {
  std::string case_id;
  std::string account;         // the stopped account the money is taken from
  std::string victim_account;  // where it goes back
  Money amount = 0;
  Ts ts = 0;
};

// A case as the desk holds it, for the case database (store/).
struct CaseInfo {
  std::string case_id;
  std::string origin;  // "report" | "detection"
  std::string report_id, victim_person, victim_msisdn, victim_account, fraud_type, suspect_msisdn;
  Money stated_loss = kNoMoney;
  Ts opened = 0;
  Ts closed = kNoTs;
  Ts first_loss = kNoTs;  // earliest traced payment out of the victim's account
  struct Hop {
    std::string account;
    int depth = 0;
    Money received = 0, remaining = 0, sent = 0, cashed_out = 0;
    Ts first_in = kNoTs, first_out = kNoTs;
  };
  std::vector<Hop> hops;
  std::vector<std::string> stopped_accounts;
};

// What the desk asks of the run's evidence about an account.
class MoneyEvidence {
 public:
  virtual ~MoneyEvidence() = default;
  // An account of the province's banks (a bank_accounts row), not stopped yet.
  virtual bool Stoppable(AccountId a) const = 0;
  virtual bool Stopped(AccountId a) const = 0;
  // Share of what reached `a` since `from` that came from fraud's side.
  virtual double TaintedInflowShare(AccountId a, Ts from) const = 0;
  // A person lives on `a` (in [from, to)) and nothing marks it as a mule.
  virtual bool LivesOnIt(AccountId a, Ts from, Ts to) const = 0;
  // `a` is being stop-paid at `now`: mark it and tell whoever needs to know.
  // Called before the stop-payment is sent.
  virtual void OnStopped(AccountId a, Ts now) = 0;
};

struct CaseDeskConfig {
  TraceOptions trace;
  bool live_tracing = true;
  Money trace_min_amount = 10000;     // a hop holding less is not stop-paid
  double stop_min_tainted_share = 0.5;  // two or more layers down: fed mostly by fraud
  Ts window_s = 86400;                // the tainted share counts inflows from this before the money came
  Ts own_use_window_s = 7 * 86400;    // ... and own use from this before
  Ts freeze_after_s = 86400;
  Ts case_close_s = 30 * 86400;
};

class CaseDesk {
 public:
  CaseDesk(const Dictionaries* dicts, const TransferGraph* graph, const CaseDeskConfig& cfg, ActionEmitter* out,
           MoneyEvidence* evidence)
      : dicts_(dicts), graph_(graph), cfg_(cfg), out_(out), ev_(evidence) {}

  // Opens case `id` for `victim`'s money from `seeds` (transfers of the
  // graph), from a report (`r`) or a detection (null): its trace is computed
  // and every hop still holding traced money is stop-paid at once.
  void Open(std::string id, AccountId victim, std::vector<TransferIndex> seeds, const Report* r, Ts now);
  // A transfer just added to the graph: the traces of the open cases whose
  // accounts it touches follow it (live tracing); new hops are stop-paid.
  void Extend(TransferIndex idx, const Transfer& t, Ts now);
  // Stop-payment of `a` (unless not stoppable), its freeze due freeze_after_s later.
  void StopPayment(AccountId a, Money amount, const std::string& case_id, const std::string& reason, Ts now);
  // Freezes due by `now`.
  void DueWork(Ts now);
  // Cases open for case_close_s close.
  void CloseDue(Ts now);
  // End of data: every freeze still due goes out now; every case closes.
  void Finish(Ts now);

  // `a` is a hop of some case's trace.
  bool Traced(AccountId a) const { return account_cases_.contains(a); }
  size_t size() const { return cases_.size(); }
  uint64_t traces_extended() const { return traces_extended_; }
  const std::vector<Restitution>& restitutions() const { return restitutions_; }
  // Every case so far, with its trace as it stands.
  std::vector<CaseInfo> Cases() const;

 private:
  struct Case {
    std::string id;
    bool from_report = false;
    ReportId report = kNoId;
    PersonId victim_person = kNoId;
    MsisdnId victim_msisdn = kNoId, suspect = kNoId;
    FraudTypeId fraud_type = kNoId;
    Money stated_loss = kNoMoney;
    Ts closed_at = kNoTs;
    AccountId victim_account = kNoId;
    Ts opened = 0;
    Ts close_at = 0;
    bool closed = false;
    std::unique_ptr<MoneyTrace> trace;
    std::vector<TransferIndex> seeds;
    size_t hops_indexed = 0;
  };
  struct PendingFreeze {
    Ts due;
    AccountId account;
    std::string case_id;
    bool operator>(const PendingFreeze& o) const { return due > o.due; }
  };
  void Index(uint32_t ci, Ts now);
  void Close(Case& c, Ts when);
  void Freeze(Ts now);  // the first pending freeze goes out at `now`
  static constexpr double kScore = 0.9;  // of stop-payments and freezes
  std::string Account(AccountId a) const { return std::string(dicts_->account.Name(a)); }

  const Dictionaries* dicts_;
  const TransferGraph* graph_;
  CaseDeskConfig cfg_;
  ActionEmitter* out_;
  MoneyEvidence* ev_;
  std::vector<std::unique_ptr<Case>> cases_;
  absl::flat_hash_map<AccountId, std::vector<uint32_t>> account_cases_;  // traced account -> cases
  std::priority_queue<PendingFreeze, std::vector<PendingFreeze>, std::greater<>> freezes_;
  std::vector<Restitution> restitutions_;
  uint64_t traces_extended_ = 0;
};

}  // namespace interdict
