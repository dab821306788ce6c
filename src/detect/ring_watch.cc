#include "detect/ring_watch.h"

#include "base/dense_table.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <cmath>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

namespace interdict {
namespace {

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Entity marks.
constexpr uint8_t kFlagged = 1;  // flagged or stopped by some detector: never flagged again here
constexpr uint8_t kWatched = 2;  // a flagged or one-sided heavy caller: its calls enter the call graph

// Devices remembered per graph vertex (the first few seen operating it): a
// gang record links them. Four covers a mule's phone and a spare.
using DeviceSlots = std::array<DeviceId, 4>;
void AddDevice(DeviceSlots& d, DeviceId dev) {
  for (DeviceId& x : d) {
    if (x == dev) return;
    if (x == kNoId) {
      x = dev;
      return;
    }
  }
}

// Edges held back until the period ends; a batch this large is handed over at
// once anyway, so a burst never holds more than this in memory.
constexpr size_t kMaxPending = 1 << 16;

}  // namespace

struct RingWatch::State {
  State(const Dictionaries* d, const RingWatchConfig& c, SharedState* shared) : dicts(d), cfg(c) {
    nums = NumberParts<RingNumber, &NumberRecord::ring>(&SharedOrOwn(shared, &own_state)->numbers);
    RingOptions mo;
    mo.min_density_ratio = cfg.money_min_ratio;
    mo.min_size = cfg.min_size;
    RingOptions co = mo;
    co.min_density_ratio = cfg.calls_min_ratio;
    graphs[0].det = std::make_unique<RingDetector>(mo);
    graphs[1].det = std::make_unique<RingDetector>(co);
  }

  const Dictionaries* dicts;
  RingWatchConfig cfg;
  Verdicts* out = nullptr;  // the caller's, during Apply and Finish
  RingWatchStats stats;

  // Graph 0: money (entities = AccountId), graph 1: calls (entities = MsisdnId).
  // The detector's vertices are local ids in order of first appearance: the
  // interners' ids cover every account and number of the data set, and the
  // graph's average density (the ring threshold's base) must be taken over
  // the vertices that have an edge, not diluted by all the others.
  struct Graph {
    std::unique_ptr<RingDetector> det;
    absl::flat_hash_map<uint32_t, uint32_t> local_of;
    std::vector<uint32_t> entity_of;
    uint32_t Local(uint32_t entity) {
      auto [it, added] = local_of.try_emplace(entity, static_cast<uint32_t>(entity_of.size()));
      if (added) entity_of.push_back(entity);
      return it->second;
    }
    std::vector<WeightedEdge> pending;
    uint64_t unread = 0;  // edges handed over since the rings were last read
    absl::flat_hash_map<uint32_t, DeviceSlots> devices;
    absl::flat_hash_map<uint32_t, uint32_t> gang_of;  // member -> index in gangs
  };
  Graph graphs[2];

  DenseTable<PersonId> account_person;
  DenseTable<AccountKind> account_kind;
  DenseTable<uint8_t> account_marks;
  // Per number (holder, saturating lifetime calls, marks): the rings' part of
  // the run's per-number records (state/number.h).
  std::unique_ptr<SharedState> own_state;  // when not given one (`govern` alone)
  NumberParts<RingNumber, &NumberRecord::ring> nums{nullptr};
  uint8_t NumberMarks(MsisdnId n) const { return n < nums.size() ? nums[n].marks : uint8_t{0}; }
  PersonId Holder(int graph, uint32_t v) const {
    if (graph == 0) return Get(account_person, v, kNoId);
    return v < nums.size() ? nums[v].person : kNoId;
  }
  int64_t period = -1;

  struct Gang {
    std::string id;
    int graph = 0;
    Ts first = 0, last = 0;
    double density = 0, ratio = 0;
    std::vector<std::pair<uint32_t, Ts>> members;  // in detection order
    std::vector<uint8_t> flagged_here;             // aligned: watched member (flagged or flaggable)
  };
  std::vector<Gang> gangs;

  bool Watched(MsisdnId n) const { return NumberMarks(n) & kWatched; }

  void Push(int g, uint32_t src, uint32_t dst, DeviceId dev) {
    Graph& gr = graphs[g];
    gr.pending.push_back({gr.Local(src), gr.Local(dst), 1.0f});
    if (dev != kNoId) AddDevice(gr.devices.try_emplace(src, DeviceSlots{kNoId, kNoId, kNoId, kNoId}).first->second, dev);
    if (gr.pending.size() >= kMaxPending) Flush(g);
  }

  void Flush(int g) {
    Graph& gr = graphs[g];
    if (gr.pending.empty()) return;
    const double t0 = ThreadCpuSeconds();
    gr.det->AddEdges(gr.pending);
    stats.detector_seconds += ThreadCpuSeconds() - t0;
    (g == 0 ? stats.money_edges : stats.call_edges) += gr.pending.size();
    gr.unread += gr.pending.size();
    gr.pending.clear();
  }

  void OnCall(const Call& c) {
    if (c.caller == kNoId || c.callee == kNoId) return;
    RingNumber& caller = At(nums, c.caller);  // ChunkedTable: stays valid as the callee's entry grows it
    RingNumber& callee = At(nums, c.callee);
    uint16_t& out = caller.calls_out;
    if (out < UINT16_MAX) ++out;
    uint16_t& in = callee.calls_in;
    if (in < UINT16_MAX) ++in;
    uint8_t& mark = caller.marks;
    const uint32_t in_caller = caller.calls_in;
    if (!(mark & kWatched) && out >= cfg.call_min_out && out >= cfg.call_min_out_share * (out + in_caller))
      mark |= kWatched;  // sticky: see RingWatchConfig::call_min_out
    if (cfg.calls && Watched(c.caller)) Push(1, c.caller, c.callee, c.caller_imei);
  }

  void OnTransfer(const Transfer& t) {
    if (!cfg.money || t.kind != TransferKind::kTransfer || t.from == kNoId || t.to == kNoId || t.from == t.to) return;
    if (Get(account_kind, t.from, AccountKind::kUnknown) != AccountKind::kPersonal ||
        Get(account_kind, t.to, AccountKind::kUnknown) != AccountKind::kPersonal)
      return;
    Push(0, t.from, t.to, t.device);
  }

  // The period ended (or the data did): hand over the edges, read the rings.
  void Tick(Ts ts, bool final = false) {
    ++stats.ticks;
    for (int g = 0; g < 2; ++g) {
      Flush(g);
      if (ReadDue(g, final)) ReadRings(g, ts);
    }
  }

  // Reading the rings costs O(V) plus a peeling of the threshold core, so it
  // waits until enough has changed: new edges at least read_min_growth of the
  // graph (and 64), or any at the end of the data. On a small graph the
  // average density is not yet a baseline: nothing is read before
  // min_graph_edges.
  bool ReadDue(int g, bool final) const {
    const Graph& gr = graphs[g];
    const uint64_t e = gr.det->peeler().graph().NumEdges();
    if (gr.unread == 0 || e < cfg.min_graph_edges) return false;
    return final || gr.unread >= std::max<uint64_t>(64, static_cast<uint64_t>(cfg.read_min_growth * e));
  }

  void ReadRings(int g, Ts ts) {
    Graph& gr = graphs[g];
    gr.unread = 0;
    const double t0 = ThreadCpuSeconds();
    std::vector<Ring> rings = gr.det->CurrentRings(cfg.rings_per_graph);
    stats.read_seconds += ThreadCpuSeconds() - t0;
    ++stats.reads;
    for (Ring& r : rings) {
      if (!r.is_ring || r.members.size() > cfg.max_size) continue;
      const std::vector<uint8_t> flaggable = Flaggable(g, r.members);
      for (uint32_t& v : r.members) v = gr.entity_of[v];  // local ids back to entities
      uint32_t marked = 0;
      for (uint32_t v : r.members)
        marked += ((g == 0 ? Get(account_marks, v, uint8_t{0}) : NumberMarks(v)) & kFlagged) != 0;
      if (marked < cfg.min_flagged_members) continue;
      const uint32_t gi = MatchGang(g, r, ts);
      if (gi == UINT32_MAX) continue;
      Gang& gang = gangs[gi];
      gang.last = ts;
      if (r.ratio > gang.ratio) {
        gang.ratio = r.ratio;
        gang.density = r.density;
      }
      for (size_t i = 0; i < r.members.size(); ++i) {
        const uint32_t v = r.members[i];
        auto [it, added] = gr.gang_of.try_emplace(v, gi);
        if (!added) continue;  // already in this or an earlier gang
        gang.members.push_back({v, ts});
        gang.flagged_here.push_back(flaggable[i]);
        if (flaggable[i] && cfg.flag_members) Flag(g, v, gang, r, ts);
      }
    }
  }

  // Which members of a ring (local ids) are the gang's own and may be flagged.
  // Money: an account that received from another member (mules pass money
  // on to each other and to cash-out); one that only pays into the ring is a
  // payer (a victim paying several mules, many times) and is linked, not
  // flagged. Calls: a watched caller; a callee that is not (a victim the
  // ring's numbers all called) is a contact.
  std::vector<uint8_t> Flaggable(int g, const std::vector<uint32_t>& local) const {
    const Graph& gr = graphs[g];
    std::vector<uint8_t> out(local.size(), 0);
    if (g == 1) {
      for (size_t i = 0; i < local.size(); ++i) out[i] = Watched(gr.entity_of[local[i]]);
      return out;
    }
    absl::flat_hash_set<uint32_t> in_ring(local.begin(), local.end());
    const SuspicionGraph& graph = gr.det->peeler().graph();
    for (size_t i = 0; i < local.size(); ++i)
      for (const SuspicionGraph::Adj& a : graph.Neighbors(local[i]))
        if (!a.out() && in_ring.contains(a.nbr())) {
          out[i] = 1;
          break;
        }
    return out;
  }

  // The gang a ring belongs to: the existing gang of this graph holding most of
  // its members, if that is at least half of the ring or of the gang (rings
  // grow and shift as edges arrive); else a new gang.
  uint32_t MatchGang(int g, const Ring& r, Ts ts) {
    absl::flat_hash_map<uint32_t, uint32_t> overlap;
    for (uint32_t v : r.members)
      if (auto it = graphs[g].gang_of.find(v); it != graphs[g].gang_of.end()) ++overlap[it->second];
    uint32_t best = UINT32_MAX, best_n = 0;
    for (auto [gi, n] : overlap)
      if (n > best_n || (n == best_n && gi < best)) best = gi, best_n = n;
    if (best != UINT32_MAX &&
        (2 * best_n >= r.members.size() || 2 * best_n >= gangs[best].members.size()))
      return best;
    // Mostly members of other gangs: not a gang of its own.
    uint32_t fresh = 0;
    for (uint32_t v : r.members) fresh += !graphs[g].gang_of.contains(v);
    if (fresh < cfg.min_size) return UINT32_MAX;
    Gang gang;
    gang.id = fmt::format("RG{}", gangs.size() + 1);
    gang.graph = g;
    gang.first = gang.last = ts;
    gangs.push_back(std::move(gang));
    ++stats.gangs;
    return static_cast<uint32_t>(gangs.size() - 1);
  }

  void Flag(int g, uint32_t v, const Gang& gang, const Ring& r, Ts ts) {
    uint8_t& mark = g == 0 ? At(account_marks, v) : At(nums, v).marks;
    if (mark & kFlagged) return;
    mark |= kFlagged;
    Action a;
    a.ts = ts;
    a.type = g == 0 ? ActionType::kFlagAccount : ActionType::kFlagNumber;
    a.target_kind = g == 0 ? TargetKind::kAccount : TargetKind::kMsisdn;
    a.target = std::string(g == 0 ? dicts->account.Name(v) : dicts->msisdn.Name(v));
    // Score: how far above the threshold the ring stands, 0.6 at it, 0.95 at
    // three times it.
    const double thr = g == 0 ? cfg.money_min_ratio : cfg.calls_min_ratio;
    a.score = std::clamp(0.6 + 0.175 * (r.ratio / std::max(thr, 1e-9) - 1.0), 0.6, 0.95);
    a.reason = fmt::format("ring:{}+density:{:.1f}", gang.id, r.ratio);
    (g == 0 ? stats.flagged_accounts : stats.flagged_numbers)++;
    out->push_back(std::move(a));
  }
};

RingWatch::RingWatch(const Dictionaries* dicts, const RingWatchConfig& cfg, SharedState* shared)
    : s_(std::make_unique<State>(dicts, cfg, shared)) {}
RingWatch::~RingWatch() = default;

void RingWatch::Prefetch(const Event& e) const {
  const State& s = *s_;
  if (e.kind == EventKind::kCall) {
    PrefetchAt(s.nums, e.call.caller);
    PrefetchAt(s.nums, e.call.callee);
  } else if (e.kind == EventKind::kTransfer) {
    PrefetchAt(s.account_kind, e.transfer.from);
    PrefetchAt(s.account_kind, e.transfer.to);
  }
}

void RingWatch::Apply(const Event& e, Verdicts* out) {
  State& s = *s_;
  s.out = out;
  const int64_t p = s.cfg.period_s > 0 ? e.ts / s.cfg.period_s : 0;
  if (s.period < 0 || p < s.period) {
    s.period = std::max(s.period, p);  // a late event never moves the period back
  } else if (p > s.period) {
    s.period = p;
    s.Tick(e.ts);
  }
  switch (e.kind) {
    case EventKind::kSimCard:
      if (e.sim.msisdn != kNoId) At(s.nums, e.sim.msisdn).person = e.sim.person;
      break;
    case EventKind::kBankAccount:
      if (e.account.account != kNoId) {
        At(s.account_person, e.account.account, kNoId) = e.account.person;
        At(s.account_kind, e.account.account, AccountKind::kUnknown) = e.account.kind;
      }
      break;
    case EventKind::kCall:
      s.OnCall(e.call);
      break;
    case EventKind::kTransfer:
      s.OnTransfer(e.transfer);
      break;
    default:
      break;
  }
  s.out = nullptr;
}

void RingWatch::Note(const Fact& f, Verdicts*) {
  if (f.kind != Fact::Kind::kActionSent || !f.action) return;
  State& s = *s_;
  const Action& a = *f.action;
  switch (a.type) {
    case ActionType::kFlagNumber: {
      const uint32_t n = s.dicts->msisdn.Find(a.target);
      if (n != kNoId) At(s.nums, n).marks |= kFlagged | kWatched;
      break;
    }
    case ActionType::kFlagAccount:
    case ActionType::kStopPayment:
    case ActionType::kFreeze: {
      const uint32_t acc = s.dicts->account.Find(a.target);
      if (acc != kNoId) At(s.account_marks, acc) |= kFlagged;
      break;
    }
    default:
      break;
  }
}

void RingWatch::Finish(Ts end, Verdicts* out) {
  s_->out = out;
  s_->Tick(end, true);
  s_->out = nullptr;
}

const RingWatchStats& RingWatch::stats() const { return s_->stats; }

std::vector<GangRecord> RingWatch::Gangs() const {
  const State& s = *s_;
  // Holders' other accounts and numbers: one scan of the holder arrays for the
  // persons of all gangs together.
  absl::flat_hash_map<PersonId, std::vector<uint32_t>> person_accounts, person_numbers;
  for (const State::Gang& g : s.gangs)
    for (auto [v, ts] : g.members) {
      const PersonId p = s.Holder(g.graph, v);
      if (p != kNoId) person_accounts[p], person_numbers[p];
    }
  for (uint32_t a = 0; a < s.account_person.size(); ++a)
    if (auto it = person_accounts.find(s.account_person[a]); it != person_accounts.end()) it->second.push_back(a);
  for (uint32_t n = 0; n < s.nums.size(); ++n)
    if (s.nums[n].person == kNoId) {
      continue;
    } else if (auto it = person_numbers.find(s.nums[n].person); it != person_numbers.end()) {
      it->second.push_back(n);
    }

  std::vector<GangRecord> out;
  for (const State::Gang& g : s.gangs) {
    GangRecord r;
    r.gang_id = g.id;
    r.graph = g.graph == 0 ? "money" : "calls";
    r.first_ts = g.first;
    r.last_ts = g.last;
    r.size = static_cast<uint32_t>(g.members.size());
    r.density = g.density;
    r.ratio = g.ratio;
    const char* member_kind = g.graph == 0 ? "account" : "msisdn";
    const Interner& names = g.graph == 0 ? s.dicts->account : s.dicts->msisdn;
    // kind|id: each entity is listed once, in its first role (members come
    // first, so a holder's account that is itself a member stays a member).
    absl::flat_hash_set<std::string> seen;
    auto add = [&](const char* kind, std::string id, const char* role, Ts ts) {
      if (id.empty() || !seen.insert(fmt::format("{}|{}", kind, id)).second) return;
      r.members.push_back({kind, std::move(id), role, ts});
    };
    for (size_t i = 0; i < g.members.size(); ++i)
      add(member_kind, std::string(names.Name(g.members[i].first)), g.flagged_here[i] ? "member" : g.graph == 0 ? "payer" : "contact",
          g.members[i].second);
    for (size_t i = 0; i < g.members.size(); ++i) {
      const auto [v, ts] = g.members[i];
      const PersonId p = s.Holder(g.graph, v);
      if (p != kNoId && g.flagged_here[i]) {
        add("person", std::string(s.dicts->person.Name(p)), "holder", ts);
        if (auto it = person_accounts.find(p); it != person_accounts.end())
          for (uint32_t a : it->second)
            add("account", std::string(s.dicts->account.Name(a)), "holder_account", ts);
        if (auto it = person_numbers.find(p); it != person_numbers.end())
          for (uint32_t n : it->second)
            add("msisdn", std::string(s.dicts->msisdn.Name(n)), "holder_number", ts);
      }
      if (auto it = s.graphs[g.graph].devices.find(v); it != s.graphs[g.graph].devices.end())
        for (DeviceId d : it->second)
          if (d != kNoId) add("device", std::string(s.dicts->device.Name(d)), "device", ts);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace interdict
