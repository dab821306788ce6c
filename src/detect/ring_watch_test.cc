// RingWatch on hand-made worlds: a ring of six mule accounts paying each
// other and a ring of six fraud numbers calling each other (and their
// victims) are flagged and each becomes one gang record with its persons and
// devices; the look-alikes stay unflagged: a personal account with hundreds of
// payers (the popularity discount), a business account, a family paying and
// calling each other, a busy call centre.
#include "detect/ring_watch.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace interdict {
namespace {

constexpr Ts kStart = 1710000000;
constexpr Ts kHour = 3600;

// A small world's graph: rings are read from 100 edges (the default 1,000
// waits for a baseline average in a real province).
RingWatchConfig Small() {
  RingWatchConfig cfg;
  cfg.min_graph_edges = 100;
  return cfg;
}

// Events by name: the watch sees ids interned in its own dictionaries.
class RingWorld {
 public:
  explicit RingWorld(RingWatchConfig cfg = {}) {
    watch_ = std::make_unique<RingWatch>(&dicts_, cfg, nullptr);
  }
  void Holder(Ts ts, const std::string& person, const std::string& account, const std::string& msisdn,
              AccountKind kind = AccountKind::kPersonal) {
    Event e;
    e.ts = ts;
    if (!account.empty()) {
      e.kind = EventKind::kBankAccount;
      e.account = {dicts_.account.Intern(account), dicts_.person.Intern(person), kNoId, kNoId, kind};
      Feed(e);
    }
    if (!msisdn.empty()) {
      e.kind = EventKind::kSimCard;
      e.sim = {dicts_.msisdn.Intern(msisdn), dicts_.person.Intern(person), kNoId, kNoId, Plan::kPrepaid};
      Feed(e);
    }
  }
  void Pay(Ts ts, const std::string& from, const std::string& to, const std::string& device = "") {
    Event e;
    e.ts = ts;
    e.kind = EventKind::kTransfer;
    e.transfer = {dicts_.txn.Intern(std::to_string(++txn_)), TransferKind::kTransfer, Channel::kApp,
                  dicts_.account.Intern(from), dicts_.account.Intern(to), 50000,
                  device.empty() ? kNoId : dicts_.device.Intern(device)};
    Feed(e);
  }
  void Ring(Ts ts, const std::string& caller, const std::string& callee, const std::string& imei = "") {
    Event e;
    e.ts = ts;
    e.kind = EventKind::kCall;
    e.call = {dicts_.msisdn.Intern(caller), dicts_.msisdn.Intern(callee), 60,
              imei.empty() ? kNoId : dicts_.device.Intern(imei), kNoId, kNoId};
    Feed(e);
  }
  void Feed(const Event& e) {
    last_ = std::max(last_, e.ts);
    watch_->Apply(e, &flags_);
  }
  void Note(ActionType type, TargetKind kind, const std::string& target) {
    Action a;
    a.type = type;
    a.target_kind = kind;
    a.target = target;
    Verdicts none;
    watch_->Note(Fact::ActionSent(a), &none);
    EXPECT_TRUE(none.empty());  // hearing of an action decides nothing by itself
  }
  void Finish() { watch_->Finish(last_, &flags_); }

  int Flags(ActionType type, const std::string& prefix) const {
    return static_cast<int>(std::count_if(flags_.begin(), flags_.end(), [&](const Action& a) {
      return a.type == type && a.target.rfind(prefix, 0) == 0;
    }));
  }
  const std::vector<Action>& flags() const { return flags_; }
  RingWatch& watch() { return *watch_; }

 private:
  Dictionaries dicts_;
  std::unique_ptr<RingWatch> watch_;
  std::vector<Action> flags_;
  Ts last_ = 0;
  int txn_ = 0;
};

bool Linked(const GangRecord& g, const std::string& kind, const std::string& id, const std::string& role) {
  return std::any_of(g.members.begin(), g.members.end(),
                     [&](const GangMember& m) { return m.kind == kind && m.id == id && m.role == role; });
}
int CountRole(const GangRecord& g, const std::string& role) {
  return static_cast<int>(
      std::count_if(g.members.begin(), g.members.end(), [&](const GangMember& m) { return m.role == role; }));
}

// 400 ordinary people, each with an account and a number; each pays two
// others once over the week (a sparse background: the graph's average).
void Background(RingWorld& w) {
  for (int i = 0; i < 400; ++i)
    w.Holder(kStart - 86400, "P" + std::to_string(i), "A" + std::to_string(i), "N" + std::to_string(i));
  for (int i = 0; i < 400; ++i)
    for (int k = 1; k <= 2; ++k)
      w.Pay(kStart + (i * 7 + k) % 160 * kHour, "A" + std::to_string(i), "A" + std::to_string((i * 37 + k * 101) % 400));
}

TEST(RingWatch, MuleRingFlaggedOnceAsOneGangWithPersonsAndDevices) {
  RingWorld w;
  Background(w);
  for (int m = 0; m < 6; ++m)
    w.Holder(kStart - 86400, "MP" + std::to_string(m), "M" + std::to_string(m), "MN" + std::to_string(m));
  // Victims pay the first two mules; the six pay each other three times each,
  // from two mule phones.
  for (int v = 0; v < 20; ++v) w.Pay(kStart + v * kHour, "A" + std::to_string(v), "M" + std::to_string(v % 2));
  for (int round = 0; round < 3; ++round)
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b)
        if (a != b)
          w.Pay(kStart + (10 + round * 20 + a) * kHour, "M" + std::to_string(a), "M" + std::to_string(b),
                a < 3 ? "D0" : "D1");
  // A family of five paying each other now and then.
  for (int f = 0; f < 5; ++f) w.Holder(kStart - 86400, "FP" + std::to_string(f), "F" + std::to_string(f), "");
  for (int f = 0; f < 5; ++f)
    for (int k = 1; k <= 2; ++k) w.Pay(kStart + (f + k) * 5 * kHour, "F" + std::to_string(f), "F" + std::to_string((f + k) % 5));
  // A stall owner's personal account paid by 300 customers, 60 of them twice,
  // and a shop's business account paid by everyone.
  w.Holder(kStart - 86400, "STALL", "S0", "");
  w.Holder(kStart - 86400, "SHOP", "B0", "", AccountKind::kBusiness);
  for (int c = 0; c < 300; ++c) {
    w.Pay(kStart + c % 150 * kHour, "A" + std::to_string(c), "S0");
    if (c % 5 == 0) w.Pay(kStart + (c % 150 + 3) * kHour, "A" + std::to_string(c), "S0");
    w.Pay(kStart + c % 140 * kHour, "A" + std::to_string(c + 50), "B0");
  }
  w.Finish();

  EXPECT_EQ(w.Flags(ActionType::kFlagAccount, "M"), 6);
  EXPECT_EQ(w.flags().size(), 6u) << "only the six mules";
  for (const Action& a : w.flags()) {
    EXPECT_EQ(a.target_kind, TargetKind::kAccount);
    EXPECT_EQ(a.reason.rfind("ring:RG1+density:", 0), 0u) << a.reason;
    EXPECT_GE(a.score, 0.6);
  }
  std::vector<GangRecord> gangs = w.watch().Gangs();
  ASSERT_EQ(gangs.size(), 1u);
  const GangRecord& g = gangs[0];
  EXPECT_EQ(g.gang_id, "RG1");
  EXPECT_EQ(g.graph, "money");
  EXPECT_EQ(g.size, 6u);
  EXPECT_GE(g.ratio, 3.0);
  for (int m = 0; m < 6; ++m) {
    EXPECT_TRUE(Linked(g, "account", "M" + std::to_string(m), "member"));
    EXPECT_TRUE(Linked(g, "person", "MP" + std::to_string(m), "holder"));
    EXPECT_TRUE(Linked(g, "msisdn", "MN" + std::to_string(m), "holder_number"));
  }
  EXPECT_TRUE(Linked(g, "device", "D0", "device"));
  EXPECT_TRUE(Linked(g, "device", "D1", "device"));
  EXPECT_EQ(CountRole(g, "member"), 6);
  EXPECT_EQ(CountRole(g, "holder"), 6);
  EXPECT_GT(w.watch().stats().money_edges, 1000u);
  EXPECT_EQ(w.watch().stats().call_edges, 0u);
}

TEST(RingWatch, AnAccountAlreadyStoppedIsNotFlaggedAgain) {
  RingWorld w(Small());
  Background(w);
  for (int m = 0; m < 6; ++m) w.Holder(kStart - 86400, "MP" + std::to_string(m), "M" + std::to_string(m), "");
  w.Note(ActionType::kStopPayment, TargetKind::kAccount, "M2");
  for (int round = 0; round < 3; ++round)
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b)
        if (a != b) w.Pay(kStart + (10 + round * 20 + a) * kHour, "M" + std::to_string(a), "M" + std::to_string(b));
  w.Finish();
  EXPECT_EQ(w.Flags(ActionType::kFlagAccount, "M"), 5);
  ASSERT_EQ(w.watch().Gangs().size(), 1u);
  EXPECT_EQ(w.watch().Gangs()[0].size, 6u) << "the stopped account is still a member of the gang";
}

// Ordinary people call their contacts and are called back: they never enter
// the call graph. A gang's six numbers call victims (one-sided) and each other.
TEST(RingWatch, CallRingFlaggedVictimsFamilyAndCallCentreNot) {
  RingWorld w;
  Background(w);
  for (int g = 0; g < 6; ++g) w.Holder(kStart - 86400, "GP" + std::to_string(g / 2), "", "G" + std::to_string(g));
  int victim = 0;
  for (int hour = 0; hour < 48; ++hour) {
    for (int g = 0; g < 6; ++g) {
      const std::string me = "G" + std::to_string(g);
      w.Ring(kStart + hour * kHour + g, me, "V" + std::to_string(victim++), "IMEI" + std::to_string(g / 3));
      if (hour >= 36 && hour % 4 == 0)  // once 30 calls out made them watched: they coordinate
        for (int o = 0; o < 6; ++o)
          if (o != g) w.Ring(kStart + hour * kHour + 10 + g, me, "G" + std::to_string(o), "IMEI" + std::to_string(g / 3));
    }
  }
  // A family of six calling each other all day, every day.
  for (int day = 0; day < 5; ++day)
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b)
        if (a != b) w.Ring(kStart + day * 86400 + a * 60 + b, "FAM" + std::to_string(a), "FAM" + std::to_string(b));
  // A call centre: ten agents calling 120 customers each, a few customers
  // called by two agents; customers rarely call back.
  for (int agent = 0; agent < 10; ++agent)
    for (int c = 0; c < 120; ++c) {
      const Ts t = kStart + (c % 100) * kHour + agent;
      w.Ring(t, "CC" + std::to_string(agent), "CUST" + std::to_string(agent * 110 + c), "CCBOX");
    }
  w.Finish();

  EXPECT_EQ(w.Flags(ActionType::kFlagNumber, "G"), 6);
  EXPECT_EQ(w.Flags(ActionType::kFlagNumber, "V"), 0) << "victims are contacts, never flagged";
  EXPECT_EQ(w.Flags(ActionType::kFlagNumber, "FAM"), 0);
  EXPECT_EQ(w.Flags(ActionType::kFlagNumber, "CC"), 0);
  EXPECT_EQ(w.Flags(ActionType::kFlagNumber, "CUST"), 0);
  EXPECT_EQ(w.flags().size(), 6u);
  std::vector<GangRecord> gangs = w.watch().Gangs();
  ASSERT_EQ(gangs.size(), 1u);
  const GangRecord& g = gangs[0];
  EXPECT_EQ(g.graph, "calls");
  for (int n = 0; n < 6; ++n) EXPECT_TRUE(Linked(g, "msisdn", "G" + std::to_string(n), "member"));
  for (int p = 0; p < 3; ++p) EXPECT_TRUE(Linked(g, "person", "GP" + std::to_string(p), "holder"));
  EXPECT_TRUE(Linked(g, "device", "IMEI0", "device"));
  EXPECT_TRUE(Linked(g, "device", "IMEI1", "device"));
  EXPECT_EQ(CountRole(g, "holder"), 3);
}

// A number some detector flagged is watched from its first call: its calls
// enter the graph before it has made many.
TEST(RingWatch, FlaggedNumbersAreWatchedAndNotFlaggedTwice) {
  RingWorld w(Small());
  for (int g = 0; g < 6; ++g) w.Holder(kStart - 86400, "GP" + std::to_string(g), "", "G" + std::to_string(g));
  for (int g = 0; g < 6; ++g) w.Note(ActionType::kFlagNumber, TargetKind::kMsisdn, "G" + std::to_string(g));
  for (int round = 0; round < 4; ++round)
    for (int a = 0; a < 6; ++a)
      for (int b = 0; b < 6; ++b)
        if (a != b) w.Ring(kStart + round * kHour + a, "G" + std::to_string(a), "G" + std::to_string(b));
  for (int i = 0; i < 200; ++i) w.Ring(kStart + i * 60, "G0", "X" + std::to_string(i));
  w.Finish();
  EXPECT_GT(w.watch().stats().call_edges, 100u);
  EXPECT_EQ(w.flags().size(), 0u) << "all six were flagged already";
  ASSERT_EQ(w.watch().Gangs().size(), 1u);
  EXPECT_EQ(w.watch().Gangs()[0].size, 6u);
}

TEST(RingWatch, GangRecordsOnlyAndAbsentIdsNeverCrash) {
  RingWatchConfig cfg = Small();
  cfg.flag_members = false;
  RingWorld w(cfg);
  auto ring = [&](const std::string& prefix, Ts t0) {
    for (int round = 0; round < 3; ++round)
      for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b)
          if (a != b) w.Pay(t0 + round * kHour, prefix + std::to_string(a), prefix + std::to_string(b));
  };
  // Accounts without an opening (kind unknown: an outside account) never
  // enter the money graph.
  ring("U", kStart);
  Background(w);
  for (int m = 0; m < 6; ++m) w.Holder(kStart, "MP" + std::to_string(m), "M" + std::to_string(m), "");
  ring("M", kStart + 100 * kHour);
  Event e;
  e.ts = kStart;
  e.kind = EventKind::kTransfer;
  e.transfer = {kNoId, TransferKind::kTransfer, Channel::kApp, kNoId, kNoId, 100, kNoId};
  w.Feed(e);
  e.kind = EventKind::kCall;
  e.call = {kNoId, kNoId, 0, kNoId, kNoId, kNoId};
  w.Feed(e);
  e.kind = EventKind::kBankAccount;
  e.account = {kNoId, kNoId, kNoId, kNoId, AccountKind::kPersonal};
  w.Feed(e);
  w.Note(ActionType::kFlagAccount, TargetKind::kAccount, "never-seen");
  w.Finish();
  EXPECT_TRUE(w.flags().empty()) << "gang records only";
  ASSERT_EQ(w.watch().Gangs().size(), 1u);
  EXPECT_TRUE(Linked(w.watch().Gangs()[0], "account", "M0", "member"));
  EXPECT_FALSE(Linked(w.watch().Gangs()[0], "account", "U0", "member"));
}

}  // namespace
}  // namespace interdict
