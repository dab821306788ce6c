// WarningDesk: warnings to the people fraud numbers reached, in three tiers
// (a warning SMS, a dissuasion call, an officer's visit), within the centre's
// capacity.
//
// SMS are not scarce: a request is sent at once. Calls and visits are: each
// has a budget that accrues in event time at the centre's capacity (per day,
// per 10,000 registered persons of people.csv), holding at most one day's
// worth, and a queue of requests by priority (expected loss). A request is
// served as soon as a whole unit is there; the rest wait, highest priority
// first, and expire unserved after `warning_expiry_s`. A number gets each
// tier at most once, and no lower tier after a higher one.
//
// The desk also keeps, per number reached, what the engine's exposure rules
// need to know of it (`Exposure`: who reached it, when, how long they talked,
// the tiers sent and waiting). Which tier a contact deserves is the engine's
// decision (engine.cc, Expose); serving it within capacity is the desk's.
//
// Usage:
//   WarningDesk desk(&dicts, cfg, &emitter);
//   Exposure& x = desk.Exposed(m);                    // the record of a number reached
//   desk.Request(m, kTierCall, priority, "long_answered_call", now);
//   desk.Serve(now);                                   // as event time passes (hourly)
//   desk.Finish(end);                                  // what still waits is unserved
//
// Ownership: borrows the Dictionaries (names of targets; the registry sizes
// the capacity) and the emitter, which must outlive it. Thread safety: none;
// one desk per engine. Capacity is set at the first request or service, from
// the registry, which is read whole before any event (events.md): it depends
// on nothing still to come.
#pragma once
#include <cstdint>
#include <queue>
#include <string>

#include <absl/container/flat_hash_map.h>

#include "base/time.h"
#include "model/dictionary.h"
#include "model/ids.h"
#include "respond/emitter.h"

namespace interdict {

enum Tier : uint8_t { kTierNone = 0, kTierSms = 1, kTierCall = 2, kTierVisit = 3 };

// Per number a flagged number reached.
struct Exposure {
  MsisdnId source = kNoId;
  Ts first = kNoTs;
  Ts last_answered = kNoTs;
  uint32_t answered = 0;
  uint32_t max_dur = 0;
  uint8_t sent = kTierNone;    // highest tier issued
  uint8_t queued = kTierNone;  // highest tier waiting for capacity
  Ts call_warned_at = kNoTs;
};

struct WarningConfig {
  double call_capacity_per_10k_day = 4.0;
  double visit_capacity_per_10k_day = 0.25;
  Ts warning_expiry_s = 6 * 3600;
};

class WarningDesk {
 public:
  WarningDesk(const Dictionaries* dicts, const WarningConfig& cfg, ActionEmitter* out)
      : dicts_(dicts), cfg_(cfg), out_(out) {}

  // The record of `m`, created on first use.
  Exposure& Exposed(MsisdnId m) { return exposure_[m]; }
  // The record of `m` if it has one (nothing created).
  const Exposure* Find(MsisdnId m) const {
    auto it = exposure_.find(m);
    return it == exposure_.end() ? nullptr : &it->second;
  }
  // Asks for a warning of `tier` to `m` at `now`: nothing if it got or waits
  // for this tier or a higher one; an SMS at once; a call or visit queued and
  // served within capacity. `priority`: the expected loss it averts; the
  // action's score is min(1, priority).
  void Request(MsisdnId m, Tier tier, double priority, std::string reason, Ts now);
  // Serves the queues as the budgets have accrued by `now`; expires what
  // waited too long. Visits first.
  void Serve(Ts now);
  // End of data: serves once more; what still waits is counted unserved.
  void Finish(Ts now);

  uint64_t unserved_calls() const { return unserved_call_; }
  uint64_t unserved_visits() const { return unserved_visit_; }
  size_t state_bytes() const { return exposure_.capacity() * (sizeof(Exposure) + 5); }

 private:
  struct Pending {
    double priority;
    uint64_t seq;
    MsisdnId msisdn;
    Tier tier;
    Ts queued_at;
    std::string reason;
    bool operator<(const Pending& o) const {
      return priority != o.priority ? priority < o.priority : seq > o.seq;  // max-heap, FIFO on ties
    }
  };
  struct Queue {
    double per_s = 0;      // units per second of event time
    double max_units = 0;  // one day's budget
    double units = 0;
    Ts last = kNoTs;
    std::priority_queue<Pending> pending;
    void Accrue(Ts now);
  };
  void SetCapacity();
  void ServeQueue(Queue& q, uint64_t& unserved, Ts now);
  void Issue(MsisdnId m, Tier tier, double score, const std::string& reason, Ts now);

  const Dictionaries* dicts_;
  WarningConfig cfg_;
  ActionEmitter* out_;
  absl::flat_hash_map<MsisdnId, Exposure> exposure_;
  Queue call_, visit_;
  bool capacity_set_ = false;
  uint64_t seq_ = 0;
  uint64_t unserved_call_ = 0, unserved_visit_ = 0;
};

}  // namespace interdict
