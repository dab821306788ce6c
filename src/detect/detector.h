// Detector: the one interface of every rule family that runs beside the
// engine's own fraud-number rules (governance's sellers, insiders, dens and
// mules; ring detection), so that a run feeds them all alike.
//
// In: every event in event-time order (Apply), and Facts: what another
// stage of the run has learned that the detector may use as evidence (an
// action sent, a number flagged, a person exposed, a call's end, an account
// the money response suspects). Out: verdicts, appended to the caller's
// Verdicts vector within the call that reached them: flag_* and reverify_*
// actions with reasons and a score, without an action id (the run's
// ActionEmitter, respond/emitter.h, mints it and drops repeated flags). A
// detector never calls anything of the caller; the caller decides what a
// verdict does (send it, take a flagged number over, mark a person).
//
// Usage:
//   Verdicts v;
//   det.Prefetch(e);             // optional, a few events ahead: starts loading its state
//   det.Apply(e, &v);            // then handle v in order, and clear it
//   det.Note(Fact::CallEnded(caller, answered, ts), &v);
//   det.Finish(end_ts, &v);
//
// Ownership: a detector borrows the Dictionaries (and the run's SharedState,
// state/number.h, if given one) and owns the rest of its state; `out` is
// only appended to. Thread safety: none; one thread calls a detector.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "model/action.h"
#include "model/events.h"

namespace interdict {

using Verdicts = std::vector<Action>;

struct Fact {
  enum class Kind : uint8_t {
    kActionSent,      // `action`: an action of the run went out (any detector's, the engine's)
    kNumberFlagged,   // `id` MsisdnId flagged as a fraud number; `flag`: as a SIM of a box just flagged with it
    kPersonExposed,   // `id` PersonId reached by a fraud number and warned
    kCallEnded,       // `id` the caller's MsisdnId; `flag`: answered (its length is known only now)
    kSuspectAccount,  // `id` AccountId flagged or stop-paid by the money response
  };
  Kind kind;
  Ts ts = 0;
  uint32_t id = kNoId;
  bool flag = false;
  const Action* action = nullptr;  // kActionSent only; valid during the call

  static Fact ActionSent(const Action& a) { return {Kind::kActionSent, a.ts, kNoId, false, &a}; }
  static Fact NumberFlagged(MsisdnId n, Ts ts, bool on_flagged_box) {
    return {Kind::kNumberFlagged, ts, n, on_flagged_box, nullptr};
  }
  static Fact PersonExposed(PersonId p, Ts ts) { return {Kind::kPersonExposed, ts, p, false, nullptr}; }
  static Fact CallEnded(MsisdnId caller, bool answered, Ts ts) {
    return {Kind::kCallEnded, ts, caller, answered, nullptr};
  }
  static Fact SuspectAccount(AccountId a, Ts ts) { return {Kind::kSuspectAccount, ts, a, false, nullptr}; }
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string_view name() const = 0;
  // A hint that `e` will be applied soon; no effect on results.
  virtual void Prefetch(const Event& e) const = 0;
  virtual void Apply(const Event& e, Verdicts* out) = 0;
  // Facts a detector has no use for are ignored.
  virtual void Note(const Fact& f, Verdicts* out) = 0;
  // End of data at `end`: what is judged once the data is whole.
  virtual void Finish(Ts end, Verdicts* out) = 0;
};

}  // namespace interdict
