#include "store/case_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/intern.h"
#include "base/test_util.h"
#include "graph/trace.h"
#include "graph/transfer_graph.h"

namespace interdict {
namespace {

using interdict::testing::TempDir;
using interdict::testing::WriteFile;

CaseRecord MakeCase(const std::string& id, Ts opened, std::string origin = "report") {
  CaseRecord c;
  c.case_id = id;
  c.opened_ts = opened;
  c.report_id = origin == "report" ? "R-" + id : "";
  c.victim_person = "P-" + id;
  c.victim_msisdn = "13800001111";
  c.victim_account = "VA-" + id;
  c.fraud_type = "impersonation";
  c.stated_loss = 500'000;
  c.origin = std::move(origin);
  return c;
}

Action MakeAction(const std::string& id, Ts ts, ActionType t, TargetKind k, const std::string& target,
                  const std::string& case_id, Money amount = kNoMoney) {
  Action a;
  a.action_id = id;
  a.ts = ts;
  a.type = t;
  a.target_kind = k;
  a.target = target;
  a.case_id = case_id;
  a.amount = amount;
  a.score = 0.75;
  a.reason = "mule_fanout+trace";
  return a;
}

// Writes a complete case in one batch, closes the store, reopens it: the case
// and everything attached to it must come back exactly.
TEST(CaseStoreTest, CasesSurviveRestart) {
  TempDir dir;
  const std::string path = dir.File("cases.db");
  {
    std::unique_ptr<CaseStore> db;
    ASSERT_TRUE(CaseStore::Open(path, &db).ok());
    ASSERT_TRUE(db->Begin().ok());
    ASSERT_TRUE(db->UpsertCase(MakeCase("C2", 2000)).ok());
    CaseRecord c1 = MakeCase("C1", 1000, "detection");
    c1.stated_loss = kNoMoney;
    c1.first_loss_ts = 1500;
    ASSERT_TRUE(db->UpsertCase(c1).ok());
    ASSERT_TRUE(db->LinkEntity("C1", "msisdn", "17000000001", "suspect_number", 1100).ok());
    ASSERT_TRUE(db->LinkEntity("C1", "account", "MULE1", "mule").ok());
    ASSERT_TRUE(db->LinkEntity("C1", "account", "MULE1", "mule", 9999).ok());  // repeated: stored once
    ASSERT_TRUE(db->AddAction(MakeAction("a2", 1300, ActionType::kStopPayment, TargetKind::kAccount, "MULE1", "C1",
                                         120'050))
                    .ok());
    ASSERT_TRUE(db->AddAction(MakeAction("a1", 1200, ActionType::kWarnCall, TargetKind::kMsisdn, "13800001111", "C1"))
                    .ok());
    ASSERT_TRUE(db->AddAction(MakeAction("a3", 1400, ActionType::kStopPayment, TargetKind::kAccount, "MULE2", "C1",
                                         30'000))
                    .ok());
    ASSERT_TRUE(db->AddAction(MakeAction("a4", 1400, ActionType::kFlagNumber, TargetKind::kMsisdn, "1", "")).ok());
    std::vector<TraceHopRow> hops = {{"VA-C1", 0, 0, 0, 500'000, 0, kNoTs, 1500},
                                     {"MULE1", 1, 500'000, 120'050, 379'950, 0, 1500, 1600}};
    ASSERT_TRUE(db->SaveTrace("C1", 1700, hops).ok());
    ASSERT_TRUE(db->AddRestitution({"C1", "MULE1", "VA-C1", 100'000, 5000}).ok());
    ASSERT_TRUE(db->AddRestitution({"C1", "MULE1", "VA-C1", 20'050, 4000}).ok());
    ASSERT_TRUE(db->Commit().ok());
  }
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::OpenReadOnly(path, &db).ok());
  std::vector<CaseSummary> list;
  ASSERT_TRUE(db->ListCases(&list).ok());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].case_id, "C1");  // by opened_ts
  EXPECT_EQ(list[0].origin, "detection");
  EXPECT_EQ(list[0].status, "open");
  EXPECT_EQ(list[0].stated_loss, kNoMoney);
  EXPECT_EQ(list[0].stop_paid, 150'050);
  EXPECT_EQ(list[0].returned, 120'050);
  EXPECT_EQ(list[0].linked, 2);
  EXPECT_EQ(list[1].case_id, "C2");
  EXPECT_EQ(list[1].stated_loss, 500'000);
  EXPECT_EQ(list[1].stop_paid, 0);
  EXPECT_EQ(list[1].linked, 0);

  CaseDetail d;
  ASSERT_TRUE(db->GetCase("C1", &d).ok());
  EXPECT_EQ(d.c.victim_msisdn, "13800001111");
  EXPECT_EQ(d.c.first_loss_ts, 1500);
  EXPECT_EQ(d.c.closed_ts, kNoTs);
  EXPECT_EQ(d.c.report_id, "");
  ASSERT_EQ(d.links.size(), 2u);
  EXPECT_EQ(d.links[0].kind, "msisdn");
  EXPECT_EQ(d.links[0].ts, 1100);
  EXPECT_EQ(d.links[1].role, "mule");
  EXPECT_EQ(d.links[1].ts, kNoTs);  // the first link's ts is kept
  ASSERT_EQ(d.actions.size(), 3u);  // only this case's, in time order
  EXPECT_EQ(d.actions[0].action_id, "a1");
  EXPECT_EQ(d.actions[0].type, ActionType::kWarnCall);
  EXPECT_EQ(d.actions[0].amount, kNoMoney);
  EXPECT_EQ(d.actions[1].action_id, "a2");
  EXPECT_EQ(d.actions[1].amount, 120'050);
  EXPECT_EQ(d.actions[1].reason, "mule_fanout+trace");
  EXPECT_DOUBLE_EQ(d.actions[1].score, 0.75);
  EXPECT_EQ(d.trace_ts, 1700);
  ASSERT_EQ(d.trace.size(), 2u);
  EXPECT_EQ(d.trace[0].first_in, kNoTs);
  EXPECT_EQ(d.trace[1].account, "MULE1");
  EXPECT_EQ(d.trace[1].remaining, 120'050);
  EXPECT_EQ(d.trace[1].first_out, 1600);
  ASSERT_EQ(d.restitution.size(), 2u);
  EXPECT_EQ(d.restitution[0].ts, 4000);  // by ts
  EXPECT_EQ(d.restitution[0].amount, 20'050);

  EXPECT_EQ(db->GetCase("nope", &d).code(), Status::Code::kNotFound);
  int64_t n = 0;
  ASSERT_TRUE(db->CountActions(&n).ok());
  EXPECT_EQ(n, 4);
}

TEST(CaseStoreTest, UncommittedBatchIsDroppedOnClose) {
  TempDir dir;
  const std::string path = dir.File("cases.db");
  {
    std::unique_ptr<CaseStore> db;
    ASSERT_TRUE(CaseStore::Open(path, &db).ok());
    ASSERT_TRUE(db->UpsertCase(MakeCase("kept", 1)).ok());  // autocommit
    ASSERT_TRUE(db->Begin().ok());
    ASSERT_TRUE(db->UpsertCase(MakeCase("lost", 2)).ok());
  }
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::Open(path, &db).ok());  // reopening read-write keeps the data
  std::vector<CaseSummary> list;
  ASSERT_TRUE(db->ListCases(&list).ok());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].case_id, "kept");
}

// WAL: a reader sees the last commit while the writer holds an open batch.
TEST(CaseStoreTest, ReaderSeesLastCommitDuringWriterBatch) {
  TempDir dir;
  const std::string path = dir.File("cases.db");
  std::unique_ptr<CaseStore> w;
  ASSERT_TRUE(CaseStore::Open(path, &w).ok());
  ASSERT_TRUE(w->UpsertCase(MakeCase("C1", 1)).ok());
  ASSERT_TRUE(w->Begin().ok());
  ASSERT_TRUE(w->UpsertCase(MakeCase("C2", 2)).ok());
  std::unique_ptr<CaseStore> r;
  ASSERT_TRUE(CaseStore::OpenReadOnly(path, &r).ok());
  std::vector<CaseSummary> list;
  ASSERT_TRUE(r->ListCases(&list).ok());
  EXPECT_EQ(list.size(), 1u);
  ASSERT_TRUE(w->Commit().ok());
  ASSERT_TRUE(r->ListCases(&list).ok());
  EXPECT_EQ(list.size(), 2u);
}

TEST(CaseStoreTest, UpsertReplacesAndTraceIsReplaced) {
  TempDir dir;
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::Open(dir.File("cases.db"), &db).ok());
  CaseRecord c = MakeCase("C1", 10, "detection");
  ASSERT_TRUE(db->UpsertCase(c).ok());
  c.origin = "report";
  c.status = "closed";
  c.closed_ts = 99;
  ASSERT_TRUE(db->UpsertCase(c).ok());
  std::vector<TraceHopRow> first = {{"A", 0, 0, 0, 1, 0, 1, 2}, {"B", 1, 1, 1, 0, 0, 2, kNoTs}};
  ASSERT_TRUE(db->SaveTrace("C1", 50, first).ok());
  std::vector<TraceHopRow> second = {{"A", 0, 0, 0, 5, 0, 1, 2}};
  ASSERT_TRUE(db->SaveTrace("C1", 60, second).ok());
  CaseDetail d;
  ASSERT_TRUE(db->GetCase("C1", &d).ok());
  EXPECT_EQ(d.c.origin, "report");
  EXPECT_EQ(d.c.status, "closed");
  EXPECT_EQ(d.c.closed_ts, 99);
  EXPECT_EQ(d.trace_ts, 60);
  ASSERT_EQ(d.trace.size(), 1u);
  EXPECT_EQ(d.trace[0].sent, 5);
  std::vector<CaseSummary> list;
  ASSERT_TRUE(db->ListCases(&list).ok());
  EXPECT_EQ(list.size(), 1u);
}

TEST(CaseStoreTest, BadInputIsAnErrorNotACrash) {
  TempDir dir;
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::Open(dir.File("cases.db"), &db).ok());
  CaseRecord c = MakeCase("C1", 10);
  c.status = "pending";
  EXPECT_EQ(db->UpsertCase(c).code(), Status::Code::kInvalidInput);
  c.status = "open";
  c.origin = "rumour";
  EXPECT_EQ(db->UpsertCase(c).code(), Status::Code::kInvalidInput);
  EXPECT_EQ(db->UpsertCase(CaseRecord{}).code(), Status::Code::kInvalidInput);
  EXPECT_EQ(db->LinkEntity("C1", "planet", "X", "mule").code(), Status::Code::kInvalidInput);
  EXPECT_EQ(db->LinkEntity("C1", "account", "", "mule").code(), Status::Code::kInvalidInput);
  EXPECT_EQ(db->AddRestitution({"C1", "A", "V", -5, 1}).code(), Status::Code::kInvalidInput);
  EXPECT_FALSE(db->Commit().ok());  // no batch open
  ASSERT_TRUE(db->Begin().ok());
  EXPECT_FALSE(db->Begin().ok());
  ASSERT_TRUE(db->Rollback().ok());
  // Ids with quotes and non-ASCII bytes are bound, never spliced into SQL.
  c = MakeCase("x'); DROP TABLE cases; --", 1);
  ASSERT_TRUE(db->UpsertCase(c).ok());
  CaseDetail d;
  ASSERT_TRUE(db->GetCase("x'); DROP TABLE cases; --", &d).ok());

  std::unique_ptr<CaseStore> other;
  EXPECT_EQ(CaseStore::OpenReadOnly(dir.File("missing.db"), &other).code(), Status::Code::kNotFound);
  WriteFile(dir.File("junk.db"), std::string(4096, 'x'));
  EXPECT_FALSE(CaseStore::Open(dir.File("junk.db"), &other).ok());
  EXPECT_FALSE(CaseStore::OpenReadOnly(dir.File("junk.db"), &other).ok());
  EXPECT_FALSE(CaseStore::Open(dir.File("no/such/dir/cases.db"), &other).ok());
  std::unique_ptr<CaseStore> ro;
  ASSERT_TRUE(CaseStore::OpenReadOnly(dir.File("cases.db"), &ro).ok());
  EXPECT_FALSE(ro->UpsertCase(MakeCase("C9", 1)).ok());
}

// A real trace (victim -> mule -> cash-out) stored and read back by name.
TEST(CaseStoreTest, SavesAMoneyTrace) {
  Interner names;
  AccountId victim = names.Intern("VICTIM"), mule = names.Intern("MULE");
  TransferGraph g;
  g.MarkInternal(victim);
  g.MarkInternal(mule);
  Transfer t{};
  t.kind = TransferKind::kTransfer;
  t.channel = Channel::kApp;
  t.from = victim;
  t.to = mule;
  t.amount = 500'000;
  t.device = kNoId;
  t.txn = 0;
  g.Add(100, t);
  t.kind = TransferKind::kWithdrawal;
  t.channel = Channel::kAtm;
  t.from = mule;
  t.to = kNoId;
  t.amount = 200'000;
  t.txn = 1;
  g.Add(200, t);
  MoneyTrace trace = MoneyTrace::FromAccount(g, victim, 0, 1000, TraceOptions{});
  std::vector<TraceHopRow> rows = ToTraceRows(trace, names);
  ASSERT_EQ(rows.size(), 2u);

  TempDir dir;
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::Open(dir.File("cases.db"), &db).ok());
  ASSERT_TRUE(db->SaveTrace("C1", trace.now(), rows).ok());
  CaseDetail d;
  ASSERT_TRUE(db->UpsertCase(MakeCase("C1", 50)).ok());
  ASSERT_TRUE(db->GetCase("C1", &d).ok());
  ASSERT_EQ(d.trace.size(), 2u);
  EXPECT_EQ(d.trace[0].account, "VICTIM");
  EXPECT_EQ(d.trace[0].depth, 0);
  EXPECT_EQ(d.trace[0].first_out, 100);
  EXPECT_EQ(d.trace[1].account, "MULE");
  EXPECT_EQ(d.trace[1].received, 500'000);
  EXPECT_EQ(d.trace[1].cashed_out, 200'000);
  EXPECT_EQ(d.trace[1].remaining, 300'000);
  EXPECT_EQ(d.trace[1].first_in, 100);
}

TEST(CaseStoreTest, MaskMsisdn) {
  EXPECT_EQ(MaskMsisdn("13812345678"), "138******78");
  EXPECT_EQ(MaskMsisdn("123456"), "123*56");
  EXPECT_EQ(MaskMsisdn("12345"), "*****");
  EXPECT_EQ(MaskMsisdn(""), "");
}

// Gang records: saved, replaced whole by a newer record, listed in numeric id
// order with counts, shown with their links; bad rows are errors, not crashes.
TEST(CaseStoreTest, GangsSavedReplacedListedAndShown) {
  TempDir dir;
  const std::string path = dir.File("cases.db");
  {
    std::unique_ptr<CaseStore> db;
    ASSERT_TRUE(CaseStore::Open(path, &db).ok());
    GangRow g{"RG10", "calls", 100, 200, 2, 1.5, 4.0, {{"msisdn", "N1", "member", 100}}};
    ASSERT_TRUE(db->SaveGang(g).ok());
    GangRow m{"RG2", "money", 50, 60, 2, 2.0, 5.0, {}};
    m.links = {{"account", "A1", "member", 50}, {"account", "A2", "member", 50}, {"person", "P1", "holder", 50}};
    ASSERT_TRUE(db->SaveGang(m).ok());
    m.last_ts = 90;
    m.links.push_back({"device", "D1", "device", kNoTs});
    ASSERT_TRUE(db->SaveGang(m).ok());  // replaces the record and its links
    EXPECT_FALSE(db->SaveGang(GangRow{"RG3", "email", 1, 1, 0, 0, 0, {}}).ok());
    EXPECT_FALSE(db->SaveGang(GangRow{"", "money", 1, 1, 0, 0, 0, {}}).ok());
    EXPECT_FALSE(db->SaveGang(GangRow{"RG4", "money", 1, 1, 0, 0, 0, {{"outlet", "O1", "member", 1}}}).ok());
  }
  std::unique_ptr<CaseStore> db;
  ASSERT_TRUE(CaseStore::OpenReadOnly(path, &db).ok());
  std::vector<GangRow> gangs;
  ASSERT_TRUE(db->ListGangs(&gangs).ok());
  ASSERT_EQ(gangs.size(), 2u);
  EXPECT_EQ(gangs[0].gang_id, "RG2");
  EXPECT_EQ(gangs[0].last_ts, 90);
  EXPECT_EQ(gangs[0].accounts, 2);
  EXPECT_EQ(gangs[0].persons, 1);
  EXPECT_EQ(gangs[0].devices, 1);
  EXPECT_EQ(gangs[1].gang_id, "RG10");
  EXPECT_EQ(gangs[1].numbers, 1);
  GangRow one;
  ASSERT_TRUE(db->GetGang("RG2", &one).ok());
  ASSERT_EQ(one.links.size(), 4u);
  EXPECT_EQ(one.links[3].kind, "device");
  EXPECT_EQ(one.links[3].ts, kNoTs);
  EXPECT_EQ(db->GetGang("RG99", &one).code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace interdict
