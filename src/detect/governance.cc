#include "detect/governance.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include "base/dense_table.h"

namespace interdict {

double BinomialUpperTail(uint64_t k, uint64_t n, double q) {
  if (k == 0) return 1.0;
  if (k > n || !(q > 0)) return 0.0;
  if (q >= 1) return 1.0;
  // Sum the pmf from k upward in log space; terms decrease once i > n q.
  const double lq = std::log(q), lr = std::log1p(-q), nd = static_cast<double>(n);
  auto log_pmf = [&](double i) {
    return std::lgamma(nd + 1.0) - std::lgamma(i + 1.0) - std::lgamma(nd - i + 1.0) + i * lq + (nd - i) * lr;
  };
  const double first = log_pmf(static_cast<double>(k));
  double sum = 0, log_term = first;
  for (uint64_t i = k; i <= n; ++i) {
    const double t = std::exp(log_term - first);
    sum += t;
    if (static_cast<double>(i) > nd * q && t < 1e-12 * sum) break;
    // pmf(i+1) / pmf(i) = (n - i) / (i + 1) * q / (1 - q)
    log_term += std::log(nd - static_cast<double>(i)) - std::log(static_cast<double>(i) + 1.0) + lq - lr;
  }
  return std::min(1.0, std::exp(first) * sum);
}

namespace {

struct SimOpen {
  Ts ts;
  MsisdnId msisdn;
  OperatorId op;
  OutletId outlet;
};
struct AccountOpen {
  Ts ts;
  AccountId account;
  BankId bank;
};

struct PersonState {
  std::vector<SimOpen> sims;
  std::vector<AccountOpen> accounts;
  bool seller = false;      // flagged
  bool weak_batch = false;  // a small SIM batch waiting for a misused card
  bool over_limit = false;  // more SIMs at one operator than the law allows, waiting for a misused card
  bool account_batch = false;  // an account batch waiting for a misused account
  bool exposed = false;
};

// Openings of SIM cards and of bank accounts are two populations with their
// own bad rates (in the simulated 1M province 1.6e-4 and 6.5e-5): an outlet is
// compared with the rate of the kind of openings it makes.
enum OpeningKind : uint8_t { kSimOpening = 0, kAccountOpening = 1 };

struct OutletState {
  uint64_t openings[2] = {0, 0};
  uint64_t bad[2] = {0, 0};
  bool flagged = false;
};

struct Inflow {
  Ts ts;
  Money amount;
  AccountId from;
};

// Money that came into an account along a path of amount-keeping passes:
// path[0] started it, path[len-1] sent it here, `amount` is what arrived.
// See FollowFlow.
// 11 accounts: cycles of up to 12 (AMLSim's have up to 10), in 64 bytes.
constexpr int kMaxFlowPath = 11;
struct FlowToken {
  Ts ts;
  Money amount;
  std::array<AccountId, kMaxFlowPath> path;
  uint8_t len;
};
static_assert(sizeof(FlowToken) == 64);

struct AccountState {
  PersonId holder = kNoId;
  OutletId branch = kNoId;
  Ts opened = kNoTs;
  bool known = false;  // has a bank_accounts row
  bool business = false;
  bool flagged = false;
  bool counted_outlet = false;
  bool reverified = false;
  bool passthrough = false;
  bool on_mule_phone = false;
  // Its holder was exposed to a flagged number (PersonState::exposed, kept
  // here too so that a transfer does not wait for the holder's entry).
  bool holder_exposed = false;
  uint16_t probes = 0;
  bool engine_suspect = false;  // stop-paid or flagged by the engine's money response (Fact::kSuspectAccount)
  uint16_t pair_probes = 0;  // of probes: both accounts new
  uint16_t exposed_payers = 0;
  uint16_t from_mules = 0;  // transfers received from flagged mule accounts
  Money from_mules_amount = 0;
  Money in_total = 0;   // everything received, deposits included
  uint32_t payments_in = 0, small_payments_in = 0;  // transfers received; of them at most shop_max_payment
  Money out_total = 0;  // everything sent or withdrawn, shop payments included
  Ts first_activity = kNoTs;
  // Vectors, not deques: an empty std::deque allocates its map and a node
  // (~600 bytes), and most of millions of accounts never pass money on.
  std::vector<Inflow> window;  // inflows within mule_window_s
  std::vector<std::pair<Ts, Money>> outs;  // outflows within mule_window_s
  std::vector<AccountId> senders;  // distinct payers in the window (small)
  DeviceId device = kNoId;         // last device operating it
  // Rings (see RingLinks): parent among ring members, the root its own;
  // kNoId while not in a ring. ring_size is valid at the root.
  AccountId ring = kNoId;
  uint32_t ring_size = 0;
  uint32_t ring_ends = 0;  // at the root: the members' counterparties, summed
  uint32_t p2p = kNoId;    // index of its P2pState, once it made a person-to-person transfer
  AccountId ring_link = kNoId;  // a member of the ring it is tied to (TestRingLink), if any
  uint8_t ring_links = 0;       // how many of that ring's members it dealt with
  uint8_t cycle_len = 0;   // on an amount-keeping cycle of this many accounts
};

// What the ring and cycle finders keep of an account's person-to-person
// transfers, only for accounts that made one (most accounts only pay shops
// and platforms).
struct P2pState {
  // Counterparties: the newest kMaxPeers distinct ones, and the count of
  // distinct ones (one that left the list counts as new when it comes back,
  // which only makes the ring test stricter).
  uint32_t npeers = 0;
  // Its person-to-person transfers between personal accounts, and of them
  // the tiny ones (under probe_max): the rare-probe test (RareProbeTail).
  uint32_t transfers = 0, tiny = 0;
  std::vector<AccountId> peers;
  std::vector<FlowToken> flows;  // newest kMaxFlows within flow_window_s
};

struct CellCount {
  CellId cell;
  uint32_t n;
};

// What a flagged handset was found to be.
enum class DenKind : uint8_t {
  kNone = 0,
  kSimBox,     // many SIMs calling out, in one place or in a burst
  kRotation,   // a fraud phone cycling through bought SIMs
  kMulePhone,  // operating the accounts of several holders
  kGangPhone,  // ran two or more SIMs flagged as fraud numbers
};
// Its SIMs are the gang's (flagged with it), unlike a mule phone's accounts.
constexpr bool RunsGangSims(DenKind k) {
  return k == DenKind::kSimBox || k == DenKind::kRotation || k == DenKind::kGangPhone;
}

// Sets are small vectors: nearly every handset runs one SIM and operates at
// most a couple of accounts; only boxes and mule phones reach hundreds.
// The SIMs a multi-SIM handset ran within its current window (the burst
// rule of SIM boxes). Allocated when a handset first runs a second SIM.
struct DeviceWindow {
  Ts start = kNoTs;
  std::vector<MsisdnId> sims;  // sorted
};

struct DeviceState {
  MsisdnId sim0 = kNoId;          // the first SIM it ran, inline: most handsets run one
  std::vector<MsisdnId> sims;     // every SIM it ran, sorted, once it has run a second
  std::unique_ptr<DeviceWindow> window;  // once it has run a second SIM
  // Distinct caller cells (capped), counted once it runs a second SIM: only
  // multi-SIM handsets are judged, and a one-SIM phone then costs no heap.
  std::vector<CellCount> cells;
  uint32_t calls = 0;
  std::vector<AccountId> accounts;  // from_accounts it operated
  std::vector<PersonId> holders;            // distinct holders of those accounts (capped)
  bool flagged = false;
  bool mule_phone = false;
  DenKind kind = DenKind::kNone;
};

}  // namespace

struct GovernanceDetector::State {
  const Dictionaries* dicts;
  GovernanceConfig cfg;
  Verdicts* out = nullptr;  // the caller's, during a call of the public interface
  GovernanceStats* stats;

  ChunkedTable<PersonState> persons;
  // Governance's part of the run's per-number records (state/number.h).
  std::unique_ptr<SharedState> own_state;  // when not given one (`govern` alone)
  NumberParts<GovernanceNumber, &NumberRecord::gov> msisdns{nullptr};
  ChunkedTable<AccountState> accounts;
  DenseTable<OutletState> outlets;
  ChunkedTable<DeviceState> devices;  // by DeviceId
  uint64_t total_openings[2] = {0, 0};
  uint64_t total_bad[2] = {0, 0};
  // Openings and bad cards of outlets already flagged: left out of the base
  // rate, which is the rate of honest outlets.
  uint64_t flagged_openings[2] = {0, 0};
  uint64_t flagged_bad[2] = {0, 0};
  absl::flat_hash_set<uint64_t> bad_pairs;  // (outlet, holder) counted once
  // Rings: the members of each ring, by root; accounts with a counterparty.
  absl::flat_hash_map<AccountId, std::vector<AccountId>> ring_members;
  DenseTable<P2pState> p2p;  // by AccountState::p2p
  const P2pState kNoP2p{};
  uint64_t peer_ends = 0;  // counterparties summed over all accounts (two per pair)
  std::vector<AccountId> ring_work;  // members whose counterparties are to be re-tested
  // Ends of person-to-person transfers between personal accounts at accounts
  // not flagged as mules, and of them tiny ones: the ordinary rate of tiny
  // transfers (a flagged account's ends leave it, as a flagged outlet's
  // openings leave the outlets' base rate).
  uint64_t p2p_ends = 0, tiny_ends = 0;
  Ts first_transfer = kNoTs;  // the data's first transfer: how long its transfers span (IsNew)

  // Entries by id, growing on demand; references stay valid (ChunkedTable).
  AccountState& Acc(AccountId a) { return At(accounts, a); }
  GovernanceNumber& Msisdn(MsisdnId m) { return At(msisdns, m); }
  bool call_ends_known = false;  // a kCallEnded fact has come: the engine reports call ends
  DeviceState& Dev(DeviceId d) { return At(devices, d); }
  PersonState& Person(PersonId p) { return At(persons, p); }

  void Send(Ts ts, ActionType type, TargetKind tk, std::string target, double score, std::string reason) {
    Action a;
    a.ts = ts;
    a.type = type;
    a.target_kind = tk;
    a.target = std::move(target);
    a.score = std::clamp(score, 0.0, 1.0);
    a.reason = std::move(reason);
    out->push_back(std::move(a));
  }
  static std::string Name(const Interner& in, uint32_t id) {
    return id < in.size() ? std::string(in.Name(id)) : std::string();
  }

  // ---------------- card sellers ----------------
  // The holder of a mule account sold or rented it (the "card-breaking"
  // campaign's account seller): flagged, and their other cards re-verified.
  // A holder whose account was taken over is cleared by that re-verification.
  void MuleHolder(PersonId p, Ts ts) {
    if (cfg.flag_mule_holders && p != kNoId && !Person(p).seller) FlagSeller(p, ts, 0.6, "holds_mule_account");
  }
  void FlagSeller(PersonId p, Ts ts, double score, const std::string& reason) {
    PersonState& ps = Person(p);
    if (ps.seller) return;
    ps.seller = true;
    ++stats->sellers;
    Send(ts, ActionType::kFlagPerson, TargetKind::kPerson, Name(dicts->person, p), score, reason);
    for (const SimOpen& so : ps.sims) ReverifySim(so.msisdn, ts);
    for (const AccountOpen& ao : ps.accounts) ReverifyAccount(ao.account, ts);
  }
  void ReverifySim(MsisdnId m, Ts ts) {
    GovernanceNumber& ms = Msisdn(m);
    if (ms.reverified) return;
    ms.reverified = true;
    Send(ts, ActionType::kReverifySim, TargetKind::kMsisdn, Name(dicts->msisdn, m), 0.8, "seller_card");
  }
  void ReverifyAccount(AccountId a, Ts ts) {
    AccountState& as = Acc(a);
    if (as.reverified) return;
    as.reverified = true;
    Send(ts, ActionType::kReverifyAccount, TargetKind::kAccount, Name(dicts->account, a), 0.8, "seller_card");
  }

  void OnSimOpen(const Event& e) {
    const SimCardOpen& o = e.sim;
    if (o.msisdn == kNoId) return;
    GovernanceNumber& m = Msisdn(o.msisdn);
    m.holder = o.person;
    m.outlet = o.outlet;
    m.opened = e.ts;
    CountOpening(o.outlet, kSimOpening);
    if (o.person == kNoId) return;
    PersonState& ps = Person(o.person);
    ps.sims.push_back({e.ts, o.msisdn, o.op, o.outlet});
    if (ps.seller) {
      ReverifySim(o.msisdn, e.ts);
      return;
    }
    // Batch: openings within the window ending now (the list is in ts order).
    int in_window = 0, same_op = 0;
    std::vector<uint32_t> outlets_seen, ops_seen;
    for (const SimOpen& so : ps.sims) {
      if (so.op == o.op) ++same_op;
      if (so.ts + cfg.batch_window_s < e.ts) continue;
      ++in_window;
      if (std::find(outlets_seen.begin(), outlets_seen.end(), so.outlet) == outlets_seen.end())
        outlets_seen.push_back(so.outlet);
      if (std::find(ops_seen.begin(), ops_seen.end(), so.op) == ops_seen.end()) ops_seen.push_back(so.op);
    }
    const int spread = static_cast<int>(std::max(outlets_seen.size(), ops_seen.size()));
    if (in_window >= cfg.seller_sims_batch && spread >= cfg.seller_batch_spread) {
      FlagSeller(o.person, e.ts, std::min(1.0, 0.6 + 0.05 * in_window),
                 fmt::format("sim_batch:{}+spread:{}", in_window, spread));
    } else if (o.op != kNoId && same_op >= cfg.seller_sims_per_operator) {
      // Over the legal 5 at one operator, but a business or a family head
      // registers a fleet's or a household's cards too (independent-dev has
      // six innocent holders for each seller of this kind): flagged once
      // one of the cards is misused.
      ps.over_limit = true;
      for (const SimOpen& so : ps.sims)
        if (Msisdn(so.msisdn).bad) {
          FlagSeller(o.person, e.ts, 0.8, fmt::format("sim_over_limit:{}+misused", same_op));
          break;
        }
    } else if (in_window >= cfg.seller_weak_sims) {
      ps.weak_batch = true;
      // A card of the batch may already be bad.
      for (const SimOpen& so : ps.sims)
        if (Msisdn(so.msisdn).bad) {
          FlagSeller(o.person, e.ts, 0.7, fmt::format("sim_batch:{}+misused", in_window));
          break;
        }
    }
  }

  void OnAccountOpen(const Event& e) {
    const BankAccountOpen& o = e.account;
    if (o.account == kNoId) return;
    AccountState& a = Acc(o.account);
    a.holder = o.person;
    a.branch = o.branch;
    a.opened = e.ts;
    a.known = true;
    a.business = o.kind == AccountKind::kBusiness;
    CountOpening(o.branch, kAccountOpening);
    if (o.person == kNoId) return;
    PersonState& ps = Person(o.person);
    ps.accounts.push_back({e.ts, o.account, o.bank});
    a.holder_exposed = ps.exposed;
    if (ps.seller) {
      ReverifyAccount(o.account, e.ts);
      return;
    }
    if (a.business) return;  // a business opens accounts for its own reasons
    std::vector<uint32_t> banks;
    for (const AccountOpen& ao : ps.accounts) {
      if (ao.ts + cfg.batch_window_s < e.ts) continue;
      if (Acc(ao.account).business) continue;
      if (std::find(banks.begin(), banks.end(), ao.bank) == banks.end()) banks.push_back(ao.bank);
    }
    // Many people open accounts at several banks at once (a move, a new
    // job), so a batch alone is not enough: it waits for one of its accounts
    // to be misused (AccountMisused).
    if (static_cast<int>(banks.size()) >= cfg.seller_accounts_batch) {
      ps.account_batch = true;
      for (const AccountOpen& ao : ps.accounts)
        if (Acc(ao.account).flagged) {
          FlagSeller(o.person, e.ts, 0.75, fmt::format("account_batch:{}+misused", banks.size()));
          break;
        }
    }
  }

  // ---------------- bad cards and insider outlets ----------------
  void BadSim(MsisdnId m, Ts ts) {
    GovernanceNumber& ms = Msisdn(m);
    if (ms.bad) return;
    ms.bad = true;
    if (ms.holder == kNoId) return;  // off-net: no opening to blame
    PersonState& ps = Person(ms.holder);
    if (!ps.seller && ps.weak_batch) FlagSeller(ms.holder, ts, 0.7, "sim_batch+misused");
    if (!ps.seller && ps.over_limit) FlagSeller(ms.holder, ts, 0.8, "sim_over_limit+misused");
    if (!ps.seller && DormantElsewhere(ms, ps)) FlagSeller(ms.holder, ts, 0.7, "dormant_card_misused");
    if (ps.seller) ReverifySim(m, ts);
    if (ms.outlet == kNoId) return;
    ms.counted_outlet = true;
    CountBad(ms.outlet, ms.holder, kSimOpening, ts);
  }
  // A card that slept for weeks after its opening and woke up bad on a
  // handset none of its holder's other SIMs ever used: the holder sold it.
  // (An insider's card wakes within days of an opening the holder never
  // made; its outlet answers for it, not the holder.)
  bool DormantElsewhere(const GovernanceNumber& ms, const PersonState& ps) {
    if (ms.opened == kNoTs || ms.first_active == kNoTs || ms.device == kNoId) return false;
    if (ms.first_active - ms.opened < cfg.dormant_min_s) return false;
    if (ms.outlet != kNoId && At(outlets, ms.outlet).flagged) return false;
    for (const SimOpen& so : ps.sims) {
      const GovernanceNumber& other = Msisdn(so.msisdn);
      if (&other != &ms && other.device == ms.device) return false;
    }
    return true;
  }
  void BadAccount(AccountId a, Ts ts) {
    AccountState& as = Acc(a);
    if (!as.known || as.counted_outlet || as.holder == kNoId || as.branch == kNoId) return;
    as.counted_outlet = true;
    CountBad(as.branch, as.holder, kAccountOpening, ts);
  }
  void CountOpening(OutletId o, OpeningKind kind) {
    ++total_openings[kind];
    if (o == kNoId) return;
    OutletState& os = At(outlets, o);
    ++os.openings[kind];
    if (os.flagged) ++flagged_openings[kind];
  }
  // Evidence against an outlet is counted per holder: a seller's batch at
  // one outlet is one decision of the clerk, not several independent ones.
  void CountBad(OutletId o, PersonId holder, OpeningKind kind, Ts ts) {
    if (!bad_pairs.insert((static_cast<uint64_t>(o) << 32) | holder).second) return;
    OutletState& os = At(outlets, o);
    ++os.bad[kind];
    ++total_bad[kind];
    if (os.flagged) ++flagged_bad[kind];
    TestOutlet(o, ts);
  }
  // The insider test: does this outlet turn out bad cards more often than
  // the honest outlets? Exact conditional test for two Poisson rates (the
  // C-test): if the outlet is honest, its openings of kind κ go bad at the
  // same rate as those of every other outlet not flagged (flagged insiders
  // are left out, so that three busy insiders do not raise everyone's
  // baseline), so given the K_κ bad cards of the outlet and those others
  // together, the outlet's share is Binomial(K_κ, n_κ / (n_κ + N_κ)). No base
  // rate is estimated, so the test stays exact with few bad cards known (a
  // small province, the first hours of a run) and for small outlets.
  // The outlet is flagged when P(X >= k) is at most insider_alpha: each
  // honest outlet is then flagged with probability at most insider_alpha,
  // whatever the number of outlets (the target is a rate, at most 1 false
  // outlet per 500 outlets, not a family-wise error, which a growing
  // province would make ever stricter).
  void TestOutlet(OutletId o, Ts ts) {
    OutletState& os = At(outlets, o);
    const uint64_t k = os.bad[0] + os.bad[1];
    if (os.flagged || static_cast<int>(k) < cfg.insider_min_bad) return;
    uint64_t trials[2] = {0, 0};
    double share[2] = {0, 0}, expected = 0;
    for (int kind = 0; kind < 2; ++kind) {
      if (os.openings[kind] == 0) continue;
      // With very few bad cards of a kind known, they come from one or two
      // gangs' first moves and are not yet a picture of the honest outlets.
      if (total_bad[kind] < static_cast<uint64_t>(cfg.insider_min_total_bad)) return;
      const uint64_t others_n = total_openings[kind] - os.openings[kind] - flagged_openings[kind];
      trials[kind] = total_bad[kind] - flagged_bad[kind];  // this outlet's and the others'
      share[kind] = static_cast<double>(os.openings[kind]) / static_cast<double>(os.openings[kind] + others_n);
      expected += static_cast<double>(trials[kind]) * share[kind];
    }
    if (static_cast<double>(k) < cfg.insider_min_ratio * expected) return;
    double tail;
    if (os.openings[0] == 0 || os.openings[1] == 0) {
      const int kind = os.openings[0] ? 0 : 1;
      tail = BinomialUpperTail(k, trials[kind], share[kind]);
    } else {
      // An outlet opening both SIMs and accounts: P(X0 + X1 >= k) =
      // P(X0 >= k) + sum_{a<k} P(X0 = a) P(X1 >= k - a).
      tail = BinomialUpperTail(k, trials[0], share[0]);
      for (uint64_t a = 0; a < k; ++a) {
        const double p0 = BinomialUpperTail(a, trials[0], share[0]) - BinomialUpperTail(a + 1, trials[0], share[0]);
        tail += std::max(0.0, p0) * BinomialUpperTail(k - a, trials[1], share[1]);
      }
    }
    if (tail > cfg.insider_alpha) return;
    os.flagged = true;
    for (int kind = 0; kind < 2; ++kind) {
      flagged_openings[kind] += os.openings[kind];
      flagged_bad[kind] += os.bad[kind];
    }
    ++stats->outlets;
    const double score = std::min(1.0, 0.5 + 0.05 * -std::log10(std::max(tail, 1e-300)));
    Send(ts, ActionType::kFlagOutlet, TargetKind::kOutlet, Name(dicts->outlet, o), score,
         fmt::format("bad_openings:{}/{}+expected:{:.2f}+p:{:.1e}", k, os.openings[0] + os.openings[1], expected,
                     tail));
  }

  // ---------------- devices ----------------
  void OnCall(const Event& e) {
    const Call& c = e.call;
    if (c.caller != kNoId) {
      GovernanceNumber& m = Msisdn(c.caller);
      ++m.out_calls;
      if (m.first_active == kNoTs) m.first_active = e.ts;
      if (m.device == kNoId) m.device = c.caller_imei;
    }
    if (c.callee != kNoId) {
      GovernanceNumber& m = Msisdn(c.callee);
      ++m.in_calls;
      if (m.first_active == kNoTs) m.first_active = e.ts;
    }
    if (c.caller_imei == kNoId || c.caller == kNoId) return;
    DeviceState& d = Dev(c.caller_imei);
    ++d.calls;
    bool new_sim;
    if (d.sim0 == kNoId || d.sim0 == c.caller) {
      new_sim = d.sim0 == kNoId;
      d.sim0 = c.caller;
    } else {
      if (d.sims.empty()) d.sims.push_back(d.sim0);
      new_sim = InsertSortedUnique(d.sims, c.caller);
    }
    if (!d.sims.empty()) {
      // The window opens when the handset first runs a second SIM (with the
      // first one in it), and again at the first call after it lapses.
      if (!d.window) {
        d.window = std::make_unique<DeviceWindow>();
        d.window->start = e.ts;
        d.window->sims.push_back(d.sim0);
      } else if (e.ts - d.window->start >= cfg.simbox_window_s) {
        d.window->start = e.ts;
        d.window->sims.clear();
      }
      InsertSortedUnique(d.window->sims, c.caller);
    }
    if (c.caller_cell != kNoId && !d.sims.empty()) {
      auto it = std::find_if(d.cells.begin(), d.cells.end(), [&](const CellCount& x) { return x.cell == c.caller_cell; });
      if (it != d.cells.end()) {
        ++it->n;
      } else if (d.cells.size() < 16) {
        d.cells.push_back({c.caller_cell, 1});
      }
    }
    if (d.flagged) {
      if (new_sim) DeviceSim(c.caller_imei, d, c.caller, e.ts);
      return;
    }
    if (new_sim && Msisdn(c.caller).fraud_number && FlaggedSimsPhone(c.caller_imei, d, e.ts)) return;
    // Decide when the SIM count grows and every 32 calls after that.
    if (static_cast<int>(d.sims.size()) < cfg.phone_min_sims) return;
    if (!new_sim && d.calls % 32 != 0) return;
    uint64_t out = 0, in = 0;
    for (MsisdnId m : d.sims) {
      out += Msisdn(m).out_calls;
      in += Msisdn(m).in_calls;
    }
    const double out_share = out + in ? static_cast<double>(out) / static_cast<double>(out + in) : 0;
    // Cold calls from a box or a rotating phone are mostly not answered; an
    // enterprise gateway's or a courier's shared phone's calls are answered
    // at business rates. Only calls that have ended count (their length is
    // known then: events.md, "What is known when").
    uint64_t ended = 0, answered = 0;
    for (MsisdnId m : d.sims) {
      ended += Msisdn(m).ended_calls;
      answered += Msisdn(m).answered_calls;
    }
    // Judged on enough ended calls: an unanswered call ends at once, an
    // answered one minutes later, so the first few to end are mostly the
    // unanswered ones.
    // Without the engine (`interdict govern`) no call's end is reported and
    // the answer rate is not judged.
    if (call_ends_known && (ended < static_cast<uint64_t>(cfg.simbox_min_ended_calls) ||
                            static_cast<double>(answered) > cfg.simbox_max_answer_rate * static_cast<double>(ended)))
      return;
    // Lines all registered to one holder who is not a flagged card seller
    // are that subscriber's own equipment (a company's SIM bank in its call
    // gateway: real-name rules put a business's lines under one
    // registration), not bought cards. A seller's batch in a gang's phone is
    // still judged (the seller is flagged when the batch is opened across
    // outlets or operators, before its cards call).
    if (OneSubscribersLines(
            d.sims, [&](MsisdnId m) { return Msisdn(m).holder; }, [&](PersonId p) { return Person(p).seller; }))
      return;
    // SIM boxes are judged here and nowhere else: a box that stays put by
    // its SIMs over its life, one that moves by its burst within a window.
    const int nsims = static_cast<int>(d.sims.size());
    const int ncells = static_cast<int>(d.cells.size());
    const int wsims = d.window ? static_cast<int>(d.window->sims.size()) : 0;
    if (nsims >= cfg.simbox_min_sims && ncells <= cfg.simbox_max_cells && out_share >= cfg.simbox_min_out_share) {
      FlagDevice(c.caller_imei, d, DenKind::kSimBox, e.ts,
                 std::min(1.0, 0.7 + 0.01 * nsims),
                 fmt::format("simbox+sims:{}+out:{:.2f}", nsims, out_share));
    } else if (cfg.simbox_window_min_sims > 0 && wsims >= cfg.simbox_window_min_sims &&
               out_share >= cfg.simbox_window_min_out_share) {
      FlagDevice(c.caller_imei, d, DenKind::kSimBox, e.ts, std::min(1.0, 0.7 + 0.01 * nsims),
                 fmt::format("simbox+window_sims:{}+sims:{}+out:{:.2f}", wsims, nsims, out_share));
    } else if (static_cast<int>(d.calls) >= cfg.phone_min_calls && out_share >= cfg.phone_min_out_share) {
      FlagDevice(c.caller_imei, d, DenKind::kRotation, e.ts, std::min(1.0, 0.6 + 0.04 * nsims),
                 fmt::format("sim_rotation+sims:{}+out:{:.2f}", nsims, out_share));
    }
  }
  CellId MainCell(const DeviceState& d) const {
    CellId best = kNoId;
    uint32_t n = 0;
    for (const CellCount& c : d.cells)
      if (c.n > n) best = c.cell, n = c.n;
    return best;
  }
  void FlagDevice(DeviceId id, DeviceState& d, DenKind kind, Ts ts, double score, std::string reason) {
    d.flagged = true;
    d.kind = kind;
    if (kind == DenKind::kSimBox) ++stats->simboxes;
    if (kind == DenKind::kRotation || kind == DenKind::kGangPhone) ++stats->fraud_phones;
    if (kind == DenKind::kMulePhone) ++stats->mule_phones;
    const CellId cell = MainCell(d);
    if (cell != kNoId) reason += "+cell:" + Name(dicts->cell, cell);
    Send(ts, ActionType::kFlagDevice, TargetKind::kImei, Name(dicts->device, id), score, reason);
    if (RunsGangSims(kind)) {
      std::vector<MsisdnId> sims(d.sims.begin(), d.sims.end());
      std::sort(sims.begin(), sims.end());  // deterministic output order
      for (MsisdnId m : sims) DeviceSim(id, d, m, ts);
    }
  }
  // A handset on which phone_min_flagged_sims distinct SIMs flagged as fraud
  // numbers have called: a gang's phone whatever its volume (a gang moves
  // its phones from SIM to SIM as the SIMs burn; an innocent's phone seldom
  // carries one wrongly flagged number, let alone two). Checked when a SIM is
  // flagged (on the first handset it called from) and when a flagged SIM
  // first calls from a handset. Its other SIMs are the gang's too. Returns
  // whether the device is now flagged.
  bool FlaggedSimsPhone(DeviceId id, DeviceState& d, Ts ts) {
    if (d.flagged || cfg.phone_min_flagged_sims <= 0) return d.flagged;
    int flagged = 0;
    if (d.sims.empty()) {
      flagged = d.sim0 != kNoId && Msisdn(d.sim0).fraud_number;
    } else {
      for (MsisdnId m : d.sims) flagged += Msisdn(m).fraud_number;
    }
    if (flagged < cfg.phone_min_flagged_sims) return false;
    FlagDevice(id, d, DenKind::kGangPhone, ts, std::min(1.0, 0.7 + 0.05 * flagged), fmt::format("flagged_sims:{}", flagged));
    return true;
  }
  void DeviceSim(DeviceId, const DeviceState& d, MsisdnId m, Ts ts) {
    if (!RunsGangSims(d.kind)) return;
    GovernanceNumber& ms = Msisdn(m);
    if (cfg.flag_device_sims && !ms.fraud_number) {
      ms.fraud_number = true;
      ++stats->numbers;
      Send(ts, ActionType::kFlagNumber, TargetKind::kMsisdn, Name(dicts->msisdn, m),
           d.kind == DenKind::kSimBox ? 0.9 : 0.75,
           d.kind == DenKind::kSimBox     ? "simbox_sim"
           : d.kind == DenKind::kRotation ? "rotation_sim"
                                          : "gang_phone_sim");
    }
    BadSim(m, ts);
  }

  // ---------------- mule accounts ----------------
  // Drops what left the window, and the oldest entries beyond kMaxWindow: an
  // account paid by hundreds of parties within hours is a collection point
  // whatever the oldest of them did, and every check over the window must
  // stay bounded for a merchant's or a platform's account. The distinct
  // payers are recounted when inflows left.
  static constexpr size_t kMaxWindow = 256;
  static void Prune(AccountState& a, Ts now, Ts window) {
    size_t i = 0;
    while (i < a.window.size() && a.window[i].ts + window < now) ++i;
    // At the cap, drop the older half at once: amortised O(1) per inflow.
    if (a.window.size() - i >= kMaxWindow) i = a.window.size() - kMaxWindow / 2;
    a.window.erase(a.window.begin(), a.window.begin() + static_cast<std::ptrdiff_t>(i));
    size_t j = 0;
    while (j < a.outs.size() && a.outs[j].first + window < now) ++j;
    if (a.outs.size() - j >= kMaxWindow) j = a.outs.size() - kMaxWindow / 2;
    a.outs.erase(a.outs.begin(), a.outs.begin() + static_cast<std::ptrdiff_t>(j));
    if (i > 0) RecountSenders(a);
  }
  // Distinct payers are only compared with fanin_min_senders: kMaxSenders of
  // them are "many".
  static constexpr size_t kMaxSenders = 16;
  static void AddSender(AccountState& b, AccountId from) {
    if (from != kNoId && b.senders.size() < kMaxSenders &&
        std::find(b.senders.begin(), b.senders.end(), from) == b.senders.end())
      b.senders.push_back(from);
  }
  static void RecountSenders(AccountState& b) {
    b.senders.clear();
    for (size_t k = b.window.size(); k-- > 0 && b.senders.size() < kMaxSenders;) AddSender(b, b.window[k].from);
  }
  // New: opened within new_account_s of now; or, once the data's transfers
  // span more than new_account_s, within new_account_s of the account's
  // first transfer in the data. A bought account is used within weeks of
  // its opening; in a data set of months (AMLSim: 149 days, every account
  // opened 30 days before its first transfer) an account's age keeps
  // growing while it does the same things, so what it was when it first
  // appeared is what counts. A week of data (the provinces) is judged by
  // age alone, as before.
  bool IsNew(const AccountState& a, Ts now) const {
    if (!a.known || a.opened == kNoTs) return false;
    if (now - a.opened <= cfg.new_account_s) return true;
    return first_transfer != kNoTs && now - first_transfer > cfg.new_account_s && a.first_activity != kNoTs &&
           a.first_activity - a.opened <= cfg.new_account_s;
  }
  // A shop's takings (a stall's QR code on a personal account): many
  // payments received, nearly all of them small. Victims pay savings.
  bool TakesSmallPayments(const AccountState& a) const {
    return static_cast<int>(a.payments_in) >= cfg.shop_min_payments &&
           static_cast<double>(a.small_payments_in) >= cfg.shop_small_share * static_cast<double>(a.payments_in);
  }
  // P(X >= k) for X ~ Binomial(n, r): k of the account's n person-to-person
  // transfers tiny, r the rate at accounts not flagged; 1 without a tiny one.
  double RareProbeTail(const AccountState& a) const {
    if (a.p2p == kNoId) return 1.0;
    const P2pState& p = p2p[a.p2p];
    if (p.tiny == 0 || p2p_ends == 0) return 1.0;
    const double r = static_cast<double>(tiny_ends) / static_cast<double>(p2p_ends);
    return BinomialUpperTail(p.tiny, p.transfers, r);
  }
  double MuleScore(const AccountState& a, Ts now, std::string* reason) const {
    double s = 0;
    auto add = [&](double w, std::string_view code) {
      s += w;
      if (!reason->empty()) *reason += '+';
      *reason += code;
    };
    if (a.passthrough) add(0.45, "pass_through");
    // A probe between two new accounts (a gang testing the accounts it
    // bought together) is strong; one with an old account is weak: red
    // envelopes and change between young people's accounts are everyday
    // (4 % of person-to-person transfers in independent-dev are under 10
    // yuan), so neither weight flags without further signs.
    // Where tiny transfers are rare, an account making more of them than the
    // data's ordinary rate allows is a probe whatever its age: it flags alone.
    // A stall's takings (small_payments, or a few yuan from several payers
    // within hours: fan-in) include a few yuan from passers-by: its tiny
    // transfers are trade, not probes.
    const bool shop = TakesSmallPayments(a);
    if (!shop && static_cast<int>(a.senders.size()) < cfg.fanin_min_senders &&
        RareProbeTail(a) <= cfg.probe_alpha) {
      const P2pState& p = p2p[a.p2p];
      add(cfg.mule_flag_score, fmt::format("probe_rare:{}/{}", p.tiny, p.transfers));
    } else if (a.pair_probes > 0) {
      add(cfg.probe_new_pair_weight, "probe_new_pair");
    } else if (a.probes > 0) {
      add(cfg.probe_weight, "probe");
    }
    // Like a pass-through: strong, but a family's old accounts passing a sum
    // round do it too; with a new account (bought for the job) or another
    // sign it flags.
    if (a.cycle_len > 0) add(0.45, fmt::format("cycle:{}", a.cycle_len));
    // Tied to a ring (TestRingLink): a pass-through's weight too. A victim
    // paying several of a gang's accounts is tied as well, from an old
    // account of its own; a mule's account is new or shows another sign.
    if (a.ring_links > 0) add(0.45, fmt::format("ring:{}", a.ring_links));
    if (static_cast<int>(a.senders.size()) >= cfg.fanin_min_senders) add(0.15, "fan_in");
    if (shop) add(-0.4, "small_payments");
    if (a.exposed_payers > 0) add(a.exposed_payers > 1 ? 0.6 : 0.35, "exposed_payer");
    if (a.from_mules > 0) add(0.2, "from_mule");
    if (a.on_mule_phone) add(0.3, "mule_phone");
    if (IsNew(a, now)) add(0.15, "new_account");
    if (a.business) add(-0.6, "business");
    return s;
  }
  void ScoreAccount(AccountId id, Ts ts) {
    AccountState& a = Acc(id);
    if (a.flagged || !a.known) return;
    std::string reason;
    const double s = MuleScore(a, ts, &reason);
    if (s < cfg.mule_flag_score) return;
    FlagMule(id, ts, s, std::move(reason));
  }
  void FlagMule(AccountId id, Ts ts, double s, std::string reason) {
    AccountState& a = Acc(id);
    a.flagged = true;
    ++stats->mules;
    if (a.p2p != kNoId) {  // its transfer ends leave the ordinary rate
      const P2pState& p = p2p[a.p2p];
      p2p_ends -= std::min<uint64_t>(p2p_ends, p.transfers);
      tiny_ends -= std::min<uint64_t>(tiny_ends, p.tiny);
    }
    Send(ts, ActionType::kFlagAccount, TargetKind::kAccount, Name(dicts->account, id), std::min(1.0, s),
         std::move(reason));
    EnsureRing(id);
    if (a.ring_link != kNoId) {
      ++stats->ring_mules;
      UnionRings(id, a.ring_link);  // queues it: its counterparties are re-tested
    }
    BadAccount(id, ts);
    if (a.holder != kNoId) {
      PersonState& ps = Person(a.holder);
      if (!ps.seller && ps.account_batch) FlagSeller(a.holder, ts, 0.75, "account_batch+misused");
      MuleHolder(a.holder, ts);
      if (ps.seller) ReverifyAccount(id, ts);
    }
    if (a.device != kNoId) CheckMulePhone(a.device, ts);
  }
  void CheckMulePhone(DeviceId id, Ts ts) {
    if (id >= devices.size()) return;
    DeviceState& d = devices[id];
    if (d.flagged && d.kind != DenKind::kMulePhone) return;
    const int n = static_cast<int>(d.accounts.size());
    if (!d.flagged) {
      if (static_cast<int>(d.holders.size()) < cfg.mule_phone_min_holders) return;
      int signs = 0, flagged = 0;
      for (AccountId a : d.accounts) {
        const AccountState& as = Acc(a);
        signs += as.flagged || as.engine_suspect || as.passthrough || as.pair_probes > 0;
        flagged += as.flagged || as.engine_suspect;
      }
      // Fewer accounts (a gang renting two or three cards with normal
      // histories) when several of them are mules already: one phone
      // operating other people's mule accounts.
      if (n < cfg.mule_phone_min_accounts && flagged < cfg.mule_phone_min_flagged) return;
      // Without a mule sign (a probe with an old account is none: red
      // envelopes), only more holders than a household shares a phone among:
      // a family handset runs its members' accounts, 6 or more of 3-5 holders.
      if (signs == 0 && (n < cfg.mule_phone_strong_accounts ||
                         static_cast<int>(d.holders.size()) < cfg.mule_phone_strong_holders))
        return;
      FlagDevice(id, d, DenKind::kMulePhone, ts, std::min(1.0, 0.5 + 0.06 * n),
                 fmt::format("accounts:{}+holders:{}+mule_signs:{}", n, d.holders.size(), signs));
    }
    std::vector<AccountId> accs(d.accounts.begin(), d.accounts.end());
    std::sort(accs.begin(), accs.end());
    for (AccountId a : accs) {
      AccountState& as = Acc(a);
      if (!as.on_mule_phone) {
        as.on_mule_phone = true;
        ScoreAccount(a, ts);
      }
    }
  }

  void OnTransfer(const Event& e) {
    const Transfer& t = e.transfer;
    const Ts now = e.ts;
    if (first_transfer == kNoTs) first_transfer = now;
    const bool p2p_transfer = t.kind == TransferKind::kTransfer && t.from != kNoId && t.to != kNoId &&
                              t.from != t.to && t.channel != Channel::kPos && t.channel != Channel::kThirdParty &&
                              !Acc(t.from).business && !Acc(t.to).business;
    if (p2p_transfer) {
      // Created here, before any reference into p2p is taken.
      P2pOf(t.from);
      P2pOf(t.to);
      // Between two personal accounts (bank_accounts rows): the rare-probe
      // counts, before the two are scored below.
      if (Acc(t.from).known && Acc(t.to).known) {
        const bool tiny = t.amount < cfg.probe_max;
        for (AccountId id : {t.from, t.to}) {
          P2pState& p = p2p[accounts[id].p2p];
          ++p.transfers;
          p.tiny += tiny;
          if (!accounts[id].flagged) {
            ++p2p_ends;
            tiny_ends += tiny;
          }
        }
      }
    }
    // Sender side.
    if (t.from != kNoId) {
      AccountState& a = Acc(t.from);
      if (a.first_activity == kNoTs) a.first_activity = now;
      Prune(a, now, cfg.mule_window_s);
      // Money sent on: transfers to accounts and cash; shop and platform
      // payments are spending, not layering.
      if (t.channel != Channel::kPos && t.channel != Channel::kThirdParty) a.outs.push_back({now, t.amount});
      a.out_total += t.amount;
      // Who operates an account: only a customer's own device (app, online);
      // POS terminals, ATMs and counters serve everyone.
      const bool personal_device = t.channel == Channel::kApp || t.channel == Channel::kOnline ||
                                   t.channel == Channel::kThirdParty || t.channel == Channel::kUnknown;
      // Mule phones run bought personal cards; a device that runs a firm's
      // business accounts is its treasury's or its accountant's.
      if (t.device != kNoId && a.known && !a.business && personal_device) {
        a.device = t.device;
        DeviceState& d = Dev(t.device);
        if (InsertSortedUnique(d.accounts, t.from)) {
          if (a.holder != kNoId && d.holders.size() < 16 &&
              std::find(d.holders.begin(), d.holders.end(), a.holder) == d.holders.end())
            d.holders.push_back(a.holder);
          CheckMulePhone(t.device, now);
        }
        if (d.flagged && d.kind == DenKind::kMulePhone && !a.on_mule_phone) a.on_mule_phone = true;
      }
      if (!a.passthrough) {
        Money in = 0, out = 0;
        for (const Inflow& f : a.window) in += f.amount;
        // Only what left after the money came counts as passing it on.
        const Ts first_in = a.window.empty() ? now + 1 : a.window.front().ts;
        for (const auto& o : a.outs)
          if (o.first >= first_in) out += o.second;
        // A mule has no money of its own: it never sends more than it got
        // (an ordinary account spends from a balance before anything comes in).
        const bool no_own_money =
            static_cast<double>(a.out_total) <= (1.0 + cfg.own_money_slack) * static_cast<double>(a.in_total);
        if (in >= cfg.mule_min_in && no_own_money &&
            static_cast<double>(out) >= cfg.mule_pass_share * static_cast<double>(in))
          a.passthrough = true;
      }
    }
    // Receiver side.
    if (t.to != kNoId) {
      AccountState& b = Acc(t.to);
      if (b.first_activity == kNoTs) b.first_activity = now;
      Prune(b, now, cfg.mule_window_s);
      // Only money from another party counts as money to pass on: a cash
      // deposit is the holder's own, a salary comes from a business.
      const bool other_party = t.kind == TransferKind::kTransfer && t.from != kNoId &&
                               !(Acc(t.from).known && Acc(t.from).business) &&
                               t.channel != Channel::kPos;
      if (other_party) {
        b.window.push_back({now, t.amount, t.from});
        AddSender(b, t.from);  // distinct payers within the window, up to kMaxSenders
      }
      b.in_total += t.amount;
      if (t.kind == TransferKind::kTransfer) {
        ++b.payments_in;
        b.small_payments_in += t.amount <= cfg.shop_max_payment;
      }
      if (t.from != kNoId) {
        const AccountState& a = Acc(t.from);
        if (a.flagged) {
          ++b.from_mules;
          b.from_mules_amount += t.amount;
        }
        // A victim pays savings, not a meal: an exposed person's small
        // purchase (at most shop_max_payment) is no sign against the payee.
        if (a.holder_exposed && t.amount > cfg.shop_max_payment && b.exposed_payers < 1000) ++b.exposed_payers;
        // A probe: a tiny transfer between two personal accounts (not a shop
        // payment), one of them new: how launderers test a bought account
        // before using it. Between two old accounts it is a family's change.
        if (t.kind == TransferKind::kTransfer && t.amount < cfg.probe_max && t.channel != Channel::kPos &&
            t.channel != Channel::kThirdParty && a.known && !a.business && b.known && !b.business &&
            (IsNew(a, now) || IsNew(b, now))) {
          ++b.probes;
          ++Acc(t.from).probes;
          if (IsNew(a, now) && IsNew(b, now)) {
            ++b.pair_probes;
            ++Acc(t.from).pair_probes;
          }
        }
      }
      if (!b.known) CheckCollector(t.to, now);
    }
    if (t.from != kNoId) ScoreAccount(t.from, now);
    if (t.to != kNoId) ScoreAccount(t.to, now);
    if (p2p_transfer) {
      FollowFlow(t.from, t.to, t.amount, now);
      RingLinks(t.from, t.to, t.amount, now);
    }
    // An account tied to a ring may have been flagged by any of the above
    // (joining the ring): its counterparties are re-tested now.
    DrainRingWork(now);
  }

  // ---------------- amount-keeping cycles ----------------
  // Round-tripping: money leaves an account and comes back to it through
  // others, each passing on what it received less a cut (at most
  // flow_max_cut), in time order within flow_window_s per pass. Ordinary
  // people forward similar sums to each other all the time, and three of
  // them passing a sum round happens, but a chain of flow_cycle_min_len or
  // more that closes on its start is a laundering shape (AMLSim's cycle
  // typology: each hop keeps the amount less a margin).
  // Each account keeps the newest kMaxFlows tokens of money that reached it
  // (its path of up to kMaxFlowPath accounts), so a transfer costs
  // O(kMaxFlows x kMaxFlowPath) whatever the history.
  static constexpr size_t kMaxFlows = 8;
  bool Passes(Money in, Money out) const {
    return static_cast<double>(out) <= (1.0 + cfg.flow_slack) * static_cast<double>(in) &&
           static_cast<double>(out) >= (1.0 - cfg.flow_max_cut) * static_cast<double>(in);
  }
  static void PushFlow(P2pState& a, const FlowToken& f) {
    if (a.flows.size() == kMaxFlows) a.flows.erase(a.flows.begin());
    a.flows.push_back(f);
  }
  void FollowFlow(AccountId u, AccountId v, Money amount, Ts now) {
    P2pState& from = p2p[accounts[u].p2p];
    size_t i = 0;
    while (i < from.flows.size() && from.flows[i].ts + cfg.flow_window_s < now) ++i;
    from.flows.erase(from.flows.begin(), from.flows.begin() + static_cast<std::ptrdiff_t>(i));
    FlowToken base{now, amount, {}, 1};
    base.path[0] = u;
    std::array<FlowToken, kMaxFlows + 1> out;
    size_t nout = 0;
    out[nout++] = base;
    for (const FlowToken& f : from.flows) {
      if (f.ts >= now || !Passes(f.amount, amount)) continue;
      if (f.path[0] == v) {
        if (f.len + 1 >= cfg.flow_cycle_min_len) {
          std::array<AccountId, kMaxFlowPath + 1> members;
          std::copy(f.path.begin(), f.path.begin() + f.len, members.begin());
          members[f.len] = u;
          MarkCycle(members.data(), f.len + 1u, now);
          return;
        }
        continue;
      }
      if (f.len >= kMaxFlowPath) continue;
      if (std::find(f.path.begin(), f.path.begin() + f.len, v) != f.path.begin() + f.len) continue;
      FlowToken g = f;
      g.ts = now;
      g.amount = amount;
      g.path[g.len++] = u;
      out[nout++] = g;
    }
    P2pState& to = p2p[accounts[v].p2p];
    for (size_t k = 0; k < nout; ++k) PushFlow(to, out[k]);
  }
  void MarkCycle(const AccountId* members, size_t n, Ts now) {
    for (size_t k = 0; k < n; ++k) {
      AccountState& a = accounts[members[k]];
      if (a.cycle_len == 0) a.cycle_len = static_cast<uint8_t>(n);
    }
    for (size_t k = 0; k < n; ++k) ScoreAccount(members[k], now);
    // The cycle's flagged members are one ring.
    for (size_t k = 1; k < n; ++k)
      if (accounts[members[0]].ring != kNoId && accounts[members[k]].ring != kNoId)
        UnionRings(members[0], members[k]);
  }

  // ---------------- rings ----------------
  // Launderers work in groups: the accounts of one pattern pay each other,
  // and an account whose own laundering transfers are not (yet) in the data
  // still deals with the group's members. A ring is a group of flagged
  // accounts tied by a tiny transfer between them (a probe: the test
  // transfer of a bought account), by a cycle, or by one account joining it
  // as below. An account that dealt with k >= ring_min_links distinct
  // members of one ring is tied to it (`ring:k` in MuleScore, the weight of
  // a pass-through) when that is unlikely for an ordinary account: with n
  // counterparties, each a member with chance q = the members' share of all
  // counterparty ends (members' counterparties / everyone's), P(X >= k) for
  // X ~ Binomial(n, q) must be at most ring_alpha. A busy account (many
  // counterparties) and a big ring need more links; one payment to a member
  // (an ordinary payer of a collection account) is never enough. Once
  // flagged, a tied account joins the ring and its counterparties are
  // re-tested, so a ring grows as far as the evidence goes and no further.
  // Cost: O(kMaxPeers) per transfer touching a ring, O(kMaxPeers^2) per
  // member joining.
  static constexpr size_t kMaxPeers = 32;
  // Created only at the start of a person-to-person transfer (P2pOf), so
  // that references taken after it stay valid while the transfer is handled.
  P2pState& P2pOf(AccountId id) {
    AccountState& a = accounts[id];
    if (a.p2p == kNoId) {
      a.p2p = static_cast<uint32_t>(p2p.size());
      p2p.emplace_back();
    }
    return p2p[a.p2p];
  }
  const P2pState& P2pIf(AccountId id) const {
    const uint32_t i = accounts[id].p2p;
    return i == kNoId ? kNoP2p : p2p[i];
  }
  void AddPeer(AccountId id, AccountId p) {
    P2pState& a = p2p[accounts[id].p2p];
    if (std::find(a.peers.begin(), a.peers.end(), p) != a.peers.end()) return;
    ++a.npeers;
    ++peer_ends;
    if (accounts[id].ring != kNoId) ++accounts[FindRing(id)].ring_ends;
    // The newest kMaxPeers: a busy account's links to a ring are recent ones.
    if (a.peers.size() == kMaxPeers) a.peers.erase(a.peers.begin());
    a.peers.push_back(p);
  }
  AccountId FindRing(AccountId x) {
    AccountId r = x;
    while (accounts[r].ring != r) {
      accounts[r].ring = accounts[accounts[r].ring].ring;  // path halving
      r = accounts[r].ring;
    }
    return r;
  }
  void EnsureRing(AccountId id) {
    AccountState& a = Acc(id);
    if (a.ring != kNoId) return;
    a.ring = id;
    a.ring_size = 1;
    a.ring_ends = P2pIf(id).npeers;
    ring_members[id].push_back(id);
  }
  void UnionRings(AccountId x, AccountId y) {
    AccountId rx = FindRing(x), ry = FindRing(y);
    if (rx == ry) return;
    if (accounts[rx].ring_size < accounts[ry].ring_size) std::swap(rx, ry);
    // ry (the smaller) goes under rx: its members' counterparties now face a
    // bigger ring and are re-tested.
    accounts[ry].ring = rx;
    accounts[rx].ring_size += accounts[ry].ring_size;
    accounts[rx].ring_ends += accounts[ry].ring_ends;
    std::vector<AccountId> moved = std::move(ring_members[ry]);
    ring_members.erase(ry);
    std::vector<AccountId>& into = ring_members[rx];
    into.insert(into.end(), moved.begin(), moved.end());
    ring_work.insert(ring_work.end(), moved.begin(), moved.end());
  }
  void RingLinks(AccountId from, AccountId to, Money amount, Ts now) {
    AddPeer(from, to);
    AddPeer(to, from);
    const AccountState& a = accounts[from];
    const AccountState& b = accounts[to];
    // A tiny transfer between two flagged accounts (a probe, or mules
    // passing a victim's few yuan on) ties their rings.
    if (amount < cfg.probe_max && a.flagged && b.flagged && a.ring != kNoId && b.ring != kNoId)
      UnionRings(from, to);
    if (b.ring != kNoId && a.ring == kNoId) TestRingLink(from, FindRing(to), now);
    if (a.ring != kNoId && accounts[to].ring == kNoId) TestRingLink(to, FindRing(from), now);
  }
  void DrainRingWork(Ts now) {
    while (!ring_work.empty()) {
      const AccountId m = ring_work.back();
      ring_work.pop_back();
      const AccountId root = FindRing(m);
      const std::vector<AccountId> peers = P2pIf(m).peers;  // a copy: TestRingLink may add to the list
      for (AccountId x : peers)
        if (accounts[x].ring == kNoId) TestRingLink(x, root, now);
    }
  }
  void TestRingLink(AccountId x, AccountId root, Ts now) {
    AccountState& a = accounts[x];
    if (a.flagged || !a.known || a.business || a.ring != kNoId) return;
    // A person warned of fraud who paid two of a gang's accounts is its victim.
    if (a.holder_exposed) return;
    int k = 0;
    const P2pState& pa = P2pIf(x);
    for (AccountId p : pa.peers) k += accounts[p].ring != kNoId && FindRing(p) == root;
    if (k < cfg.ring_min_links) return;
    // The chance that one counterparty of an ordinary account is a member:
    // the members' share of all counterparty ends (a collection account with
    // a hundred payers is met far more often than a quiet one).
    const double q = std::min(1.0, static_cast<double>(accounts[root].ring_ends) /
                                       static_cast<double>(std::max<uint64_t>(peer_ends, 1)));
    const double tail = BinomialUpperTail(static_cast<uint64_t>(k), std::max<uint64_t>(pa.npeers, k), q);
    if (tail > cfg.ring_alpha) return;
    a.ring_link = root;
    a.ring_links = static_cast<uint8_t>(std::min(k, 255));
    ScoreAccount(x, now);
  }
  void CheckCollector(AccountId id, Ts ts) {
    AccountState& b = Acc(id);
    if (b.flagged || b.from_mules < static_cast<uint16_t>(cfg.collector_min_mules)) return;
    if (static_cast<double>(b.from_mules_amount) < cfg.collector_min_share * static_cast<double>(b.in_total)) return;
    b.flagged = true;
    ++stats->collectors;
    Send(ts, ActionType::kFlagAccount, TargetKind::kAccount, Name(dicts->account, id), 0.7,
         fmt::format("collector+from_mules:{}", b.from_mules));
  }

  void Prefetch(const Event& e) const {
    switch (e.kind) {
      case EventKind::kCall:
        PrefetchAt(msisdns, e.call.caller);
        PrefetchAt(msisdns, e.call.callee);
        PrefetchAt(devices, e.call.caller_imei);
        break;
      case EventKind::kSms: PrefetchAt(msisdns, e.sms.sender); break;
      case EventKind::kTransfer:
        PrefetchAt(accounts, e.transfer.from);
        PrefetchAt(accounts, e.transfer.to);
        break;
      default: break;
    }
  }

  void Apply(const Event& e) {
    switch (e.kind) {
      case EventKind::kSimCard: OnSimOpen(e); break;
      case EventKind::kBankAccount: OnAccountOpen(e); break;
      case EventKind::kCall: OnCall(e); break;
      case EventKind::kSms:
        if (e.sms.sender != kNoId) {
          GovernanceNumber& m = Msisdn(e.sms.sender);
          ++m.out_calls;
          if (m.first_active == kNoTs) m.first_active = e.ts;
        }
        break;
      case EventKind::kTransfer: OnTransfer(e); break;
      case EventKind::kReport: break;
    }
  }
};

GovernanceDetector::GovernanceDetector(const Dictionaries* dicts, const GovernanceConfig& cfg, SharedState* shared)
    : s_(std::make_unique<State>()) {
  shared = SharedOrOwn(shared, &s_->own_state);
  s_->msisdns = NumberParts<GovernanceNumber, &NumberRecord::gov>(&shared->numbers);
  s_->dicts = dicts;
  s_->cfg = cfg;
  s_->stats = &stats_;
}
GovernanceDetector::~GovernanceDetector() = default;
void GovernanceDetector::Prefetch(const Event& e) const { s_->Prefetch(e); }

void GovernanceDetector::Apply(const Event& e, Verdicts* out) {
  s_->out = out;
  s_->Apply(e);
  s_->out = nullptr;
}

void GovernanceDetector::Note(const Fact& f, Verdicts* out) {
  if (f.id == kNoId) return;
  State& s = *s_;
  s.out = out;
  switch (f.kind) {
    case Fact::Kind::kNumberFlagged: {
      GovernanceNumber& ms = s.Msisdn(f.id);
      ms.fraud_number = true;
      s.BadSim(f.id, f.ts);
      if (!f.flag && ms.device != kNoId) s.FlaggedSimsPhone(ms.device, s.Dev(ms.device), f.ts);
      break;
    }
    case Fact::Kind::kSuspectAccount: {
      AccountState& as = s.Acc(f.id);
      if (as.engine_suspect) break;
      as.engine_suspect = true;
      if (as.device != kNoId) s.CheckMulePhone(as.device, f.ts);
      if (as.known && !as.business) s.MuleHolder(as.holder, f.ts);
      break;
    }
    case Fact::Kind::kCallEnded: {
      s.call_ends_known = true;
      GovernanceNumber& m = s.Msisdn(f.id);
      ++m.ended_calls;
      m.answered_calls += f.flag;
      break;
    }
    case Fact::Kind::kPersonExposed: {
      PersonState& ps = s.Person(f.id);
      if (ps.exposed) break;
      ps.exposed = true;
      for (const AccountOpen& ao : ps.accounts) s.Acc(ao.account).holder_exposed = true;
      break;
    }
    case Fact::Kind::kActionSent:
      break;
  }
  s.out = nullptr;
}

void GovernanceDetector::Finish(Ts end, Verdicts* out) {
  s_->out = out;
  // The base rate has settled: test every outlet with bad cards once more
  // (twice: flagging an insider lowers the honest rate the others face).
  for (int round = 0; round < 2; ++round)
    for (OutletId o = 0; o < s_->outlets.size(); ++o)
      if (s_->outlets[o].bad[0] + s_->outlets[o].bad[1] > 0) s_->TestOutlet(o, end);
  // The rate of tiny transfers has settled too (flagged mules left it): an
  // account with tiny transfers is scored once more.
  for (AccountId a = 0; a < s_->accounts.size(); ++a) {
    const AccountState& as = s_->accounts[a];
    if (as.flagged || !as.known || as.p2p == kNoId || s_->p2p[as.p2p].tiny == 0) continue;
    s_->ScoreAccount(a, end);
    s_->DrainRingWork(end);
  }
  s_->out = nullptr;
}

}  // namespace interdict
