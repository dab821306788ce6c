#include "graph/trace.h"

#include <algorithm>
#include <functional>

namespace interdict {

std::string_view ToString(AttributionModel m) {
  switch (m) {
    case AttributionModel::kFifo: return "fifo";
    case AttributionModel::kTaintFirst: return "taint-first";
    case AttributionModel::kProportional: return "proportional";
  }
  return "?";
}

std::string_view ToString(HopKind k) {
  switch (k) {
    case HopKind::kSource: return "source";
    case HopKind::kAccount: return "account";
    case HopKind::kOutside: return "outside";
  }
  return "?";
}

MoneyTrace::MoneyTrace(const TransferGraph& g, const TraceOptions& opt, Ts now) : g_(&g), opt_(opt), now_(now) {
  opt_.max_depth = std::clamp(opt_.max_depth, 1, 64);
  if (opt_.min_amount < 0) opt_.min_amount = 0;
  if (opt_.lookback_s < 0) opt_.lookback_s = 0;
}

MoneyTrace MoneyTrace::FromAccount(const TransferGraph& g, AccountId account, Ts since, Ts now,
                                   const TraceOptions& opt) {
  MoneyTrace t(g, opt, now);
  t.victim_ = account;
  t.since_ = since;
  std::vector<TransferIndex> seeds;
  if (account != kNoId) {
    auto out = g.OutOf(account);
    for (size_t p = g.LowerBound(out, since); p < out.size() && g.ts(out[p]) <= now; ++p) seeds.push_back(out[p]);
  }
  t.Run(std::move(seeds));
  return t;
}

MoneyTrace MoneyTrace::FromSeeds(const TransferGraph& g, std::span<const TransferIndex> seeds, Ts now,
                                 const TraceOptions& opt) {
  MoneyTrace t(g, opt, now);
  std::vector<TransferIndex> s;
  for (TransferIndex i : seeds)
    if (i < g.size() && g.ts(i) <= now) s.push_back(i);
  std::sort(s.begin(), s.end(), [&](TransferIndex a, TransferIndex b) { return t.KeyOf(a) < t.KeyOf(b); });
  s.erase(std::unique(s.begin(), s.end()), s.end());
  for (TransferIndex i : s) t.seed_set_.insert(i);
  t.Run(std::move(s));
  return t;
}

bool MoneyTrace::IsSeed(TransferIndex i) const {
  if (victim_ != kNoId) return g_->from(i) == victim_ && g_->ts(i) >= since_;
  return seed_set_.contains(i);
}

uint32_t MoneyTrace::FindHop(AccountId a) const {
  auto it = hop_of_.find(a);
  return it == hop_of_.end() ? kNoHop : it->second;
}

uint32_t MoneyTrace::FindActive(AccountId a) const {
  if (a == kNoId) return kNoHop;
  auto it = active_.find(a);
  return it == active_.end() ? kNoHop : it->second;
}

void MoneyTrace::Run(std::vector<TransferIndex> seeds) {
  // Every seed's sender is a source up front, so money that comes back to a
  // victim before the victim's later payments counts as returned.
  for (TransferIndex i : seeds)
    if (g_->from(i) != kNoId) sources_.insert(g_->from(i));
  if (victim_ != kNoId) sources_.insert(victim_);

  // Min-heap of (next key, account); kNoId marks a seed entry. Entries go
  // stale when their transfer was applied through the other end: skipped.
  auto cmp = [](const std::pair<Key, AccountId>& a, const std::pair<Key, AccountId>& b) { return b.first < a.first; };
  heap_.clear();
  for (TransferIndex i : seeds) heap_.push_back({KeyOf(i), kNoId});
  std::make_heap(heap_.begin(), heap_.end(), cmp);
  const Key end{now_, kNoTransfer};
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    Key k = heap_.back().first;
    heap_.pop_back();
    if (!After(k)) continue;
    if (totals_.steps >= opt_.max_steps) {
      totals_.truncated = true;
      break;
    }
    Step(k.i, IsSeed(k.i));
    for (AccountId a : {g_->from(k.i), g_->to(k.i)}) {
      uint32_t s = FindActive(a);
      Key nk;
      if (s != kNoHop && NextKey(a, states_[s], &nk) && !(end < nk)) {
        heap_.push_back({nk, a});
        std::push_heap(heap_.begin(), heap_.end(), cmp);
      }
    }
  }
  heap_.clear();
  heap_.shrink_to_fit();
  // Everything up to now (and every transfer the graph held) has been seen.
  if (!totals_.truncated && (now_ > last_ts_ || (now_ == last_ts_ && static_cast<int64_t>(g_->size()) - 1 > last_i_))) {
    last_ts_ = now_;
    last_i_ = static_cast<int64_t>(g_->size()) - 1;
  }
}

bool MoneyTrace::NextKey(AccountId a, const Active& s, Key* k) const {
  auto in = g_->InTo(a);
  auto out = g_->OutOf(a);
  bool have = false;
  if (s.in_pos < in.size()) {
    *k = KeyOf(in[s.in_pos]);
    have = true;
  }
  if (s.out_pos < out.size()) {
    Key o = KeyOf(out[s.out_pos]);
    if (!have || o < *k) *k = o;
    have = true;
  }
  return have;
}

bool MoneyTrace::InSequence(TransferIndex i) const {
  AccountId from = g_->from(i), to = g_->to(i);
  uint32_t fs = FindActive(from), ts = FindActive(to);
  if (fs != kNoHop) {
    auto out = g_->OutOf(from);
    if (states_[fs].out_pos >= out.size() || out[states_[fs].out_pos] != i) return false;
  }
  if (ts != kNoHop) {
    auto in = g_->InTo(to);
    if (states_[ts].in_pos >= in.size() || in[states_[ts].in_pos] != i) return false;
  }
  return true;
}

ExtendResult MoneyTrace::Extend(TransferIndex i) {
  if (totals_.truncated || i >= g_->size()) return ExtendResult::kOutOfOrder;
  Key k = KeyOf(i);
  if (!After(k)) return ExtendResult::kOutOfOrder;
  bool seed = IsSeed(i);
  if (seed && FindActive(g_->from(i)) != kNoHop) return ExtendResult::kRejected;
  bool touches = seed || FindActive(g_->from(i)) != kNoHop || FindActive(g_->to(i)) != kNoHop;
  if (touches && !InSequence(i)) return ExtendResult::kOutOfOrder;
  last_ts_ = k.ts;
  last_i_ = k.i;
  now_ = std::max(now_, k.ts);
  if (!touches) return ExtendResult::kUnaffected;
  Step(i, seed);
  return ExtendResult::kExtended;
}

ExtendResult MoneyTrace::AddSeed(TransferIndex i) {
  if (totals_.truncated || i >= g_->size()) return ExtendResult::kOutOfOrder;
  if (!After(KeyOf(i))) return ExtendResult::kOutOfOrder;
  AccountId from = g_->from(i);
  if (FindActive(from) != kNoHop) return ExtendResult::kRejected;
  if (victim_ != kNoId) {
    // An account trace's seeds are fixed by its victim; an extra seed from
    // another sender turns it into a seed-set trace only if it is the victim.
    if (from != victim_) return ExtendResult::kRejected;
  } else {
    seed_set_.insert(i);
    if (from != kNoId) sources_.insert(from);
  }
  return Extend(i);
}

uint32_t MoneyTrace::HopFor(AccountId a, HopKind kind, uint8_t depth, uint32_t parent, Ts ts) {
  auto [it, inserted] = hop_of_.try_emplace(a, static_cast<uint32_t>(hops_.size()));
  uint32_t h = it->second;
  if (inserted) {
    TraceHop hop;
    hop.account = a;
    hop.kind = kind;
    hop.depth = depth;
    hop.first_parent = parent;
    hop.first_in = kind == HopKind::kSource ? kNoTs : ts;
    hops_.push_back(std::move(hop));
  } else {
    TraceHop& hop = hops_[h];
    if (depth < hop.depth && hop.kind != HopKind::kSource) hop.depth = depth;
    if (hop.first_in == kNoTs && kind != HopKind::kSource) hop.first_in = ts;
  }
  if (parent != kNoHop) AddParent(h, parent);
  return h;
}

void MoneyTrace::AddParent(uint32_t hop, uint32_t parent) {
  if (parent_pairs_.insert((static_cast<uint64_t>(hop) << 32) | parent).second) hops_[hop].parents.push_back(parent);
}

void MoneyTrace::NoteOut(TraceHop* h, Ts ts) {
  if (h->first_out == kNoTs) h->first_out = ts;
  h->last_out = ts;
}

Money MoneyTrace::ObservedBalanceBefore(AccountId a, TransferIndex i) const {
  // Only observed inflows count: replay the window's flows from zero, an
  // outflow never taking the balance below zero (the excess was money we
  // never saw). Starting from zero can only under-estimate the clean money
  // ahead, so traced money is assumed to move on no later than it did.
  Ts t = g_->ts(i);
  Ts t0 = t - opt_.lookback_s;
  if (t0 > t) t0 = kNoTs;  // overflow guard
  auto in = g_->InTo(a);
  auto out = g_->OutOf(a);
  size_t pi = g_->LowerBound(in, t0), po = g_->LowerBound(out, t0);
  Key k = KeyOf(i);
  if (opt_.lookback_events > 0) {
    // Keep only the latest lookback_events flows before i: walk back from
    // the ends by key. Dropping older flows, like starting later, can only
    // lower the estimate.
    auto before = [&](std::span<const TransferIndex> l, size_t lo) {
      return lo + static_cast<size_t>(std::partition_point(l.begin() + static_cast<ptrdiff_t>(lo), l.end(),
                                                           [&](TransferIndex j) { return KeyOf(j) < k; }) -
                                      (l.begin() + static_cast<ptrdiff_t>(lo)));
    };
    size_t ei = before(in, pi), eo = before(out, po);
    if ((ei - pi) + (eo - po) > opt_.lookback_events) {
      size_t si = ei, so = eo;
      for (uint32_t n = 0; n < opt_.lookback_events; ++n) {
        bool take_in = si > pi && (so == po || KeyOf(out[so - 1]) < KeyOf(in[si - 1]));
        if (take_in) --si;
        else --so;
      }
      pi = si;
      po = so;
    }
  }
  Money b = 0;
  while (true) {
    bool has_in = pi < in.size() && KeyOf(in[pi]) < k;
    bool has_out = po < out.size() && KeyOf(out[po]) < k;
    if (!has_in && !has_out) break;
    if (has_in && (!has_out || KeyOf(in[pi]) < KeyOf(out[po]))) {
      b += g_->amount(in[pi++]);
    } else {
      b = std::max<Money>(0, b - g_->amount(out[po++]));
    }
  }
  return b;
}

uint32_t MoneyTrace::Activate(AccountId a, uint32_t hop, TransferIndex arriving) {
  uint32_t s;
  if (!free_states_.empty()) {
    s = free_states_.back();
    free_states_.pop_back();
  } else {
    s = static_cast<uint32_t>(states_.size());
    states_.emplace_back();
  }
  Active& st = states_[s];
  st.account = a;
  st.hop = hop;
  Ts t = g_->ts(arriving);
  st.in_pos = static_cast<uint32_t>(g_->UpperBound(g_->InTo(a), t, arriving));
  st.out_pos = static_cast<uint32_t>(g_->UpperBound(g_->OutOf(a), t, arriving));
  st.head = 0;
  st.clean = 0;
  st.taint = 0;
  st.lots.clear();
  if (opt_.model != AttributionModel::kTaintFirst) {
    Money c = ObservedBalanceBefore(a, arriving);
    if (opt_.model == AttributionModel::kFifo) {
      if (c > 0) st.lots.push_back({c, kClean});
    } else {
      st.clean = c;
    }
  }
  active_[a] = s;
  return s;
}

void MoneyTrace::SyncRemaining(const Active& st) {
  TraceHop& h = hops_[st.hop];
  totals_.remaining += st.taint - h.remaining;
  h.remaining = st.taint;
}

void MoneyTrace::Deactivate(uint32_t s) {
  Active& st = states_[s];
  active_.erase(st.account);
  st.lots.clear();
  st.lots.shrink_to_fit();
  free_states_.push_back(s);
}

namespace {
template <typename LotT>
void AppendSeg(std::vector<LotT>* v, size_t first_live, Money amount, uint8_t depth) {
  if (amount <= 0) return;
  if (v->size() > first_live && v->back().depth == depth) {
    v->back().amount += amount;
  } else {
    v->push_back({amount, depth});
  }
}
}  // namespace

void MoneyTrace::Take(Active* s, Money amount) {
  take_.clear();
  Money rem = amount;
  if (opt_.model == AttributionModel::kProportional) {
    Money balance = s->clean + s->taint;
    if (amount >= balance) {
      for (size_t j = s->head; j < s->lots.size(); ++j) AppendSeg(&take_, 0, s->lots[j].amount, s->lots[j].depth);
      AppendSeg(&take_, 0, amount - s->taint, kClean);
      s->lots.clear();
      s->head = 0;
      s->clean = 0;
      s->taint = 0;
      return;
    }
    // Traced share, rounded down (never invents taint), split over the lots
    // of each depth in proportion, the rounding remainder to the first lots.
    if (s->taint == 0) {
      s->clean -= amount;
      AppendSeg(&take_, 0, amount, kClean);
      return;
    }
    Money t = static_cast<Money>(static_cast<__int128_t>(amount) * s->taint / balance);
    size_t first = take_.size();
    Money given = 0;
    for (size_t j = s->head; j < s->lots.size(); ++j) {
      Money x = static_cast<Money>(static_cast<__int128_t>(t) * s->lots[j].amount / s->taint);
      take_.push_back({x, s->lots[j].depth});
      given += x;
    }
    for (size_t j = 0; given < t && j < take_.size() - first; ++j) {
      Lot& lot = s->lots[s->head + j];
      Money room = lot.amount - take_[first + j].amount;
      Money x = std::min(room, t - given);
      take_[first + j].amount += x;
      given += x;
    }
    for (size_t j = 0; j < take_.size() - first; ++j) s->lots[s->head + j].amount -= take_[first + j].amount;
    // Drop emptied lots and zero segments.
    std::erase_if(s->lots, [](const Lot& l) { return l.amount == 0; });
    s->head = 0;
    std::erase_if(take_, [](const Lot& l) { return l.amount == 0; });
    s->taint -= t;
    s->clean -= amount - t;
    AppendSeg(&take_, 0, amount - t, kClean);
    return;
  }
  // kFifo and kTaintFirst: the front of the queue leaves first (kTaintFirst
  // queues only traced lots, so they leave before any clean money).
  while (rem > 0 && s->head < s->lots.size()) {
    Lot& l = s->lots[s->head];
    Money x = std::min(l.amount, rem);
    AppendSeg(&take_, 0, x, l.depth);
    l.amount -= x;
    rem -= x;
    if (l.depth != kClean) s->taint -= x;
    if (l.amount == 0) ++s->head;
  }
  AppendSeg(&take_, 0, rem, kClean);  // beyond the observed balance: unseen clean money
  if (s->head == s->lots.size()) {
    s->lots.clear();
    s->head = 0;
  } else if (s->head >= 32 && s->head * 2 >= s->lots.size()) {
    s->lots.erase(s->lots.begin(), s->lots.begin() + s->head);
    s->head = 0;
  }
}

void MoneyTrace::Push(Active* s, std::span<const Lot> segs) {
  for (const Lot& l : segs) {
    if (l.depth != kClean) s->taint += l.amount;
    switch (opt_.model) {
      case AttributionModel::kFifo:
        AppendSeg(&s->lots, s->head, l.amount, l.depth);
        break;
      case AttributionModel::kTaintFirst:
        if (l.depth != kClean) AppendSeg(&s->lots, s->head, l.amount, l.depth);
        break;
      case AttributionModel::kProportional:
        if (l.depth == kClean) {
          s->clean += l.amount;
        } else {
          auto it = std::find_if(s->lots.begin() + s->head, s->lots.end(), [&](const Lot& x) { return x.depth == l.depth; });
          if (it != s->lots.end()) {
            it->amount += l.amount;
          } else {
            s->lots.push_back(l);
          }
        }
        break;
    }
  }
}

void MoneyTrace::Step(TransferIndex i, bool seed) {
  ++totals_.steps;
  const Ts ts = g_->ts(i);
  const Money amount = g_->amount(i);
  const AccountId from = g_->from(i), to = g_->to(i);
  last_ts_ = ts;
  last_i_ = i;

  // Sender side: which money leaves, as ordered segments in take_.
  uint32_t from_state = seed ? kNoHop : FindActive(from);
  uint32_t from_hop = kNoHop;
  if (seed) {
    take_.clear();
    take_.push_back({amount, 0});
    totals_.seeded += amount;
    ++totals_.seeds;
    if (from != kNoId) from_hop = HopFor(from, HopKind::kSource, 0, kNoHop, ts);
  } else if (from_state != kNoHop) {
    Active& st = states_[from_state];
    from_hop = st.hop;
    ++st.out_pos;
    Take(&st, amount);
    SyncRemaining(st);
  } else {
    take_.clear();
  }

  Money taint = 0, follow = 0;
  uint8_t min_depth = kClean;
  for (const Lot& l : take_) {
    if (l.depth == kClean) continue;
    taint += l.amount;
    if (l.depth < opt_.max_depth) {
      follow += l.amount;
      min_depth = std::min(min_depth, l.depth);
    }
  }

  uint32_t to_state = FindActive(to);
  if (taint > 0) {
    TraceHop* fh = from_hop != kNoHop ? &hops_[from_hop] : nullptr;
    if (fh) NoteOut(fh, ts);
    Money small_ok = seed ? 0 : opt_.min_amount;
    if (to == kNoId) {
      // A withdrawal: the account's own cash-out, counted whatever the depth.
      if (taint < small_ok) {
        if (fh) fh->dropped_small += taint;
        totals_.dropped_small += taint;
      } else {
        if (fh) fh->cashed_out += taint;
        totals_.cashed_out += taint;
        edges_.push_back({i, from_hop, kNoHop, taint});
      }
      follow = 0;
    } else {
      Money beyond = taint - follow;
      if (beyond > 0) {
        if (fh) fh->beyond_depth += beyond;
        totals_.beyond_depth += beyond;
      }
      if (follow > 0 && follow < small_ok) {
        if (fh) fh->dropped_small += follow;
        totals_.dropped_small += follow;
        follow = 0;
      }
      if (follow > 0) {
        uint8_t depth = static_cast<uint8_t>(min_depth + 1);
        uint32_t h;
        if (IsSource(to)) {
          h = HopFor(to, HopKind::kSource, 0, from_hop, ts);
          totals_.returned += follow;
        } else if (!g_->IsInternal(to)) {
          h = HopFor(to, HopKind::kOutside, depth, from_hop, ts);
          totals_.outside += follow;
        } else {
          h = HopFor(to, HopKind::kAccount, depth, from_hop, ts);
          if (to_state == kNoHop) to_state = Activate(to, h, i);
          else ++states_[to_state].in_pos;  // checked later: skip the advance below
        }
        hops_[h].received += follow;
        if (from_hop != kNoHop) hops_[from_hop].sent += follow;
        edges_.push_back({i, from_hop, h, follow});
        // Only followed taint stays taint at the receiver; the rest is clean.
        push_.clear();
        for (const Lot& l : take_) {
          bool f = l.depth != kClean && l.depth < opt_.max_depth;
          AppendSeg(&push_, 0, l.amount, f ? static_cast<uint8_t>(l.depth + 1) : kClean);
        }
        if (to_state != kNoHop) {
          Push(&states_[to_state], push_);
          SyncRemaining(states_[to_state]);
        }
        to_state = kNoHop;  // the receiver side is done
      }
    }
  }
  if (to_state != kNoHop) {
    // A replayed receiver of money we do not follow: it arrives as clean.
    Active& st = states_[to_state];
    ++st.in_pos;
    push_.clear();
    AppendSeg(&push_, 0, amount, kClean);
    Push(&st, push_);
  }

  if (from_state != kNoHop) {
    Active& st = states_[from_state];
    TraceHop& h = hops_[st.hop];
    Money held = st.taint;
    // Below the minimum nothing this account sends would be followed: write
    // the rest off rather than replay the account to the end.
    if (held < opt_.min_amount || held == 0) {
      if (held > 0) {
        h.dropped_small += held;
        totals_.dropped_small += held;
        totals_.remaining -= held;
        h.remaining = 0;
      }
      Deactivate(from_state);
    }
  }
}

}  // namespace interdict
