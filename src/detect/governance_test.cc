// GovernanceDetector on small hand-made worlds: each finder finds its planted
// case, and the look-alikes (a busy legitimate branch, a family sharing a
// phone, a business with many payers, a person with a few SIMs) stay clean.
#include "detect/governance.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace interdict {
namespace {

constexpr Ts kT0 = 1700000000;
constexpr Ts kDay = 86400;

class World {
 public:
  World() {
    det_ = std::make_unique<GovernanceDetector>(&dicts_, cfg_, [this](Action&& a) { actions_.push_back(a); });
  }
  void Reset(const GovernanceConfig& cfg) {
    cfg_ = cfg;
    actions_.clear();
    det_ = std::make_unique<GovernanceDetector>(&dicts_, cfg_, [this](Action&& a) { actions_.push_back(a); });
  }
  void Sim(Ts ts, const std::string& msisdn, const std::string& person, const std::string& op,
           const std::string& outlet) {
    Event e;
    e.ts = ts;
    e.kind = EventKind::kSimCard;
    e.sim = SimCardOpen{dicts_.msisdn.Intern(msisdn), dicts_.person.Intern(person), dicts_.op.Intern(op),
                        dicts_.outlet.Intern(outlet), Plan::kPrepaid};
    det_->Apply(e);
  }
  void Account(Ts ts, const std::string& account, const std::string& person, const std::string& bank,
               const std::string& branch, AccountKind kind = AccountKind::kPersonal) {
    Event e;
    e.ts = ts;
    e.kind = EventKind::kBankAccount;
    e.account = BankAccountOpen{dicts_.account.Intern(account), dicts_.person.Intern(person),
                                dicts_.bank.Intern(bank), dicts_.outlet.Intern(branch), kind};
    det_->Apply(e);
  }
  void Call(Ts ts, const std::string& caller, const std::string& callee, const std::string& imei,
            const std::string& cell) {
    Event e;
    e.ts = ts;
    e.kind = EventKind::kCall;
    e.call = interdict::Call{dicts_.msisdn.Intern(caller), dicts_.msisdn.Intern(callee), 30,
                             dicts_.device.Intern(imei), dicts_.cell.Intern(cell), kNoId};
    det_->Apply(e);
  }
  void Transfer(Ts ts, const std::string& from, const std::string& to, Money fen, const std::string& device = "",
                Channel ch = Channel::kApp) {
    Event e;
    e.ts = ts;
    e.kind = EventKind::kTransfer;
    const TransferKind kind = from.empty() ? TransferKind::kDeposit
                              : to.empty() ? TransferKind::kWithdrawal
                                           : TransferKind::kTransfer;
    e.transfer = interdict::Transfer{dicts_.txn.Intern("t" + std::to_string(++txn_)),
                                     kind,
                                     ch,
                                     from.empty() ? kNoId : dicts_.account.Intern(from),
                                     to.empty() ? kNoId : dicts_.account.Intern(to),
                                     fen,
                                     device.empty() ? kNoId : dicts_.device.Intern(device)};
    det_->Apply(e);
  }
  void Flagged(const std::string& msisdn, Ts ts) { det_->NoteFlaggedNumber(dicts_.msisdn.Intern(msisdn), ts); }
  void Exposed(const std::string& person, Ts ts) { det_->NoteExposedPerson(dicts_.person.Intern(person), ts); }
  void Finish(Ts ts) { det_->Finish(ts); }

  bool Has(ActionType type, const std::string& target) const {
    for (const Action& a : actions_)
      if (a.type == type && a.target == target) return true;
    return false;
  }
  int Count(ActionType type) const {
    int n = 0;
    for (const Action& a : actions_) n += a.type == type;
    return n;
  }
  const std::vector<Action>& actions() const { return actions_; }

 private:
  Dictionaries dicts_;
  GovernanceConfig cfg_;
  std::vector<Action> actions_;
  std::unique_ptr<GovernanceDetector> det_;
  int txn_ = 0;
};

TEST(PoissonTail, MatchesKnownValues) {
  EXPECT_DOUBLE_EQ(PoissonUpperTail(0, 3.0), 1.0);
  EXPECT_NEAR(PoissonUpperTail(1, 2.0), 1.0 - std::exp(-2.0), 1e-12);
  // P(X >= 3 | 1) = 1 - e^-1 (1 + 1 + 1/2)
  EXPECT_NEAR(PoissonUpperTail(3, 1.0), 1.0 - std::exp(-1.0) * 2.5, 1e-12);
  EXPECT_LT(PoissonUpperTail(40, 5.0), 1e-15);
  EXPECT_GT(PoissonUpperTail(40, 5.0), 0.0);
  EXPECT_NEAR(PoissonUpperTail(5000, 5000.0), 0.5, 0.01);
}

TEST(Governance, CardSellerBatchAcrossOperatorsIsFlaggedAndCardsReverified) {
  World w;
  const char* ops[] = {"cm", "cu", "ct"};
  for (int i = 0; i < 6; ++i)
    w.Sim(kT0 + i * 3600 * 10, "1380000000" + std::to_string(i), "seller", ops[i % 3], "O" + std::to_string(i % 2));
  EXPECT_TRUE(w.Has(ActionType::kFlagPerson, "seller"));
  EXPECT_EQ(w.Count(ActionType::kFlagPerson), 1);
  EXPECT_EQ(w.Count(ActionType::kReverifySim), 6);
  EXPECT_TRUE(w.Has(ActionType::kReverifySim, "13800000000"));
}

TEST(Governance, OrdinaryPeopleWithTwoOrThreeSimsOverYearsAreNotSellers) {
  World w;
  for (int p = 0; p < 50; ++p)
    for (int i = 0; i < 3; ++i)
      w.Sim(kT0 + i * 200 * kDay + p, "p" + std::to_string(p) + "s" + std::to_string(i), "p" + std::to_string(p),
            i ? "cm" : "cu", "O1");
  // Three at once (a new phone, a family plan) is a weak batch: not enough alone.
  for (int i = 0; i < 3; ++i) w.Sim(kT0 + 900 * kDay + i, "fam" + std::to_string(i), "dad", "cm", "O1");
  EXPECT_EQ(w.Count(ActionType::kFlagPerson), 0);
}

TEST(Governance, WeakBatchConfirmedByAFlaggedCard) {
  World w;
  for (int i = 0; i < 3; ++i) w.Sim(kT0 + i * 3600, "w" + std::to_string(i), "weak", "cm", "O1");
  EXPECT_EQ(w.Count(ActionType::kFlagPerson), 0);
  w.Flagged("w1", kT0 + 10 * kDay);
  EXPECT_TRUE(w.Has(ActionType::kFlagPerson, "weak"));
}

TEST(Governance, AccountSellerAtThreeBanks) {
  World w;
  w.Account(kT0, "a1", "as", "icbc", "B1");
  w.Account(kT0 + kDay, "a2", "as", "ccb", "B2");
  EXPECT_EQ(w.Count(ActionType::kFlagPerson), 0);
  w.Account(kT0 + 2 * kDay, "a3", "as", "abc", "B3");
  // Many honest people open a few accounts at once: the batch waits for misuse.
  EXPECT_FALSE(w.Has(ActionType::kFlagPerson, "as"));
  w.Account(kT0, "victim", "v", "icbc", "B1");
  const Ts t = kT0 + 20 * kDay;
  w.Transfer(t, "victim", "a2", 3000000);
  w.Transfer(t + 600, "a2", "elsewhere", 2970000, "PHONE-X");
  EXPECT_TRUE(w.Has(ActionType::kFlagAccount, "a2"));
  EXPECT_TRUE(w.Has(ActionType::kFlagPerson, "as"));
  EXPECT_EQ(w.Count(ActionType::kReverifyAccount), 3);
  // Three accounts years apart are ordinary.
  w.Account(kT0, "b1", "ok", "icbc", "B1");
  w.Account(kT0 + 400 * kDay, "b2", "ok", "ccb", "B2");
  w.Account(kT0 + 800 * kDay, "b3", "ok", "abc", "B3");
  EXPECT_FALSE(w.Has(ActionType::kFlagPerson, "ok"));
}

TEST(Governance, SimBoxFlaggedWithItsSimsAndCell) {
  World w;
  Ts t = kT0;
  for (int round = 0; round < 4; ++round)
    for (int s = 0; s < 20; ++s) {
      t += 30;
      w.Call(t, "box" + std::to_string(s), "v" + std::to_string(t), "IMEI-BOX", "C9");
    }
  EXPECT_TRUE(w.Has(ActionType::kFlagDevice, "IMEI-BOX"));
  EXPECT_EQ(w.Count(ActionType::kFlagDevice), 1);
  EXPECT_TRUE(w.Has(ActionType::kFlagNumber, "box0"));
  EXPECT_TRUE(w.Has(ActionType::kFlagNumber, "box19"));
  bool cell = false;
  for (const Action& a : w.actions())
    if (a.type == ActionType::kFlagDevice) cell = a.reason.find("cell:C9") != std::string::npos;
  EXPECT_TRUE(cell);
}

TEST(Governance, FamilyPhoneWithThreeSimsAndTwoWayCallsIsNotADevice) {
  World w;
  Ts t = kT0;
  for (int day = 0; day < 7; ++day)
    for (int s = 0; s < 3; ++s) {
      const std::string me = "fam" + std::to_string(s);
      w.Call(t += 600, me, "friend" + std::to_string(day), "IMEI-FAM", day % 2 ? "C1" : "C2");
      w.Call(t += 600, "friend" + std::to_string(day), me, "IMEI-F" + std::to_string(day), "C3");
    }
  EXPECT_EQ(w.Count(ActionType::kFlagDevice), 0);
}

TEST(Governance, PassThroughMuleFlaggedButMerchantAndSalaryAreNot) {
  World w;
  w.Account(kT0 - 30 * kDay, "mule", "m", "icbc", "B1");
  w.Account(kT0 - 3000 * kDay, "shop", "s", "icbc", "B1", AccountKind::kBusiness);
  w.Account(kT0 - 3000 * kDay, "worker", "wk", "ccb", "B2");
  w.Account(kT0 - 3000 * kDay, "employer", "e", "ccb", "B2", AccountKind::kBusiness);
  for (int i = 0; i < 40; ++i) w.Account(kT0 - 2000 * kDay, "c" + std::to_string(i), "c" + std::to_string(i), "abc", "B3");
  Ts t = kT0;
  // A merchant: many small payments, the money stays; a weekly payout.
  for (int i = 0; i < 40; ++i) w.Transfer(t += 300, "c" + std::to_string(i), "shop", 4500, "", Channel::kPos);
  w.Transfer(t += 3600, "shop", "", 100000);
  // A salary, then ordinary spending.
  w.Transfer(t += 60, "employer", "worker", 800000, "", Channel::kOnline);
  w.Transfer(t += 3600, "worker", "landlord", 180000, "PHONE-W");
  // The mule: a victim's payment, forwarded within the hour.
  w.Transfer(t += 60, "c1", "mule", 5000000, "PHONE-C1");
  w.Transfer(t += 1800, "mule", "next1", 2500000, "PHONE-M");
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "mule"));  // half passed on: not yet
  w.Transfer(t += 1800, "mule", "next2", 2450000, "PHONE-M");
  EXPECT_TRUE(w.Has(ActionType::kFlagAccount, "mule"));
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "shop"));
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "worker"));
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "employer"));
}

TEST(Governance, ExposedPayersMakeAFanInAccountAMule) {
  World w;
  w.Account(kT0 - 2000 * kDay, "acct", "holder", "icbc", "B1");
  for (int i = 0; i < 3; ++i) {
    w.Account(kT0 - 2000 * kDay, "v" + std::to_string(i), "v" + std::to_string(i), "ccb", "B2");
    w.Exposed("v" + std::to_string(i), kT0);
  }
  Ts t = kT0 + 100;
  w.Transfer(t += 60, "v0", "acct", 300000);
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "acct"));
  w.Transfer(t += 60, "v1", "acct", 300000);
  EXPECT_TRUE(w.Has(ActionType::kFlagAccount, "acct"));
}

TEST(Governance, MulePhoneFlaggedFamilyPhoneNot) {
  World w;
  // Family: three holders, three accounts, one phone, ordinary payments.
  for (int i = 0; i < 3; ++i) w.Account(kT0 - 2000 * kDay, "f" + std::to_string(i), "f" + std::to_string(i), "icbc", "B1");
  Ts t = kT0;
  for (int d = 0; d < 5; ++d)
    for (int i = 0; i < 3; ++i) w.Transfer(t += 3600, "f" + std::to_string(i), "rent", 20000, "FAMILY-PHONE");
  // Mule phone: six accounts of three sellers, each passing money on.
  for (int i = 0; i < 6; ++i)
    w.Account(kT0 - 60 * kDay, "m" + std::to_string(i), "s" + std::to_string(i / 2), "bank" + std::to_string(i), "B2");
  for (int i = 0; i < 6; ++i) {
    w.Transfer(t += 60, "", "m" + std::to_string(i), 1000000, "", Channel::kCounter);
    w.Transfer(t += 600, "m" + std::to_string(i), "out", 990000, "MULE-PHONE");
  }
  EXPECT_TRUE(w.Has(ActionType::kFlagDevice, "MULE-PHONE"));
  EXPECT_FALSE(w.Has(ActionType::kFlagDevice, "FAMILY-PHONE"));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "f" + std::to_string(i)));
}

TEST(Governance, InsiderOutletFlaggedBusyHonestBranchNot) {
  World w;
  Ts t = kT0 - 400 * kDay;
  // 60 outlets of 200 openings; outlet 0 is busy (2,000) with a normal bad
  // rate; outlet 7 is the insider.
  int n = 0;
  for (int o = 0; o < 60; ++o) {
    const int openings = o == 0 ? 2000 : 200;
    for (int i = 0; i < openings; ++i, ++n)
      w.Sim(t += 10, "m" + std::to_string(n), "p" + std::to_string(n), "cm", "O" + std::to_string(o));
  }
  // Background: one bad card per ~400 openings everywhere (so 5 at the busy one).
  Ts ft = kT0;
  for (int k = 0; k < n; k += 400) w.Flagged("m" + std::to_string(k), ft += 60);
  // The insider's cards: 12 of its 200 go bad.
  int base7 = 2000 + 6 * 200;
  for (int i = 0; i < 12; ++i) w.Flagged("m" + std::to_string(base7 + i * 7 + 1), ft += 60);
  w.Finish(ft + 60);
  EXPECT_TRUE(w.Has(ActionType::kFlagOutlet, "O7"));
  EXPECT_FALSE(w.Has(ActionType::kFlagOutlet, "O0"));
  EXPECT_EQ(w.Count(ActionType::kFlagOutlet), 1);
}

TEST(Governance, ProbeTransferAndCollector) {
  World w;
  w.Account(kT0 - 30 * kDay, "x", "px", "icbc", "B1");
  w.Account(kT0 - 30 * kDay, "y", "py", "ccb", "B2");
  w.Account(kT0 - 2000 * kDay, "old1", "po1", "icbc", "B1");
  w.Account(kT0 - 2000 * kDay, "old2", "po2", "ccb", "B2");
  Ts t = kT0;
  // Between old accounts a tiny transfer alone is not enough (a family's 7 yuan).
  w.Transfer(t += 60, "old1", "old2", 700, "", Channel::kApp);
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "old1"));
  EXPECT_FALSE(w.Has(ActionType::kFlagAccount, "old2"));
  w.Transfer(t += 60, "x", "y", 388, "", Channel::kOnline);
  EXPECT_TRUE(w.Has(ActionType::kFlagAccount, "x"));
  EXPECT_TRUE(w.Has(ActionType::kFlagAccount, "y"));
  // An outside account receiving mostly from flagged mules: a collector.
  w.Transfer(t += 60, "x", "OUTSIDE", 2000000, "", Channel::kOnline);
  w.Transfer(t += 60, "y", "OUTSIDE", 2000000, "", Channel::kOnline);
  EXPECT_TRUE(w.Has(ActionType::kFlagAccount, "OUTSIDE"));
}

TEST(Governance, BadInputDoesNotCrash) {
  World w;
  Event e;  // a default call with kNoId everywhere
  e.kind = EventKind::kCall;
  e.call = Call{kNoId, kNoId, kNoCount, kNoId, kNoId, kNoId};
  GovernanceConfig cfg;
  Dictionaries d;
  GovernanceDetector det(&d, cfg, [](Action&&) {});
  det.Apply(e);
  e.kind = EventKind::kTransfer;
  e.transfer = Transfer{kNoId, TransferKind::kTransfer, Channel::kUnknown, kNoId, kNoId, 1, kNoId};
  det.Apply(e);
  e.kind = EventKind::kSimCard;
  e.sim = SimCardOpen{kNoId, kNoId, kNoId, kNoId, Plan::kUnknown};
  det.Apply(e);
  det.NoteFlaggedNumber(kNoId, 0);
  det.NoteFlaggedNumber(12345, 0);
  det.NoteExposedPerson(kNoId, 0);
  det.Finish(0);
  SUCCEED();
}

}  // namespace
}  // namespace interdict
