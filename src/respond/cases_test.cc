#include "respond/cases.h"

#include <gtest/gtest.h>

#include <set>

namespace interdict {
namespace {

constexpr Ts kT0 = 1709251200;

// Evidence as a test states it: which accounts are the province's, which
// are fed by fraud, which a person lives on; and what the desk marked.
class FakeEvidence : public MoneyEvidence {
 public:
  bool Stoppable(AccountId a) const override { return internal.contains(a) && !stopped.contains(a); }
  bool Stopped(AccountId a) const override { return stopped.contains(a); }
  double TaintedInflowShare(AccountId a, Ts) const override { return tainted.contains(a) ? 1.0 : 0.0; }
  bool LivesOnIt(AccountId a, Ts, Ts) const override { return lives_on.contains(a); }
  void OnStopped(AccountId a, Ts) override {
    stopped.insert(a);
    ++marked_before_sent;
  }
  std::set<AccountId> internal, tainted, lives_on, stopped;
  int marked_before_sent = 0;
};

class CaseDeskTest : public ::testing::Test {
 protected:
  AccountId A(const std::string& id) {
    const AccountId a = dicts_.account.Intern(id);
    ev_.internal.insert(a);
    graph_.MarkInternal(a);  // a bank_accounts row: the trace follows money through it
    return a;
  }
  TransferIndex Pay(Ts ts, AccountId from, AccountId to, Money fen) {
    Transfer t{dicts_.txn.Intern("T" + std::to_string(++txn_)), TransferKind::kTransfer, Channel::kApp, from, to, fen,
               kNoId};
    last_ = t;
    return graph_.Add(ts, t);
  }
  std::vector<std::string> Of(ActionType type) const {
    std::vector<std::string> v;
    for (const Action& a : sent_)
      if (a.type == type) v.push_back(a.target + "@" + std::to_string(a.ts - kT0) + ":" + std::to_string(a.amount));
    return v;
  }

  Dictionaries dicts_;
  TransferGraph graph_;
  FakeEvidence ev_;
  std::vector<Action> sent_;
  ActionEmitter out_{"A", [this](const Action& a) {
                       if (a.type == ActionType::kStopPayment) {
                         EXPECT_EQ(ev_.marked_before_sent, stops_ + 1);  // marked before it is sent
                       }
                       stops_ += a.type == ActionType::kStopPayment;
                       sent_.push_back(a);
                     }};
  int stops_ = 0;
  int txn_ = 0;
  Transfer last_{};
};

TEST_F(CaseDeskTest, TracesStopsFreezesAndReturnsTheMoney) {
  CaseDeskConfig cfg;
  CaseDesk desk(&dicts_, &graph_, cfg, &out_, &ev_);
  const AccountId victim = A("V"), m1 = A("M1"), m2 = A("M2"), shop = A("SHOP");
  ev_.tainted.insert(m2);
  const TransferIndex seed = Pay(kT0, victim, m1, 1'000'000);
  Pay(kT0 + 600, m1, m2, 600'000);
  desk.Open("R-1", victim, {seed}, nullptr, kT0 + 3600);
  EXPECT_EQ(Of(ActionType::kStopPayment), (std::vector<std::string>{"M1@3600:400000", "M2@3600:600000"}));
  EXPECT_TRUE(desk.Traced(m2));
  EXPECT_FALSE(desk.Traced(shop));

  // Live: M2 pays a shop the desk does not stop (not fed by fraud): traced, not stopped.
  const TransferIndex later = Pay(kT0 + 7200, m2, shop, 100'000);
  desk.Extend(later, last_, kT0 + 7200);
  EXPECT_TRUE(desk.Traced(shop));
  EXPECT_EQ(Of(ActionType::kStopPayment).size(), 2u);
  EXPECT_EQ(desk.traces_extended(), 1u);

  desk.DueWork(kT0 + 3600 + cfg.freeze_after_s - 1);
  EXPECT_TRUE(Of(ActionType::kFreeze).empty());
  desk.DueWork(kT0 + 3600 + cfg.freeze_after_s);
  EXPECT_EQ(Of(ActionType::kFreeze).size(), 2u);

  desk.Finish(kT0 + 2 * 86400);
  ASSERT_EQ(desk.restitutions().size(), 2u);
  Money back = 0;
  for (const Restitution& r : desk.restitutions()) back += r.amount;
  EXPECT_EQ(back, 400'000 + 500'000);  // what the stopped accounts still hold of it
  const std::vector<CaseInfo> cases = desk.Cases();
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].origin, "detection");
  EXPECT_EQ(cases[0].first_loss, kT0);
  EXPECT_EQ(cases[0].stopped_accounts, (std::vector<std::string>{"M1", "M2"}));
  EXPECT_NE(cases[0].closed, kNoTs);
}

TEST_F(CaseDeskTest, DeepHopsThatAPersonLivesOnOrThatFraudDoesNotFeedAreNotStopped) {
  CaseDesk desk(&dicts_, &graph_, CaseDeskConfig{}, &out_, &ev_);
  const AccountId victim = A("V"), m1 = A("M1"), cousin = A("COUSIN"), stall = A("STALL");
  ev_.tainted.insert(cousin);
  ev_.lives_on.insert(cousin);  // fed by the mule, but a person lives on it
  const TransferIndex seed = Pay(kT0, victim, m1, 1'000'000);
  Pay(kT0 + 600, m1, cousin, 300'000);
  Pay(kT0 + 700, m1, stall, 300'000);  // not fed mostly by fraud
  desk.Open("R-1", victim, {seed}, nullptr, kT0 + 3600);
  EXPECT_EQ(Of(ActionType::kStopPayment), (std::vector<std::string>{"M1@3600:400000"}));
}

TEST_F(CaseDeskTest, AnAccountOutsideTheProvincesBanksIsNeverStopped) {
  CaseDesk desk(&dicts_, &graph_, CaseDeskConfig{}, &out_, &ev_);
  const AccountId victim = A("V");
  const AccountId outside = dicts_.account.Intern("OUTSIDE");  // no bank_accounts row
  const TransferIndex seed = Pay(kT0, victim, outside, 1'000'000);
  desk.Open("R-1", victim, {seed}, nullptr, kT0 + 3600);
  EXPECT_TRUE(Of(ActionType::kStopPayment).empty());
  desk.Finish(kT0 + 86400);
  EXPECT_TRUE(desk.restitutions().empty());
}

}  // namespace
}  // namespace interdict
