#include "respond/cases.h"

#include <algorithm>

#include <fmt/format.h>

namespace interdict {

void CaseDesk::StopPayment(AccountId a, Money amount, const std::string& case_id, const std::string& reason,
                           Ts now) {
  if (a == kNoId || !ev_->Stoppable(a)) return;
  ev_->OnStopped(a, now);
  out_->Emit(now, ActionType::kStopPayment, TargetKind::kAccount, Account(a), kScore, reason,
             std::max<Money>(0, amount), case_id);
  freezes_.push({now + cfg_.freeze_after_s, a, case_id});
}

void CaseDesk::Index(uint32_t ci, Ts now) {
  Case& c = *cases_[ci];
  const auto& hops = c.trace->hops();
  for (; c.hops_indexed < hops.size(); ++c.hops_indexed) {
    const TraceHop& h = hops[c.hops_indexed];
    auto& v = account_cases_[h.account];
    if (v.empty() || v.back() != ci) v.push_back(ci);
  }
  // Every internal hop still holding traced money is stop-paid, if it is
  // fraud's account: the victim's direct payee (chosen as a seed: a stranger
  // paid after the scam began), or deeper, an account fed mostly by fraud.
  for (const TraceHop& h : hops) {
    if (h.kind != HopKind::kAccount || h.account == c.victim_account) continue;
    if (h.remaining < cfg_.trace_min_amount || ev_->Stopped(h.account)) continue;
    if (h.depth >= 2 && ev_->TaintedInflowShare(h.account, h.first_in - cfg_.window_s) < cfg_.stop_min_tainted_share)
      continue;
    // Two or more layers down, a person living on the account (from a week
    // before the money came) is someone a mule paid, not the next mule.
    if (h.depth >= 2 && ev_->LivesOnIt(h.account, h.first_in - cfg_.own_use_window_s, now + 1)) continue;
    StopPayment(h.account, h.remaining, c.id, fmt::format("traced_depth_{}", h.depth), now);
  }
}

void CaseDesk::Open(std::string id, AccountId victim, std::vector<TransferIndex> seeds, const Report* r, Ts now) {
  auto c = std::make_unique<Case>();
  if (r) {
    c->from_report = true;
    c->report = r->report;
    c->victim_person = r->person;
    c->victim_msisdn = r->msisdn;
    c->suspect = r->suspect;
    c->fraud_type = r->fraud_type;
    c->stated_loss = r->amount;
  }
  c->id = std::move(id);
  c->victim_account = victim;
  c->opened = now;
  c->close_at = now + cfg_.case_close_s;
  if (!cfg_.live_tracing) seeds.clear();  // the case without its trace
  c->seeds = seeds;
  c->trace = std::make_unique<MoneyTrace>(MoneyTrace::FromSeeds(*graph_, seeds, now, cfg_.trace));
  cases_.push_back(std::move(c));
  Index(static_cast<uint32_t>(cases_.size() - 1), now);
}

void CaseDesk::Extend(TransferIndex idx, const Transfer& t, Ts now) {
  if (!cfg_.live_tracing) return;
  uint32_t touched[8];
  int n = 0;
  for (AccountId a : {t.from, t.to}) {
    if (a == kNoId) continue;
    auto it = account_cases_.find(a);
    if (it == account_cases_.end()) continue;
    for (uint32_t ci : it->second)
      if (n < 8 && std::find(touched, touched + n, ci) == touched + n) touched[n++] = ci;
  }
  for (int k = 0; k < n; ++k) {
    Case& c = *cases_[touched[k]];
    if (c.closed) continue;
    const ExtendResult r = c.trace->Extend(idx);
    if (r == ExtendResult::kOutOfOrder) {  // a late transfer: recompute from the seeds
      c.trace = std::make_unique<MoneyTrace>(MoneyTrace::FromSeeds(*graph_, c.seeds, now, cfg_.trace));
      c.hops_indexed = 0;
    }
    ++traces_extended_;
    Index(touched[k], now);
  }
}

void CaseDesk::DueWork(Ts now) {
  while (!freezes_.empty() && freezes_.top().due <= now) Freeze(now);
}

void CaseDesk::Freeze(Ts now) {
  PendingFreeze f = freezes_.top();
  freezes_.pop();
  out_->Emit(now, ActionType::kFreeze, TargetKind::kAccount, Account(f.account), kScore, "follows_stop_payment",
             kNoMoney, f.case_id);
}

void CaseDesk::Close(Case& c, Ts when) {
  if (c.closed) return;
  c.closed = true;
  c.closed_at = when;
  // Return what the stopped accounts still hold of this case's money. Each
  // case takes its own traced amount: where several cases' money sits in one
  // account, that is pro rata by traced amounts.
  for (const TraceHop& h : c.trace->hops()) {
    if (h.kind != HopKind::kAccount || h.account == c.victim_account || !ev_->Stopped(h.account)) continue;
    if (h.remaining <= 0 || c.victim_account == kNoId) continue;
    restitutions_.push_back({c.id, Account(h.account), Account(c.victim_account), h.remaining, when});
  }
}

void CaseDesk::CloseDue(Ts now) {
  for (auto& c : cases_)
    if (!c->closed && c->close_at <= now) Close(*c, now);
}

void CaseDesk::Finish(Ts now) {
  // Freezes still due within the 48 h of their stop-payment are issued at the end.
  while (!freezes_.empty()) Freeze(now);
  for (auto& c : cases_) Close(*c, now);
}

std::vector<CaseInfo> CaseDesk::Cases() const {
  auto name = [](const Interner& in, uint32_t id) { return id == kNoId ? std::string() : std::string(in.Name(id)); };
  std::vector<CaseInfo> out;
  for (const auto& cp : cases_) {
    const Case& c = *cp;
    CaseInfo ci;
    ci.case_id = c.id;
    ci.origin = c.from_report ? "report" : "detection";
    ci.report_id = name(dicts_->report, c.report);
    ci.victim_person = name(dicts_->person, c.victim_person);
    ci.victim_msisdn = name(dicts_->msisdn, c.victim_msisdn);
    ci.victim_account = name(dicts_->account, c.victim_account);
    ci.fraud_type = name(dicts_->fraud_type, c.fraud_type);
    ci.suspect_msisdn = name(dicts_->msisdn, c.suspect);
    ci.stated_loss = c.stated_loss;
    ci.opened = c.opened;
    ci.closed = c.closed_at;
    for (TransferIndex i : c.seeds)
      if (ci.first_loss == kNoTs || graph_->ts(i) < ci.first_loss) ci.first_loss = graph_->ts(i);
    for (const TraceHop& h : c.trace->hops()) {
      CaseInfo::Hop hop{std::string(dicts_->account.Name(h.account)), h.depth, h.received, h.remaining, h.sent,
                        h.cashed_out, h.first_in, h.first_out};
      ci.hops.push_back(hop);
      if (h.kind == HopKind::kAccount && ev_->Stopped(h.account)) ci.stopped_accounts.push_back(hop.account);
    }
    out.push_back(std::move(ci));
  }
  return out;
}

}  // namespace interdict
