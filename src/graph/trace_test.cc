// Hand-built money traces with known answers (worked out in the comments).
// Amounts in the comments are yuan; the code speaks fen (Y(x) = x yuan).
#include "graph/trace.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace interdict {
namespace {

constexpr Money Y(int64_t yuan) { return yuan * 100; }

// Accounts are small integers; every account below 100 is internal (has a
// bank_accounts row), 100 and above are outside accounts.
constexpr AccountId kV = 0, kV2 = 1, kA = 2, kB = 3, kC = 4, kD = 5, kM = 6, kN = 7, kX = 8, kY = 9, kZ = 10;
constexpr AccountId kOut = 100, kOut2 = 101;

class Builder {
 public:
  Builder() {
    for (AccountId a = 0; a < 100; ++a) g.MarkInternal(a);
  }
  TransferIndex T(Ts ts, AccountId from, AccountId to, Money amount) {
    Transfer t{};
    t.txn = next_txn_++;
    t.kind = TransferKind::kTransfer;
    t.channel = Channel::kApp;
    t.from = from;
    t.to = to;
    t.amount = amount;
    t.device = kNoId;
    return g.Add(ts, t);
  }
  TransferIndex Withdraw(Ts ts, AccountId from, Money amount) {
    Transfer t{};
    t.txn = next_txn_++;
    t.kind = TransferKind::kWithdrawal;
    t.channel = Channel::kAtm;
    t.from = from;
    t.to = kNoId;
    t.amount = amount;
    t.device = kNoId;
    return g.Add(ts, t);
  }
  TransferIndex Deposit(Ts ts, AccountId to, Money amount) {
    Transfer t{};
    t.txn = next_txn_++;
    t.kind = TransferKind::kDeposit;
    t.channel = Channel::kCounter;
    t.from = kNoId;
    t.to = to;
    t.amount = amount;
    t.device = kNoId;
    return g.Add(ts, t);
  }
  TransferGraph g;

 private:
  TxnId next_txn_ = 0;
};

TraceOptions Opt(AttributionModel m = AttributionModel::kFifo) {
  TraceOptions o;
  o.model = m;
  return o;
}

const TraceHop& Hop(const MoneyTrace& t, AccountId a) {
  uint32_t h = t.FindHop(a);
  if (h == kNoHop) {
    ADD_FAILURE() << "no hop for account " << a;
    static TraceHop none;
    return none;
  }
  return t.hops()[h];
}

void ExpectConserved(const MoneyTrace& t) {
  const TraceTotals& s = t.totals();
  EXPECT_EQ(s.seeded, s.remaining + s.cashed_out + s.outside + s.returned + s.dropped_small + s.beyond_depth);
  Money remaining = 0;
  for (const TraceHop& h : t.hops()) {
    remaining += h.remaining;
    if (h.kind == HopKind::kAccount) {
      EXPECT_EQ(h.received, h.remaining + h.sent + h.cashed_out + h.dropped_small + h.beyond_depth)
          << "account " << h.account;
    }
  }
  EXPECT_EQ(remaining, s.remaining);
}

// V -1000-> A -1000-> B -1000-> C -1000-> ATM: every yuan follows the chain.
TEST(TraceTest, StraightChainEndsInAtmCashOut) {
  Builder b;
  b.T(10, kV, kA, Y(1000));
  b.T(20, kA, kB, Y(1000));
  b.T(30, kB, kC, Y(1000));
  TransferIndex w = b.Withdraw(40, kC, Y(1000));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(t.totals().seeded, Y(1000));
  EXPECT_EQ(t.totals().seeds, 1u);
  EXPECT_EQ(t.totals().cashed_out, Y(1000));
  EXPECT_EQ(t.totals().remaining, 0);
  ASSERT_EQ(t.hops().size(), 4u);
  EXPECT_EQ(Hop(t, kV).kind, HopKind::kSource);
  EXPECT_EQ(Hop(t, kV).sent, Y(1000));
  const TraceHop& a = Hop(t, kA);
  EXPECT_EQ(a.depth, 1);
  EXPECT_EQ(a.received, Y(1000));
  EXPECT_EQ(a.sent, Y(1000));
  EXPECT_EQ(a.first_in, 10);
  EXPECT_EQ(a.first_out, 20);
  EXPECT_EQ(a.last_out, 20);
  EXPECT_EQ(a.parents, std::vector<uint32_t>{t.FindHop(kV)});
  EXPECT_EQ(Hop(t, kB).depth, 2);
  const TraceHop& c = Hop(t, kC);
  EXPECT_EQ(c.depth, 3);
  EXPECT_EQ(c.cashed_out, Y(1000));
  EXPECT_EQ(c.remaining, 0);
  ASSERT_EQ(t.edges().size(), 4u);
  EXPECT_EQ(t.edges().back().transfer, w);
  EXPECT_EQ(t.edges().back().to_hop, kNoHop);
  EXPECT_EQ(b.g.channel(w), Channel::kAtm);
  ExpectConserved(t);
}

// V -3000-> M, M splits 1000 each to X, Y, Z.
TEST(TraceTest, FanOutSplitsInThree) {
  Builder b;
  b.T(10, kV, kM, Y(3000));
  b.T(20, kM, kX, Y(1000));
  b.T(21, kM, kY, Y(1000));
  b.T(22, kM, kZ, Y(1000));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  for (AccountId a : {kX, kY, kZ}) {
    EXPECT_EQ(Hop(t, a).received, Y(1000));
    EXPECT_EQ(Hop(t, a).remaining, Y(1000));
    EXPECT_EQ(Hop(t, a).depth, 2);
    EXPECT_EQ(Hop(t, a).parents, std::vector<uint32_t>{t.FindHop(kM)});
  }
  EXPECT_EQ(Hop(t, kM).remaining, 0);
  EXPECT_EQ(Hop(t, kM).first_out, 20);
  EXPECT_EQ(Hop(t, kM).last_out, 22);
  EXPECT_EQ(t.totals().remaining, Y(3000));
  ExpectConserved(t);
}

// Two victims pay one mule: V1 1000 at t10, V2 2000 at t20; M then sends
// 1500 to N (t30) and 1500 to O (t40). M's queue is [V1 1000][V2 2000].
//   V1's trace: N takes V1's 1000 + 500 of V2's; O takes only V2's money:
//               N = 1000, O = 0.
//   V2's trace: 1000 of V1's money is clean money ahead of V2's:
//               N = 500, O = 1500.
TEST(TraceTest, FanInEachVictimGetsOnlyItsOwnShare) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  b.T(20, kV2, kM, Y(2000));
  b.T(30, kM, kN, Y(1500));
  b.T(40, kM, kX, Y(1500));
  MoneyTrace t1 = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(Hop(t1, kM).received, Y(1000));
  EXPECT_EQ(Hop(t1, kN).received, Y(1000));
  EXPECT_EQ(t1.FindHop(kX), kNoHop);
  ExpectConserved(t1);
  MoneyTrace t2 = MoneyTrace::FromAccount(b.g, kV2, 0, 100, Opt());
  EXPECT_EQ(Hop(t2, kM).received, Y(2000));
  EXPECT_EQ(Hop(t2, kN).received, Y(500));
  EXPECT_EQ(Hop(t2, kX).received, Y(1500));
  ExpectConserved(t2);
}

// A -> B -> C -> A cycle: V pays A 1000 (t10), A->B (t20), B->C (t30), C->A
// (t40), A->D (t50). The money visits A twice; D gets it at depth 5 (the
// lot's own path: V,A,B,C,A,D). Nothing loops: every transfer is applied once.
TEST(TraceTest, CycleIsFollowedOnceAndReturningMoneyCounts) {
  Builder b;
  b.T(10, kV, kA, Y(1000));
  b.T(20, kA, kB, Y(1000));
  b.T(30, kB, kC, Y(1000));
  b.T(40, kC, kA, Y(1000));
  b.T(50, kA, kD, Y(1000));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(Hop(t, kA).received, Y(2000));  // arrived twice
  EXPECT_EQ(Hop(t, kA).sent, Y(2000));
  EXPECT_EQ(Hop(t, kA).depth, 1);
  EXPECT_EQ(Hop(t, kA).parents.size(), 2u);  // V and C
  EXPECT_EQ(Hop(t, kD).received, Y(1000));
  EXPECT_EQ(Hop(t, kD).depth, 5);
  EXPECT_EQ(t.totals().remaining, Y(1000));
  ExpectConserved(t);

  // With max_depth 4 the lot back in A is at depth 4: A->D is not followed.
  TraceOptions o = Opt();
  o.max_depth = 4;
  MoneyTrace t4 = MoneyTrace::FromAccount(b.g, kV, 0, 100, o);
  EXPECT_EQ(t4.FindHop(kD), kNoHop);
  EXPECT_EQ(Hop(t4, kA).beyond_depth, Y(1000));
  EXPECT_EQ(t4.totals().beyond_depth, Y(1000));
  ExpectConserved(t4);
}

// V -> A -> B -> V: the money comes back to the victim and stops there.
TEST(TraceTest, MoneyReturningToVictimIsTerminal) {
  Builder b;
  b.T(10, kV, kA, Y(1000));
  b.T(20, kA, kB, Y(1000));
  b.T(30, kB, kV, Y(400));
  b.T(40, kV, kC, Y(400));  // the victim's own later payment: a seed again
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(t.totals().seeds, 2u);
  EXPECT_EQ(t.totals().seeded, Y(1400));
  EXPECT_EQ(t.totals().returned, Y(400));
  EXPECT_EQ(Hop(t, kV).received, Y(400));
  EXPECT_EQ(Hop(t, kB).remaining, Y(600));
  EXPECT_EQ(Hop(t, kC).received, Y(400));
  ExpectConserved(t);
}

// The mule forwards 60% and keeps 40%.
TEST(TraceTest, PartialForwardLeavesRemaining) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  b.T(20, kM, kN, Y(600));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(Hop(t, kM).remaining, Y(400));
  EXPECT_EQ(Hop(t, kM).sent, Y(600));
  EXPECT_EQ(Hop(t, kN).remaining, Y(600));
  EXPECT_EQ(t.totals().remaining, Y(1000));
  ExpectConserved(t);
}

// M's account, in time order:
//   t5  deposit 500 (clean)         queue [C500]
//   t10 V  -> M 1000                queue [C500][V 1000]
//   t15 Z  -> M 300 (clean)         queue [C500][V 1000][C300]
//   t20 V2 -> M 1000                queue [C500][V 1000][C300][V2 1000]
//   t30 M -> X 1200: C500 + V 700
//   t40 M -> N 1600: V 300 + C300 + V2 1000
// FIFO: V's trace X = 700, N = 300; V2's trace X = 0, N = 1000.
TEST(TraceTest, MuleMixingTwoVictimsAndCleanMoneyFifo) {
  Builder b;
  b.Deposit(5, kM, Y(500));
  b.T(10, kV, kM, Y(1000));
  b.T(15, kZ, kM, Y(300));
  b.T(20, kV2, kM, Y(1000));
  b.T(30, kM, kX, Y(1200));
  b.T(40, kM, kN, Y(1600));
  MoneyTrace t1 = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(Hop(t1, kX).received, Y(700));
  EXPECT_EQ(Hop(t1, kN).received, Y(300));
  EXPECT_EQ(Hop(t1, kM).remaining, 0);
  ExpectConserved(t1);
  MoneyTrace t2 = MoneyTrace::FromAccount(b.g, kV2, 0, 100, Opt());
  EXPECT_EQ(t2.FindHop(kX), kNoHop);
  EXPECT_EQ(Hop(t2, kN).received, Y(1000));
  ExpectConserved(t2);

  // Taint-first (evaluation.md section 3): V's lot leaves first: X = 1000.
  MoneyTrace tf = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt(AttributionModel::kTaintFirst));
  EXPECT_EQ(Hop(tf, kX).received, Y(1000));
  EXPECT_EQ(tf.FindHop(kN), kNoHop);
  ExpectConserved(tf);

  // Proportional: at t30 M holds 500 + 1000 + 300 + 1000 = 2800, 1000 of it
  // V's. X takes floor(1200 * 1000 / 2800) = 428.57 (42857 fen); M then holds
  // 1600 with 571.43 of V's, and N takes the whole balance: 571.43.
  MoneyTrace tp = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt(AttributionModel::kProportional));
  EXPECT_EQ(Hop(tp, kX).received, 42857);
  EXPECT_EQ(Hop(tp, kN).received, 57143);
  EXPECT_NE(Hop(tp, kX).received, Hop(t1, kX).received);  // the models differ here
  ExpectConserved(tp);
}

// Clean money observed before the victim's payment leaves first. M: deposit
// 500 (t1), pays out 200 (t2): observed balance 300. V pays 1000 (t100). M
// sends 400 (t200): 300 clean + 100 of V's; then 900 (t300): V's.
TEST(TraceTest, ObservedCleanBalanceLeavesFirstWithinLookback) {
  Builder b;
  b.Deposit(1, kM, Y(500));
  b.T(2, kM, kOut, Y(200));
  b.T(100, kV, kM, Y(1000));
  b.T(200, kM, kX, Y(400));
  b.T(300, kM, kY, Y(900));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 1000, Opt());
  EXPECT_EQ(Hop(t, kX).received, Y(100));
  EXPECT_EQ(Hop(t, kY).received, Y(900));
  ExpectConserved(t);

  // Only the latest flow (the 200 out) within the event cap: the replay
  // sees 0 clean ahead, as with a short lookback below.
  TraceOptions capped = Opt();
  capped.lookback_events = 1;
  MoneyTrace c = MoneyTrace::FromAccount(b.g, kV, 0, 1000, capped);
  EXPECT_EQ(Hop(c, kX).received, Y(400));
  capped.lookback_events = 2;  // deposit 500, out 200: 300 ahead again
  MoneyTrace c2 = MoneyTrace::FromAccount(b.g, kV, 0, 1000, capped);
  EXPECT_EQ(Hop(c2, kX).received, Y(100));

  // A lookback shorter than the gap sees no clean money ahead: X gets 400.
  TraceOptions o = Opt();
  o.lookback_s = 50;
  MoneyTrace s = MoneyTrace::FromAccount(b.g, kV, 0, 1000, o);
  EXPECT_EQ(Hop(s, kX).received, Y(400));
  EXPECT_EQ(Hop(s, kY).received, Y(600));
  EXPECT_EQ(Hop(s, kM).remaining, 0);
  ExpectConserved(s);
}

// An outflow larger than everything observed takes all the traced money.
TEST(TraceTest, OutflowBeyondObservedBalanceTakesAll) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  b.T(20, kM, kX, Y(5000));  // 4000 of money we never saw come in
  for (AttributionModel m : {AttributionModel::kFifo, AttributionModel::kTaintFirst, AttributionModel::kProportional}) {
    MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt(m));
    EXPECT_EQ(Hop(t, kX).received, Y(1000)) << ToString(m);
    ExpectConserved(t);
  }
}

// Money that moves after the trace's now does not count; nor do the
// victim's payments after now.
TEST(TraceTest, MovesAfterNowDoNotCount) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  b.T(30, kM, kN, Y(1000));
  b.T(31, kV, kM, Y(500));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 20, Opt());
  EXPECT_EQ(t.totals().seeded, Y(1000));
  EXPECT_EQ(Hop(t, kM).remaining, Y(1000));
  EXPECT_EQ(t.FindHop(kN), kNoHop);
  // And the victim's payments before `since` are not seeds.
  MoneyTrace late = MoneyTrace::FromAccount(b.g, kV, 11, 100, Opt());
  EXPECT_EQ(late.totals().seeded, Y(500));
  EXPECT_EQ(Hop(late, kM).remaining, Y(500));
  ExpectConserved(late);
}

// A chain of 8: with max_depth 3 the hops stop at depth 3, whose onward
// payment is beyond the bound.
TEST(TraceTest, DepthBound) {
  Builder b;
  AccountId chain[] = {kV, kA, kB, kC, kD, kM, kN, kX};
  for (int i = 0; i + 1 < 8; ++i) b.T(10 * (i + 1), chain[i], chain[i + 1], Y(1000));
  TraceOptions o = Opt();
  o.max_depth = 3;
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 1000, o);
  EXPECT_EQ(t.hops().size(), 4u);  // V, A, B, C
  EXPECT_EQ(Hop(t, kC).depth, 3);
  EXPECT_EQ(Hop(t, kC).beyond_depth, Y(1000));
  EXPECT_EQ(t.FindHop(kD), kNoHop);
  ExpectConserved(t);
  MoneyTrace full = MoneyTrace::FromAccount(b.g, kV, 0, 1000, Opt());
  EXPECT_EQ(Hop(full, kD).depth, 4);
  EXPECT_EQ(Hop(full, kN).depth, 6);
  EXPECT_EQ(Hop(full, kN).beyond_depth, Y(1000));  // default max_depth 6
  EXPECT_EQ(full.FindHop(kX), kNoHop);
}

// M gets 1000, sends 50 (below the 100 minimum: not followed), then 930;
// the 20 left is below the minimum and written off.
TEST(TraceTest, MinimumAmountBound) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  b.T(20, kM, kX, Y(50));
  b.T(30, kM, kY, Y(930));
  b.T(40, kM, kZ, Y(20));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(t.FindHop(kX), kNoHop);
  EXPECT_EQ(Hop(t, kY).received, Y(930));
  EXPECT_EQ(t.FindHop(kZ), kNoHop);
  EXPECT_EQ(Hop(t, kM).dropped_small, Y(70));
  EXPECT_EQ(Hop(t, kM).remaining, 0);
  EXPECT_EQ(t.totals().dropped_small, Y(70));
  ExpectConserved(t);
  TraceOptions o = Opt();
  o.min_amount = 0;
  MoneyTrace all = MoneyTrace::FromAccount(b.g, kV, 0, 100, o);
  EXPECT_EQ(Hop(all, kX).received, Y(50));
  EXPECT_EQ(Hop(all, kZ).received, Y(20));
}

// An outside account (no bank_accounts row) ends the path: what it does
// next is not visible to us.
TEST(TraceTest, OutsideAccountIsTerminal) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  b.T(20, kM, kOut, Y(700));
  b.T(30, kOut, kOut2, Y(700));
  b.T(40, kOut, kN, Y(700));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, Opt());
  EXPECT_EQ(Hop(t, kOut).kind, HopKind::kOutside);
  EXPECT_EQ(Hop(t, kOut).received, Y(700));
  EXPECT_EQ(Hop(t, kOut).depth, 2);
  EXPECT_EQ(t.FindHop(kOut2), kNoHop);
  EXPECT_EQ(t.FindHop(kN), kNoHop);
  EXPECT_EQ(t.totals().outside, Y(700));
  EXPECT_EQ(t.totals().remaining, Y(300));
  ExpectConserved(t);
}

// Seeds given as transfers (a case's hop-1 transfers from two victims).
TEST(TraceTest, FromSeedsTracesOnlyTheSeeds) {
  Builder b;
  TransferIndex s1 = b.T(10, kV, kM, Y(1000));
  b.T(11, kV, kN, Y(5000));  // not a seed
  TransferIndex s2 = b.T(12, kV2, kM, Y(500));
  b.Withdraw(20, kM, Y(1500));
  std::vector<TransferIndex> seeds = {s2, s1, s1, 999};  // unordered, duplicate, invalid
  MoneyTrace t = MoneyTrace::FromSeeds(b.g, seeds, 100, Opt());
  EXPECT_EQ(t.totals().seeds, 2u);
  EXPECT_EQ(t.totals().seeded, Y(1500));
  EXPECT_EQ(t.totals().cashed_out, Y(1500));
  EXPECT_EQ(t.FindHop(kN), kNoHop);
  EXPECT_EQ(Hop(t, kM).parents.size(), 2u);
  ExpectConserved(t);
}

TEST(TraceTest, UnknownAccountGivesEmptyTrace) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  MoneyTrace t = MoneyTrace::FromAccount(b.g, 12345, 0, 100, Opt());
  EXPECT_EQ(t.totals().seeds, 0u);
  EXPECT_TRUE(t.edges().empty());
  MoneyTrace n = MoneyTrace::FromAccount(b.g, kNoId, 0, 100, Opt());
  EXPECT_EQ(n.totals().seeds, 0u);
}

TEST(TraceTest, MaxStepsTruncates) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  for (int i = 0; i < 10; ++i) b.T(20 + i, kM, kN, Y(10));
  TraceOptions o = Opt();
  o.max_steps = 3;
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 100, o);
  EXPECT_TRUE(t.totals().truncated);
  EXPECT_EQ(t.totals().steps, 3u);
  EXPECT_EQ(t.Extend(5), ExtendResult::kOutOfOrder);
}

// --- incremental extension -------------------------------------------------

void ExpectSameTrace(const MoneyTrace& a, const MoneyTrace& b) {
  const TraceTotals &x = a.totals(), &y = b.totals();
  EXPECT_EQ(x.seeded, y.seeded);
  EXPECT_EQ(x.seeds, y.seeds);
  EXPECT_EQ(x.remaining, y.remaining);
  EXPECT_EQ(x.cashed_out, y.cashed_out);
  EXPECT_EQ(x.outside, y.outside);
  EXPECT_EQ(x.returned, y.returned);
  EXPECT_EQ(x.dropped_small, y.dropped_small);
  EXPECT_EQ(x.beyond_depth, y.beyond_depth);
  ASSERT_EQ(a.hops().size(), b.hops().size());
  for (size_t i = 0; i < a.hops().size(); ++i) {
    const TraceHop &p = a.hops()[i], &q = b.hops()[i];
    EXPECT_EQ(p.account, q.account) << i;
    EXPECT_EQ(p.kind, q.kind) << i;
    EXPECT_EQ(p.depth, q.depth) << i;
    EXPECT_EQ(p.first_parent, q.first_parent) << i;
    EXPECT_EQ(p.received, q.received) << i;
    EXPECT_EQ(p.remaining, q.remaining) << i;
    EXPECT_EQ(p.sent, q.sent) << i;
    EXPECT_EQ(p.cashed_out, q.cashed_out) << i;
    EXPECT_EQ(p.dropped_small, q.dropped_small) << i;
    EXPECT_EQ(p.beyond_depth, q.beyond_depth) << i;
    EXPECT_EQ(p.first_in, q.first_in) << i;
    EXPECT_EQ(p.first_out, q.first_out) << i;
    EXPECT_EQ(p.last_out, q.last_out) << i;
    EXPECT_EQ(p.parents, q.parents) << i;
  }
  ASSERT_EQ(a.edges().size(), b.edges().size());
  for (size_t i = 0; i < a.edges().size(); ++i) {
    EXPECT_EQ(a.edges()[i].transfer, b.edges()[i].transfer) << i;
    EXPECT_EQ(a.edges()[i].from_hop, b.edges()[i].from_hop) << i;
    EXPECT_EQ(a.edges()[i].to_hop, b.edges()[i].to_hop) << i;
    EXPECT_EQ(a.edges()[i].traced, b.edges()[i].traced) << i;
  }
}

struct RandomFlow {
  Ts ts;
  AccountId from, to;
  Money amount;
};

// A small dense random graph: 40 accounts (6 outside), withdrawals,
// deposits, same-second transfers, self transfers.
std::vector<RandomFlow> RandomFlows(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::vector<RandomFlow> v;
  Ts ts = 1000;
  for (int i = 0; i < n; ++i) {
    ts += rng() % 3;  // many equal timestamps
    AccountId from = rng() % 40, to = rng() % 40;
    if (from >= 34) from += 66;  // 100..105: outside
    if (to >= 34) to += 66;
    int r = rng() % 20;
    if (r == 0) to = kNoId;
    if (r == 1) from = kNoId;
    v.push_back({ts, from, to, static_cast<Money>(Y(50) + rng() % Y(3000))});
  }
  return v;
}

void AddFlow(Builder* b, const RandomFlow& f) {
  if (f.to == kNoId) {
    b->Withdraw(f.ts, f.from, f.amount);
  } else if (f.from == kNoId) {
    b->Deposit(f.ts, f.to, f.amount);
  } else {
    b->T(f.ts, f.from, f.to, f.amount);
  }
}

class TraceIncrementalTest : public ::testing::TestWithParam<AttributionModel> {};

// Trace at mid-stream, then Extend with every later transfer: identical to
// the trace recomputed over everything, for every model, several victims.
TEST_P(TraceIncrementalTest, ExtendEqualsFullRecomputation) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    auto flows = RandomFlows(seed, 1500);
    Builder all;
    for (const auto& f : flows) AddFlow(&all, f);
    TraceOptions o = Opt(GetParam());
    o.min_amount = seed % 2 ? Y(100) : Y(10);
    o.max_depth = 3 + seed % 4;
    o.lookback_s = seed % 3 ? 30 * 86400 : 200;
    o.lookback_events = seed % 4 == 1 ? 5 : 10'000;
    AccountId victim = seed % 30;
    Ts since = flows[100].ts;
    Ts end = flows.back().ts;
    MoneyTrace full = MoneyTrace::FromAccount(all.g, victim, since, end, o);
    ExpectConserved(full);

    // (a) the whole graph is there; the trace stops at mid and catches up.
    Ts mid = flows[700].ts;
    MoneyTrace inc = MoneyTrace::FromAccount(all.g, victim, since, mid, o);
    ExpectConserved(inc);
    int extended = 0;
    for (TransferIndex i = 0; i < all.g.size(); ++i) {
      if (all.g.ts(i) <= mid) continue;
      ExtendResult r = inc.Extend(i);
      ASSERT_NE(r, ExtendResult::kOutOfOrder) << "seed " << seed << " transfer " << i;
      extended += r == ExtendResult::kExtended;
    }
    EXPECT_GT(extended, 0);
    ExpectSameTrace(full, inc);
    ExpectConserved(inc);

    // (b) live: the graph grows one transfer at a time after the trace.
    Builder live;
    size_t k = 0;
    for (; k < flows.size() && flows[k].ts <= mid; ++k) AddFlow(&live, flows[k]);
    MoneyTrace lt = MoneyTrace::FromAccount(live.g, victim, since, mid, o);
    for (; k < flows.size(); ++k) {
      AddFlow(&live, flows[k]);
      ASSERT_NE(lt.Extend(static_cast<TransferIndex>(live.g.size() - 1)), ExtendResult::kOutOfOrder);
    }
    ExpectSameTrace(full, lt);
    if (HasFailure()) {
      ADD_FAILURE() << "seed " << seed;
      return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, TraceIncrementalTest,
                         ::testing::Values(AttributionModel::kFifo, AttributionModel::kTaintFirst,
                                           AttributionModel::kProportional),
                         [](const auto& info) {
                           switch (info.param) {
                             case AttributionModel::kFifo: return std::string("Fifo");
                             case AttributionModel::kTaintFirst: return std::string("TaintFirst");
                             default: return std::string("Proportional");
                           }
                         });

TEST(TraceTest, ExtendRefusesOutOfOrderAndSkippedTransfers) {
  Builder b;
  b.T(10, kV, kM, Y(1000));
  TransferIndex late = b.T(5, kM, kN, Y(100));  // before the trace's now
  MoneyTrace t = MoneyTrace::FromAccount(b.g, kV, 0, 10, Opt());
  EXPECT_EQ(t.Extend(late), ExtendResult::kOutOfOrder);
  EXPECT_EQ(t.Extend(12345), ExtendResult::kOutOfOrder);
  TransferIndex x1 = b.T(20, kM, kN, Y(300));
  TransferIndex x2 = b.T(21, kM, kN, Y(300));
  EXPECT_EQ(t.Extend(x2), ExtendResult::kOutOfOrder);  // skips x1, which moves M's money
  EXPECT_EQ(Hop(t, kM).remaining, Y(1000));            // unchanged
  EXPECT_EQ(t.Extend(x1), ExtendResult::kExtended);
  EXPECT_EQ(t.Extend(x2), ExtendResult::kExtended);
  EXPECT_EQ(Hop(t, kM).remaining, Y(400));
  TransferIndex other = b.T(22, kX, kY, Y(300));
  EXPECT_EQ(t.Extend(other), ExtendResult::kUnaffected);
  EXPECT_EQ(t.now(), 22);
  // A new payment by the victim is a new seed.
  TransferIndex s = b.T(23, kV, kZ, Y(200));
  EXPECT_EQ(t.Extend(s), ExtendResult::kExtended);
  EXPECT_EQ(Hop(t, kZ).received, Y(200));
  EXPECT_EQ(t.totals().seeded, Y(1200));
  ExpectConserved(t);
}

TEST(TraceTest, AddSeedToSeedTrace) {
  Builder b;
  TransferIndex s1 = b.T(10, kV, kM, Y(1000));
  std::vector<TransferIndex> seeds = {s1};
  MoneyTrace t = MoneyTrace::FromSeeds(b.g, seeds, 10, Opt());
  TransferIndex s2 = b.T(20, kV2, kN, Y(700));
  EXPECT_EQ(t.AddSeed(s2), ExtendResult::kExtended);
  EXPECT_EQ(Hop(t, kN).received, Y(700));
  EXPECT_EQ(Hop(t, kV2).kind, HopKind::kSource);
  TransferIndex bad = b.T(30, kM, kX, Y(100));  // M is replayed: cannot be a source
  EXPECT_EQ(t.AddSeed(bad), ExtendResult::kRejected);
  EXPECT_EQ(t.totals().seeded, Y(1700));
}

}  // namespace
}  // namespace interdict
