// Money tracing: follow a victim's payments forward in time through every
// account the money reaches (docs/tracing.md has the model and examples).
//
// The trace replays, in (ts, index) order, every transfer into or out of an
// account that holds traced money, from the moment the money arrived up to
// the trace's `now`. Each replayed account keeps a balance model:
//
//   kFifo         a queue of lots, clean and traced, in arrival order; money
//                 that came in first goes out first. Clean money already in
//                 the account when the traced money arrives leaves before it.
//   kTaintFirst   evaluation.md section 3 (the scorer's replay): only traced
//                 lots are queued and every outflow takes them first (oldest
//                 first), then clean money. The most pessimistic model: money
//                 moves on as soon as anything leaves.
//   kProportional every outflow carries traced money in proportion to the
//                 traced share of the balance at that moment.
//
// Opening balances are unknown. Only observed inflows count: when traced
// money first arrives at an account, the clean money ahead of it is the
// account's observed balance (inflows minus outflows, never below zero)
// replayed over the `lookback_s` before the arrival (at most the last
// `lookback_events` flows, which bounds the cost at hubs); an outflow larger than
// the observed balance takes all of it and the rest is unobserved clean money.
//
// Bounds: money leaving an account at depth `max_depth` to another account is
// not followed (beyond_depth); a transfer carrying less than `min_amount` of
// traced money is not followed, and an account whose traced money falls below
// `min_amount` is written off (dropped_small) and no longer replayed. Seed
// transfers are always followed. Withdrawals (cash-outs), outside accounts and
// money returning to a seed's sender end the path.
//
// Conservation: seeded == remaining + cashed_out + outside + returned +
// dropped_small + beyond_depth, exactly (integer fen).
//
// Operation:
//   TransferGraph g; ... g.Add(event) ...
//   MoneyTrace t = MoneyTrace::FromAccount(g, victim, since, now, opt);
//   for (const TraceHop& h : t.hops()) ...
//   // live case: the engine adds a new transfer, then
//   t.Extend(g.Add(ts, transfer));
//
// Ownership: a MoneyTrace borrows the graph (which must outlive it and may
// only grow) and owns its hops, edges and replay state. Thread safety: none;
// a trace may be read by several threads while nobody extends it or adds to
// its graph.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "graph/transfer_graph.h"

namespace interdict {

enum class AttributionModel : uint8_t { kFifo, kTaintFirst, kProportional };
std::string_view ToString(AttributionModel m);

struct TraceOptions {
  AttributionModel model = AttributionModel::kFifo;
  int max_depth = 6;                    // 1..64; seeds' receivers are depth 1
  Money min_amount = 10'000;            // fen (100 yuan)
  Ts lookback_s = 30 * 86'400;          // clean-balance estimate window...
  uint32_t lookback_events = 10'000;    // ...and at most this many of the latest flows (0: no cap)
  uint64_t max_steps = 100'000'000;     // replayed transfers before the trace gives up (truncated)
};

inline constexpr uint32_t kNoHop = 0xffffffffu;

enum class HopKind : uint8_t {
  kSource,    // a seed's sender (the victim): depth 0
  kAccount,   // an internal account: replayed
  kOutside,   // an account without a bank_accounts row: the path ends
};
std::string_view ToString(HopKind k);

// One account the traced money reached. Amounts are traced money (fen).
struct TraceHop {
  AccountId account = kNoId;
  HopKind kind = HopKind::kAccount;
  uint8_t depth = 0;           // fewest hops from a source
  uint32_t first_parent = kNoHop;  // the hop it was first reached from (tree drawing)
  Money received = 0;          // arrived (sources: returned to them)
  Money remaining = 0;         // still here at the trace's now (internal accounts)
  Money sent = 0;              // moved on to followed accounts (incl. outside)
  Money cashed_out = 0;        // withdrawn
  Money dropped_small = 0;     // left in pieces below min_amount, or written off
  Money beyond_depth = 0;      // sent on from depth max_depth, not followed
  Ts first_in = kNoTs;
  Ts first_out = kNoTs;        // first time traced money left (any way)
  Ts last_out = kNoTs;
  std::vector<uint32_t> parents;  // distinct hop indices money came from
};

// One transfer that carried followed traced money.
struct TraceEdge {
  TransferIndex transfer = kNoTransfer;
  uint32_t from_hop = kNoHop;
  uint32_t to_hop = kNoHop;  // kNoHop for a withdrawal (cash-out)
  Money traced = 0;
};

struct TraceTotals {
  Money seeded = 0;
  Money remaining = 0;
  Money cashed_out = 0;
  Money outside = 0;
  Money returned = 0;
  Money dropped_small = 0;
  Money beyond_depth = 0;
  uint32_t seeds = 0;
  uint64_t steps = 0;       // transfers replayed
  bool truncated = false;   // max_steps reached: amounts are as of the stop
};

enum class ExtendResult : uint8_t {
  kUnaffected,   // the transfer touches no replayed account: nothing changed
  kExtended,     // applied to the trace
  kOutOfOrder,   // sorts before the trace's now, a transfer touching a
                 // replayed account was skipped, an invalid index, or the
                 // trace was truncated: the trace is unchanged; recompute it
  kRejected,     // AddSeed: the seed's sender is an account the trace replays
};

class MoneyTrace {
 public:
  // The victim is `account`: every transfer out of it with ts in [since, now]
  // is a seed, and later outflows passed to Extend are seeds too.
  static MoneyTrace FromAccount(const TransferGraph& g, AccountId account, Ts since, Ts now,
                                const TraceOptions& opt);
  // Seeds are the given transfers (e.g. a case's hop-1 transfers); those with
  // ts > now are ignored, duplicates and invalid indices too.
  static MoneyTrace FromSeeds(const TransferGraph& g, std::span<const TransferIndex> seeds, Ts now,
                              const TraceOptions& opt);

  // Live update. `i` is a transfer of the graph that sorts after every
  // transfer the trace has seen, typically the one just added. Transfers must
  // be passed in (ts, index) order and none touching a replayed account may be
  // skipped (passing ones that touch nothing is cheap). Advances now to its ts.
  // Cost: the lots it moves, plus a lookback replay if it reaches a new account.
  ExtendResult Extend(TransferIndex i);
  // Makes `i` a seed and applies it (same ordering rules as Extend).
  ExtendResult AddSeed(TransferIndex i);

  const std::vector<TraceHop>& hops() const { return hops_; }
  const std::vector<TraceEdge>& edges() const { return edges_; }
  const TraceTotals& totals() const { return totals_; }
  const TraceOptions& options() const { return opt_; }
  Ts now() const { return now_; }
  // Hop index of an account, kNoHop if the money never reached it.
  uint32_t FindHop(AccountId a) const;
  const TransferGraph& graph() const { return *g_; }

 private:
  struct Lot {
    Money amount;
    uint8_t depth;  // kClean for clean money
  };
  static constexpr uint8_t kClean = 0xff;
  // An account being replayed.
  struct Active {
    AccountId account;
    uint32_t hop;
    uint32_t in_pos;   // next position in InTo(account)
    uint32_t out_pos;  // next position in OutOf(account)
    uint32_t head = 0; // first live lot
    Money clean = 0;   // clean money (kProportional only; kFifo keeps clean lots)
    Money taint = 0;   // traced money held
    std::vector<Lot> lots;
  };
  struct Key {
    Ts ts;
    TransferIndex i;
    bool operator<(const Key& o) const { return ts < o.ts || (ts == o.ts && i < o.i); }
    bool operator==(const Key&) const = default;
  };

  MoneyTrace(const TransferGraph& g, const TraceOptions& opt, Ts now);
  void Run(std::vector<TransferIndex> seeds);
  // Applies transfer i to both ends (the one step shared by Run and Extend).
  void Step(TransferIndex i, bool seed);
  Key KeyOf(TransferIndex i) const { return {g_->ts(i), i}; }
  // The next unreplayed transfer of an active account, if any (sorted key).
  bool NextKey(AccountId a, const Active& s, Key* k) const;
  uint32_t HopFor(AccountId a, HopKind kind, uint8_t depth, uint32_t parent, Ts ts);
  // Starts replaying `a` just after transfer `arriving`; returns its state index.
  uint32_t Activate(AccountId a, uint32_t hop, TransferIndex arriving);
  uint32_t FindActive(AccountId a) const;
  Money ObservedBalanceBefore(AccountId a, TransferIndex i) const;
  // Takes `amount` out of the account's model into take_ (ordered segments).
  void Take(Active* s, Money amount);
  void Push(Active* s, std::span<const Lot> segs);
  void Deactivate(uint32_t state);
  // Copies an account's traced balance to its hop and the totals.
  void SyncRemaining(const Active& st);
  bool IsSeed(TransferIndex i) const;
  bool After(Key k) const { return k.ts > last_ts_ || (k.ts == last_ts_ && static_cast<int64_t>(k.i) > last_i_); }
  // Checks that `i` is the next transfer of every replayed account it touches.
  bool InSequence(TransferIndex i) const;
  void NoteOut(TraceHop* h, Ts ts);
  void AddParent(uint32_t hop, uint32_t parent);
  bool IsSource(AccountId a) const { return sources_.contains(a); }

  const TransferGraph* g_;
  TraceOptions opt_;
  Ts now_;
  Ts last_ts_ = kNoTs;  // (last_ts_, last_i_): the last key applied; Extend
  int64_t last_i_ = -1; // accepts only keys after it
  AccountId victim_ = kNoId;  // FromAccount: outflows from here at >= since_ are seeds
  Ts since_ = kNoTs;
  std::vector<TraceHop> hops_;
  std::vector<TraceEdge> edges_;
  TraceTotals totals_;
  absl::flat_hash_map<AccountId, uint32_t> hop_of_;
  // Replay states live in a pool addressed by index: Step holds two at once
  // while activating a third, so no pointers into a rehashing map.
  absl::flat_hash_map<AccountId, uint32_t> active_;
  std::vector<Active> states_;
  std::vector<uint32_t> free_states_;
  absl::flat_hash_set<AccountId> sources_;
  absl::flat_hash_set<TransferIndex> seed_set_;  // FromSeeds / AddSeed
  absl::flat_hash_set<uint64_t> parent_pairs_;   // (hop << 32 | parent) already linked
  std::vector<Lot> take_;  // scratch: the segments of the current outflow
  std::vector<Lot> push_;  // scratch
  std::vector<std::pair<Key, AccountId>> heap_;  // Run's event queue (min-heap)
};

}  // namespace interdict
