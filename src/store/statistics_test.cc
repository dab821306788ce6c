#include "store/statistics.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/test_util.h"

namespace interdict {
namespace {

using interdict::testing::TempDir;
using interdict::testing::WriteFile;

Ts At(const char* s) {
  Ts ts = 0;
  EXPECT_TRUE(ParseTs(s, TimeZone{}, &ts)) << s;
  return ts;
}

// A hand-made run: March is the period, February the previous one. The
// comments give each row's effect on the figures.
constexpr const char* kActions =
    "ts,action_id,action,target_kind,target,amount,score,reason,case_id\n"
    // March
    "2024-03-02T10:00:00+08:00,a1,flag_number,msisdn,13900000001,,0.9,rule,C1\n"   // suspect, SIM; solves C1
    "2024-03-02T10:05:00+08:00,a2,stop_payment,account,M1,1000,0.8,trace,C1\n"
    "2024-03-02T10:06:00+08:00,a3,stop_payment,account,M1,500.5,0.8,trace,C1\n"    // same account again
    "2024-03-03T09:00:00+08:00,a4,stop_payment,account,M2,200,0.8,trace,C2\n"      // solves C2
    "2024-03-03T08:00:00+08:00,a5,warn_call,msisdn,13800000002,,0.7,exposure,\n"   // C2's victim, 600 s early: 0.6
    "2024-03-04T08:00:00+08:00,a6,warn_visit,person,P3,,0.9,exposure,\n"           // C3's victim, no loss: 0.9
    "2024-03-05T08:00:00+08:00,a7,warn_sms,msisdn,13800000009,,0.5,exposure,\n"
    "2024-03-05T09:00:00+08:00,a8,warn_sms,msisdn,13800000002,,0.5,exposure,\n"    // SMS never counts as prevention
    "2024-03-06T08:00:00+08:00,a9,flag_person,person,S1,,0.9,seller,\n"            // suspect
    "2024-03-06T08:00:00+08:00,a10,flag_device,imei,IMEI1,,0.9,simbox,\n"
    "2024-03-06T08:00:00+08:00,a11,flag_outlet,outlet,O1,,0.9,insider,\n"
    "2024-03-07T08:00:00+08:00,a12,reverify_sim,msisdn,13900000005,,0.6,cards,\n"  // SIM
    "2024-03-07T08:00:00+08:00,a13,flag_account,account,M1,,0.9,mule,C1\n"         // bank account
    "2024-03-07T08:00:00+08:00,a14,reverify_account,account,M3,,0.6,cards,\n"      // bank account; not a mule flag
    "2024-03-08T00:00:00+08:00,a15,warn_call,msisdn,13800000004,,0.7,exposure,\n"  // C4: after its loss
    "2024-03-09T10:00:00+08:00,a16,hold_transfer,txn,T1,300,0.9,hold,C5\n"         // C5, no loss: 0.95
    "2024-03-02T09:30:00+08:00,a17,warn_call,msisdn,13800000001,,0.7,exposure,\n"  // C1: after its report
    "2024-03-31T23:59:59+08:00,a18,warn_visit,msisdn,13800000077,,0.7,exposure,\n" // last second of March
    "2024-04-01T00:00:00+08:00,a19,warn_visit,msisdn,13800000078,,0.7,exposure,\n" // April: outside
    // February
    "2024-02-10T08:00:00+08:00,b1,flag_number,msisdn,13900000007,,0.9,rule,C6\n"   // suspect, SIM; solves C6
    "2024-02-11T08:00:00+08:00,b2,warn_call,msisdn,13800000011,,0.7,exposure,\n"
    "2024-02-12T08:00:00+08:00,b3,stop_payment,account,M9,300,0.8,trace,C6\n"
    "2024-02-13T08:00:00+08:00,b4,warn_sms,msisdn,13800000012,,0.5,exposure,\n"
    "2024-02-13T09:00:00+08:00,b5,warn_sms,msisdn,13800000013,,0.5,exposure,\n"
    // bad rows: counted as rejected, never fatal
    "yesterday,x1,warn_sms,msisdn,1,,0.5,,\n"
    "2024-03-05T08:00:00+08:00,x2,shout,msisdn,1,,0.5,,\n"
    "2024-03-05T08:00:00+08:00,x3,stop_payment,account,M1,-5,0.5,,\n"
    "2024-03-05T08:00:00+08:00,x4,warn_sms\n";

void BuildCases(const std::string& path) {
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::Open(path, &db).ok());
  ASSERT_TRUE(db->Begin().ok());
  auto add = [&](const char* id, const char* opened, const char* origin, const char* msisdn, const char* person,
                 Money loss, Ts first_loss) {
    CaseRecord c;
    c.case_id = id;
    c.opened_ts = At(opened);
    c.origin = origin;
    c.victim_msisdn = msisdn;
    c.victim_person = person;
    c.stated_loss = loss;
    c.first_loss_ts = first_loss;
    ASSERT_TRUE(db->UpsertCase(c).ok());
  };
  // C1: a report stating a loss, no other loss record: the loss dates at the report.
  add("C1", "2024-03-02T09:00:00+08:00", "report", "13800000001", "P1", 1'000'000, kNoTs);
  // C2: the loss date comes from its trace (the victim's first outflow).
  add("C2", "2024-03-03T12:00:00+08:00", "report", "13800000002", "P2", 200'000, kNoTs);
  add("C3", "2024-03-04T07:00:00+08:00", "detection", "13800000003", "P3", kNoMoney, kNoTs);
  add("C4", "2024-03-08T12:00:00+08:00", "report", "13800000004", "P4", 500'000, At("2024-03-07T23:59:00+08:00"));
  add("C5", "2024-03-09T09:00:00+08:00", "detection", "13800000005", "P5", kNoMoney, kNoTs);
  add("C6", "2024-02-15T10:00:00+08:00", "report", "13800000006", "P6", 300'000, kNoTs);
  ASSERT_TRUE(db->LinkEntity("C1", "msisdn", "13900000001", "suspect_number").ok());
  ASSERT_TRUE(db->LinkEntity("C1", "account", "M1", "mule").ok());
  ASSERT_TRUE(db->LinkEntity("C2", "account", "M2", "mule").ok());
  ASSERT_TRUE(db->LinkEntity("C3", "account", "M3", "mule").ok());  // only re-verified: not identified
  ASSERT_TRUE(db->LinkEntity("C4", "msisdn", "13800000004", "victim_msisdn").ok());
  ASSERT_TRUE(db->LinkEntity("C6", "msisdn", "13900000007", "suspect_number").ok());  // flagged before the report
  std::vector<TraceHopRow> c2 = {{"V2", 0, 0, 0, 200'000, 0, kNoTs, At("2024-03-03T08:10:00+08:00")},
                                 {"M2", 1, 200'000, 200'000, 0, 0, At("2024-03-03T08:10:00+08:00"), kNoTs}};
  ASSERT_TRUE(db->SaveTrace("C2", At("2024-03-03T12:00:00+08:00"), c2).ok());
  ASSERT_TRUE(db->AddRestitution({"C1", "M1", "V1", 99'900, At("2024-03-10T10:00:00+08:00")}).ok());
  ASSERT_TRUE(db->Commit().ok());
}

class StatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("actions.csv"), kActions);
    BuildCases(dir_.File("cases.db"));
    WriteFile(dir_.File("restitution.csv"),
              "case_id,account,victim_account,amount,ts\n"
              "C1,M1,V1,800,2024-03-10T10:00:00+08:00\n"
              "C2,M2,V2,200,2024-02-20T10:00:00+08:00\n"
              "C2,M2,V2,lots,2024-03-20T10:00:00+08:00\n");
    ASSERT_TRUE(ParsePeriod("2024-03-01..2024-03-31", tz_, &march_).ok());
    ASSERT_TRUE(ParsePeriod("2024-02-01..2024-02-29", tz_, &february_).ok());
  }
  double Value(const Figures& f, Figure k) {
    auto v = f.Get(k);
    EXPECT_TRUE(v.has_value()) << Info(k).key;
    return v.value_or(-1);
  }
  TempDir dir_;
  TimeZone tz_;
  Period march_, february_;
};

TEST_F(StatisticsTest, FiguresOfAPeriod) {
  RunRecords r;
  ASSERT_TRUE(LoadRunRecords(dir_.path(), tz_, &r).ok());
  EXPECT_EQ(r.actions.size(), 24u);
  EXPECT_EQ(r.actions_rejected, 4u);
  EXPECT_TRUE(r.have_cases);
  EXPECT_EQ(r.restitution_source, "restitution.csv");
  EXPECT_EQ(r.restitution_rejected, 1u);

  Figures m = ComputeFigures(r, march_);
  EXPECT_EQ(Value(m, Figure::kCasesFiled), 3);  // C1, C2, C4
  EXPECT_EQ(Value(m, Figure::kCasesSolved), 2);  // C1, C2
  EXPECT_NEAR(Value(m, Figure::kCasesPrevented), 0.6 + 0.9 + 0.95, 1e-9);  // C2 call, C3 visit, C5 hold
  EXPECT_EQ(Value(m, Figure::kSuspectsIdentified), 2);  // 13900000001, S1
  EXPECT_EQ(Value(m, Figure::kWarningsSms), 2);
  EXPECT_EQ(Value(m, Figure::kWarningsCall), 3);
  EXPECT_EQ(Value(m, Figure::kWarningsVisit), 2);  // a6, a18 (not a19: April)
  EXPECT_EQ(Value(m, Figure::kAccountsStopPaid), 2);  // M1, M2
  EXPECT_EQ(Value(m, Figure::kMoneyStopPaid), 100'000 + 50'050 + 20'000);
  EXPECT_EQ(Value(m, Figure::kMoneyReturned), 80'000);  // the CSV wins over cases.db
  EXPECT_EQ(Value(m, Figure::kSimCardsFlagged), 2);
  EXPECT_EQ(Value(m, Figure::kBankAccountsFlagged), 2);
  EXPECT_EQ(Value(m, Figure::kDevicesFlagged), 1);
  EXPECT_EQ(Value(m, Figure::kOutletsFlagged), 1);

  Figures f = ComputeFigures(r, february_);
  EXPECT_EQ(Value(f, Figure::kCasesFiled), 1);
  EXPECT_EQ(Value(f, Figure::kCasesSolved), 1);  // C6, at its report (flag came first)
  EXPECT_EQ(Value(f, Figure::kCasesPrevented), 0);
  EXPECT_EQ(Value(f, Figure::kSuspectsIdentified), 1);
  EXPECT_EQ(Value(f, Figure::kWarningsSms), 2);
  EXPECT_EQ(Value(f, Figure::kWarningsCall), 1);
  EXPECT_EQ(Value(f, Figure::kWarningsVisit), 0);
  EXPECT_EQ(Value(f, Figure::kAccountsStopPaid), 1);
  EXPECT_EQ(Value(f, Figure::kMoneyStopPaid), 30'000);
  EXPECT_EQ(Value(f, Figure::kMoneyReturned), 20'000);
  EXPECT_EQ(Value(f, Figure::kBankAccountsFlagged), 0);

  // Percentage change March against February; from 0 there is none.
  EXPECT_NEAR(*ChangePercent(m.Get(Figure::kCasesFiled), f.Get(Figure::kCasesFiled)), 200.0, 1e-9);
  EXPECT_NEAR(*ChangePercent(m.Get(Figure::kCasesSolved), f.Get(Figure::kCasesSolved)), 100.0, 1e-9);
  EXPECT_NEAR(*ChangePercent(m.Get(Figure::kWarningsSms), f.Get(Figure::kWarningsSms)), 0.0, 1e-9);
  EXPECT_NEAR(*ChangePercent(m.Get(Figure::kMoneyStopPaid), f.Get(Figure::kMoneyStopPaid)), 466.8333333, 1e-6);
  EXPECT_NEAR(*ChangePercent(f.Get(Figure::kSuspectsIdentified), m.Get(Figure::kSuspectsIdentified)), -50.0, 1e-9);
  EXPECT_FALSE(ChangePercent(m.Get(Figure::kWarningsVisit), f.Get(Figure::kWarningsVisit)).has_value());
  EXPECT_FALSE(ChangePercent(m.Get(Figure::kCasesPrevented), f.Get(Figure::kCasesPrevented)).has_value());
  EXPECT_FALSE(ChangePercent(std::nullopt, 5.0).has_value());

  // All time.
  Figures all = ComputeFigures(r, Period{});
  EXPECT_EQ(Value(all, Figure::kWarningsVisit), 3);
  EXPECT_EQ(Value(all, Figure::kCasesFiled), 4);
  EXPECT_EQ(Value(all, Figure::kSuspectsIdentified), 3);
  EXPECT_EQ(Value(all, Figure::kMoneyReturned), 100'000);
}

TEST_F(StatisticsTest, MissingOptionalSources) {
  std::filesystem::remove(dir_.File("restitution.csv"));
  RunRecords r;
  ASSERT_TRUE(LoadRunRecords(dir_.path(), tz_, &r).ok());
  EXPECT_EQ(r.restitution_source, "cases.db");
  EXPECT_EQ(Value(ComputeFigures(r, march_), Figure::kMoneyReturned), 99'900);

  std::filesystem::remove(dir_.File("cases.db"));
  std::filesystem::remove(dir_.File("cases.db-wal"));
  std::filesystem::remove(dir_.File("cases.db-shm"));
  ASSERT_TRUE(LoadRunRecords(dir_.path(), tz_, &r).ok());
  EXPECT_FALSE(r.have_cases);
  Figures m = ComputeFigures(r, march_);
  EXPECT_FALSE(m.Get(Figure::kCasesFiled).has_value());
  EXPECT_FALSE(m.Get(Figure::kCasesSolved).has_value());
  EXPECT_FALSE(m.Get(Figure::kCasesPrevented).has_value());
  EXPECT_FALSE(m.Get(Figure::kMoneyReturned).has_value());
  EXPECT_EQ(Value(m, Figure::kWarningsCall), 3);

  std::filesystem::remove(dir_.File("actions.csv"));
  EXPECT_FALSE(LoadRunRecords(dir_.path(), tz_, &r).ok());
  EXPECT_FALSE(LoadRunRecords(dir_.File("nowhere"), tz_, &r).ok());
  WriteFile(dir_.File("actions.csv"), "ts,action\n");
  EXPECT_FALSE(LoadRunRecords(dir_.path(), tz_, &r).ok());  // no target_kind, target
  WriteFile(dir_.File("actions.csv"), "ts,action,target_kind,target\n");
  WriteFile(dir_.File("cases.db"), "this is not a database, it is a text file of some length...");
  EXPECT_FALSE(LoadRunRecords(dir_.path(), tz_, &r).ok());
}

TEST(PeriodTest, Parse) {
  TimeZone tz;
  Period p;
  ASSERT_TRUE(ParsePeriod("2024-03-01..2024-03-31", tz, &p).ok());
  EXPECT_EQ(p.from, At("2024-03-01T00:00:00+08:00"));
  EXPECT_EQ(p.to, At("2024-04-01T00:00:00+08:00"));  // a TO date includes its day
  EXPECT_TRUE(p.Contains(At("2024-03-31T23:59:59+08:00")));
  EXPECT_FALSE(p.Contains(At("2024-04-01T00:00:00+08:00")));
  EXPECT_FALSE(p.Contains(At("2024-02-29T23:59:59+08:00")));
  ASSERT_TRUE(ParsePeriod("2024-03-01T12:00:00Z..2024-03-02T00:00:00Z", tz, &p).ok());
  EXPECT_EQ(p.from, At("2024-03-01T12:00:00Z"));
  EXPECT_EQ(p.to, At("2024-03-02T00:00:00Z"));  // a TO timestamp is exclusive
  ASSERT_TRUE(ParsePeriod("2024-03-01..", tz, &p).ok());
  EXPECT_EQ(p.to, kNoTs);
  EXPECT_TRUE(p.Contains(At("2099-01-01T00:00:00Z")));
  ASSERT_TRUE(ParsePeriod("..2024-03-01", tz, &p).ok());
  EXPECT_EQ(p.from, kNoTs);
  ASSERT_TRUE(ParsePeriod("2024-03-01..2024-03-01", tz, &p).ok());  // one whole day
  TimeZone utc;
  ASSERT_TRUE(TimeZone::Parse("Z", &utc));
  ASSERT_TRUE(ParsePeriod("2024-03-01..2024-03-01", utc, &p).ok());
  EXPECT_EQ(p.from, At("2024-03-01T00:00:00Z"));

  for (const char* bad : {"", "..", "2024-03-01", "2024-03-31..2024-03-01", "2024-13-01..2024-12-01",
                          "march..april", "2024-03-01...2024-03-02", "2024-02-30..2024-03-01"})
    EXPECT_EQ(ParsePeriod(bad, tz, &p).code(), Status::Code::kInvalidInput) << bad;
}

}  // namespace
}  // namespace interdict
