// Engine: the streaming detection and response engine (issues 4 and 5).
//
// Takes events one at a time in event-time order (DatasetReader::Next gives
// exactly that) and emits actions (events.md, actions.csv) through a sink,
// within the call that applies the causing event. Keeps all of its state
// inside, so the same object serves `interdict run` and a long-running server,
// and answers queries about any number (features, score, reasons).
//
// What it does, per event:
//  - calls: a call is known in parts (shared/spec/events.md, "What is known
//    when"): who calls whom from which handset at its start, its length only
//    at its end (ts + duration_s). The engine applies an answered call at its
//    end, and a flagged caller's call also at its start (SMS warning) and as
//    it passes the warning rules' lengths; every action carries the time its
//    decision was made.
//  - calls/SMS: per-number window features (outgoing share, answer rate,
//    distinct callees by linear counting, card age, handsets); fraud-number
//    rules with reasons; SIM-box detection per IMEI; a 7-day contact log per
//    caller so that a flagged number's reach is known at once.
//  - exposure: everyone a flagged number reached gets warn_sms; escalation to
//    warn_call / warn_visit (scarce: served per region per hour of event time
//    in order of expected loss) on long answered calls, vulnerable ages, calls
//    continuing after a warning.
//  - fraud-number model (optional, SetNumberModel): at checkpoints of a
//    calling number's window (every 5th outgoing call past the rules' gate)
//    a gradient-boosted model scores NumberFeatureNames() and decides the
//    flag instead of the rule score (which becomes one of its features).
//  - transfers: a payment from a recently exposed person to a first-time
//    payee they do not know is held (hold_transfer); the payee is stop-paid
//    as a suspected mule on more evidence (a second exposed payer, a holder
//    with a fraud number or flagged as a card seller); money is followed
//    through later hops (MoneyTrace) and each new hop stop-paid within the
//    same event; freezes follow stop-payments.
//  - reports: a case opens and the victim's recent payments are traced at
//    once; every hop still holding money is stop-paid.
//  - Finish(): cases close; restitution returns stopped money to victims.
//
// Where each part lives: the number records shared by every detector in
// state/number.h; governance and ring detection behind detect/detector.h;
// action ids and one flag per entity in respond/emitter.h; warnings within
// capacity in respond/warnings.h; cases, traces, stops, freezes and
// restitution in respond/cases.h. The engine owns all of them and decides
// what they act on.
//
// The engine never reads labels/. Ownership: borrows the Dictionaries (which
// must outlive it and only grow); owns everything else. Thread safety: none;
// one engine per event stream.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "detect/ring_watch.h"
#include "engine/config.h"
#include "ml/forest.h"
#include "respond/cases.h"  // CaseInfo, Restitution
#include "model/action.h"
#include "model/dictionary.h"
#include "model/events.h"

namespace interdict {

// What the engine knows of one number (for analysts and the server).
struct NumberView {
  bool known = false;
  double score = 0;
  bool flagged = false;
  std::string reasons;
  uint32_t out_calls = 0, in_calls = 0, answered = 0, distinct_callees = 0;
  double outgoing_share = 0, answer_rate = 0;
  Ts first_seen = kNoTs;
};

// The engine's answer for a payment not made yet (CheckTransfer).
struct TransferDecision {
  bool hold = false;
  double score = 0;    // of the hold; 0 when allowed
  std::string reason;  // codes joined by '+', for a hold as hold_transfer's reason
};

struct EngineStats {
  uint64_t events = 0;
  uint64_t actions[kNumActionTypes] = {};
  uint64_t warnings_unserved_call = 0, warnings_unserved_visit = 0;
  uint64_t cases_opened = 0, cases_detected = 0;
  uint64_t traces_extended = 0;
  // Exposed persons' payments not held because the payee lives on its account.
  uint64_t holds_skipped_own_use = 0;
  // Contacts of flagged lines that turned out public (called by people they
  // never called) who were not warned.
  uint64_t warnings_skipped_public = 0;
  size_t state_bytes = 0;  // engine-owned state (approximate, from container sizes)
  // state_bytes by part (per-number tables, contact logs, handsets, the pair
  // filters, exposures, the per-SIM/person/account registry), in that order.
  std::vector<std::pair<std::string, size_t>> state_parts;
  uint64_t active_numbers = 0;
};

// The fraud-number model's features, in vector order (train and run agree
// on them through the model file's feature names).
const std::vector<std::string>& NumberFeatureNames();

// Usage (what the pipeline, runtime/pipeline.h, does for `interdict run`):
//
//   Dictionaries dicts;                       // filled by the reader as it interns ids
//   Engine engine(&dicts, cfg, [&](const Action& a) { writer.Write(a); });
//   while (reader.Next(&e)) engine.Apply(e);  // event-time order
//   engine.Finish(end_ts);                    // restitution, queued warnings
//
// Lifetime: `dicts` must outlive the engine and may grow between calls (the
// reader interns ahead); the engine keeps ids, never pointers into it. The
// sink is called synchronously from inside Apply / AdvanceTo / Finish, in
// action order; it must not call back into the engine, and the Action
// reference is valid only during the call. Governance and ring detection run
// inside the engine (EngineConfig: governance_config, rings_config) and emit
// through the same sink.
// Thread safety: none. All calls, queries included, from one thread (or
// under the caller's lock); a server that answers queries while a stream is
// applied must serialise them with Apply. Two engines share nothing.
class Engine {
 public:
  using Sink = std::function<void(const Action&)>;
  Engine(const Dictionaries* dicts, const EngineConfig& cfg, Sink sink);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Apply(const Event& e);
  // A hint that `e` will be applied soon (after the events before it): starts
  // loading the per-number, handset, account and governance state it will
  // touch, so that a caller reading ahead overlaps the cache misses of
  // several events. No effect on results; safe to skip.
  void Prefetch(const Event& e) const;
  // The second stage, a few events before `e` is applied (after Prefetch(e)
  // had time to load it): state found through what Prefetch loaded, e.g. the
  // who-knows-whom filter block of the caller's and callee's holders.
  void PrefetchNear(const Event& e) const;
  // Event time has reached `t` with no event: what became known by then
  // (calls still connected reaching a length the warnings act on, calls
  // ending) and work due by then (freezes) is done, stamped at its own time.
  // A live feed calls it when its input is idle; Apply does it itself for
  // every event's ts.
  void AdvanceTo(Ts t);
  // End of data at `end`: serve or expire queued warnings, close cases and
  // compute restitution.
  void Finish(Ts end);

  // Decide fraud numbers with a model (its feature names must equal
  // NumberFeatureNames(); checked by `run`). Null: the rules decide.
  void SetNumberModel(std::shared_ptr<const Forest> model);
  // Training: every checkpoint's feature vector (NumberFeatureNames() order),
  // whether or not a model is set. x is valid only during the call.
  using FeatureTap = std::function<void(MsisdnId n, Ts ts, const float* x)>;
  void SetFeatureTap(FeatureTap tap);

  NumberView QueryNumber(MsisdnId n) const;
  // What the hold rule would decide for `t` if it arrived now (a bank asks
  // before it completes a transfer): hold or allow, with reasons. Nothing is
  // applied or remembered; the transfer itself enters later through Apply,
  // which decides again on what is known then. Causal like Apply: it reads
  // only what the engine has learned so far.
  TransferDecision CheckTransfer(const Transfer& t) const;
  EngineStats Stats() const;
  const std::vector<Restitution>& restitutions() const;
  // Every case opened so far, with its trace as it stands.
  std::vector<CaseInfo> Cases() const;
  size_t CaseCount() const;  // Cases().size(), without building them
  // Every gang the ring detection found (empty when rings are off).
  std::vector<GangRecord> Gangs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace interdict
