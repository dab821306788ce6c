// ActionEmitter: the one place where an action gets its id and where a
// repeated flag is dropped, for every detector and response of a run.
//
// Every action a run decides (the engine's warnings, holds and stops,
// governance's flags, ring detection's flags) passes here on its way to the
// sink (actions.csv, the case database, a partner's stream): Admit() says
// whether it adds anything for partners (an entity is flagged, or sent for
// re-verification, once per kind, whichever detector decides it first;
// warnings, holds, stops and freezes always pass), Send() mints the next id
// ("<prefix><n>", n from 1, in the order actions are sent), counts it by type,
// shows it to each observer (e.g. ring detection marks what was flagged) and
// hands it to the sink.
//
// Usage:
//   ActionEmitter out("A", [&](const Action& a) { writer.Write(a); });
//   out.AddObserver([&](const Action& a) { rings.Note(Fact::ActionSent(a), &unused); });
//   if (out.Admit(a.type, a.target)) out.Send(a);   // a detector's verdict; a.action_id is set by Send
//   out.Emit(now, ActionType::kWarnSms, TargetKind::kMsisdn, msisdn, 0.8, "talked_to_flagged");  // a decision
//
// Ownership: owns the set of flagged entities and the counters; the sink and
// observers are called synchronously from Send and must not call Send
// themselves (an observer that decides more actions queues them). Thread
// safety: none; one emitter per engine, used from its thread.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_set.h>

#include "model/action.h"

namespace interdict {

class ActionEmitter {
 public:
  using Sink = std::function<void(const Action&)>;
  ActionEmitter(std::string prefix, Sink sink) : prefix_(std::move(prefix)), sink_(std::move(sink)) {}

  // False when `type` flags (or sends for re-verification) an entity that an
  // action of the same type already targeted; records it otherwise.
  bool Admit(ActionType type, std::string_view target);
  // Mints a.action_id, counts, shows the action to the observers, sinks it.
  void Send(Action& a);
  // Admit, then build the action and Send it: what every decision that is
  // not a detector's verdict calls. Nothing is built for a repeated flag.
  void Emit(Ts ts, ActionType type, TargetKind kind, std::string target, double score, std::string reason,
            Money amount = kNoMoney, std::string case_id = {});
  void AddObserver(Sink observer) { observers_.push_back(std::move(observer)); }

  uint64_t count(ActionType t) const { return counts_[static_cast<int>(t)]; }
  uint64_t sent() const { return next_ - 1; }
  // Bytes held (the flagged-entity set), for state accounting.
  size_t state_bytes() const;

 private:
  static bool IsFlag(ActionType type);

  std::string prefix_;
  Sink sink_;
  std::vector<Sink> observers_;
  uint64_t next_ = 1;
  std::array<uint64_t, kNumActionTypes> counts_{};
  // (type, target) of every flag sent, as "type|target".
  absl::flat_hash_set<std::string> flagged_;
  std::string key_;  // scratch for Admit
};

}  // namespace interdict
