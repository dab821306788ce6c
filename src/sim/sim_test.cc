// The simulator: output readable with zero rejects, sorted, deterministic,
// labels consistent with the events, hard negatives present, scenario errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "base/test_util.h"
#include "ingest/dataset.h"
#include "sim/csv_out.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace interdict::sim {
namespace {

using interdict::testing::ReadFile;
using interdict::testing::TempDir;

// A CSV file as rows of fields; the simulator never quotes, so a split is exact.
struct Table {
  std::map<std::string, size_t> col;
  std::vector<std::vector<std::string>> rows;
  const std::string& At(size_t r, const std::string& c) const { return rows[r][col.at(c)]; }
};

Table ReadTable(const std::string& path) {
  Table t;
  std::istringstream in(ReadFile(path));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t p = 0;
    while (true) {
      size_t q = line.find(',', p);
      f.push_back(line.substr(p, q == std::string::npos ? std::string::npos : q - p));
      if (q == std::string::npos) break;
      p = q + 1;
    }
    if (header) {
      for (size_t i = 0; i < f.size(); ++i) t.col[f[i]] = i;
      header = false;
    } else {
      t.rows.push_back(std::move(f));
    }
  }
  return t;
}

// Only these number roles are positives (shared/spec/events.md); every
// normal_* role is a labelled hard negative.
bool IsFraudRole(const std::string& role) { return role == "fraud_caller" || role == "simbox_sim"; }

Ts StartTs() {
  Ts t;
  EXPECT_TRUE(ParseTs("2024-03-01T00:00:00+08:00", TimeZone{}, &t));
  return t;
}

SimOptions Options(const std::string& dir, uint64_t persons, int days, uint64_t seed) {
  SimOptions o;
  o.persons = persons;
  o.days = days;
  o.seed = seed;
  o.start = StartTs();
  o.out_dir = dir;
  return o;
}

// One default world shared by the tests that only read it (20k people, 2 days).
class SimWorld : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    SimOptions o = Options(dir_->path(), 20000, 2, 7);
    Status s = RunSimulation(o, &summary_);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string File(const std::string& name) { return dir_->File(name); }
  static TempDir* dir_;
  static SimSummary summary_;
};
TempDir* SimWorld::dir_ = nullptr;
SimSummary SimWorld::summary_;

TEST_F(SimWorld, ReadsBackWithZeroRejectsInTimeOrder) {
  Dictionaries dicts;
  RejectSink rejects;
  ASSERT_TRUE(rejects.Open("").ok());
  ReadOptions ro;
  ro.lateness_s = 0;  // every file must be sorted: any out-of-order row would count as late
  DatasetReader reader(&dicts, &rejects, ro);
  ASSERT_TRUE(reader.OpenDirectory(dir_->path()).ok());
  Event e;
  uint64_t n = 0;
  Ts last = kNoTs;
  while (reader.Next(&e)) {
    ++n;
    EXPECT_GE(e.ts, last);
    last = e.ts;
  }
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(rejects.total(), 0u);
  uint64_t late = 0;
  for (const FileStats& f : reader.stats()) late += f.late;
  EXPECT_EQ(late, 0u);
  size_t people = 0;
  for (const Person& p : dicts.people) people += p.id != kNoId;
  EXPECT_EQ(people, 20000u);
  EXPECT_GT(n, 300000u);
  EXPECT_TRUE(reader.Has(EventKind::kCall) && reader.Has(EventKind::kSms) && reader.Has(EventKind::kTransfer));
}

TEST_F(SimWorld, EventsCoverTheWindowAndVolumesAreRealistic) {
  Table calls = ReadTable(File("calls.csv"));
  ASSERT_FALSE(calls.rows.empty());
  EXPECT_EQ(calls.At(0, "ts").substr(0, 10), "2024-03-01");
  EXPECT_EQ(calls.At(calls.rows.size() - 1, "ts").substr(0, 10), "2024-03-02");
  EXPECT_EQ(calls.At(0, "ts").substr(19), "+08:00");
  const double per_person_day = static_cast<double>(summary_.calls) / 20000 / 2;
  EXPECT_GT(per_person_day, 3.0);
  EXPECT_LT(per_person_day, 5.0);
  const double sms_pp = static_cast<double>(summary_.sms) / 20000 / 2;
  EXPECT_GT(sms_pp, 1.5);
  EXPECT_LT(sms_pp, 4.5);
  const double tx_pp = static_cast<double>(summary_.transfers) / 20000 / 2;
  EXPECT_GT(tx_pp, 0.8);
  EXPECT_LT(tx_pp, 2.5);
  // Fraud is a small share of the calls, but present.
  EXPECT_GT(summary_.fraud_calls, 0u);
  EXPECT_LT(static_cast<double>(summary_.fraud_calls) / summary_.calls, 0.01);
  // About a fifth unanswered; few calls at night.
  size_t unanswered = 0, night = 0;
  for (size_t r = 0; r < calls.rows.size(); ++r) {
    if (calls.At(r, "duration_s") == "0") ++unanswered;
    int hour = std::stoi(calls.At(r, "ts").substr(11, 2));
    if (hour < 6) ++night;
  }
  EXPECT_GT(unanswered, calls.rows.size() / 8);
  EXPECT_LT(unanswered, calls.rows.size() / 3);
  EXPECT_LT(night, calls.rows.size() / 20);
}

// The naive rule "more than 50 distinct callees in a day" catches fraud
// numbers and also legitimate heavy callers: the world has hard negatives.
TEST_F(SimWorld, NaiveDistinctCalleeRuleFlagsHeavyNegativesAndFraud) {
  Table calls = ReadTable(File("calls.csv"));
  Table numbers = ReadTable(File("labels/numbers.csv"));
  std::unordered_map<std::string, std::string> role;
  for (size_t r = 0; r < numbers.rows.size(); ++r) role[numbers.At(r, "msisdn")] = numbers.At(r, "role");
  std::map<std::pair<std::string, std::string>, std::set<std::string>> callees;  // (caller, day) -> callees
  for (size_t r = 0; r < calls.rows.size(); ++r)
    callees[{calls.At(r, "caller"), calls.At(r, "ts").substr(0, 10)}].insert(calls.At(r, "callee"));
  std::set<std::string> flagged;
  for (const auto& [key, set] : callees)
    if (set.size() > 50) flagged.insert(key.first);
  size_t heavy = 0, fraud = 0, other = 0;
  for (const std::string& n : flagged) {
    auto it = role.find(n);
    if (it == role.end())
      ++other;
    else if (!IsFraudRole(it->second))
      ++heavy;
    else
      ++fraud;
  }
  EXPECT_GT(heavy, 0u) << "no legitimate heavy caller exceeds the naive threshold";
  EXPECT_GT(fraud, 0u) << "no fraud number exceeds the naive threshold";
  EXPECT_EQ(other, 0u) << "ordinary people should not reach 50 distinct callees a day";
}

TEST_F(SimWorld, LabelsAreConsistentWithEvents) {
  Table tx = ReadTable(File("transfers.csv"));
  Table calls = ReadTable(File("calls.csv"));
  Table cases = ReadTable(File("labels/cases.csv"));
  Table ct = ReadTable(File("labels/case_transfers.csv"));
  Table accounts = ReadTable(File("labels/accounts.csv"));
  Table numbers = ReadTable(File("labels/numbers.csv"));
  Table devices = ReadTable(File("labels/devices.csv"));
  Table sims = ReadTable(File("sim_cards.csv"));
  ASSERT_FALSE(cases.rows.empty());
  ASSERT_FALSE(ct.rows.empty());

  std::unordered_map<std::string, size_t> txn_row;
  for (size_t r = 0; r < tx.rows.size(); ++r) {
    bool inserted = txn_row.emplace(tx.At(r, "txn_id"), r).second;
    ASSERT_TRUE(inserted) << "duplicate txn_id";
  }
  std::unordered_map<std::string, size_t> case_row;
  for (size_t r = 0; r < cases.rows.size(); ++r) case_row[cases.At(r, "case_id")] = r;

  std::unordered_set<std::string> receives_case_money;
  std::map<std::string, Money> hop1_sum;
  for (size_t r = 0; r < ct.rows.size(); ++r) {
    auto it = txn_row.find(ct.At(r, "txn_id"));
    ASSERT_NE(it, txn_row.end()) << "case transfer " << ct.At(r, "txn_id") << " not in transfers.csv";
    const std::string& cid = ct.At(r, "case_id");
    ASSERT_TRUE(case_row.count(cid));
    const std::string& to = tx.At(it->second, "to_account");
    if (!to.empty()) receives_case_money.insert(to);
    if (ct.At(r, "hop") == "1") {
      EXPECT_EQ(tx.At(it->second, "from_account"), cases.At(case_row[cid], "victim_account_id"));
      Money m;
      ASSERT_EQ(ParseMoney(tx.At(it->second, "amount"), &m), MoneyError::kOk);
      hop1_sum[cid] += m;
    }
  }
  // Loss = the hop-1 amounts; first_loss_ts set exactly for the paying cases.
  size_t paying = 0;
  for (size_t r = 0; r < cases.rows.size(); ++r) {
    const std::string& cid = cases.At(r, "case_id");
    Money loss;
    ASSERT_EQ(ParseMoney(cases.At(r, "loss_amount"), &loss), MoneyError::kOk);
    EXPECT_EQ(loss, hop1_sum[cid]) << cid;
    EXPECT_EQ(cases.At(r, "first_loss_ts").empty(), loss == 0) << cid;
    if (loss > 0) ++paying;
  }
  EXPECT_GT(paying, 0u);
  // Every labelled mule account received case money.
  ASSERT_FALSE(accounts.rows.empty());
  for (size_t r = 0; r < accounts.rows.size(); ++r)
    EXPECT_TRUE(receives_case_money.count(accounts.At(r, "account_id")))
        << accounts.At(r, "role") << " " << accounts.At(r, "account_id") << " never received case money";
  // Every fraud number really calls; SIM-box SIMs have sim_cards rows.
  std::unordered_set<std::string> callers, receivers, imeis, on_net;
  for (size_t r = 0; r < calls.rows.size(); ++r) {
    callers.insert(calls.At(r, "caller"));
    receivers.insert(calls.At(r, "callee"));
    imeis.insert(calls.At(r, "caller_imei"));
  }
  {
    // Labelled negatives may be used by SMS only (IoT SIMs' heartbeats).
    Table sms = ReadTable(File("sms.csv"));
    for (size_t r = 0; r < sms.rows.size(); ++r) {
      receivers.insert(sms.At(r, "sender"));
      receivers.insert(sms.At(r, "receiver"));
    }
  }
  for (size_t r = 0; r < tx.rows.size(); ++r) imeis.insert(tx.At(r, "device_id"));
  for (size_t r = 0; r < sims.rows.size(); ++r) on_net.insert(sims.At(r, "msisdn"));
  size_t fraud_numbers = 0;
  for (size_t r = 0; r < numbers.rows.size(); ++r) {
    const std::string& role = numbers.At(r, "role");
    const std::string& n = numbers.At(r, "msisdn");
    if (!IsFraudRole(role)) {
      EXPECT_EQ(role.rfind("normal_", 0), 0u) << role;
      EXPECT_TRUE(numbers.At(r, "gang_id").empty());
      EXPECT_TRUE(callers.count(n) || receivers.count(n)) << role << " " << n << " never used";
      continue;
    }
    ++fraud_numbers;
    EXPECT_TRUE(callers.count(n)) << role << " " << n << " never calls";
    EXPECT_FALSE(numbers.At(r, "gang_id").empty());
    if (role == "simbox_sim") {
      EXPECT_TRUE(on_net.count(n));
    }
  }
  EXPECT_GT(fraud_numbers, 0u);
  for (size_t r = 0; r < devices.rows.size(); ++r)
    EXPECT_TRUE(imeis.count(devices.At(r, "imei"))) << devices.At(r, "role") << " never seen";
}

TEST_F(SimWorld, ReportsAndOpeningsFitTheCases) {
  Table cases = ReadTable(File("labels/cases.csv"));
  Table reports = ReadTable(File("reports.csv"));
  Table numbers = ReadTable(File("labels/numbers.csv"));
  Table sims = ReadTable(File("sim_cards.csv"));
  Table calls = ReadTable(File("calls.csv"));
  std::map<std::string, std::pair<std::string, Money>> victim;  // person -> (first_loss_ts, loss)
  for (size_t r = 0; r < cases.rows.size(); ++r) {
    Money loss;
    ASSERT_EQ(ParseMoney(cases.At(r, "loss_amount"), &loss), MoneyError::kOk);
    const std::string& first_loss = cases.At(r, "first_loss_ts");
    if (!first_loss.empty()) {
      EXPECT_LE(cases.At(r, "first_contact_ts"), first_loss);
    }
    auto& v = victim[cases.At(r, "victim_person_id")];
    if (v.first.empty() || (!first_loss.empty() && first_loss < v.first)) v.first = first_loss;
    v.second += loss;
  }
  for (size_t r = 0; r < reports.rows.size(); ++r) {
    auto it = victim.find(reports.At(r, "person_id"));
    ASSERT_NE(it, victim.end()) << "a report by someone who is no victim";
    Money stated;
    ASSERT_EQ(ParseMoney(reports.At(r, "amount"), &stated), MoneyError::kOk);
    EXPECT_GT(stated, 0);
    EXPECT_LE(stated, it->second.second);
    EXPECT_GT(reports.At(r, "ts"), it->second.first);  // same offset everywhere: text order is time order
  }
  // A gang SIM is opened before its first call.
  std::unordered_map<std::string, std::string> opened, first_call;
  for (size_t r = 0; r < sims.rows.size(); ++r) opened[sims.At(r, "msisdn")] = sims.At(r, "ts");
  for (size_t r = 0; r < calls.rows.size(); ++r) first_call.emplace(calls.At(r, "caller"), calls.At(r, "ts"));
  size_t on_net = 0;
  for (size_t r = 0; r < numbers.rows.size(); ++r) {
    auto it = opened.find(numbers.At(r, "msisdn"));
    if (it == opened.end() || !IsFraudRole(numbers.At(r, "role"))) continue;
    ++on_net;
    EXPECT_LT(it->second, first_call[numbers.At(r, "msisdn")]);
  }
  EXPECT_GT(on_net, 0u);
}

TEST_F(SimWorld, VictimsMostlyFitTheirGangsTargetProfile) {
  Table people = ReadTable(File("people.csv"));
  Table cases = ReadTable(File("labels/cases.csv"));
  std::unordered_map<std::string, int> birth;
  for (size_t r = 0; r < people.rows.size(); ++r) birth[people.At(r, "person_id")] = std::stoi(people.At(r, "birth_year"));
  const Scenario sc;
  size_t in = 0;
  for (size_t r = 0; r < cases.rows.size(); ++r) {
    int age = 2024 - birth.at(cases.At(r, "victim_person_id"));
    const std::string& type = cases.At(r, "fraud_type");
    bool found = false;
    for (int t = 0; t < kNumFraudTypes; ++t) {
      if (type != FraudTypeName(static_cast<FraudType>(t))) continue;
      found = true;
      in += age >= sc.fraud.types[t].target_age_min && age <= sc.fraud.types[t].target_age_max;
    }
    EXPECT_TRUE(found) << type;
  }
  ASSERT_GT(cases.rows.size(), 5u);
  EXPECT_GT(in * 10, cases.rows.size() * 7) << in << " of " << cases.rows.size() << " victims in profile";
}

TEST_F(SimWorld, FraudNumbersLookLikeTheSichuanFraudNumbers) {
  // Outgoing share: fraud numbers almost only call out (Sichuan median 0.97), people ~half.
  Table calls = ReadTable(File("calls.csv"));
  Table numbers = ReadTable(File("labels/numbers.csv"));
  std::unordered_set<std::string> fraud;
  for (size_t r = 0; r < numbers.rows.size(); ++r)
    if (IsFraudRole(numbers.At(r, "role"))) fraud.insert(numbers.At(r, "msisdn"));
  uint64_t f_out = 0, f_in = 0, n_out = 0, n_in = 0;
  for (size_t r = 0; r < calls.rows.size(); ++r) {
    (fraud.count(calls.At(r, "caller")) ? f_out : n_out)++;
    (fraud.count(calls.At(r, "callee")) ? f_in : n_in)++;
  }
  ASSERT_GT(f_out, 0u);
  EXPECT_GT(static_cast<double>(f_out) / (f_out + f_in), 0.9);
}

// ---- Realism: hard negatives (docs/simulator.md, "Realism") ----

// What a world's files show of each hard negative, measured on the output
// (not on the generator's own counters).
struct NegativeFigures {
  size_t gateway_imeis = 0;        // unlabelled IMEIs calling with >= 8 SIMs, all normal_gateway
  size_t iot_sims = 0;             // sim_cards rows with plan iot
  size_t shared_imeis = 0;         // unlabelled IMEIs calling with SIMs of >= 2 holders
  size_t four_sim_imeis = 0;       // ... of which with 3-4 SIMs
  size_t young_heavy = 0;          // normal_heavy numbers opened within 90 days of the start
  size_t offnet_callers = 0;       // callers with no sim_cards row and no fraud label
  size_t offnet_heavy = 0;         // ... with >= 30 calls (labelled normal_offnet)
  size_t unanswered_heavy = 0;     // normal_heavy numbers with >= 50 calls, under 27 % answered
  size_t fanin_personal = 0;       // unlabelled personal accounts paid by >= 15 distinct accounts
  size_t young_sims = 0, sims = 0; // unlabelled SIMs opened within 180 days; all unlabelled SIMs
  size_t large_payments = 0;       // non-case transfers of >= 5,000 yuan from an unlabelled personal account
  size_t large_after_call = 0;     // ... within 4 h after the start of a >= 600 s call to the payer
};

NegativeFigures MeasureNegatives(const std::string& dir) {
  NegativeFigures f;
  Table calls = ReadTable(dir + "/calls.csv");
  Table sims = ReadTable(dir + "/sim_cards.csv");
  Table accounts = ReadTable(dir + "/bank_accounts.csv");
  Table tx = ReadTable(dir + "/transfers.csv");
  Table numbers = ReadTable(dir + "/labels/numbers.csv");
  Table devices = ReadTable(dir + "/labels/devices.csv");
  Table mules = ReadTable(dir + "/labels/accounts.csv");
  Table ct = ReadTable(dir + "/labels/case_transfers.csv");
  const Ts start = StartTs();
  auto ts_of = [](const std::string& text) {
    Ts t = 0;
    EXPECT_TRUE(ParseTs(text, TimeZone{}, &t)) << text;
    return t;
  };
  std::unordered_map<std::string, std::string> role, holder;
  std::unordered_map<std::string, Ts> opened;
  for (size_t r = 0; r < numbers.rows.size(); ++r) role[numbers.At(r, "msisdn")] = numbers.At(r, "role");
  for (size_t r = 0; r < sims.rows.size(); ++r) {
    const std::string& n = sims.At(r, "msisdn");
    holder[n] = sims.At(r, "person_id");
    const Ts t = ts_of(sims.At(r, "ts"));
    opened[n] = t;
    if (sims.At(r, "plan") == "iot") ++f.iot_sims;
    if (!role.count(n)) {
      ++f.sims;
      f.young_sims += t > start - 180 * 86400;
    }
  }
  std::unordered_set<std::string> fraud_devices;
  for (size_t r = 0; r < devices.rows.size(); ++r) fraud_devices.insert(devices.At(r, "imei"));
  std::unordered_map<std::string, std::set<std::string>> imei_sims;
  std::unordered_map<std::string, std::pair<size_t, size_t>> out_calls;  // caller -> (calls, answered)
  std::unordered_map<std::string, std::vector<Ts>> long_calls_to;        // callee -> starts of >= 600 s calls
  for (size_t r = 0; r < calls.rows.size(); ++r) {
    const std::string& caller = calls.At(r, "caller");
    const std::string& imei = calls.At(r, "caller_imei");
    if (!imei.empty() && !fraud_devices.count(imei)) imei_sims[imei].insert(caller);
    auto& oc = out_calls[caller];
    oc.first++;
    oc.second += calls.At(r, "duration_s") != "0";
    if (std::stoi(calls.At(r, "duration_s")) >= 600) long_calls_to[calls.At(r, "callee")].push_back(ts_of(calls.At(r, "ts")));
  }
  for (const auto& [imei, set] : imei_sims) {
    std::set<std::string> holders;
    size_t gateway = 0;
    for (const std::string& n : set) {
      auto h = holder.find(n);
      if (h != holder.end()) holders.insert(h->second);
      auto ro = role.find(n);
      gateway += ro != role.end() && ro->second == "normal_gateway";
    }
    if (set.size() >= 8 && gateway == set.size()) ++f.gateway_imeis;
    if (holders.size() >= 2) {
      ++f.shared_imeis;
      f.four_sim_imeis += set.size() >= 3 && set.size() <= 4;
    }
  }
  for (const auto& [n, c] : out_calls) {
    auto ro = role.find(n);
    const bool fraud = ro != role.end() && IsFraudRole(ro->second);
    if (!holder.count(n) && !fraud && n.size() >= 11) {  // not a short service number
      ++f.offnet_callers;
      if (c.first >= 30) {
        ++f.offnet_heavy;
        EXPECT_TRUE(ro != role.end() && ro->second == "normal_offnet") << n;
      }
    }
    if (ro != role.end() && ro->second == "normal_heavy" && c.first >= 50 && c.second * 100 < c.first * 27)
      ++f.unanswered_heavy;
  }
  for (const auto& [n, r] : role)
    if (r == "normal_heavy" && opened.count(n) && opened[n] > start - 90 * 86400) ++f.young_heavy;
  std::unordered_set<std::string> personal, labelled, case_txn;
  std::unordered_map<std::string, std::string> acct_holder;
  for (size_t r = 0; r < accounts.rows.size(); ++r) {
    if (accounts.At(r, "kind") == "personal") personal.insert(accounts.At(r, "account_id"));
    acct_holder[accounts.At(r, "account_id")] = accounts.At(r, "person_id");
  }
  std::unordered_map<std::string, std::vector<std::string>> person_numbers;
  for (size_t r = 0; r < sims.rows.size(); ++r) person_numbers[sims.At(r, "person_id")].push_back(sims.At(r, "msisdn"));
  for (size_t r = 0; r < mules.rows.size(); ++r) labelled.insert(mules.At(r, "account_id"));
  for (size_t r = 0; r < ct.rows.size(); ++r) case_txn.insert(ct.At(r, "txn_id"));
  std::unordered_map<std::string, std::set<std::string>> payers;
  for (size_t r = 0; r < tx.rows.size(); ++r) {
    const std::string& from = tx.At(r, "from_account");
    const std::string& to = tx.At(r, "to_account");
    if (!to.empty() && !from.empty()) payers[to].insert(from);
    Money m;
    EXPECT_EQ(ParseMoney(tx.At(r, "amount"), &m), MoneyError::kOk);
    if (m < 500000 || !personal.count(from) || case_txn.count(tx.At(r, "txn_id")) || tx.At(r, "kind") != "transfer" ||
        labelled.count(from))
      continue;
    ++f.large_payments;
    const Ts t = ts_of(tx.At(r, "ts"));
    bool after_call = false;
    for (const std::string& n : person_numbers[acct_holder[from]])
      for (Ts c : long_calls_to[n]) after_call |= c <= t && t - c <= 4 * 3600;
    f.large_after_call += after_call;
  }
  for (const auto& [a, set] : payers)
    if (personal.count(a) && !labelled.count(a) && set.size() >= 15) ++f.fanin_personal;
  return f;
}

Scenario NoNegatives() {
  Scenario sc;
  Status s = LoadScenarioText(R"(
[world]
shared_handset_share = 0
young_sim_share = 0
[calls]
offnet_contact_share = 0
[money]
personal_merchants_per_1000 = 0
large_new_payee_per_million_day = 0
[heavy]
riders_per_1000 = 0
collections_per_1000 = 0
new_line_share = 0
gateways_per_million = 0
iot_fleets_per_million = 0
offnet_businesses_per_million = 0
)",
                              "no-negatives", &sc);
  EXPECT_TRUE(s.ok()) << s.message();
  return sc;
}

TEST_F(SimWorld, HardNegativesPresentAtTheirRates) {
  const RealismCounts& rc = summary_.realism;
  const Scenario sc;
  // The generator's counters at the knobs' rates (20,000 people, 2 days).
  EXPECT_NEAR(rc.young_sim_people, 20000 * sc.world.young_sim_share, 20000 * sc.world.young_sim_share * 0.2);
  EXPECT_NEAR(rc.offnet_contacts, 20000 * sc.calls.offnet_contact_share, 20000 * sc.calls.offnet_contact_share * 0.1);
  // ~7,700 households, ~5,800 of 2+ people.
  EXPECT_GT(rc.shared_handsets, 5800 * sc.world.shared_handset_share * 0.5);
  EXPECT_LT(rc.shared_handsets, 5800 * sc.world.shared_handset_share * 1.6);
  EXPECT_NEAR(rc.riders, 20 * sc.heavy.riders_per_1000, 1);
  EXPECT_NEAR(rc.collections, 20 * sc.heavy.collections_per_1000, 1);
  EXPECT_GT(rc.new_heavy_lines, summary_.normal_heavy * sc.heavy.new_line_share * 0.5);
  EXPECT_GE(rc.gateway_sims, 8u);
  EXPECT_GE(rc.iot_sims, 10u);
  EXPECT_GE(rc.offnet_businesses, 1u);
  EXPECT_NEAR(rc.personal_merchants, 20 * sc.money.personal_merchants_per_1000, 1);
  const double large = 2 * 0.02 * sc.money.large_new_payee_per_million_day;
  EXPECT_NEAR(rc.large_new_payee, large, large * 0.5);
  EXPECT_GT(summary_.normal_other, rc.gateway_sims);
  // And what the files show.
  NegativeFigures f = MeasureNegatives(dir_->path());
  EXPECT_GE(f.gateway_imeis, 1u);
  EXPECT_EQ(f.iot_sims, rc.iot_sims);
  EXPECT_GT(f.shared_imeis, rc.shared_handsets / 2);
  EXPECT_GT(f.four_sim_imeis, 0u);
  EXPECT_GT(f.young_heavy, 0u);
  EXPECT_GT(f.offnet_callers, rc.offnet_contacts / 4);
  EXPECT_GE(f.offnet_heavy, 1u);
  EXPECT_GT(f.unanswered_heavy, 0u);
  EXPECT_GT(f.fanin_personal, 0u);
  // Young SIMs: back-dating alone gives ~12 % under 6 months; the knob adds its share.
  EXPECT_GT(static_cast<double>(f.young_sims) / f.sims, 0.12 + sc.world.young_sim_share * 0.6);
  EXPECT_GT(f.large_payments, rc.large_new_payee / 2);
  EXPECT_GT(f.large_after_call, 0u);
}

TEST(SimRealism, HardNegativesAbsentWhenTheirKnobsAreZero) {
  TempDir d;
  SimOptions o = Options(d.path(), 20000, 2, 7);
  o.scenario = NoNegatives();
  SimSummary s;
  ASSERT_TRUE(RunSimulation(o, &s).ok());
  const RealismCounts& rc = s.realism;
  EXPECT_EQ(rc.shared_handsets + rc.young_sim_people + rc.offnet_contacts + rc.offnet_businesses + rc.riders +
                rc.collections + rc.new_heavy_lines + rc.gateway_sims + rc.iot_sims + rc.personal_merchants +
                rc.large_new_payee,
            0u);
  EXPECT_EQ(s.normal_other, 0u);
  NegativeFigures f = MeasureNegatives(d.path());
  EXPECT_EQ(f.gateway_imeis, 0u);
  EXPECT_EQ(f.iot_sims, 0u);
  EXPECT_EQ(f.shared_imeis, 0u);
  EXPECT_EQ(f.young_heavy, 0u);
  EXPECT_EQ(f.offnet_callers, 0u);
  EXPECT_EQ(f.unanswered_heavy, 0u);
  EXPECT_EQ(f.fanin_personal, 0u);
  EXPECT_LT(static_cast<double>(f.young_sims) / f.sims, 0.14);
  EXPECT_LE(f.large_after_call, 2u);  // a rare family transfer after a long chat
}

// ---- Realism: gangs that adapt (docs/simulator.md, "Realism") ----

struct GangFigures {
  size_t moving_box_imeis = 0;     // simbox IMEIs calling from >= 3 cells
  size_t boxes_multi_imei = 0;     // SIM-box SIMs seen on 2+ simbox IMEIs
  size_t single_sim_phones = 0;    // fraud_phone IMEIs with one SIM, calling from >= 3 cells
  size_t on_net_numbers = 0, low_volume_numbers = 0;  // fraud SIMs; those under 20 calls per active day
  size_t paying = 0;
  size_t ungroomed = 0, paid_after_hangup = 0;  // paying cases of types without grooming; of them,
                                                // first payment >= 1 h after the last call ended
  size_t short_landing = 0;        // paying cases whose every fraud call was under 600 s
  size_t hop1_outside = 0;         // hop-1 transfers to an account with no bank_accounts row
  size_t mules_with_life = 0;      // labelled mule accounts also paid wages or paying shops
  size_t slow_hops = 0;            // case transfers leaving > 6 h after the previous hop arrived
  size_t small_batches = 0;        // card sellers whose 2-4 used cards span more than 7 days
};

GangFigures MeasureGangs(const std::string& dir) {
  GangFigures f;
  Table calls = ReadTable(dir + "/calls.csv");
  Table sims = ReadTable(dir + "/sim_cards.csv");
  Table accounts = ReadTable(dir + "/bank_accounts.csv");
  Table tx = ReadTable(dir + "/transfers.csv");
  Table numbers = ReadTable(dir + "/labels/numbers.csv");
  Table devices = ReadTable(dir + "/labels/devices.csv");
  Table mules = ReadTable(dir + "/labels/accounts.csv");
  Table ct = ReadTable(dir + "/labels/case_transfers.csv");
  Table cases = ReadTable(dir + "/labels/cases.csv");
  Table persons = ReadTable(dir + "/labels/persons.csv");
  auto ts_of = [](const std::string& text) {
    Ts t = 0;
    EXPECT_TRUE(ParseTs(text, TimeZone{}, &t)) << text;
    return t;
  };
  std::unordered_map<std::string, std::string> num_role, dev_role;
  for (size_t r = 0; r < numbers.rows.size(); ++r) num_role[numbers.At(r, "msisdn")] = numbers.At(r, "role");
  for (size_t r = 0; r < devices.rows.size(); ++r) dev_role[devices.At(r, "imei")] = devices.At(r, "role");
  std::unordered_set<std::string> on_net;
  for (size_t r = 0; r < sims.rows.size(); ++r) on_net.insert(sims.At(r, "msisdn"));
  std::unordered_map<std::string, std::set<std::string>> dev_cells, dev_sims, sim_boxes;
  std::unordered_map<std::string, std::pair<size_t, std::set<std::string>>> num_calls;  // calls, active days
  std::unordered_map<std::string, std::vector<std::pair<Ts, Ts>>> fraud_calls_to;  // callee -> (start, end)
  for (size_t r = 0; r < calls.rows.size(); ++r) {
    const std::string& caller = calls.At(r, "caller");
    auto ro = num_role.find(caller);
    if (ro == num_role.end() || !IsFraudRole(ro->second)) continue;
    const std::string& imei = calls.At(r, "caller_imei");
    if (!imei.empty()) {
      dev_cells[imei].insert(calls.At(r, "caller_cell"));
      dev_sims[imei].insert(caller);
      if (dev_role[imei] == "simbox") sim_boxes[caller].insert(imei);
    }
    auto& nc = num_calls[caller];
    nc.first++;
    nc.second.insert(calls.At(r, "ts").substr(0, 10));
    const Ts t = ts_of(calls.At(r, "ts"));
    fraud_calls_to[calls.At(r, "callee")].push_back({t, t + std::stoi(calls.At(r, "duration_s"))});
  }
  for (const auto& [imei, cells] : dev_cells) {
    if (dev_role[imei] == "simbox" && cells.size() >= 3) ++f.moving_box_imeis;
    if (dev_role[imei] == "fraud_phone" && cells.size() >= 3 && dev_sims[imei].size() == 1) ++f.single_sim_phones;
  }
  for (const auto& [n, boxes] : sim_boxes) f.boxes_multi_imei += boxes.size() >= 2;
  for (const auto& [n, c] : num_calls) {
    if (!on_net.count(n)) continue;
    ++f.on_net_numbers;
    f.low_volume_numbers += c.first < 20 * c.second.size();
  }
  for (size_t r = 0; r < cases.rows.size(); ++r) {
    if (cases.At(r, "first_loss_ts").empty()) continue;
    ++f.paying;
    const Ts loss = ts_of(cases.At(r, "first_loss_ts"));
    Ts last_end = 0;
    bool long_call = false;
    for (const auto& [s, e] : fraud_calls_to[cases.At(r, "victim_msisdn")]) {
      if (s <= loss) last_end = std::max(last_end, e);
      long_call |= e - s >= 600;
    }
    const std::string& type = cases.At(r, "fraud_type");
    if (type == "investment" || type == "brushing") continue;  // groomed: they pay days later anyway
    ++f.ungroomed;
    f.paid_after_hangup += last_end > 0 && loss - last_end >= 3600;
    f.short_landing += !long_call;
  }
  std::unordered_set<std::string> known, business, mule;
  for (size_t r = 0; r < accounts.rows.size(); ++r) {
    known.insert(accounts.At(r, "account_id"));
    if (accounts.At(r, "kind") == "business") business.insert(accounts.At(r, "account_id"));
  }
  for (size_t r = 0; r < mules.rows.size(); ++r) mule.insert(mules.At(r, "account_id"));
  std::unordered_map<std::string, size_t> tx_row;
  for (size_t r = 0; r < tx.rows.size(); ++r) tx_row[tx.At(r, "txn_id")] = r;
  std::unordered_set<std::string> case_txn, with_life;
  std::map<std::string, std::map<int, std::vector<Ts>>> hop_ts;  // case -> hop -> transfer times (not ATM)
  for (size_t r = 0; r < ct.rows.size(); ++r) {
    case_txn.insert(ct.At(r, "txn_id"));
    const size_t row = tx_row.at(ct.At(r, "txn_id"));
    const int hop = std::stoi(ct.At(r, "hop"));
    if (hop == 1 && !known.count(tx.At(row, "to_account"))) ++f.hop1_outside;
    if (tx.At(row, "kind") == "transfer") hop_ts[ct.At(r, "case_id")][hop].push_back(ts_of(tx.At(row, "ts")));
  }
  // A hop is slow when it leaves more than 6 h after the latest earlier transfer of the previous hop.
  for (const auto& [c, hops] : hop_ts)
    for (const auto& [h, times] : hops) {
      if (h == 1 || !hops.count(h - 1)) continue;
      for (Ts t : times) {
        Ts prev = kNoTs;
        for (Ts p : hops.at(h - 1))
          if (p <= t && (prev == kNoTs || p > prev)) prev = p;
        f.slow_hops += prev != kNoTs && t - prev > 6 * 3600;
      }
    }
  for (size_t r = 0; r < tx.rows.size(); ++r) {
    if (case_txn.count(tx.At(r, "txn_id"))) continue;
    const std::string& from = tx.At(r, "from_account");
    const std::string& to = tx.At(r, "to_account");
    if (mule.count(to) && business.count(from)) with_life.insert(to);
    if (mule.count(from) && tx.At(r, "channel") == "pos") with_life.insert(from);
  }
  f.mules_with_life = with_life.size();
  std::unordered_set<std::string> sellers;
  for (size_t r = 0; r < persons.rows.size(); ++r)
    if (persons.At(r, "role") == "card_seller") sellers.insert(persons.At(r, "person_id"));
  // A seller's cards that the gang used (their own phones' cards are old and unlabelled).
  std::unordered_map<std::string, std::vector<Ts>> seller_openings;
  for (size_t r = 0; r < sims.rows.size(); ++r)
    if (sellers.count(sims.At(r, "person_id")) && num_role.count(sims.At(r, "msisdn")) &&
        IsFraudRole(num_role[sims.At(r, "msisdn")]))
      seller_openings[sims.At(r, "person_id")].push_back(ts_of(sims.At(r, "ts")));
  for (auto& [p, v] : seller_openings) {
    std::sort(v.begin(), v.end());
    if (v.size() >= 2 && v.size() <= 4 && v.back() - v.front() > 7 * 86400) ++f.small_batches;
  }
  return f;
}

// Three gangs, all with a SIM box, in 30,000 people over 3 days, at half the usual attempts.
SimOptions GangWorld(const std::string& dir, const std::string& extra) {
  SimOptions o = Options(dir, 30000, 3, 5);
  // Types without grooming: their victims pay in the landing call unless a knob says otherwise.
  Status s = LoadScenarioText("[fraud]\ngangs_per_million = 100\nattempts_per_gang_day = 1500\nsimbox_gang_share = 1\n" +
                                  extra + "[fraud.investment]\nweight = 0\n[fraud.brushing]\nweight = 0\n",
                              "gangs", &o.scenario);
  EXPECT_TRUE(s.ok()) << s.message();
  return o;
}

TEST(SimRealism, AdaptiveGangsPresentAtTheirRates) {
  TempDir d;
  SimSummary s;
  ASSERT_TRUE(RunSimulation(GangWorld(d.path(), ""), &s).ok());
  const RealismCounts& rc = s.realism;
  const Scenario sc;
  ASSERT_EQ(s.gangs, 3u);
  GangFigures f = MeasureGangs(d.path());
  ASSERT_GT(f.paying, 20u);
  // Counters at the knobs' rates.
  ASSERT_GT(rc.paying_decided, 40u);
  EXPECT_NEAR(static_cast<double>(rc.delayed_cases) / rc.paying_decided, sc.fraud.delayed_payment_share, 0.12);
  EXPECT_NEAR(static_cast<double>(rc.short_landing_cases) / s.cases, sc.fraud.short_landing_share, 0.12);
  EXPECT_NEAR(static_cast<double>(rc.slow_cases) / rc.paying_decided, sc.fraud.slow_layering_share, 0.12);
  EXPECT_GT(rc.platform_payments, 0u);
  EXPECT_GT(rc.rented_mules, 0u);
  EXPECT_GT(rc.small_batch_sellers, 0u);
  EXPECT_GT(rc.low_volume_numbers, 0u);
  EXPECT_GT(rc.farm_phones, 0u);
  EXPECT_GT(rc.mobile_simbox_imeis, 0u);
  // What the files show.
  EXPECT_GT(f.moving_box_imeis, 0u);
  EXPECT_GT(f.boxes_multi_imei, 0u);
  EXPECT_GT(f.single_sim_phones, 0u);
  EXPECT_GT(f.low_volume_numbers * 100, f.on_net_numbers * 25);
  EXPECT_GT(f.paid_after_hangup * 100, f.ungroomed * 15);
  EXPECT_GT(f.short_landing, 0u);
  EXPECT_GT(f.hop1_outside, 0u);
  EXPECT_GT(f.mules_with_life, 0u);
  EXPECT_GT(f.slow_hops, 0u);
  EXPECT_GT(f.small_batches, 0u);
}

TEST(SimRealism, AdaptiveGangsAbsentWhenTheirKnobsAreZero) {
  TempDir d;
  SimSummary s;
  ASSERT_TRUE(RunSimulation(GangWorld(d.path(), R"(low_volume_share = 0
box_on_phones_share = 0
mobile_simbox_share = 0
delayed_payment_share = 0
platform_payment_share = 0
rented_mule_share = 0
slow_layering_share = 0
small_batch_seller_share = 0
short_landing_share = 0
)"),
                            &s)
                  .ok());
  const RealismCounts& rc = s.realism;
  EXPECT_EQ(rc.low_volume_numbers + rc.farm_phones + rc.mobile_simbox_imeis + rc.delayed_cases +
                rc.short_landing_cases + rc.slow_cases + rc.platform_payments + rc.rented_mules +
                rc.small_batch_sellers,
            0u);
  GangFigures f = MeasureGangs(d.path());
  ASSERT_GT(f.paying, 20u);
  EXPECT_EQ(f.moving_box_imeis, 0u);
  EXPECT_EQ(f.boxes_multi_imei, 0u);
  EXPECT_LT(f.low_volume_numbers * 100, f.on_net_numbers * 20);
  EXPECT_LT(f.paid_after_hangup * 100, f.ungroomed * 8);
  EXPECT_EQ(f.short_landing, 0u);
  EXPECT_EQ(f.hop1_outside, 0u);
  EXPECT_EQ(f.mules_with_life, 0u);
  EXPECT_EQ(f.slow_hops, 0u);
  EXPECT_EQ(f.small_batches, 0u);
}

TEST(SimDeterminism, SameSeedSameBytesDifferentSeedDifferent) {
  TempDir a, b, c;
  SimSummary s;
  ASSERT_TRUE(RunSimulation(Options(a.path(), 3000, 2, 11), &s).ok());
  SimOptions ob = Options(b.path(), 3000, 2, 11);
  ob.writer_thread = false;  // threading must not change the bytes
  ASSERT_TRUE(RunSimulation(ob, &s).ok());
  ASSERT_TRUE(RunSimulation(Options(c.path(), 3000, 2, 12), &s).ok());
  for (const char* f : {"people.csv", "sim_cards.csv", "bank_accounts.csv", "calls.csv", "sms.csv", "transfers.csv",
                        "reports.csv", "labels/numbers.csv", "labels/accounts.csv", "labels/devices.csv",
                        "labels/outlets.csv", "labels/persons.csv", "labels/cases.csv", "labels/case_transfers.csv"}) {
    EXPECT_EQ(ReadFile(a.File(f)), ReadFile(b.File(f))) << f;
  }
  EXPECT_NE(ReadFile(a.File("calls.csv")), ReadFile(c.File("calls.csv")));
  EXPECT_NE(ReadFile(a.File("transfers.csv")), ReadFile(c.File("transfers.csv")));
}

TEST(SimDeterminism, LongerRunKeepsTheSharedPrefixDaysIndependentOfLength) {
  // Not a requirement of byte equality across lengths, but the first day's calls
  // depend only on the seed and the world: more days append, never reshuffle.
  TempDir a, b;
  SimSummary s;
  ASSERT_TRUE(RunSimulation(Options(a.path(), 2000, 1, 5), &s).ok());
  ASSERT_TRUE(RunSimulation(Options(b.path(), 2000, 2, 5), &s).ok());
  EXPECT_EQ(ReadFile(a.File("people.csv")), ReadFile(b.File("people.csv")));
  Table ca = ReadTable(a.File("calls.csv")), cb = ReadTable(b.File("calls.csv"));
  EXPECT_GT(cb.rows.size(), ca.rows.size() * 3 / 2);
}

TEST(SimRng, DeterministicAndInRange) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    (void)c;
  }
  Rng r(1);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    int64_t v = r.Between(3, 7);
    ASSERT_GE(v, 3);
    ASSERT_LE(v, 7);
    sum += r.Poisson(3.4);
  }
  EXPECT_NEAR(sum / 100000, 3.4, 0.05);
  double med[1001];
  for (double& m : med) m = r.LogNormal(70, 1.1);
  std::sort(med, med + 1001);
  EXPECT_NEAR(med[500], 70, 10);
}

TEST(SimTsWriter, MatchesAppendTs) {
  TsWriter w;
  Rng r(3);
  Ts t = StartTs() - 400 * 86400;
  for (int i = 0; i < 20000; ++i) {
    t += static_cast<Ts>(r.Below(40000));
    std::string a, b;
    w.Append(t, &a);
    AppendTs(t, TimeZone{}, &b);
    ASSERT_EQ(a, b);
  }
  TimeZone utc;
  ASSERT_TRUE(TimeZone::Parse("Z", &utc));
  TsWriter wz(utc);
  std::string a, b;
  wz.Append(StartTs() + 12345, &a);
  AppendTs(StartTs() + 12345, utc, &b);
  EXPECT_EQ(a, b);
}

TEST(SimScenario, DefaultFileEqualsBuiltInDefaults) {
  const std::string path = std::string(INTERDICT_SOURCE_DIR) + "/config/scenario-default.toml";
  Scenario loaded;
  // Start from values that differ from every default, so that a key missing
  // from the file shows up as a difference.
  Scenario defaults;
  Status s = LoadScenarioFile(path, &loaded);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(DumpScenario(loaded), DumpScenario(defaults));
  const std::string text = ReadFile(path);
  std::istringstream lines(DumpScenario(defaults));
  std::string line;
  while (std::getline(lines, line)) {
    std::string key = line.substr(0, line.find(" = "));
    std::string leaf = key.substr(key.rfind('.') + 1);
    EXPECT_NE(text.find("\n" + leaf + " = "), std::string::npos) << "config file lacks " << key;
  }
}

TEST(SimScenario, OverridesAndErrorsNameTheKey) {
  Scenario sc;
  ASSERT_TRUE(LoadScenarioText("[calls]\nper_person_day = 4.5\n[fraud.loan]\npayments_max = 6\n", "t.toml", &sc).ok());
  EXPECT_DOUBLE_EQ(sc.calls.per_person_day, 4.5);
  EXPECT_EQ(sc.fraud.types[static_cast<int>(FraudType::kLoan)].payments_max, 6);

  auto err = [](const std::string& text) {
    Scenario s;
    Status st = LoadScenarioText(text, "bad.toml", &s);
    EXPECT_FALSE(st.ok()) << text;
    // A failed load leaves the scenario untouched.
    EXPECT_EQ(DumpScenario(s), DumpScenario(Scenario{}));
    return st.message();
  };
  EXPECT_NE(err("[calls]\nper_persn_day = 3\n").find("'calls.per_persn_day'"), std::string::npos);
  EXPECT_NE(err("[cals]\nper_person_day = 3\n").find("'cals'"), std::string::npos);
  EXPECT_NE(err("[calls]\nper_person_day = \"many\"\n").find("'calls.per_person_day' must be a number"),
            std::string::npos);
  EXPECT_NE(err("[calls]\nunanswered_share = 1.5\n").find("'calls.unanswered_share' must be between"),
            std::string::npos);
  EXPECT_NE(err("[fraud]\nrotation_days = 2.5\n").find("'fraud.rotation_days' must be an integer"),
            std::string::npos);
  EXPECT_NE(err("[calls]\nhour_weights = [1, 2]\n").find("'calls.hour_weights' must have 24 numbers"),
            std::string::npos);
  EXPECT_NE(err("[fraud.romance]\nweight = 1\n").find("'fraud.romance'"), std::string::npos);
  EXPECT_NE(err("[fraud.loan]\npayments_min = 9\npayments_max = 3\n").find("'fraud.loan.payments_min'"),
            std::string::npos);
  EXPECT_NE(err("calls = 3\n").find("'calls'"), std::string::npos);
  EXPECT_NE(err("[calls\nper_person_day = 3\n").find("bad.toml:1"), std::string::npos);
  Scenario s;
  EXPECT_EQ(LoadScenarioFile("/nonexistent/scenario.toml", &s).code(), Status::Code::kNotFound);
}

TEST(SimScenario, ScenarioChangesTheWorld) {
  // No gangs: no fraud calls, no cases; heavy callers still there.
  TempDir d;
  SimOptions o = Options(d.path(), 3000, 1, 3);
  ASSERT_TRUE(LoadScenarioText("[fraud]\ngangs_per_million = 0\n", "t", &o.scenario).ok());
  SimSummary s;
  ASSERT_TRUE(RunSimulation(o, &s).ok());
  EXPECT_EQ(s.gangs, 0u);
  EXPECT_EQ(s.fraud_calls, 0u);
  EXPECT_EQ(s.cases, 0u);
  EXPECT_GT(s.normal_heavy, 0u);
  EXPECT_EQ(ReadTable(d.File("labels/cases.csv")).rows.size(), 0u);
}

TEST(SimOptionsCheck, BadOptionsAreErrors) {
  TempDir d;
  SimSummary s;
  EXPECT_FALSE(RunSimulation(Options(d.path(), 10, 1, 1), &s).ok());
  EXPECT_FALSE(RunSimulation(Options(d.path(), 1000, 0, 1), &s).ok());
  SimOptions o = Options("/proc/forbidden/out", 1000, 1, 1);
  Status st = RunSimulation(o, &s);
  EXPECT_EQ(st.code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace interdict::sim
