#include "respond/warnings.h"

#include <algorithm>

namespace interdict {

void WarningDesk::Queue::Accrue(Ts now) {
  if (last != kNoTs && now > last) units = std::min(max_units, units + per_s * static_cast<double>(now - last));
  if (last == kNoTs) units = std::min(max_units, 1.0);  // the first request need not wait for a budget to build
  last = std::max(last, now);
}

void WarningDesk::SetCapacity() {
  capacity_set_ = true;
  // Registered persons (people.csv): capacities are set per 10,000 of them.
  double persons = 0;
  for (const Person& p : dicts_->people) persons += p.id != kNoId;
  auto set = [&](Queue& q, double per_10k_day) {
    q.max_units = per_10k_day * persons / 10000.0;
    q.per_s = q.max_units / 86400.0;
  };
  set(call_, cfg_.call_capacity_per_10k_day);
  set(visit_, cfg_.visit_capacity_per_10k_day);
}

void WarningDesk::ServeQueue(Queue& q, uint64_t& unserved, Ts now) {
  q.Accrue(now);
  while (!q.pending.empty()) {
    const Pending& w = q.pending.top();
    if (now - w.queued_at > cfg_.warning_expiry_s) {
      ++unserved;
      Exposure& x = exposure_[w.msisdn];
      if (x.queued == w.tier) x.queued = x.sent;
      q.pending.pop();
      continue;
    }
    if (q.units < 1.0) break;
    q.units -= 1.0;
    Pending copy = w;
    q.pending.pop();
    Issue(copy.msisdn, copy.tier, copy.priority, copy.reason, now);
  }
}

void WarningDesk::Serve(Ts now) {
  if (!capacity_set_) SetCapacity();
  ServeQueue(visit_, unserved_visit_, now);
  ServeQueue(call_, unserved_call_, now);
}

void WarningDesk::Finish(Ts now) {
  Serve(now);
  unserved_call_ += call_.pending.size();
  unserved_visit_ += visit_.pending.size();
}

void WarningDesk::Issue(MsisdnId m, Tier tier, double score, const std::string& reason, Ts now) {
  Exposure& x = exposure_[m];
  if (x.sent >= tier) return;
  x.sent = tier;
  if (x.queued < tier) x.queued = tier;
  if (tier == kTierCall) x.call_warned_at = now;
  const ActionType type = tier == kTierVisit ? ActionType::kWarnVisit
                          : tier == kTierCall ? ActionType::kWarnCall
                                              : ActionType::kWarnSms;
  out_->Emit(now, type, TargetKind::kMsisdn, std::string(dicts_->msisdn.Name(m)), std::min(1.0, score), reason);
}

void WarningDesk::Request(MsisdnId m, Tier tier, double priority, std::string reason, Ts now) {
  Exposure& x = exposure_[m];
  if (x.sent >= tier || x.queued >= tier) return;
  if (tier == kTierSms) {  // SMS is not scarce
    Issue(m, tier, priority, reason, now);
    return;
  }
  x.queued = tier;
  (tier == kTierVisit ? visit_ : call_).pending.push({priority, seq_++, m, tier, now, std::move(reason)});
  Serve(now);
}

}  // namespace interdict
