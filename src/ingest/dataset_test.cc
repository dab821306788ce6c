// Reading whole data sets: typed rows, rejects with line and column, headers,
// merge order, reorder buffer and late events.
#include "ingest/dataset.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/test_util.h"

namespace interdict {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteGzip;

struct Run {
  Dictionaries dicts;
  RejectSink rejects;
  std::vector<Event> events;
  std::vector<FileStats> stats;
  Status status;
  std::string rejects_text;
};

std::unique_ptr<Run> ReadDir(const TempDir& dir, ReadOptions opt = {}) {
  auto r = std::make_unique<Run>();
  EXPECT_TRUE(r->rejects.Open(dir.File("rejects.out")).ok());
  DatasetReader reader(&r->dicts, &r->rejects, opt);
  r->status = reader.OpenDirectory(dir.path());
  if (!r->status.ok()) return r;
  Event e;
  while (reader.Next(&e)) r->events.push_back(e);
  r->status = reader.Finish();
  r->stats = reader.stats();
  EXPECT_TRUE(r->rejects.Close().ok());
  r->rejects_text = ReadFile(dir.File("rejects.out"));
  return r;
}

const FileStats* Stats(const Run& r, std::string_view file) {
  for (const auto& s : r.stats)
    if (s.file == file) return &s;
  return nullptr;
}

TEST(Dataset, ReadsEveryFileKind) {
  TempDir d;
  WriteFile(d.File("people.csv"), "person_id,birth_year,gender,region\np1,1950,f,440100\np2,,u,\n");
  WriteFile(d.File("sim_cards.csv"), "ts,msisdn,person_id,operator,outlet_id,plan\n"
                                     "2024-01-01T00:00:00+08:00,13800000001,p1,cm,o1,prepaid\n");
  WriteFile(d.File("bank_accounts.csv"), "ts,account_id,person_id,bank_id,branch_id,kind\n"
                                         "2024-01-01T00:00:00+08:00,a1,p1,icbc,b1,personal\n");
  WriteFile(d.File("calls.csv"), "ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell\n"
                                 "2024-03-01T09:00:00+08:00,+85512345678,13800000001,125,imei1,c1,c2\n");
  WriteFile(d.File("sms.csv"), "ts,sender,receiver,has_url,template_id\n"
                               "2024-03-01T09:01:00+08:00,+85512345678,13800000001,1,t1\n");
  WriteFile(d.File("transfers.csv"), "ts,txn_id,kind,from_account,to_account,amount,channel,device_id\n"
                                     "2024-03-01T09:30:00+08:00,x1,transfer,a1,m1,5000.5,app,imei9\n"
                                     "2024-03-01T09:40:00+08:00,x2,withdrawal,m1,,5000,atm,\n"
                                     "2024-03-01T09:41:00+08:00,x3,deposit,,a1,0.01,counter,\n");
  WriteFile(d.File("reports.csv"), "ts,report_id,person_id,msisdn,account_id,amount,fraud_type,suspect_msisdn\n"
                                   "2024-03-02T10:00:00+08:00,r1,p1,13800000001,a1,5000.5,police,+85512345678\n");
  WriteFile(d.File("README.txt"), "unknown files are ignored");
  auto r = ReadDir(d);
  ASSERT_TRUE(r->status.ok()) << r->status.message();
  ASSERT_EQ(r->events.size(), 8u);
  EXPECT_EQ(r->rejects.total(), 0u);
  // Merge order is event time.
  for (size_t i = 1; i < r->events.size(); ++i) EXPECT_LE(r->events[i - 1].ts, r->events[i].ts);
  const Dictionaries& dd = r->dicts;
  ASSERT_NE(dd.FindPerson(dd.person.Find("p1")), nullptr);
  EXPECT_EQ(dd.FindPerson(dd.person.Find("p1"))->birth_year, 1950);
  EXPECT_EQ(dd.FindPerson(dd.person.Find("p1"))->gender, Gender::kFemale);
  const Event& call = r->events[2];
  ASSERT_EQ(call.kind, EventKind::kCall);
  EXPECT_EQ(dd.msisdn.Name(call.call.caller), "+85512345678");
  EXPECT_EQ(call.call.duration_s, 125u);
  const Event& tx = r->events[4];
  ASSERT_EQ(tx.kind, EventKind::kTransfer);
  EXPECT_EQ(tx.transfer.amount, 500050);
  EXPECT_EQ(tx.transfer.channel, Channel::kApp);
  EXPECT_EQ(r->events[5].transfer.to, kNoId);
  EXPECT_EQ(r->events[6].transfer.from, kNoId);
  const Event& rep = r->events[7];
  ASSERT_EQ(rep.kind, EventKind::kReport);
  EXPECT_EQ(rep.report.suspect, call.call.caller);  // one msisdn namespace
  EXPECT_EQ(rep.report.amount, 500050);
  // The transfer's device and the call's IMEI share the device namespace.
  EXPECT_EQ(dd.device.Find("imei9"), tx.transfer.device);
  // The SIM outlet and the bank branch share the outlet namespace.
  EXPECT_EQ(dd.outlet.size(), 2u);
}

TEST(Dataset, ReorderedAndUnknownColumns) {
  TempDir d;
  WriteFile(d.File("calls.csv"), "callee_cell,extra,callee,ts,caller\n"
                                 "c2,zzz,13800000001,2024-03-01T09:00:00+08:00,13900000002\n");
  auto r = ReadDir(d);
  ASSERT_TRUE(r->status.ok());
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->dicts.msisdn.Name(r->events[0].call.caller), "13900000002");
  EXPECT_EQ(r->events[0].call.duration_s, kNoCount);  // missing optional column = empty
  EXPECT_EQ(r->events[0].call.caller_imei, kNoId);
  EXPECT_EQ(r->stats[0].unknown_columns, (std::vector<std::string>{"extra"}));
}

TEST(Dataset, MissingRequiredColumnIsAHardError) {
  TempDir d;
  WriteFile(d.File("calls.csv"), "ts,caller,duration_s\n2024-03-01T09:00:00+08:00,1,2\n");
  auto r = ReadDir(d);
  EXPECT_FALSE(r->status.ok());
  EXPECT_NE(r->status.message().find("callee"), std::string::npos) << r->status.message();
  EXPECT_NE(r->status.message().find("calls.csv"), std::string::npos);
}

TEST(Dataset, MissingDirectory) {
  Dictionaries dicts;
  RejectSink rs;
  DatasetReader reader(&dicts, &rs, {});
  Status s = reader.OpenDirectory("/nonexistent/dataset");
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
}

TEST(Dataset, EveryBadRowIsRejectedWithLineAndColumn) {
  TempDir d;
  std::string hdr = "ts,txn_id,kind,from_account,to_account,amount,channel,device_id\n";
  std::string rows =
      "2024-03-01T09:00:00+08:00,t1,transfer,a,b,10,app,\n"          // 2 good
      "2024-03-01T09:00:01+08:00,t2,transfer,a,b,1.234,app,\n"       // 3 bad_money
      "2024-03-01T09:00:02+08:00,t3,transfer,a,b,-5,app,\n"          // 4 bad_money (sign)
      "2024-03-01T09:00:03+08:00,t4,transfer,a,b,1e12,app,\n"        // 5 bad_money
      "2024-03-01T09:00:04+08:00,t5,transfer,a,b, 10,app,\n"         // 6 bad_money (space)
      "2024-03-01T09:00:05+08:00,t1,transfer,a,b,10,app,\n"          // 7 duplicate txn
      "2024-03-01T09:00:06+08:00,t6,transfer,a,b,0,app,\n"           // 8 non-positive
      "2024-03-32T09:00:07+08:00,t7,transfer,a,b,10,app,\n"          // 9 bad_ts
      ",t8,transfer,a,b,10,app,\n"                                   // 10 missing ts
      "2024-03-01T09:00:08+08:00,t9,transfer,a,b,10,app\n"           // 11 field count
      "2024-03-01T09:00:09+08:00,t10,wire,a,b,10,app,\n"             // 12 bad_enum
      "2024-03-01T09:00:10+08:00,t11,transfer,,b,10,app,\n"          // 13 missing from
      "2024-03-01T09:00:11+08:00,t12,withdrawal,a,b,10,atm,\n"       // 14 kind mismatch
      "2024-03-01T09:00:12+08:00,t13,transfer,a,b,10,app," + std::string(129, 'x') + "\n"  // 15 overlong id
      "2024-03-01T09:00:13+08:00,t14,transfer,账户,b,10,app,\n"      // 16 non-ASCII id
      "2024-03-01T09:00:14+08:00,\"t15\",transfer,a,b,\"20.5\",app,\n"  // 17 good (quoted)
      "2024-03-01T09:00:15+08:00,t16,transfer,a b,b,10,app,\n"      // 18 space in id
      "2024-03-01T09:00:16+08:00,t17,TRANSFER,a,b,10,app,\n"        // 19 enum is lower case
      "2024-03-01T09:00:17+08:00,t2,transfer,a,b,10,app,\n";        // 20 good: t2's first row was bad
  WriteFile(d.File("transfers.csv"), hdr + rows);
  auto r = ReadDir(d);
  ASSERT_TRUE(r->status.ok());
  const FileStats* s = Stats(*r, "transfers.csv");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->rows, 19u);
  EXPECT_EQ(s->accepted, 3u);
  EXPECT_EQ(s->rejected, 16u);
  EXPECT_EQ(s->accepted + s->rejected, s->rows);  // nothing silently dropped
  EXPECT_EQ(s->by_reason[static_cast<int>(RejectReason::kBadMoney)], 4u);
  EXPECT_EQ(s->by_reason[static_cast<int>(RejectReason::kDuplicateTxn)], 1u);
  EXPECT_EQ(s->by_reason[static_cast<int>(RejectReason::kBadId)], 3u);
  EXPECT_EQ(s->by_reason[static_cast<int>(RejectReason::kFieldCount)], 1u);
  EXPECT_EQ(s->by_reason[static_cast<int>(RejectReason::kBadEnum)], 2u);
  EXPECT_EQ(s->by_reason[static_cast<int>(RejectReason::kKindMismatch)], 1u);
  const std::string& rej = r->rejects_text;
  EXPECT_NE(rej.find("transfers.csv,3,amount,bad_money,"), std::string::npos) << rej;
  EXPECT_NE(rej.find("transfers.csv,7,txn_id,duplicate_txn_id,"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,8,amount,non_positive_amount,"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,9,ts,bad_ts,"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,10,ts,missing_required,"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,11,,field_count,\"expected 8 fields, got 7\""), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,13,from_account,missing_required,"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,14,to_account,kind_mismatch,"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,15,device_id,bad_id,id of 129 bytes"), std::string::npos);
  EXPECT_NE(rej.find("transfers.csv,16,from_account,bad_id,"), std::string::npos);
  // The raw row is kept, quoted, in the rejects file.
  EXPECT_NE(rej.find("\"2024-03-01T09:00:01+08:00,t2,transfer,a,b,1.234,app,\""), std::string::npos);
  // Rejected rows leave no ids behind: t2 was taken only by line 20.
  EXPECT_EQ(r->dicts.txn.size(), 3u);
  EXPECT_EQ(r->dicts.account.Find("账户"), kNoId);
}

TEST(Dataset, CrlfBomGzipAndEmptyFields) {
  TempDir d;
  WriteGzip(d.File("sms.csv.gz"), "\xEF\xBB\xBFts,sender,receiver,has_url,template_id\r\n"
                                  "2024-03-01T09:00:00+08:00,1001,1002,,\r\n"
                                  "2024-03-01T09:00:01+08:00,1001,1003,1,tpl\r\n"
                                  "2024-03-01T09:00:02+08:00,1001,1003,2,tpl\r\n");
  auto r = ReadDir(d);
  ASSERT_TRUE(r->status.ok()) << r->status.message();
  ASSERT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->events[0].sms.has_url, kNoFlag);
  EXPECT_EQ(r->events[0].sms.template_id, kNoId);
  EXPECT_EQ(r->events[1].sms.has_url, 1);
  EXPECT_EQ(r->stats[0].by_reason[static_cast<int>(RejectReason::kBadFlag)], 1u);
  EXPECT_EQ(r->stats[0].file, "sms.csv.gz");
  EXPECT_EQ(r->stats[0].distinct[0].column, "sender");
  EXPECT_EQ(r->stats[0].distinct[0].distinct, 1u);
  EXPECT_EQ(r->stats[0].distinct[1].distinct, 2u);
}

// Distinct ids: a sketch by default (marked approximate), the bitset with
// exact_distinct; sms.template_id checked and counted but not interned when
// the consumer says it reads none.
TEST(Dataset, DistinctCountsAndUninternedTemplates) {
  TempDir d;
  std::string sms = "ts,sender,receiver,has_url,template_id\n";
  for (int i = 0; i < 3000; ++i)
    sms += fmt::format("2024-03-01T09:{:02}:{:02}+08:00,s{},r{},0,tpl{}\n", i / 60 % 60, i % 60, i % 7, i, i % 500);
  sms += "2024-03-01T09:59:59+08:00,s1,r1,0,bad tpl\n";  // a space: still validated, rejected
  WriteFile(d.File("sms.csv"), sms);
  auto find = [](const FileStats& s, std::string_view col) {
    for (const auto& c : s.distinct)
      if (c.column == col) return c;
    return ColumnDistinct{};
  };
  {
    ReadOptions opt;
    opt.exact_distinct = true;
    auto r = ReadDir(d, opt);
    ASSERT_TRUE(r->status.ok()) << r->status.message();
    ASSERT_EQ(r->events.size(), 3000u);
    EXPECT_EQ(r->stats[0].rejected, 1u);
    EXPECT_EQ(find(r->stats[0], "receiver").distinct, 3000u);
    EXPECT_FALSE(find(r->stats[0], "receiver").approximate);
    EXPECT_EQ(find(r->stats[0], "template_id").distinct, 500u);
    EXPECT_EQ(r->dicts.tmpl.size(), 500u);
    EXPECT_NE(r->events[0].sms.template_id, kNoId);
    EXPECT_EQ(r->events[0].sms.template_hash, TemplateHash("tpl0"));
  }
  {
    ReadOptions opt;
    opt.intern_sms_templates = false;
    auto r = ReadDir(d, opt);
    ASSERT_TRUE(r->status.ok()) << r->status.message();
    ASSERT_EQ(r->events.size(), 3000u);
    EXPECT_EQ(r->stats[0].rejected, 1u);  // the bad template is still a reject
    const auto recv = find(r->stats[0], "receiver");
    EXPECT_TRUE(recv.approximate);
    EXPECT_NEAR(static_cast<double>(recv.distinct), 3000.0, 60.0);
    const auto tpl = find(r->stats[0], "template_id");
    EXPECT_TRUE(tpl.approximate);
    EXPECT_NEAR(static_cast<double>(tpl.distinct), 500.0, 10.0);
    EXPECT_EQ(r->dicts.tmpl.size(), 0u);
    EXPECT_EQ(r->events[0].sms.template_id, kNoId);
    EXPECT_EQ(r->dicts.msisdn.Find("r2999"), r->events[2999].sms.receiver);
    // The template's text still reaches the consumer as a hash: equal texts
    // (rows 0 and 500: tpl0), equal hashes; other texts, others.
    EXPECT_EQ(r->events[0].sms.template_hash, TemplateHash("tpl0"));
    EXPECT_EQ(r->events[500].sms.template_hash, r->events[0].sms.template_hash);
    EXPECT_NE(r->events[1].sms.template_hash, r->events[0].sms.template_hash);
  }
}

TEST(Dataset, OutOfOrderWithinLatenessIsReordered) {
  TempDir d;
  WriteFile(d.File("calls.csv"), "ts,caller,callee\n"
                                 "100,a,b\n"
                                 "160,a,c\n"
                                 "130,a,d\n"   // 30 s late: within 300 s, put back in order
                                 "500,a,e\n"
                                 "150,a,f\n"   // 350 s behind the max: late, applied as it comes
                                 "520,a,g\n");
  auto r = ReadDir(d);
  ASSERT_TRUE(r->status.ok());
  std::vector<Ts> ts;
  for (const auto& e : r->events) ts.push_back(e.ts);
  EXPECT_EQ(ts, (std::vector<Ts>{100, 130, 160, 150, 500, 520}));
  EXPECT_EQ(r->stats[0].late, 1u);
  EXPECT_EQ(r->stats[0].min_ts, 100);
  EXPECT_EQ(r->stats[0].max_ts, 520);
}

TEST(Dataset, LatenessIsConfigurable) {
  TempDir d;
  WriteFile(d.File("calls.csv"), "ts,caller,callee\n100,a,b\n160,a,c\n130,a,d\n");
  ReadOptions opt;
  opt.lateness_s = 10;
  auto r = ReadDir(d, opt);
  EXPECT_EQ(r->stats[0].late, 1u);  // 130 < 160 - 10
  // Late, yet still ahead of 160, which was not released yet: it comes out first.
  std::vector<Ts> ts;
  for (const auto& e : r->events) ts.push_back(e.ts);
  EXPECT_EQ(ts, (std::vector<Ts>{100, 130, 160}));
}

TEST(Dataset, TiesMergeByFileOrderThenRow) {
  TempDir d;
  WriteFile(d.File("transfers.csv"), "ts,txn_id,kind,from_account,to_account,amount\n50,t1,transfer,a,b,1\n");
  WriteFile(d.File("calls.csv"), "ts,caller,callee\n50,x,y\n50,x,z\n");
  WriteFile(d.File("sim_cards.csv"), "ts,msisdn,person_id\n50,x,p\n");
  auto r = ReadDir(d);
  ASSERT_EQ(r->events.size(), 4u);
  EXPECT_EQ(r->events[0].kind, EventKind::kSimCard);
  EXPECT_EQ(r->events[1].kind, EventKind::kCall);
  EXPECT_EQ(r->dicts.msisdn.Name(r->events[1].call.callee), "y");
  EXPECT_EQ(r->dicts.msisdn.Name(r->events[2].call.callee), "z");
  EXPECT_EQ(r->events[3].kind, EventKind::kTransfer);
}

TEST(Dataset, DuplicatePersonIsRejected) {
  TempDir d;
  WriteFile(d.File("people.csv"), "person_id,birth_year\np1,1960\np1,1970\np2,19x0\n");
  auto r = ReadDir(d);
  ASSERT_TRUE(r->status.ok());
  EXPECT_EQ(r->stats[0].accepted, 1u);
  EXPECT_EQ(r->stats[0].by_reason[static_cast<int>(RejectReason::kDuplicatePerson)], 1u);
  EXPECT_EQ(r->stats[0].by_reason[static_cast<int>(RejectReason::kBadInt)], 1u);
  EXPECT_EQ(r->dicts.FindPerson(r->dicts.person.Find("p1"))->birth_year, 1960);
}

TEST(Dataset, StreamFromAPath) {
  TempDir d;
  WriteFile(d.File("feed"), "ts,caller,callee\n2024-03-01 09:00:00,a,b\n");
  Dictionaries dicts;
  RejectSink rs;
  DatasetReader reader(&dicts, &rs, {});
  ASSERT_TRUE(reader.OpenStream(EventKind::kCall, d.File("feed")).ok());
  Event e;
  ASSERT_TRUE(reader.Next(&e));
  EXPECT_EQ(e.ts, 1709254800);  // local +08:00
  EXPECT_FALSE(reader.Next(&e));
}

}  // namespace
}  // namespace interdict
