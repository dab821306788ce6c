// Scenario tests: these events in, these actions out. Each test builds a tiny
// world with a World helper whose calls read like an investigator's notes.
// Most stories are data now (tests/scenarios/*.test, docs/scenarios.md, run
// by scenario_test.cc); those left here check what the scenario format cannot
// express: engine queries (QueryNumber, Stats().state_parts, Cases, Gangs,
// restitutions per victim), replays of the same events (prefetching, a cut
// feed), warnings counted against events, and the feature tap.
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
                           d_.tmpl.Intern(tmpl), TemplateHash(tmpl)};
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
// The banks' question before a transfer completes: the engine answers as
// Apply would decide at that moment, and remembers nothing of the question.
TEST(EngineQuery, CheckTransferAnswersAsApplyWouldWithoutRemembering) {
  World w;
  PersonId v = w.Person("P-v", 1955);
  w.Sim("13900000888", v, kT0 - 2000 * kDay);
  w.Account("ACC-V", v, kT0 - 2000 * kDay);
  w.Account("ACC-RENT", w.Person("P-landlord", 1960), kT0 - 2000 * kDay);
  w.Account("ACC-MULE", w.Person("P-mule", 2001), kT0 - 20 * kDay);
  w.Pay(kT0 - kDay, "T-rent-1", "ACC-V", "ACC-RENT", 300000);
  w.Sim("17000000005", w.Person("P-s", 1995), kT0 - 3 * kDay);
  Dictionaries& d = w.dicts();
  auto transfer = [&](const std::string& txn, const std::string& from, const std::string& to, Money fen) {
    return Transfer{d.txn.Intern(txn), TransferKind::kTransfer, Channel::kApp, d.account.Intern(from),
                    d.account.Intern(to), fen, kNoId};
  };
  // Before anyone is exposed: allowed, and why.
  TransferDecision before = w.engine().CheckTransfer(transfer("T-scam", "ACC-V", "ACC-MULE", 5000000));
  EXPECT_FALSE(before.hold);
  EXPECT_EQ(before.reason, "payer_not_exposed");
  FraudBurst(w, "17000000005", kT0);
  w.Call(kT0 + 3 * 3600, "17000000005", "13900000888", 1500);
  w.engine().AdvanceTo(kT0 + 3 * 3600 + 1600);  // the 25-minute call has ended
  // Rent to the landlord she paid before: allowed; 50,000 yuan to a stranger: held.
  TransferDecision rent = w.engine().CheckTransfer(transfer("T-rent-2", "ACC-V", "ACC-RENT", 300000));
  EXPECT_FALSE(rent.hold);
  EXPECT_EQ(rent.reason, "exposed_payer+no_hold_rule_met");
  const Transfer scam = transfer("T-scam", "ACC-V", "ACC-MULE", 5000000);
  TransferDecision d1 = w.engine().CheckTransfer(scam);
  TransferDecision d2 = w.engine().CheckTransfer(scam);  // asking twice: the pair is still new
  EXPECT_TRUE(d1.hold);
  EXPECT_EQ(d1.reason, "exposed_payer+first_time_payee");
  EXPECT_DOUBLE_EQ(d1.score, 0.9);
  EXPECT_EQ(d2.reason, d1.reason);
  EXPECT_TRUE(w.Of(ActionType::kHoldTransfer).empty());  // a question is not an action
  // The transfer then arrives: Apply decides the same.
  w.Pay(kT0 + 3 * 3600 + 1700, "T-scam", "ACC-V", "ACC-MULE", 5000000);
  auto holds = w.Of(ActionType::kHoldTransfer, "T-scam");
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0].reason, d1.reason);
}

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
  EXPECT_EQ(file.governance_config.simbox_window_min_sims, d.governance_config.simbox_window_min_sims);
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
