// Scenario tests: these events in, these actions out. Each test builds a tiny
// world with a World helper whose calls read like an investigator's notes.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <map>

#include <fmt/format.h>

namespace interdict {
namespace {

constexpr Ts kT0 = 1709251200;  // 2024-03-01T08:00:00+08:00
constexpr Ts kDay = 86400;

// The stories' centre has ample call and visit capacity for their handful of
// registered persons (capacity is set per 10,000 of them), unless a story
// is about capacity.
EngineConfig AmpleCapacity(EngineConfig cfg = {}) {
  cfg.call_capacity_per_10k_day = 1e7;
  cfg.visit_capacity_per_10k_day = 1e7;
  return cfg;
}

class World {
 public:
  explicit World(EngineConfig cfg = AmpleCapacity()) : engine_(&d_, cfg, [this](const Action& a) { actions.push_back(a); }) {}

  PersonId Person(const std::string& id, int birth_year) {
    PersonId p = d_.person.Intern(id);
    if (p >= d_.people.size()) d_.people.resize(p + 1);
    d_.people[p] = interdict::Person{p, birth_year, Gender::kFemale, d_.region.Intern("440100")};
    return p;
  }
  // A SIM registered to `person`, opened at `opened`.
  MsisdnId Sim(const std::string& msisdn, PersonId person, Ts opened) {
    Event e;
    e.kind = EventKind::kSimCard;
    e.ts = opened;
    e.sim = SimCardOpen{d_.msisdn.Intern(msisdn), person, kNoId, kNoId, Plan::kPrepaid};
    Apply(e);
    return e.sim.msisdn;
  }
  AccountId Account(const std::string& id, PersonId person, Ts opened, AccountKind kind = AccountKind::kPersonal) {
    Event e;
    e.kind = EventKind::kBankAccount;
    e.ts = opened;
    e.account = BankAccountOpen{d_.account.Intern(id), person, kNoId, kNoId, kind};
    Apply(e);
    return e.account.account;
  }
  void Call(Ts ts, const std::string& from, const std::string& to, uint32_t dur, const std::string& imei = "") {
    Event e;
    e.kind = EventKind::kCall;
    e.ts = ts;
    e.call = interdict::Call{d_.msisdn.Intern(from), d_.msisdn.Intern(to), dur,
                             imei.empty() ? kNoId : d_.device.Intern(imei), kNoId, kNoId};
    Apply(e);
  }
  void Text(Ts ts, const std::string& from, const std::string& to, bool link, const std::string& tmpl) {
    Event e;
    e.kind = EventKind::kSms;
    e.ts = ts;
    e.sms = interdict::Sms{d_.msisdn.Intern(from), d_.msisdn.Intern(to), static_cast<uint8_t>(link ? 1 : 0),
                           static_cast<TemplateId>(std::hash<std::string>{}(tmpl) & 0x7fffffff)};
    Apply(e);
  }
  void Pay(Ts ts, const std::string& txn, const std::string& from, const std::string& to, Money fen,
           Channel channel = Channel::kApp) {
    Event e;
    e.kind = EventKind::kTransfer;
    e.ts = ts;
    e.transfer = Transfer{d_.txn.Intern(txn), TransferKind::kTransfer, channel, d_.account.Intern(from),
                          d_.account.Intern(to), fen, kNoId};
    Apply(e);
  }
  void Report(Ts ts, const std::string& id, PersonId person, const std::string& account) {
    Event e;
    e.kind = EventKind::kReport;
    e.ts = ts;
    e.report = interdict::Report{d_.report.Intern(id), person, kNoId, d_.account.Intern(account), kNoMoney, kNoId,
                                 kNoId};
    Apply(e);
  }
  void Apply(const Event& e) {
    events.push_back(e);
    engine_.Apply(e);
  }
  void Finish(Ts end) { engine_.Finish(end); }

  // Copies: later events append to `actions`, which would move pointed-to rows.
  std::vector<Action> Of(ActionType t, const std::string& target = "") const {
    std::vector<Action> out;
    for (const Action& a : actions)
      if (a.type == t && (target.empty() || a.target == target)) out.push_back(a);
    return out;
  }
  Engine& engine() { return engine_; }
  Dictionaries& dicts() { return d_; }

  std::vector<Action> actions;
  std::vector<Event> events;  // everything applied, in order

 private:
  Dictionaries d_;
  Engine engine_;
};

// A fraud caller on a SIM opened last week: 40 calls to strangers in an hour,
// three in four unanswered, the others a 75-second pitch.
void FraudBurst(World& w, const std::string& number, Ts start, int calls = 40) {
  for (int i = 0; i < calls; ++i)
    w.Call(start + i * 90, number, "139" + std::to_string(10000000 + i), i % 4 == 0 ? 75 : 0, "imei-fraud");
}

// A fraud number on a fresh SIM of `holder` is flagged by its burst at kT0,
// then talks to `victim_sim` for 25 minutes at kT0 + 3 h: the victim is exposed.
void ExposeVictim(World& w, const std::string& victim_sim, PersonId holder,
                  const std::string& fraud_number = "17000000005") {
  w.Sim(fraud_number, holder, kT0 - 3 * kDay);
  FraudBurst(w, fraud_number, kT0);
  w.Call(kT0 + 3 * 3600, fraud_number, victim_sim, 1500);
}

TEST(EngineScenario, FreshCardCallingStrangersIsFlaggedWithReasons) {
  World w;
  PersonId seller = w.Person("P-seller", 1990);
  w.Sim("17000000001", seller, kT0 - 7 * kDay);
  FraudBurst(w, "17000000001", kT0);
  auto flags = w.Of(ActionType::kFlagNumber, "17000000001");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_NE(flags[0].reason.find("out"), std::string::npos);
  EXPECT_NE(flags[0].reason.find("unanswered"), std::string::npos);
  EXPECT_NE(flags[0].reason.find("new_card"), std::string::npos);
  // Flagged within the first 15-20 calls, not at the end of the burst.
  EXPECT_LE(flags[0].ts, kT0 + 20 * 90);
  // Everyone who talked to it before the flag (every fourth callee) is
  // warned by SMS at once, in the same event; those who never answered are not.
  // Later ones as their calls pass 60 s.
  auto sms = w.Of(ActionType::kWarnSms);
  EXPECT_EQ(std::count_if(sms.begin(), sms.end(), [&](const Action& a) { return a.ts == flags[0].ts; }), 3);
  for (const Action& a : sms) EXPECT_EQ((std::stoi(a.target.substr(3)) - 10000000) % 4, 0) << a.target;
  EXPECT_TRUE(w.engine().QueryNumber(w.dicts().msisdn.Find("17000000001")).flagged);
}

TEST(EngineScenario, OverseasOffnetNumberIsFlagged) {
  World w;
  FraudBurst(w, "+85512345678", kT0);
  auto flags = w.Of(ActionType::kFlagNumber, "+85512345678");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_NE(flags[0].reason.find("offnet"), std::string::npos);
  EXPECT_NE(flags[0].reason.find("intl"), std::string::npos);
}

TEST(EngineScenario, TelemarketerOnOldLineStaysSilent) {
  // Many distinct callees, outgoing only, on a line opened years ago, most
  // calls answered: a business line, not fraud.
  World w;
  PersonId firm = w.Person("P-firm", 1980);
  w.Sim("13500000001", firm, kT0 - 5 * 365 * kDay);
  for (int i = 0; i < 80; ++i)
    w.Call(kT0 + i * 60, "13500000001", "139" + std::to_string(20000000 + i), i % 3 == 0 ? 0 : 40, "imei-tm");
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber).empty());
  EXPECT_TRUE(w.Of(ActionType::kWarnSms).empty());
}

TEST(EngineScenario, CourierWithLowAnswerRateButOldLineStaysSilent) {
  // Even unanswered, an old line alone does not make fraud (the card signal is required).
  World w;
  PersonId p = w.Person("P-courier", 1985);
  w.Sim("13600000001", p, kT0 - 3 * 365 * kDay);
  for (int i = 0; i < 60; ++i) w.Call(kT0 + i * 60, "13600000001", "138" + std::to_string(30000000 + i), i % 3 == 0 ? 20 : 0);
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber).empty());
}

TEST(EngineScenario, ANewWorkLineAnsweredForDaysIsNotFlaggedForOneBadMorning) {
  // A sales line on a month-old SIM: a day of calls to strangers answered
  // one in two, then a morning when only one in five answers. The morning
  // alone looks like a fraud line's; over its life the line is answered at
  // business rates. A fresh SIM with the same morning is flagged.
  World w;
  PersonId firm = w.Person("P-sales", 1985);
  w.Sim("13700000001", firm, kT0 - 30 * kDay);
  w.Sim("13700000002", firm, kT0 - 30 * kDay);
  int callee = 0;
  for (int i = 0; i < 120; ++i)
    w.Call(kT0 + i * 300, "13700000001", "139" + std::to_string(40000000 + callee++), i % 2 == 0 ? 0 : 45, "imei-sales");
  const Ts day2 = kT0 + kDay + 3600;
  for (const char* line : {"13700000001", "13700000002"})
    for (int i = 0; i < 30; ++i)
      w.Call(day2 + i * 120, line, "139" + std::to_string(40000000 + callee++), i % 5 == 0 ? 45 : 0,
             line == std::string("13700000001") ? "imei-sales" : "imei-other");
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber, "13700000001").empty());
  EXPECT_EQ(w.Of(ActionType::kFlagNumber, "13700000002").size(), 1u);
}

// A bought SIM that only sends one phishing text with a link to strangers,
// never calls and is never answered, is flagged at its 30th (sms_blast).
// Not so: the same texts from a card nothing reaches but someone replied to,
// a shop's own line with several texts, or a years-old line.
TEST(EngineScenario, NewCardBlastingOneLinkTextIsFlagged) {
  struct Story {
    const char* name;
    Ts opened;
    bool reply, second_template;
    bool flagged;
  };
  for (const Story& st : {Story{"blaster", kT0 - 20 * kDay, false, false, true},
                          Story{"someone replied", kT0 - 20 * kDay, true, false, false},
                          Story{"several texts", kT0 - 20 * kDay, false, true, false},
                          Story{"old line", kT0 - 900 * kDay, false, false, false}}) {
    SCOPED_TRACE(st.name);
    World w;
    w.Sim("17500000001", w.Person("P-holder", 1990), st.opened);
    for (int i = 0; i < 40; ++i) {
      if (st.reply && i == 5) w.Text(kT0 + i * 60 - 30, "13980000003", "17500000001", false, "who is this");
      const bool other = st.second_template && i % 2 == 1;
      w.Text(kT0 + i * 60, "17500000001", "139" + std::to_string(80000000 + i), true, other ? "promo-b" : "parcel held");
    }
    auto flags = w.Of(ActionType::kFlagNumber, "17500000001");
    ASSERT_EQ(flags.size(), st.flagged ? 1u : 0u);
    if (st.flagged) {
      EXPECT_EQ(flags[0].reason, "new_card+sms_blast");
      EXPECT_EQ(flags[0].ts, kT0 + 29 * 60);
    }
  }
}

TEST(EngineScenario, SimBoxDeviceAndItsSimsAreFlagged) {
  World w;
  // Eight SIMs, four unanswered calls each: judged once 30 calls have ended.
  for (int s = 0; s < 8; ++s)
    for (int i = 0; i < 4; ++i)
      w.Call(kT0 + s * 300 + i * 10, "1710000000" + std::to_string(s), "139" + std::to_string(40000000 + s * 10 + i),
             0, "imei-box");
  auto dev = w.Of(ActionType::kFlagDevice, "imei-box");
  ASSERT_EQ(dev.size(), 1u);
  EXPECT_EQ(dev[0].target_kind, TargetKind::kImei);
  EXPECT_EQ(w.Of(ActionType::kFlagNumber).size(), 8u);  // every SIM it ran
  // A SIM the box starts running after it was flagged is flagged at its first call.
  w.Call(kT0 + 3000, "17100000009", "13940000999", 0, "imei-box");
  EXPECT_EQ(w.Of(ActionType::kFlagNumber, "17100000009").size(), 1u);
  EXPECT_EQ(w.Of(ActionType::kFlagDevice).size(), 1u);
  // The engine's state is accounted by part, and the parts add up.
  const EngineStats st = w.engine().Stats();
  size_t sum = 0;
  for (const auto& [part, bytes] : st.state_parts) sum += bytes;
  EXPECT_EQ(sum, st.state_bytes);
  EXPECT_GT(st.state_bytes, 0u);
  EXPECT_EQ(st.active_numbers, 9u + 33u);  // 9 SIMs of the box, 33 numbers called
}

// A phone cycling through four old SIMs bought from two people: the rules
// see no fresh card, but governance flags the phone and its SIMs
// (sim_rotation); the engine takes the flags over and warns whoever talked to
// those SIMs for a minute.
TEST(EngineScenario, GovernanceFlaggedSimsWarnTheirContacts) {
  World w;
  const PersonId sellers[] = {w.Person("P-seller-1", 1990), w.Person("P-seller-2", 1970)};
  for (int s = 0; s < 4; ++s) w.Sim("1730000000" + std::to_string(s), sellers[s % 2], kT0 - 700 * kDay);
  for (int k = 0; k < 64; ++k)
    w.Call(kT0 + k * 100, "1730000000" + std::to_string(k % 4), "139" + std::to_string(60000000 + k),
           (k / 4) % 10 < 3 ? 90 : 0, "imei-farm");
  w.engine().AdvanceTo(kT0 + 65 * 100);
  ASSERT_EQ(w.Of(ActionType::kFlagDevice, "imei-farm").size(), 1u);
  ASSERT_EQ(w.Of(ActionType::kFlagNumber).size(), 4u);
  EXPECT_NE(w.Of(ActionType::kFlagNumber)[0].reason.find("rotation_sim"), std::string::npos);
  // Every callee that talked 90 s before the flag is warned, none that did not.
  const Ts flagged = w.Of(ActionType::kFlagDevice)[0].ts;
  size_t talked = 0;
  for (const Event& e : w.events)
    if (e.kind == EventKind::kCall && e.ts + e.call.duration_s <= flagged && e.call.duration_s > 0) ++talked;
  auto sms = w.Of(ActionType::kWarnSms);
  EXPECT_GE(sms.size(), talked);
  EXPECT_GT(talked, 0u);
  for (const Action& a : sms) EXPECT_LT((std::stoi(a.target.substr(3)) - 60000000) / 4 % 10, 3) << a.target;
}

// An enterprise call gateway: ten SIMs calling out from one device all day,
// like a box, but seven calls in ten are answered (a business's customers).
// Neither the engine's SIM-box rule nor governance's finders flag it.
TEST(EngineScenario, CallGatewayAnsweredAtBusinessRatesIsNotASimBox) {
  World w;
  const PersonId firm = w.Person("P-firm", 1980);
  for (int s = 0; s < 10; ++s) w.Sim("1720000000" + std::to_string(s), firm, kT0 - 90 * kDay);
  for (int k = 0; k < 120; ++k) {
    const int s = k % 10;
    w.Call(kT0 + k * 120, "1720000000" + std::to_string(s), "139" + std::to_string(50000000 + k),
           (k / 10) % 10 < 7 ? 90 : 0, "imei-gateway");
  }
  w.engine().AdvanceTo(kT0 + 121 * 120);
  EXPECT_TRUE(w.Of(ActionType::kFlagDevice).empty());
  for (const Action& a : w.Of(ActionType::kFlagNumber)) ADD_FAILURE() << a.target << " " << a.reason;
}

// A company's call gateway whose customers mostly do not answer (a debt
// collector's): eight SIMs of the company's one registration, on one device,
// answered one call in three. Its own lines, not bought cards: no SIM box, no
// rotation. The same lines registered to a flagged card seller are a box.
TEST(EngineScenario, OneSubscribersLinesAreNotABoxUnlessTheHolderSellsCards) {
  for (const bool seller : {false, true}) {
    SCOPED_TRACE(seller ? "seller's cards" : "company's lines");
    World w;
    const PersonId holder = w.Person("P-holder", 1980);
    for (int s = 0; s < 8; ++s) {
      Event e;
      e.kind = EventKind::kSimCard;
      e.ts = kT0 - (seller ? 10 : 200) * kDay + s * 3600;
      // A seller opens a batch across operators and outlets (governance's
      // sim_batch flags the holder at the fourth); the company at one.
      e.sim = SimCardOpen{w.dicts().msisdn.Intern("1740000000" + std::to_string(s)), holder,
                          w.dicts().op.Intern(seller ? "op" + std::to_string(s % 3) : "op"),
                          w.dicts().outlet.Intern(seller ? "outlet" + std::to_string(s % 2) : "outlet"),
                          Plan::kPostpaid};
      w.Apply(e);
    }
    for (int k = 0; k < 160; ++k)
      w.Call(kT0 + k * 60, "1740000000" + std::to_string(k % 8), "139" + std::to_string(70000000 + k),
             k % 3 == 0 ? 40 : 0, "imei-bank");
    w.engine().AdvanceTo(kT0 + 161 * 60);
    EXPECT_EQ(w.Of(ActionType::kFlagDevice, "imei-bank").size(), seller ? 1u : 0u);
    EXPECT_EQ(w.Of(ActionType::kFlagNumber).size(), seller ? 8u : 0u);
  }
}

// Rings inside the engine: six mule accounts paying each other over and over
// among 400 ordinary people who each pay two others once become one gang
// record whose members are exactly the six, each flagged (by the rings or by
// governance first); the ordinary accounts are not.
TEST(EngineScenario, MuleRingBecomesAGangRecord) {
  World w;
  for (int i = 0; i < 400; ++i)
    w.Account("A" + std::to_string(i), w.Person("P" + std::to_string(i), 1970 + i % 30), kT0 - 400 * kDay);
  for (int m = 0; m < 6; ++m)
    w.Account("M" + std::to_string(m), w.Person("MP" + std::to_string(m), 1999), kT0 - 300 * kDay);
  int txn = 0;
  for (int h = 0; h < 160; ++h) {
    // Background: 5 payments an hour between ordinary people.
    for (int k = 0; k < 5; ++k) {
      const int i = (h * 5 + k) % 400;
      w.Pay(kT0 + h * 3600 + k * 60, "T" + std::to_string(++txn), "A" + std::to_string(i),
            "A" + std::to_string((i * 37 + k * 101 + 1) % 400), 20000);
    }
    // The ring: from hour 10, every ten hours each mule pays every other.
    if (h >= 10 && h % 10 == 0)
      for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b)
          if (a != b)
            w.Pay(kT0 + h * 3600 + 1800 + a * 10 + b, "T" + std::to_string(++txn), "M" + std::to_string(a),
                  "M" + std::to_string(b), 50000);
  }
  w.Finish(kT0 + 161 * 3600);
  const std::vector<GangRecord> gangs = w.engine().Gangs();
  ASSERT_EQ(gangs.size(), 1u);
  std::vector<std::string> members;
  for (const GangMember& m : gangs[0].members)
    if (m.role == "member") members.push_back(m.id);
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::string>{"M0", "M1", "M2", "M3", "M4", "M5"}));
  for (int m = 0; m < 6; ++m) EXPECT_EQ(w.Of(ActionType::kFlagAccount, "M" + std::to_string(m)).size(), 1u) << m;
  for (const Action& a : w.Of(ActionType::kFlagAccount)) EXPECT_EQ(a.target[0], 'M') << a.target;
}

// Prefetch is a hint: replaying a world's events with every event
// prefetched some events ahead (ids the engine has not seen yet included)
// gives the same actions as applying them alone.
TEST(EngineScenario, PrefetchingAheadChangesNothing) {
  World w;
  PersonId gran = w.Person("P-gran", 1950);
  w.Sim("13900000777", gran, kT0 - 10 * 365 * kDay);
  w.Account("ACC-gran", gran, kT0 - 5 * 365 * kDay);
  w.Account("ACC-mule", w.Person("P-mule", 2001), kT0 - 20 * kDay);
  w.Sim("17000000002", w.Person("P-s", 1995), kT0 - 3 * kDay);
  FraudBurst(w, "17000000002", kT0);
  w.Call(kT0 + 3700, "17000000002", "13900000777", 600);
  w.Pay(kT0 + 4000, "T1", "ACC-gran", "ACC-mule", 5000000);
  for (int s = 0; s < 8; ++s)
    for (int i = 0; i < 4; ++i)
      w.Call(kT0 + 5000 + s * 300 + i * 10, "1710000000" + std::to_string(s),
             "139" + std::to_string(40000000 + s * 10 + i), 0, "imei-box");
  ASSERT_FALSE(w.Of(ActionType::kFlagNumber).empty());
  ASSERT_FALSE(w.Of(ActionType::kHoldTransfer).empty());
  ASSERT_FALSE(w.Of(ActionType::kFlagDevice).empty());

  std::vector<Action> replayed;
  Engine e(&w.dicts(), AmpleCapacity(), [&](const Action& a) { replayed.push_back(a); });
  const std::vector<Event>& ev = w.events;
  for (size_t i = 0; i < ev.size(); ++i) {
    for (size_t k = i; k < std::min(ev.size(), i + 5); ++k) e.Prefetch(ev[k]);
    for (size_t k = i; k < std::min(ev.size(), i + 3); ++k) e.PrefetchNear(ev[k]);
    e.Apply(ev[i]);
  }
  ASSERT_EQ(replayed.size(), w.actions.size());
  for (size_t i = 0; i < replayed.size(); ++i) {
    EXPECT_EQ(replayed[i].type, w.actions[i].type) << i;
    EXPECT_EQ(replayed[i].target, w.actions[i].target) << i;
    EXPECT_EQ(replayed[i].ts, w.actions[i].ts) << i;
    EXPECT_EQ(replayed[i].reason, w.actions[i].reason) << i;
  }
}

TEST(EngineScenario, FamilyPhoneWithTwoSimsIsNotASimBox) {
  World w;
  for (int i = 0; i < 30; ++i) {
    w.Call(kT0 + i * 600, "13700000001", "13800000099", 60, "imei-family");
    w.Call(kT0 + i * 600 + 5, "13700000002", "13800000099", 60, "imei-family");
  }
  EXPECT_TRUE(w.Of(ActionType::kFlagDevice).empty());
}

TEST(EngineScenario, LongCallEscalatesToCallThenVisitWhenCallsContinue) {
  World w;
  PersonId gran = w.Person("P-gran", 1950);
  w.Sim("13900000777", gran, kT0 - 10 * 365 * kDay);
  w.Sim("17000000002", w.Person("P-s", 1995), kT0 - 3 * kDay);
  FraudBurst(w, "17000000002", kT0);
  ASSERT_EQ(w.Of(ActionType::kFlagNumber).size(), 1u);
  const Ts t1 = kT0 + 2 * 3600;
  w.Call(t1, "17000000002", "13900000777", 900);  // a 15-minute conversation
  // At its start nothing: how long it will last is not known yet.
  EXPECT_TRUE(w.Of(ActionType::kWarnSms, "13900000777").empty());
  w.engine().AdvanceTo(t1 + 60);  // a minute on the line: the SMS, while the call goes on
  auto sms = w.Of(ActionType::kWarnSms, "13900000777");
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0].ts, t1 + 60);
  EXPECT_TRUE(w.Of(ActionType::kWarnCall).empty());
  w.engine().AdvanceTo(t1 + 299);
  EXPECT_TRUE(w.Of(ActionType::kWarnCall).empty());
  // Still connected after 300 s: a long conversation, acted on now, while
  // the call goes on.
  w.engine().AdvanceTo(t1 + 300);
  auto calls = w.Of(ActionType::kWarnCall, "13900000777");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].ts, t1 + 300);
  EXPECT_EQ(calls[0].reason, "long_answered_call");
  w.engine().AdvanceTo(t1 + 900);  // the same call going on is no reason for a visit
  EXPECT_TRUE(w.Of(ActionType::kWarnVisit).empty());
  w.Call(t1 + 3600, "17000000002", "13900000777", 1200);  // the calls go on after the warning
  w.engine().AdvanceTo(t1 + 3600 + 60);
  auto visits = w.Of(ActionType::kWarnVisit, "13900000777");
  ASSERT_EQ(visits.size(), 1u);
  EXPECT_EQ(visits[0].ts, t1 + 3600 + 60);
}

// events.md, "What is known when": a call's length is known at its end, so
// a decision that counts an answered call is stamped at that end, not at the
// call's start.
TEST(EngineScenario, AnAnsweredCallCountsWhenItEnds) {
  World w;
  w.Sim("17000000009", w.Person("P-s", 1995), kT0 - 3 * kDay);
  for (int i = 0; i < 9; ++i) w.Call(kT0 + i * 60, "17000000009", "139" + std::to_string(20000000 + i), 0);
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber).empty());
  const Ts t10 = kT0 + 9 * 60;
  w.Call(t10, "17000000009", "13920000009", 40);  // the tenth call, answered for 40 s
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber).empty());  // not over yet
  w.engine().AdvanceTo(t10 + 39);
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber).empty());
  w.engine().AdvanceTo(t10 + 40);
  auto flags = w.Of(ActionType::kFlagNumber, "17000000009");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].ts, t10 + 40);
}

// The same call seen whole, or cut while still connected (as a live feed has
// it: duration so far), gives the same actions before the cut.
TEST(EngineScenario, ACallCutWhileConnectedDecidesTheSameBeforeTheCut) {
  auto run = [](uint32_t last_dur, Ts end) {
    World w;
    PersonId gran = w.Person("P-gran", 1950);
    w.Sim("13900000777", gran, kT0 - 10 * 365 * kDay);
    w.Sim("17000000002", w.Person("P-s", 1995), kT0 - 3 * kDay);
    FraudBurst(w, "17000000002", kT0);
    w.Call(kT0 + 7200, "17000000002", "13900000777", last_dur);
    w.Finish(end);
    return w.actions;
  };
  const Ts cut = kT0 + 7200 + 400;
  const std::vector<Action> whole = run(1500, kT0 + 7200 + 1500);
  const std::vector<Action> cut_run = run(400, cut);
  auto before = [cut](const std::vector<Action>& v) {
    std::vector<std::string> out;
    for (const Action& a : v)
      if (a.ts < cut) out.push_back(fmt::format("{}|{}|{}|{}", a.ts, static_cast<int>(a.type), a.target, a.reason));
    return out;
  };
  EXPECT_EQ(before(whole), before(cut_run));
  EXPECT_FALSE(before(whole).empty());
}

TEST(EngineScenario, AHangUpGetsNoWarningAShortTalkOnlySms) {
  World w;
  w.Sim("17000000003", w.Person("P-s", 1995), kT0 - 3 * kDay);
  FraudBurst(w, "17000000003", kT0);
  w.Call(kT0 + 3 * 3600, "17000000003", "13911112222", 40);  // hung up within the minute
  w.Call(kT0 + 3 * 3600 + 60, "17000000003", "13911113333", 70);
  w.engine().AdvanceTo(kT0 + 4 * 3600);
  EXPECT_TRUE(w.Of(ActionType::kWarnSms, "13911112222").empty());
  EXPECT_EQ(w.Of(ActionType::kWarnSms, "13911113333").size(), 1u);
  EXPECT_TRUE(w.Of(ActionType::kWarnCall, "13911113333").empty());
}

// A centre with the budget of one dissuasion call a day: the first request
// takes it; the other waits and, not served within warning_expiry_s, is
// counted unserved, not dropped silently.
TEST(EngineScenario, CallWarningsWaitForCapacity) {
  EngineConfig cfg;
  cfg.call_capacity_per_10k_day = 10000.0 / 4;  // four registered persons: one call a day
  World w(cfg);
  // The registry first, as people.csv is read before any event.
  PersonId s = w.Person("P-s", 1995), a = w.Person("P-a", 1970), b = w.Person("P-b", 1948);
  w.Person("P-c", 1980);
  w.Sim("17000000004", s, kT0 - 3 * kDay);
  w.Sim("13900000001", a, kT0 - 1000 * kDay);
  w.Sim("13900000002", b, kT0 - 1000 * kDay);
  FraudBurst(w, "17000000004", kT0);
  const Ts t = (kT0 / 3600 + 2) * 3600 + 60;
  w.Call(t, "17000000004", "13900000001", 600);
  w.Call(t + 60, "17000000004", "13900000002", 900);
  w.engine().AdvanceTo(t + 60 + 900);
  auto calls = w.Of(ActionType::kWarnCall);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].target, "13900000001");  // the first to reach 300 s takes the day's call
  w.engine().AdvanceTo(t + 8 * 3600);
  EXPECT_EQ(w.Of(ActionType::kWarnCall).size(), 1u);
  EXPECT_EQ(w.engine().Stats().warnings_unserved_call, 1u);
}

// A second person (ACC-V2) talks 15 minutes with fraud number 17000000005 at
// kT0 + 4 h and then pays `payee` 20,000 yuan in txn `txn`.
void SecondVictimPays(World& w, const std::string& txn, const std::string& payee) {
  PersonId victim2 = w.Person("P-v2", 1950);
  w.Sim("13900000999", victim2, kT0 - 2000 * kDay);
  w.Account("ACC-V2", victim2, kT0 - 2000 * kDay);
  w.Call(kT0 + 4 * 3600, "17000000005", "13900000999", 900);
  w.Pay(kT0 + 4 * 3600 + 1000, txn, "ACC-V2", payee, 2000000);
}

TEST(EngineScenario, ExposedPersonPayingANewPayeeIsHeld) {
  World w;
  PersonId victim = w.Person("P-v", 1955);
  w.Sim("13900000888", victim, kT0 - 2000 * kDay);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("ACC-RENT", w.Person("P-landlord", 1960), kT0 - 2000 * kDay);
  w.Account("ACC-MULE", w.Person("P-mule", 2001), kT0 - 20 * kDay);
  w.Pay(kT0 - kDay, "T-rent-1", "ACC-V", "ACC-RENT", 300000);
  w.Sim("17000000005", w.Person("P-s", 1995), kT0 - 3 * kDay);
  FraudBurst(w, "17000000005", kT0);
  w.Call(kT0 + 3 * 3600, "17000000005", "13900000888", 1500);
  w.Pay(kT0 + 3 * 3600 + 1600, "T-rent-2", "ACC-V", "ACC-RENT", 300000);  // a known payee: not held
  EXPECT_TRUE(w.Of(ActionType::kHoldTransfer).empty());
  w.Pay(kT0 + 3 * 3600 + 1700, "T-scam", "ACC-V", "ACC-MULE", 5000000);  // a new payee
  auto holds = w.Of(ActionType::kHoldTransfer, "T-scam");
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0].amount, 5000000);
  // One payment is not enough to stop the payee's account: held, not stopped.
  EXPECT_TRUE(w.Of(ActionType::kStopPayment, "ACC-MULE").empty());
  // A second exposed person, a stranger to the first, pays it too: now it is
  // a suspected mule, flagged and stop-paid.
  SecondVictimPays(w, "T-scam2", "ACC-MULE");
  EXPECT_EQ(w.Of(ActionType::kHoldTransfer, "T-scam2").size(), 1u);
  auto stops = w.Of(ActionType::kStopPayment, "ACC-MULE");
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].reason, "suspect_mule_payee");
  EXPECT_EQ(w.Of(ActionType::kFlagAccount, "ACC-MULE").size(), 1u);  // by the engine or governance
}

// An exposed person pays someone new who lives on their account (shops by
// card, is paid wages): a person, not a bought card. Noted, not held, also
// the second time; a second exposed person paying the same account is a
// mule's pattern (rented mules have normal histories): held and stopped.
TEST(EngineScenario, PayeeLivingOnTheAccountIsHeldOnlyFromASecondExposedPayer) {
  World w;
  PersonId victim = w.Person("P-v", 1955);
  w.Sim("13900000888", victim, kT0 - 2000 * kDay);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("ACC-SHOP", w.Person("P-shop", 1970), kT0 - 2000 * kDay, AccountKind::kBusiness);
  w.Account("ACC-P", w.Person("P-p", 1990), kT0 - 900 * kDay);
  w.Pay(kT0 - 2 * kDay, "T-groceries", "ACC-P", "ACC-SHOP", 8000, Channel::kPos);
  ExposeVictim(w, "13900000888", w.Person("P-s", 1995));
  w.Pay(kT0 + 3 * 3600 + 1700, "T-1", "ACC-V", "ACC-P", 500000);
  w.Pay(kT0 + 3 * 3600 + 1800, "T-2", "ACC-V", "ACC-P", 500000);
  EXPECT_TRUE(w.Of(ActionType::kHoldTransfer).empty());
  EXPECT_EQ(w.engine().Stats().holds_skipped_own_use, 2u);
  SecondVictimPays(w, "T-3", "ACC-P");
  EXPECT_EQ(w.Of(ActionType::kHoldTransfer, "T-3").size(), 1u);
  EXPECT_EQ(w.Of(ActionType::kStopPayment, "ACC-P").size(), 1u);
}

// The same victim paying the same new payee twice is still one payer.
TEST(EngineScenario, OneExposedPersonPayingTwiceIsNotSeveralPayers) {
  World w;
  PersonId victim = w.Person("P-v", 1955);
  w.Sim("13900000888", victim, kT0 - 2000 * kDay);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("ACC-NEW", w.Person("P-n", 2001), kT0 - 20 * kDay);
  ExposeVictim(w, "13900000888", w.Person("P-s", 1995));
  w.Pay(kT0 + 3 * 3600 + 1700, "T-1", "ACC-V", "ACC-NEW", 500000);
  w.Pay(kT0 + 3 * 3600 + 1800, "T-2", "ACC-V", "ACC-NEW", 500000);
  EXPECT_EQ(w.Of(ActionType::kHoldTransfer).size(), 2u);
  EXPECT_TRUE(w.Of(ActionType::kStopPayment).empty());
}

// A victim under a fraud call who pays a relative they talk to is paying
// family, not a mule: no hold, no stop.
TEST(EngineScenario, ExposedPersonPayingSomeoneTheyTalkToIsNotHeld) {
  World w;
  PersonId victim = w.Person("P-v", 1955);
  PersonId son = w.Person("P-son", 1985);
  w.Sim("13900000888", victim, kT0 - 2000 * kDay);
  w.Sim("13900000777", son, kT0 - 2000 * kDay);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("ACC-SON", son, kT0 - 20 * kDay);  // a new account, but his
  w.Call(kT0 - kDay, "13900000777", "13900000888", 240);
  ExposeVictim(w, "13900000888", w.Person("P-s", 1995));
  w.Pay(kT0 + 3 * 3600 + 1700, "T-family", "ACC-V", "ACC-SON", 200000);
  EXPECT_TRUE(w.Of(ActionType::kHoldTransfer).empty());
  EXPECT_TRUE(w.Of(ActionType::kStopPayment).empty());
}

// ... unless the person they "know" holds a fraud number: the gang bought the
// seller's SIM and bank card together, and the victim talked to that SIM.
TEST(EngineScenario, PayeeWhoseHolderHasTheFraudNumberIsStopped) {
  World w;
  PersonId victim = w.Person("P-v", 1955);
  PersonId seller = w.Person("P-seller", 1999);
  w.Sim("13900000888", victim, kT0 - 2000 * kDay);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("ACC-KIT", seller, kT0 - 3 * kDay);
  ExposeVictim(w, "13900000888", seller);
  ASSERT_EQ(w.Of(ActionType::kFlagNumber, "17000000005").size(), 1u);
  w.Pay(kT0 + 3 * 3600 + 1700, "T-scam", "ACC-V", "ACC-KIT", 800000);
  EXPECT_EQ(w.Of(ActionType::kHoldTransfer, "T-scam").size(), 1u);
  auto flags = w.Of(ActionType::kFlagAccount, "ACC-KIT");
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].reason, "paid_by_exposed_person+holder_has_fraud_number");
  EXPECT_EQ(w.Of(ActionType::kStopPayment, "ACC-KIT").size(), 1u);
}

TEST(EngineScenario, PaymentWithoutExposureIsNotHeld) {
  World w;
  PersonId p = w.Person("P-x", 1980);
  w.Account("ACC-X", p, kT0 - 2000 * kDay);
  w.Account("ACC-NEW", w.Person("P-y", 1990), kT0 - 2 * kDay);
  w.Pay(kT0, "T-1", "ACC-X", "ACC-NEW", 100000);
  EXPECT_TRUE(w.actions.empty());
}

// An exposed person buying a bowl of noodles from a stall's personal QR code
// (a new payee, 35 yuan) is not held; the same person sending 3,000 is.
TEST(EngineScenario, ExposedPersonsSmallPaymentIsNotHeld) {
  World w;
  PersonId victim = w.Person("P-v", 1955);
  w.Sim("13900000888", victim, kT0 - 2000 * kDay);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("ACC-STALL", w.Person("P-stall", 1975), kT0 - 200 * kDay);
  w.Account("ACC-MULE", w.Person("P-mule", 2001), kT0 - 20 * kDay);
  ExposeVictim(w, "13900000888", w.Person("P-s", 1995));
  w.Pay(kT0 + 3 * 3600 + 1600, "T-noodles", "ACC-V", "ACC-STALL", 3500);
  EXPECT_TRUE(w.Of(ActionType::kHoldTransfer).empty());
  w.Pay(kT0 + 3 * 3600 + 1700, "T-scam", "ACC-V", "ACC-MULE", 300000);
  EXPECT_EQ(w.Of(ActionType::kHoldTransfer, "T-scam").size(), 1u);
}

TEST(EngineScenario, ReportTracesTheMoneyAndStopsEveryHopStillHoldingIt) {
  World w;
  PersonId victim = w.Person("P-v", 1958);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("M1", w.Person("P-m1", 2000), kT0 - 30 * kDay);
  w.Account("M2", w.Person("P-m2", 2000), kT0 - 30 * kDay);
  w.Account("SHOP", w.Person("P-shop", 1970), kT0 - 2000 * kDay);
  w.Pay(kT0 - 10 * kDay, "T-old", "ACC-V", "SHOP", 20000);  // an old payee
  w.Pay(kT0 - 100, "T-old2", "ACC-V", "SHOP", 20000);       // paid again: not a seed
  w.Pay(kT0, "T-1", "ACC-V", "M1", 1000000);                // 10,000 yuan to a new payee
  w.Pay(kT0 + 600, "T-2", "M1", "M2", 600000);              // 6,000 moves on
  w.Report(kT0 + 3600, "R-1", victim, "ACC-V");
  auto m1 = w.Of(ActionType::kStopPayment, "M1");
  auto m2 = w.Of(ActionType::kStopPayment, "M2");
  ASSERT_EQ(m1.size(), 1u);
  ASSERT_EQ(m2.size(), 1u);
  EXPECT_EQ(m1[0].amount, 400000);  // what is still there
  EXPECT_EQ(m2[0].amount, 600000);
  EXPECT_EQ(m1[0].case_id, "R-R-1");
  EXPECT_TRUE(w.Of(ActionType::kStopPayment, "SHOP").empty());
  EXPECT_TRUE(w.Of(ActionType::kStopPayment, "ACC-V").empty());
  // A freeze follows each stop-payment within 48 h.
  w.Pay(kT0 + 3600 + 25 * 3600, "T-noise", "SHOP", "ACC-V", 100);
  auto fr = w.Of(ActionType::kFreeze, "M1");
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_LE(fr[0].ts - m1[0].ts, 48 * 3600);
  // Restitution at the close returns what the stopped accounts hold.
  w.Finish(kT0 + 2 * kDay);
  Money back = 0;
  for (const Restitution& r : w.engine().restitutions()) {
    EXPECT_EQ(r.victim_account, "ACC-V");
    back += r.amount;
  }
  EXPECT_EQ(back, 1000000);
}

// A report's trace starts from the victim's new payees, but not from an
// account its holder lives on (shopping, wages), and deeper down it stops only
// accounts that fraud fed: a busy shop's account paid from a traced account
// is not stopped.
TEST(EngineScenario, ReportTraceSkipsAccountsInTheirHoldersOwnUse) {
  World w;
  PersonId victim = w.Person("P-v", 1958);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("M1", w.Person("P-m1", 2000), kT0 - 30 * kDay);
  w.Account("NIECE", w.Person("P-niece", 1990), kT0 - 2000 * kDay);
  w.Account("STORE", w.Person("P-store", 1970), kT0 - 2000 * kDay, AccountKind::kBusiness);
  w.Account("STALL", w.Person("P-stall", 1970), kT0 - 2000 * kDay);  // a personal QR code, paid by many
  for (int i = 0; i < 20; ++i) {
    const std::string payer = "CUST" + std::to_string(i);
    w.Account(payer, w.Person("P-c" + std::to_string(i), 1980), kT0 - 2000 * kDay);
    w.Pay(kT0 - 3 * 3600 + i * 60, "T-c" + std::to_string(i), payer, "STALL", 30000);
  }
  w.Pay(kT0 - 2 * kDay, "T-shop", "NIECE", "STORE", 5000, Channel::kPos);  // the niece shops
  w.Pay(kT0, "T-1", "ACC-V", "M1", 1000000);
  w.Pay(kT0 + 60, "T-2", "ACC-V", "NIECE", 300000);  // a birthday gift
  w.Pay(kT0 + 600, "T-3", "M1", "STALL", 20000);     // the mule buys a meal
  w.Report(kT0 + 3600, "R-1", victim, "ACC-V");
  EXPECT_EQ(w.Of(ActionType::kStopPayment, "M1").size(), 1u);
  EXPECT_TRUE(w.Of(ActionType::kStopPayment, "NIECE").empty());
  EXPECT_TRUE(w.Of(ActionType::kStopPayment, "STALL").empty());
  // A second-layer mule, fed only by the traced mule, is stopped.
  w.Account("M2", w.Person("P-m2", 2001), kT0 - 30 * kDay);
  w.Pay(kT0 + 4000, "T-4", "M1", "M2", 500000);
  EXPECT_EQ(w.Of(ActionType::kStopPayment, "M2").size(), 1u);
}

// A victim (ACC-V) pays 10,000 yuan to a mule account M1 and reports it a
// minute later; a second mule account M3 exists, not yet paid.
void VictimPaysAMuleAndReports(World& w) {
  PersonId victim = w.Person("P-v", 1958);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("M1", w.Person("P-m1", 2000), kT0 - 30 * kDay);
  w.Account("M3", w.Person("P-m3", 2000), kT0 - 30 * kDay);
  w.Pay(kT0, "T-1", "ACC-V", "M1", 1000000);
  w.Report(kT0 + 60, "R-2", victim, "ACC-V");
}

TEST(EngineScenario, LiveTraceStopsANewHopWithinTheSameEvent) {
  World w;
  VictimPaysAMuleAndReports(w);
  ASSERT_EQ(w.Of(ActionType::kStopPayment, "M1").size(), 1u);
  // Money arriving later into a traced account and leaving to a new hop (the
  // stop blocks M1 at the bank; in the data the transfer still shows).
  w.Pay(kT0 + 120, "T-2", "M1", "M3", 500000);
  EXPECT_EQ(w.Of(ActionType::kStopPayment, "M3").size(), 1u);
}

// live_tracing = 0 (for measuring tracing's cost): the report still opens a
// case, but nothing is traced, extended or stop-paid.
TEST(EngineScenario, WithoutLiveTracingAReportOpensACaseButStopsNothing) {
  EngineConfig cfg;
  cfg.live_tracing = 0;
  World w(cfg);
  VictimPaysAMuleAndReports(w);
  w.Pay(kT0 + 120, "T-2", "M1", "M3", 500000);
  EXPECT_TRUE(w.Of(ActionType::kStopPayment).empty());
  EXPECT_TRUE(w.Of(ActionType::kFreeze).empty());
  const std::vector<CaseInfo> cases = w.engine().Cases();
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_TRUE(cases[0].hops.empty());
}

TEST(EngineConfigFile, UnknownKeyAndWrongTypeAreErrors) {
  EngineConfig c;
  std::string dir = ::testing::TempDir();
  {
    std::FILE* f = std::fopen((dir + "/e1.toml").c_str(), "w");
    std::fputs("min_calls = 20\nflag_threshold = 0.8\n", f);
    std::fclose(f);
  }
  ASSERT_TRUE(EngineConfig::Load(dir + "/e1.toml", &c).ok());
  EXPECT_EQ(c.min_calls, 20u);
  EXPECT_DOUBLE_EQ(c.flag_threshold, 0.8);
  {
    std::FILE* f = std::fopen((dir + "/e2.toml").c_str(), "w");
    std::fputs("min_callz = 20\n", f);
    std::fclose(f);
  }
  Status s = EngineConfig::Load(dir + "/e2.toml", &c);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("min_callz"), std::string::npos);
  {
    std::FILE* f = std::fopen((dir + "/e3.toml").c_str(), "w");
    std::fputs("min_calls = \"many\"\n", f);
    std::fclose(f);
  }
  EXPECT_FALSE(EngineConfig::Load(dir + "/e3.toml", &c).ok());
}

}  // namespace
}  // namespace interdict

namespace interdict {
namespace {
// The shipped config file must equal the built-in defaults.
TEST(EngineConfigFile, DefaultFileMatchesBuiltIn) {
  EngineConfig file;
  ASSERT_TRUE(EngineConfig::Load(std::string(INTERDICT_SOURCE_DIR) + "/config/engine-default.toml", &file).ok());
  EngineConfig d;
  EXPECT_EQ(file.min_calls, d.min_calls);
  EXPECT_EQ(file.min_distinct_callees, d.min_distinct_callees);
  EXPECT_DOUBLE_EQ(file.flag_threshold, d.flag_threshold);
  EXPECT_EQ(file.new_card_s, d.new_card_s);
  EXPECT_EQ(file.dormant_after_s, d.dormant_after_s);
  EXPECT_EQ(file.warn_call_min_answered_s, d.warn_call_min_answered_s);
  EXPECT_EQ(file.exposure_hold_s, d.exposure_hold_s);
  EXPECT_DOUBLE_EQ(file.call_capacity_per_10k_day, d.call_capacity_per_10k_day);
  EXPECT_DOUBLE_EQ(file.visit_capacity_per_10k_day, d.visit_capacity_per_10k_day);
  EXPECT_EQ(file.warn_sms_min_answered_s, d.warn_sms_min_answered_s);
  EXPECT_DOUBLE_EQ(file.answer_rate_suspect, d.answer_rate_suspect);
  EXPECT_EQ(file.trace_lookback_s, d.trace_lookback_s);
  EXPECT_EQ(file.case_close_s, d.case_close_s);
  EXPECT_EQ(file.simbox_min_sims, d.simbox_min_sims);
}
}  // namespace
}  // namespace interdict

namespace interdict {
namespace {
TEST(EngineScenario, CasesCarryVictimOriginAndTrace) {
  World w;
  PersonId victim = w.Person("P-v", 1958);
  w.Account("ACC-V", victim, kT0 - 2000 * kDay);
  w.Account("M1", w.Person("P-m1", 2000), kT0 - 30 * kDay);
  w.Pay(kT0, "T-1", "ACC-V", "M1", 1000000);
  w.Report(kT0 + 60, "R-9", victim, "ACC-V");
  auto cases = w.engine().Cases();
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].case_id, "R-R-9");
  EXPECT_EQ(cases[0].origin, "report");
  EXPECT_EQ(cases[0].victim_person, "P-v");
  EXPECT_EQ(cases[0].victim_account, "ACC-V");
  EXPECT_EQ(cases[0].first_loss, kT0);
  EXPECT_EQ(cases[0].stopped_accounts, (std::vector<std::string>{"M1"}));
  EXPECT_EQ(cases[0].closed, kNoTs);
  w.Finish(kT0 + kDay);
  EXPECT_EQ(w.engine().Cases()[0].closed, kT0 + kDay);
}
}  // namespace
}  // namespace interdict

namespace interdict {
namespace {
// Training sees each calling number at its checkpoints (the 10th outgoing call
// in the window, then every 5th) until it is flagged, with NumberFeatureNames()
// in order.
TEST(EngineModel, FeatureTapSeesCheckpointsWithNamedFeatures) {
  World w;
  std::vector<std::pair<std::string, std::vector<float>>> rows;
  w.engine().SetFeatureTap([&](MsisdnId n, Ts, const float* x) {
    rows.emplace_back(std::string(w.dicts().msisdn.Name(n)), std::vector<float>(x, x + NumberFeatureNames().size()));
  });
  // An old line calling a lot: not flagged by the rules, seen at 10, 15, 20.
  w.Sim("17000000007", w.Person("P-t", 1975), kT0 - 1000 * kDay);
  FraudBurst(w, "17000000007", kT0, 22);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(w.Of(ActionType::kFlagNumber).empty());
  const auto& names = NumberFeatureNames();
  auto col = [&](const char* name) { return std::find(names.begin(), names.end(), name) - names.begin(); };
  EXPECT_EQ(rows[0].first, "17000000007");
  EXPECT_EQ(rows[0].second[col("out_w")], 10.0f);
  EXPECT_EQ(rows[2].second[col("out_w")], 20.0f);
  EXPECT_FLOAT_EQ(rows[0].second[col("card_age_days")], 1000.0f);
  EXPECT_EQ(rows[0].second[col("offnet")], 0.0f);
  EXPECT_EQ(rows[0].second[col("recent_calls")], 10.0f);
  EXPECT_FLOAT_EQ(rows[2].second[col("answer_rate_w")], 5.0f / 20.0f);  // every 4th call answered
  // A fresh card with the same calls is flagged at its first checkpoint: one row.
  rows.clear();
  w.Sim("17000000008", w.Person("P-s", 1995), kT0 - 3 * kDay);
  FraudBurst(w, "17000000008", kT0 + kDay, 22);
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(w.Of(ActionType::kFlagNumber, "17000000008").size(), 1u);
}
}  // namespace
}  // namespace interdict
