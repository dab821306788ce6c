// Scoring tests on small hand-made data sets. Every expected figure is worked
// out by hand in the comments next to the data, from shared/spec/evaluation.md.
#include "eval/evaluate.h"

#include <cstdio>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/test_util.h"

namespace interdict {
namespace {

using testing::TempDir;
using testing::WriteFile;

constexpr const char* kTransfersHeader = "ts,txn_id,kind,from_account,to_account,amount,channel,device_id\n";
constexpr const char* kActionsHeader = "ts,action_id,action,target_kind,target,amount,score,reason,case_id\n";
constexpr const char* kCasesHeader =
    "case_id,victim_person_id,victim_msisdn,victim_account_id,fraud_type,gang_id,first_contact_ts,first_loss_ts,"
    "loss_amount\n";

// Base time for replay data sets: integer Unix seconds are a valid ts form.
constexpr int64_t kB = 1709258400;  // 2024-03-01T10:00:00+08:00
std::string T(int64_t offset) { return std::to_string(kB + offset); }

EvalReport Score(const TempDir& d, const std::string& actions, EvalOptions opt = {}) {
  WriteFile(d.File("actions.csv"), actions);
  EvalReport r;
  Status s = Evaluate(d.path(), d.File("actions.csv"), opt, &r);
  EXPECT_TRUE(s.ok()) << s.message();
  return r;
}

std::string Act(const std::string& ts, const std::string& action, const std::string& kind, const std::string& target) {
  static int n = 0;
  return fmt::format("{},act{},{},{},{},,0.9,test,\n", ts, ++n, action, kind, target);
}

TEST(EvalMedian, EvenCountIsMeanOfMiddleValues) {
  std::vector<int64_t> v = {9, 1, 4, 3};
  EXPECT_DOUBLE_EQ(*Median(&v), 3.5);
  v = {5, -2, 7};
  EXPECT_DOUBLE_EQ(*Median(&v), 5.0);
  v.clear();
  EXPECT_FALSE(Median(&v).has_value());
}

TEST(EvalDetection, PrecisionRecallF1AndDelayPerKind) {
  TempDir d;
  // Numbers: positives n1, n2 (fraud roles) and n4; n3 is listed but normal.
  WriteFile(d.File("labels/numbers.csv"),
            "msisdn,role,gang_id\nn1,fraud_caller,g1\nn2,simbox_sim,g1\nn3,normal_heavy,\nn4,fraud_caller,g2\n");
  // n1's first event is its first call as caller (10:00), not the call it
  // received at 08:00; n2 never calls out, so its first event is the call it
  // received at 09:00. Device d1 first calls at 10:00.
  WriteFile(d.File("calls.csv"),
            "ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell\n"
            "2024-03-01T08:00:00+08:00,x3,n1,10,,,\n"
            "2024-03-01T09:00:00+08:00,x2,n2,10,,,\n"
            "2024-03-01T10:00:00+08:00,n1,x1,10,d1,,\n");
  WriteFile(d.File("sim_cards.csv"),
            "ts,msisdn,person_id,operator,outlet_id,plan\n2024-02-01T00:00:00+08:00,n4,p1,cm,o1,prepaid\n");
  // Accounts: a1 first moves money at 11:00; a2 has only its opening.
  WriteFile(d.File("labels/accounts.csv"), "account_id,role,gang_id\na1,mule_l1,g1\na2,cashout,g1\n");
  WriteFile(d.File("bank_accounts.csv"),
            "ts,account_id,person_id,bank_id,branch_id,kind\n"
            "2024-01-15T00:00:00+08:00,a2,p1,b,o1,personal\n");
  WriteFile(d.File("transfers.csv"),
            std::string(kTransfersHeader) + "2024-03-01T11:00:00+08:00,t1,transfer,zz,a1,100,app,\n");
  WriteFile(d.File("labels/devices.csv"), "imei,role,gang_id,cell\nd1,simbox,g1,c1\n");
  // o1's earliest opening: the bank account branch on 01-15 (the SIM is 02-01).
  WriteFile(d.File("labels/outlets.csv"), "outlet_id,role\no1,insider\n");
  WriteFile(d.File("labels/persons.csv"), "person_id,role,gang_id\np9,card_seller,g1\n");
  std::string a = kActionsHeader;
  a += Act("2024-03-01T10:10:00+08:00", "flag_number", "msisdn", "n1");
  a += Act("2024-03-01T10:05:00+08:00", "flag_number", "msisdn", "n1");  // earliest flag: delay 300 s
  a += Act("2024-03-01T09:01:40+08:00", "flag_number", "msisdn", "n2");  // delay 100 s
  a += Act("2024-03-01T12:00:00+08:00", "flag_number", "msisdn", "n3");  // FP (normal role)
  a += Act("2024-03-01T12:00:00+08:00", "flag_number", "msisdn", "n5");  // FP (unlisted)
  a += Act("2024-03-01T11:00:30+08:00", "stop_payment", "account", "a1");  // delay 30 s
  a += Act("2024-02-01T01:00:00+08:00", "freeze", "account", "a2");        // delay 3600 s from its opening... see below
  a += Act("2024-03-01T12:00:00+08:00", "flag_account", "account", "a3");  // FP
  a += Act("2024-03-01T10:00:00+08:00", "flag_device", "imei", "d1");      // delay 0
  a += Act("2024-01-16T00:00:00+08:00", "flag_outlet", "outlet", "o1");    // delay 86400
  EvalReport r = Score(d, a);

  // numbers: flagged {n1,n2,n3,n5}, positives {n1,n2,n4}: TP 2, FP 2, FN 1.
  const DetectionFigures& n = r.detection[0];
  EXPECT_EQ(n.tp, 2u);
  EXPECT_EQ(n.fp, 2u);
  EXPECT_EQ(n.fn, 1u);
  EXPECT_DOUBLE_EQ(*n.precision, 0.5);
  EXPECT_DOUBLE_EQ(*n.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*n.f1, 4.0 / 7.0);      // 2*2 / (2*2 + 2 + 1)
  EXPECT_DOUBLE_EQ(*n.median_delay_s, 200);  // (300 + 100) / 2
  // accounts: flagged {a1,a2,a3} (stop and freeze count as flags), TP 2, FP 1.
  // a2's first event is its opening 2024-01-15T00:00 (no transfers): the
  // freeze at 2024-02-01T01:00 is 17 days + 1 h = 1472400 s later.
  const DetectionFigures& acc = r.detection[1];
  EXPECT_EQ(acc.tp, 2u);
  EXPECT_EQ(acc.fp, 1u);
  EXPECT_EQ(acc.fn, 0u);
  EXPECT_DOUBLE_EQ(*acc.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*acc.recall, 1.0);
  EXPECT_DOUBLE_EQ(*acc.f1, 0.8);  // 4 / (4 + 1 + 0)
  EXPECT_DOUBLE_EQ(*acc.median_delay_s, (30.0 + 1472400.0) / 2);
  EXPECT_DOUBLE_EQ(*r.detection[2].median_delay_s, 0);
  EXPECT_DOUBLE_EQ(*r.detection[2].precision, 1.0);
  EXPECT_DOUBLE_EQ(*r.detection[3].median_delay_s, 86400);
  // persons: nothing flagged: precision 0/0 = null, recall 0, F1 0 / (0+0+1) = 0.
  const DetectionFigures& p = r.detection[4];
  EXPECT_FALSE(p.precision.has_value());
  EXPECT_DOUBLE_EQ(*p.recall, 0);
  EXPECT_DOUBLE_EQ(*p.f1, 0);
  EXPECT_FALSE(p.median_delay_s.has_value());
  EXPECT_EQ(r.rejected, 0u);
}

// Cases c1..c5 (c4 has no loss), four persons, two days of calls.
void WriteWarningData(const TempDir& d) {
  WriteFile(d.File("people.csv"), "person_id,birth_year,gender,region\np1,1950,f,\np2,,,\np3,,,\np4,,,\n");
  // Span of calls/sms/transfers: 03-01 00:00 .. 03-03 00:00 = exactly 2 days
  // (the 2023 SIM opening does not count).
  WriteFile(d.File("sim_cards.csv"),
            "ts,msisdn,person_id,operator,outlet_id,plan\n2023-01-01T00:00:00+08:00,m1,p1,cm,,\n");
  WriteFile(d.File("calls.csv"),
            "ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell\n"
            "2024-03-01T00:00:00+08:00,f1,m1,60,,,\n"
            "2024-03-03T00:00:00+08:00,f1,m2,60,,,\n");
  WriteFile(d.File("transfers.csv"),
            std::string(kTransfersHeader) + "2024-03-02T12:00:00+08:00,h3,transfer,v3,mule3,6000,app,\n");
  WriteFile(d.File("labels/cases.csv"),
            std::string(kCasesHeader) +
                "c1,p1,m1,,,,,2024-03-02T12:00:00+08:00,1000\n"
                "c2,p2,m2,,,,,2024-03-02T12:00:00+08:00,3000\n"
                "c3,p3,m3,v3,,,,2024-03-02T12:00:00+08:00,6000\n"
                "c4,p4,m4,,,,,,\n"
                "c5,p5,m5,,,,,2024-03-02T12:00:00+08:00,4000\n");
  WriteFile(d.File("labels/case_transfers.csv"), "case_id,txn_id,hop\nc3,h3,1\n");
}

TEST(EvalWarnings, TiersLeadsBoundariesAndHold) {
  TempDir d;
  WriteWarningData(d);
  std::string a = kActionsHeader;
  // c1: call at exactly first_loss - 120 s is in time; a visit 1199 s before
  // is not (needs 1200); an SMS at exactly first_loss is in time. Best: call.
  a += Act("2024-03-02T11:58:00+08:00", "warn_call", "msisdn", "m1");
  a += Act("2024-03-02T11:40:01+08:00", "warn_visit", "msisdn", "m1");
  a += Act("2024-03-02T12:00:00+08:00", "warn_sms", "person", "p1");
  // c2: visit exactly 1200 s before (person target): in time. A late call does not matter.
  a += Act("2024-03-02T11:40:00+08:00", "warn_visit", "person", "p2");
  a += Act("2024-03-02T11:58:01+08:00", "warn_call", "msisdn", "m2");
  // c3: a hold on its hop-1 transfer at the transfer's own ts: in time, tier
  // hold, which outranks the SMS.
  a += Act("2024-03-02T10:00:00+08:00", "warn_sms", "msisdn", "m3");
  a += Act("2024-03-02T12:00:00+08:00", "hold_transfer", "txn", "h3");
  // c4 has no loss: not counted, but warning its victim is not false.
  a += Act("2024-03-02T10:00:00+08:00", "warn_sms", "msisdn", "m4");
  // False: two SMS rows to m9, a call to p7, and a visit whose target_kind is
  // person but whose target is c1's msisdn (no person is called m1).
  a += Act("2024-03-02T10:00:00+08:00", "warn_sms", "msisdn", "m9");
  a += Act("2024-03-02T10:00:01+08:00", "warn_sms", "msisdn", "m9");
  a += Act("2024-03-02T10:00:00+08:00", "warn_call", "person", "p7");
  a += Act("2024-03-02T10:00:00+08:00", "warn_visit", "person", "m1");
  EvalReport r = Score(d, a);

  EXPECT_EQ(r.cases, 4u);  // c1, c2, c3, c5
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kHold)], 1u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kVisit)], 1u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kCall)], 1u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kSms)], 0u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kNone)], 1u);  // c5
  // 0.6 + 0.9 + 0.95 + 0 = 2.45; / 4 cases = 0.6125.
  EXPECT_NEAR(r.expected_prevented, 2.45, 1e-12);
  EXPECT_NEAR(*r.prevented_share, 0.6125, 1e-12);
  // (0.6*1000 + 0.9*3000 + 0.95*6000 + 0*4000) / 14000 = 9000 / 14000.
  EXPECT_NEAR(*r.expected_loss_prevented, 9000.0 / 14000.0, 1e-12);
  // 4 persons, 2 days: one false row = 10000 / 4 / 2 = 1250 per 10k persons per day.
  EXPECT_EQ(r.persons, 4u);
  EXPECT_DOUBLE_EQ(r.days, 2.0);
  EXPECT_EQ(r.false_warning_rows[0], 2u);
  EXPECT_DOUBLE_EQ(*r.false_warnings_per_10k_day[0], 2500);
  EXPECT_DOUBLE_EQ(*r.false_warnings_per_10k_day[1], 1250);
  EXPECT_DOUBLE_EQ(*r.false_warnings_per_10k_day[2], 1250);
  nlohmann::json j = EvalReportJson(r, EvalOptions{});
  EXPECT_DOUBLE_EQ(j["false_warnings_per_10k_day.sms"].get<double>(), 2500);
  EXPECT_DOUBLE_EQ(j["false_warnings_per_10k_day.visit"].get<double>(), 1250);
  EXPECT_EQ(j["false_warning_rows.sms"].get<int>(), 2);
  // The held hop-1 transfer never left the victim: intercepted by the hold.
  EXPECT_EQ(r.total_loss, 600000);
  EXPECT_EQ(r.intercepted_by_hold, 600000);
  EXPECT_DOUBLE_EQ(*r.intercepted_share, 1.0);
}

TEST(EvalWarnings, HoldAfterTheTransferIsNotInTime) {
  TempDir d;
  WriteWarningData(d);
  std::string a = kActionsHeader;
  a += Act("2024-03-02T12:00:01+08:00", "hold_transfer", "txn", "h3");  // one second late
  a += Act("2024-03-02T11:40:00+08:00", "warn_sms", "msisdn", "m3");
  EvalReport r = Score(d, a);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kHold)], 0u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kSms)], 1u);
  EXPECT_EQ(r.intercepted, 0);
  EXPECT_DOUBLE_EQ(*r.intercepted_share, 0.0);
  // Few days in the data set: the span is at least one day.
  EXPECT_DOUBLE_EQ(r.days, 2.0);
}

// Two cases whose victims pay more than once; every payment is hop 1.
//  k1: v1 -> m1 1000 (p1, B+0 = k1's first_loss_ts), v1 -> m1 500 (p2, B+600).
//  k2: v2 -> m2 300 (p3, B+1000 = k2's first_loss_ts), v2 -> m2 200 (p4, B+1600).
//  m1 -> m3 400 (p5, B+700) is hop 2 of k1.
void WriteRepeatPaymentData(const TempDir& d) {
  std::string t = kTransfersHeader;
  t += T(0) + ",p1,transfer,v1,m1,1000,app,\n";
  t += T(600) + ",p2,transfer,v1,m1,500,app,\n";
  t += T(700) + ",p5,transfer,m1,m3,400,app,\n";
  t += T(1000) + ",p3,transfer,v2,m2,300,app,\n";
  t += T(1600) + ",p4,transfer,v2,m2,200,app,\n";
  WriteFile(d.File("transfers.csv"), t);
  WriteFile(d.File("labels/cases.csv"), std::string(kCasesHeader) +
                                            "k1,q1,w1,v1,,,," + T(0) + ",1500\n"
                                            "k2,q2,w2,v2,,,," + T(1000) + ",500\n");
  WriteFile(d.File("labels/case_transfers.csv"),
            "case_id,txn_id,hop\nk1,p1,1\nk1,p2,1\nk1,p5,2\nk2,p3,1\nk2,p4,1\n");
}

TEST(EvalHolds, OnlyAHoldOnTheFirstPaymentPreventsTheCase) {
  TempDir d;
  WriteRepeatPaymentData(d);
  std::string a = kActionsHeader;
  // k1: a hold on the first payment at its own ts: in time, tier hold.
  a += Act(T(0), "hold_transfer", "txn", "p1");
  // k2: a hold on its second payment, placed as early as the first payment:
  // not in time (the victim has already lost p3); k2's best tier is the SMS.
  a += Act(T(1000), "hold_transfer", "txn", "p4");
  a += Act(T(900), "warn_sms", "msisdn", "w2");
  EvalReport r = Score(d, a);
  EXPECT_EQ(r.cases, 2u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kHold)], 1u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kSms)], 1u);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kNone)], 0u);
  // 0.95 + 0.2 = 1.15; by loss (0.95*1500 + 0.2*500) / 2000 = 1525 / 2000.
  EXPECT_NEAR(r.expected_prevented, 1.15, 1e-12);
  EXPECT_NEAR(*r.expected_loss_prevented, 1525.0 / 2000.0, 1e-12);
  // Section 3 is by transfer: both held payments are blocked and never left
  // their victims, so both are intercepted: 1000 + 200 of 2000.
  EXPECT_EQ(r.total_loss, 200000);
  EXPECT_EQ(r.intercepted_by_hold, 120000);
  EXPECT_EQ(r.intercepted, 120000);
  EXPECT_EQ(r.blocked_transfers, 2u);
}

TEST(EvalHolds, AHoldOnALaterPaymentAloneLeavesTheCaseUnprevented) {
  TempDir d;
  WriteRepeatPaymentData(d);
  std::string a = kActionsHeader;
  a += Act(T(300), "hold_transfer", "txn", "p2");   // k1's second payment, held before it is made
  a += Act(T(1000), "hold_transfer", "txn", "p3");  // k2's first payment, at its own ts
  EvalReport r = Score(d, a);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kHold)], 1u);  // k2 only
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kNone)], 1u);  // k1
  EXPECT_NEAR(r.expected_prevented, 0.95, 1e-12);
  EXPECT_NEAR(*r.prevented_share, 0.475, 1e-12);
  // p2's 500 and p3's 300 are intercepted; p1 reached m1 and then p5 moved
  // 400 of it on (no stops).
  EXPECT_EQ(r.intercepted_by_hold, 80000);
  EXPECT_NEAR(*r.intercepted_share, 800.0 / 2000.0, 1e-12);
}

TEST(EvalHolds, FalseHoldsAreDistinctInnocentTxnIds) {
  TempDir d;
  std::string t = kTransfersHeader;
  t += T(0) + ",f1,transfer,v1,m1,1000,app,\n";      // k1 hop 1
  t += T(100) + ",f2,transfer,m1,m2,800,app,\n";     // k1 hop 2
  t += T(200) + ",f3,transfer,m2,m3,500,app,\n";     // k1 hop 3
  t += T(300) + ",i1,transfer,a,b,50,app,\n";        // innocent
  t += T(400) + ",i2,transfer,c,d,70,app,\n";        // innocent
  t += T(500) + ",i4,transfer,g,h,10,app,\n";        // hop 2 of k9, a case with no cases.csv row
  t += T(172800) + ",i3,transfer,e,f,20,app,\n";     // two days after the first row
  WriteFile(d.File("transfers.csv"), t);
  WriteFile(d.File("people.csv"), "person_id,birth_year,gender,region\np1,1980,m,r\np2,1990,f,r\np3,1970,u,r\np4,2000,m,r\n");
  WriteFile(d.File("labels/cases.csv"), std::string(kCasesHeader) + "k1,p1,,v1,,,," + T(0) + ",1000\n");
  WriteFile(d.File("labels/case_transfers.csv"), "case_id,txn_id,hop\nk1,f1,1\nk1,f2,2\nk1,f3,3\nk9,i4,2\n");
  std::string a = kActionsHeader;
  a += Act(T(300), "hold_transfer", "txn", "i1");
  a += Act(T(250), "hold_transfer", "txn", "i1");   // the same payment held twice: one false hold
  a += Act(T(500), "hold_transfer", "txn", "i2");   // after the transfer: blocks nothing, still held
  a += Act(T(600), "hold_transfer", "txn", "nx1");  // a txn id in no file: no case's transfer either
  a += Act(T(0), "hold_transfer", "txn", "f1");     // case transfers of any hop are not false
  a += Act(T(100), "hold_transfer", "txn", "f2");
  a += Act(T(200), "hold_transfer", "txn", "f3");
  a += Act(T(500), "hold_transfer", "txn", "i4");
  EvalReport r = Score(d, a);
  EXPECT_EQ(r.held_txns, 7u);    // i1, i2, nx1, f1, f2, f3, i4
  EXPECT_EQ(r.false_holds, 3u);  // i1, i2, nx1
  // 4 persons, days = 172800 s / 86400 = 2: 3 * 10000 / 4 / 2 = 3750.
  EXPECT_EQ(r.persons, 4u);
  EXPECT_DOUBLE_EQ(r.days, 2.0);
  EXPECT_DOUBLE_EQ(*r.false_holds_per_10k_day, 3750.0);
  EXPECT_EQ(r.warned_in_time[static_cast<int>(Tier::kHold)], 1u);  // f1 is k1's first payment
  nlohmann::json j = EvalReportJson(r, EvalOptions{});
  EXPECT_EQ(j["false_holds"].get<int>(), 3);
  EXPECT_DOUBLE_EQ(j["false_holds_per_10k_day"].get<double>(), 3750.0);
  EXPECT_NE(FormatEvalTable(r, EvalOptions{}).find("false_holds 3 of 7 held txn ids, false_holds_per_10k_day 3750.0000"),
            std::string::npos);

  // No people.csv: no persons to divide by, the rate is null (the count stays).
  std::remove(d.File("people.csv").c_str());
  r = Score(d, a);
  EXPECT_EQ(r.false_holds, 3u);
  EXPECT_FALSE(r.false_holds_per_10k_day.has_value());
  EXPECT_TRUE(EvalReportJson(r, EvalOptions{})["false_holds_per_10k_day"].is_null());
}

// The replay data set. Amounts in yuan; B = base second.
//  k1: v1 -> m1 1000 (t1, B+0); m1 -> m2 800 (t2, B+100); m2 -> m3 500 (t3,
//      B+200); m1 withdraws 300 (t4, B+300).
//  k2: v2 -> x 300 (t10, B+1000); clean deposit 500 into x (t11, B+1100);
//  k3: v3 -> x 200 (t12, B+1200); x -> y 400 (t13, B+1300); x -> z 250 (t14,
//      B+1400); y -> q 50 (t16, B+1559); y -> out 100 (t15, B+1560).
void WriteReplayData(const TempDir& d) {
  std::string t = kTransfersHeader;
  t += T(0) + ",t1,transfer,v1,m1,1000,app,\n";
  t += T(100) + ",t2,transfer,m1,m2,800,app,\n";
  t += T(200) + ",t3,transfer,m2,m3,500,app,\n";
  t += T(300) + ",t4,withdrawal,m1,,300,atm,\n";
  t += T(1000) + ",t10,transfer,v2,x,300,app,\n";
  t += T(1100) + ",t11,deposit,,x,500,counter,\n";
  t += T(1200) + ",t12,transfer,v3,x,200,app,\n";
  t += T(1300) + ",t13,transfer,x,y,400,app,\n";
  t += T(1400) + ",t14,transfer,x,z,250,app,\n";
  t += T(1559) + ",t16,transfer,y,q,50,app,\n";
  t += T(1560) + ",t15,transfer,y,out,100,app,\n";
  WriteFile(d.File("transfers.csv"), t);
  WriteFile(d.File("labels/accounts.csv"), "account_id,role,gang_id\nm1,mule_l1,g\nm2,mule_l2,g\nm3,mule_l3,g\nx,mule_l1,h\ny,mule_l2,h\n");
  WriteFile(d.File("labels/cases.csv"), std::string(kCasesHeader) +
                                            "k1,,,v1,,,," + T(0) + ",1000\n"
                                            "k2,,,v2,,,," + T(1000) + ",300\n"
                                            "k3,,,v3,,,," + T(1200) + ",200\n");
  WriteFile(d.File("labels/case_transfers.csv"),
            "case_id,txn_id,hop\nk1,t1,1\nk1,t2,2\nk2,t10,1\nk3,t12,1\nk2,t13,2\n");
}

TEST(EvalReplay, FifoStopsMixingLatencyAndNegativeDelay) {
  TempDir d;
  WriteReplayData(d);
  std::string a = kActionsHeader;
  // m2 stopped at B+100: effective B+160, so t3 (B+200) is blocked and m2
  // keeps k1's 800. m1 keeps 200 of k1 until t4 withdraws it (gone).
  a += Act(T(100), "stop_payment", "account", "m2");
  // z stopped at B+1000 (effective B+1060), before any money came: t14 still
  // brings it k3's 100 (incoming arrives).
  a += Act(T(1000), "stop_payment", "account", "z");
  a += Act(T(1001), "freeze", "account", "z");
  // y frozen at B+1500: effective B+1560. t16 at B+1559 still goes (takes k2
  // 50 to q); t15 at exactly B+1560 is blocked.
  a += Act(T(1500), "freeze", "account", "y");
  EvalReport r = Score(d, a);
  // x after t10, t12: [k2 300, k3 200] (the deposit is clean).
  // t13 400: y <- [k2 300, k3 100]; x [k3 100].
  // t14 250: z <- [k3 100] (+150 clean); x [].
  // t16 50:  q <- [k2 50]; y [k2 250, k3 100].
  // Intercepted: m2 800 + y 350 + z 100 = 1250 of 1500.
  EXPECT_EQ(r.total_loss, 150000);
  EXPECT_EQ(r.intercepted, 125000);
  EXPECT_EQ(r.intercepted_by_hold, 0);
  EXPECT_NEAR(*r.intercepted_share, 1250.0 / 1500.0, 1e-12);
  // Stop delays: k1: m2 effective B+160 - B+0 = 160. k2 held by x, y, q:
  // y effective B+1560 - B+1000 = 560. k3 held by x, y, z: z effective B+1060
  // - B+1200 = -140. Median of {-140, 160, 560} = 160.
  EXPECT_EQ(r.stop_delays, 3u);
  EXPECT_DOUBLE_EQ(*r.median_stop_delay_s, 160);
  // Stopped accounts m2, z, y; z is not labelled: 1 false stop of 3, from 2 rows.
  EXPECT_EQ(r.stopped_accounts, 3u);
  EXPECT_EQ(r.false_stops, 1u);
  EXPECT_EQ(r.false_stop_actions, 2u);
  EXPECT_NEAR(*r.false_stops_share, 1.0 / 3.0, 1e-12);
  EXPECT_EQ(r.blocked_transfers, 2u);  // t3, t15
  EXPECT_EQ(r.transfers, 11u);
}

TEST(EvalReplay, StoppingEveryMuleAtTheStartInterceptsEverything) {
  TempDir d;
  WriteReplayData(d);
  std::string a = kActionsHeader;
  for (const char* m : {"m1", "m2", "m3", "x", "y"}) a += Act(T(-3600), "stop_payment", "account", m);
  EvalReport r = Score(d, a);
  // Every hop-1 lot lands in a stopped first mule and can never leave.
  EXPECT_EQ(r.intercepted, r.total_loss);
  EXPECT_DOUBLE_EQ(*r.intercepted_share, 1.0);
  EXPECT_EQ(r.false_stops, 0u);
  EXPECT_DOUBLE_EQ(*r.false_stops_share, 0.0);
  // k1: -3600+60 - 0; k2: -3540 - 1000; k3: -3540 - 1200. Median -4540.
  EXPECT_DOUBLE_EQ(*r.median_stop_delay_s, -4540);
  EXPECT_DOUBLE_EQ(*r.detection[1].recall, 1.0);
}

TEST(EvalReplay, EmptyActionsInterceptNothing) {
  TempDir d;
  WriteReplayData(d);
  EvalReport r = Score(d, kActionsHeader);
  EXPECT_EQ(r.intercepted, 0);
  EXPECT_DOUBLE_EQ(*r.intercepted_share, 0.0);
  EXPECT_FALSE(r.median_stop_delay_s.has_value());
  EXPECT_FALSE(r.false_stops_share.has_value());
  EXPECT_FALSE(r.detection[1].precision.has_value());
  EXPECT_DOUBLE_EQ(*r.detection[1].recall, 0.0);
  EXPECT_EQ(r.cases, 3u);
  EXPECT_EQ(r.warned_in_time[0], 3u);
  EXPECT_DOUBLE_EQ(*r.prevented_share, 0.0);
}

TEST(EvalReplay, VictimStopSelfTransferDepositsAndHoldOnALaterHop) {
  TempDir d;
  std::string t = kTransfersHeader;
  t += T(0) + ",t1,transfer,v1,m1,1000,app,\n";   // k1 hop 1; v1 stopped (effective B-40): blocked
  t += T(10) + ",t2,transfer,v2,m2,500,app,\n";   // k2 hop 1: m2 [k2 500]
  t += T(20) + ",t3,transfer,m2,m2,200,app,\n";   // self-transfer: the lot goes round, m2 [k2 500]
  t += T(30) + ",t4,deposit,,m2,100,counter,\n";  // clean money in
  t += T(60) + ",t5,withdrawal,m2,,550,atm,\n";   // m2 stop effective B+60: blocked
  t += T(70) + ",t6,deposit,,m2,100,counter,\n";  // a deposit into a stopped account still arrives
  t += T(100) + ",t7,transfer,v3,m3,300,app,\n";  // k3 hop 1: m3 [k3 300]
  t += T(200) + ",t8,transfer,m3,m4,300,app,\n";  // held at B+200: blocked, m3 keeps its lot
  WriteFile(d.File("transfers.csv"), t);
  WriteFile(d.File("labels/accounts.csv"), "account_id,role,gang_id\nm1,mule_l1,\nm2,mule_l1,\nm3,mule_l1,\n");
  WriteFile(d.File("labels/case_transfers.csv"), "case_id,txn_id,hop\nk1,t1,1\nk2,t2,1\nk3,t7,1\n");
  std::string a = kActionsHeader;
  a += Act(T(-100), "stop_payment", "account", "v1");
  a += Act(T(0), "stop_payment", "account", "m2");
  a += Act(T(200), "hold_transfer", "txn", "t8");
  EvalReport r = Score(d, a);
  // total 1000 + 500 + 300. Only m2's 500 sits in a stopped account: the
  // blocked hop-1 t1 created no lot (rule 2) and was blocked by a stop, not a
  // hold (rule 6); m3's lot is not in a stopped account; the held t8 is not a
  // hop-1 transfer.
  EXPECT_EQ(r.total_loss, 180000);
  EXPECT_EQ(r.intercepted, 50000);
  EXPECT_EQ(r.intercepted_by_hold, 0);
  EXPECT_EQ(r.blocked_transfers, 3u);  // t1, t5, t8
  // Only k2 has a stopped account that held its taint: B+60 - B+10 = 50.
  EXPECT_EQ(r.stop_delays, 1u);
  EXPECT_DOUBLE_EQ(*r.median_stop_delay_s, 50);
  EXPECT_EQ(r.false_stops, 1u);  // v1
  EXPECT_DOUBLE_EQ(*r.false_stops_share, 0.5);
  EXPECT_EQ(r.false_holds, 1u);  // t8 is no case's transfer
}

TEST(EvalInput, BadRowsAreCountedAndTheRunGoesOn) {
  TempDir d;
  WriteReplayData(d);
  WriteFile(d.File("labels/accounts.csv"),
            "account_id,role,gang_id\nm1,mule_l1,g\nm2,mule_l2,g\nm3,mule_l3,g\nx,mule_l1,h\ny,mule_l2,h\n"
            "bad id,mule_l1,h\n");
  std::string a = kActionsHeader;
  a += "yesterday,a1,stop_payment,account,m2,,0.5,r,\n";                  // bad ts
  a += Act(T(0), "launch_missile", "account", "m2");                     // unknown action
  a += Act(T(0), "flag_number", "account", "m2");                        // kind mismatch
  a += T(0) + ",a9,stop_payment,account\n";                                // field count
  a += Act(T(100), "stop_payment", "account", "m2");                     // good
  WriteFile(d.File("transfers.csv"),
            testing::ReadFile(d.File("transfers.csv")) + T(2000) + ",t99,transfer,a,b,-5,app,\n");  // bad money
  EvalOptions opt;
  opt.rejects_path = d.File("rejects.csv");
  EvalReport r = Score(d, a, opt);
  EXPECT_EQ(r.actions, 1u);
  EXPECT_EQ(r.rejected, 6u);  // 4 actions + 1 label + 1 transfer
  EXPECT_EQ(r.intercepted, 80000);  // m2's 800 of k1, as in the replay test
  std::string rej = testing::ReadFile(d.File("rejects.csv"));
  EXPECT_NE(rej.find("actions.csv,2,ts,bad_ts"), std::string::npos) << rej;
  EXPECT_NE(rej.find("actions.csv,3,action,bad_enum"), std::string::npos) << rej;
  EXPECT_NE(rej.find("actions.csv,4,target_kind,kind_mismatch"), std::string::npos) << rej;
  EXPECT_NE(rej.find("actions.csv,5,,field_count"), std::string::npos) << rej;
  EXPECT_NE(rej.find("labels/accounts.csv,7,account_id,bad_id"), std::string::npos) << rej;
  EXPECT_NE(rej.find("transfers.csv,13,amount,bad_money"), std::string::npos) << rej;
}

TEST(EvalInput, MissingFilesAreErrors) {
  TempDir d;
  WriteReplayData(d);
  EvalReport r;
  Status s = Evaluate(d.path(), d.File("nope.csv"), {}, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nope.csv"), std::string::npos);
  WriteFile(d.File("actions.csv"), "ts,action,target\n");
  s = Evaluate(d.path(), d.File("actions.csv"), {}, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("target_kind"), std::string::npos) << s.message();
  s = Evaluate(d.File("missing"), d.File("actions.csv"), {}, &r);
  EXPECT_FALSE(s.ok());
  TempDir unlabelled;
  WriteFile(unlabelled.File("transfers.csv"), kTransfersHeader);
  WriteFile(unlabelled.File("actions.csv"), kActionsHeader);
  s = Evaluate(unlabelled.path(), unlabelled.File("actions.csv"), {}, &r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("labels"), std::string::npos);
}

TEST(EvalOutput, JsonUsesThePageNames) {
  TempDir d;
  WriteReplayData(d);
  std::string a = std::string(kActionsHeader) + Act(T(100), "stop_payment", "account", "m2");
  EvalOptions opt;
  EvalReport r = Score(d, a, opt);
  nlohmann::json j = EvalReportJson(r, opt);
  // Every figure the page names, under the page's name.
  for (const char* k : {"numbers.precision", "numbers.recall", "numbers.f1", "numbers.median_delay_s", "numbers.tp",
                        "accounts.fp", "devices.fn", "outlets.f1", "persons.recall", "warned_in_time.sms",
                        "warned_in_time.call", "warned_in_time.visit", "warned_in_time.hold", "expected_prevented",
                        "prevented_share", "expected_loss_prevented", "false_warnings_per_10k_day.sms",
                        "false_warnings_per_10k_day.call", "false_warnings_per_10k_day.visit", "false_holds",
                        "false_holds_per_10k_day", "intercepted_amount", "total_loss", "intercepted_share",
                        "median_stop_delay_s", "false_stops", "false_stops_share", "cases"})
    EXPECT_TRUE(j.contains(k)) << k;
  // The names of earlier pages are gone, so that no reader takes a stale key.
  for (const char* k : {"false_stop_share", "false_warnings.sms", "false_warnings.call", "false_warnings.visit"})
    EXPECT_FALSE(j.contains(k)) << k;
  // The replay data set has no people.csv: no persons, every per-10k rate is null.
  EXPECT_TRUE(j["false_warnings_per_10k_day.call"].is_null());
  EXPECT_TRUE(j["false_holds_per_10k_day"].is_null());
  EXPECT_EQ(j["false_holds"].get<int>(), 0);
  EXPECT_EQ(j["false_stops"].get<int>(), 0);
  EXPECT_DOUBLE_EQ(j["false_stops_share"].get<double>(), 0.0);
  EXPECT_TRUE(j["numbers.precision"].is_null());
  EXPECT_DOUBLE_EQ(j["intercepted_amount"].get<double>(), 800.0);
  EXPECT_DOUBLE_EQ(j["total_loss"].get<double>(), 1500.0);
  EXPECT_EQ(j["cases"].get<int>(), 3);
  std::string table = FormatEvalTable(r, opt);
  for (const char* name : {"intercepted_share", "false_warnings_per_10k_day", "false_holds", "false_holds_per_10k_day",
                           "false_stops_share"})
    EXPECT_NE(table.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace interdict
