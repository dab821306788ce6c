// Importer tests: small hand-written AMLSim and PaySim snippets checked row by
// row, and the real public samples under shared/datasets read back through
// the engine's reader with zero rejects.
#include "importers/importers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "base/test_util.h"
#include "ingest/dataset.h"

namespace interdict {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Reads a data set back as the engine would; returns the rejected row count.
uint64_t ReadBackRejects(const std::string& dir, uint64_t* transfers) {
  Dictionaries dicts;
  RejectSink rejects;
  EXPECT_TRUE(rejects.Open("").ok());
  DatasetReader reader(&dicts, &rejects, ReadOptions{});
  Status s = reader.OpenDirectory(dir);
  EXPECT_TRUE(s.ok()) << s.message();
  Event e;
  *transfers = 0;
  while (reader.Next(&e)) *transfers += e.kind == EventKind::kTransfer;
  EXPECT_TRUE(reader.Finish().ok());
  return rejects.total();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(ImportAmlsim, SnippetRowByRow) {
  TempDir src, out;
  WriteFile(src.File("nodes.csv"), "nodeid,isFraud,init_balance,fraudStep\n0,0,1.0,-1\n1,1,2.0,5\n2,0,3,-1\n");
  WriteFile(src.File("transactions.csv"),
            "sourceNodeId,targetNodeId,value,time\n"
            "0,1,10.5,2\n"     // line 2: day 2
            "1,2,20.125,1\n"   // line 3: day 1, first of two; 20.125 rounds half up to 20.13
            "2,0,abc,1\n"      // line 4: bad amount, rejected
            "0,2,5,1\n");      // line 5: day 1, second of two: 86400 * 1/2 = 12:00
  ImportSummary sum;
  Status s = ImportAmlsim(src.path(), out.path(), {}, &sum);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sum.rows_in, 7u);  // 3 nodes + 4 transactions
  EXPECT_EQ(sum.rejected, 1u);
  EXPECT_EQ(sum.transfers, 3u);
  EXPECT_EQ(sum.labelled_accounts, 1u);
  EXPECT_EQ(ReadFile(out.File("transfers.csv")),
            "ts,txn_id,kind,from_account,to_account,amount,channel,device_id\n"
            "2024-01-01T00:00:00+08:00,t3,transfer,1,2,20.13,online,\n"
            "2024-01-01T12:00:00+08:00,t5,transfer,0,2,5,online,\n"
            "2024-01-02T00:00:00+08:00,t2,transfer,0,1,10.5,online,\n");
  // Accounts open 30 days before the first step.
  EXPECT_EQ(ReadFile(out.File("bank_accounts.csv")),
            "ts,account_id,person_id,bank_id,branch_id,kind\n"
            "2023-12-02T00:00:00+08:00,0,p0,amlsim,,personal\n"
            "2023-12-02T00:00:00+08:00,1,p1,amlsim,,personal\n"
            "2023-12-02T00:00:00+08:00,2,p2,amlsim,,personal\n");
  EXPECT_EQ(ReadFile(out.File("people.csv")), "person_id,birth_year,gender,region\np0,,,\np1,,,\np2,,,\n");
  EXPECT_EQ(ReadFile(out.File("labels/accounts.csv")), "account_id,role,gang_id\n1,mule_l1,\n");
  std::string rej = ReadFile(out.File("import_rejects.csv"));
  EXPECT_NE(rej.find("transactions.csv,4,value,bad_money"), std::string::npos) << rej;
  uint64_t n = 0;
  EXPECT_EQ(ReadBackRejects(out.path(), &n), 0u);
  EXPECT_EQ(n, 3u);
}

TEST(ImportAmlsim, UpperCaseLayoutWithSarAndAlerts) {
  TempDir src, out;
  WriteFile(src.File("accounts.csv"),
            "ACCOUNT_ID,CUSTOMER_ID,INIT_BALANCE,COUNTRY,ACCOUNT_TYPE,IS_SAR,TX_BEHAVIOR_ID\n"
            "A,c1,10,US,I,False,1\nB,c2,10,US,I,True,1\nC,c3,10,US,I,False,1\nD,c4,10,US,I,False,1\n");
  WriteFile(src.File("transactions.csv"),
            "TX_ID,SENDER_ACCOUNT_ID,RECEIVER_ACCOUNT_ID,TX_TYPE,TX_AMOUNT,TIMESTAMP,IS_SAR,ALERT_ID\n"
            "1,A,B,TRANSFER,100,0,True,7\n"
            "2,C,D,TRANSFER,50,0,False,-1\n"
            "3,D,X,TRANSFER,10,1,True,9\n");
  ImportSummary sum;
  Status s = ImportAmlsim(src.path(), out.path(), {}, &sum);
  ASSERT_TRUE(s.ok()) << s.message();
  // B is SAR in the accounts table; A, B, D and the outside account X take
  // part in SAR transactions; the alert id is the gang.
  EXPECT_EQ(ReadFile(out.File("labels/accounts.csv")),
            "account_id,role,gang_id\nA,mule_l1,7\nB,mule_l1,7\nD,mule_l1,9\nX,mule_l1,9\n");
  // Step 0 is the day before step 1; two rows spread to 00:00 and 12:00.
  std::vector<std::string> t = Lines(ReadFile(out.File("transfers.csv")));
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[1], "2023-12-31T00:00:00+08:00,t2,transfer,A,B,100,online,");
  EXPECT_EQ(t[2], "2023-12-31T12:00:00+08:00,t3,transfer,C,D,50,online,");
  EXPECT_EQ(t[3], "2024-01-01T00:00:00+08:00,t4,transfer,D,X,10,online,");
  EXPECT_EQ(sum.accounts, 4u);  // X is an outside account
  uint64_t n = 0;
  EXPECT_EQ(ReadBackRejects(out.path(), &n), 0u);
}

TEST(ImportAmlsim, OutputDirectoryLayoutWithDatesAndAlertAccounts) {
  TempDir src, out;
  // AMLSim's own output files: accounts.csv without a SAR column, dated
  // transactions, and alert_accounts.csv naming the SAR accounts.
  WriteFile(src.File("accounts.csv"),
            "acct_id,dsply_nm,type,acct_stat,acct_rptng_crncy,prior_sar_count,branch_id,open_dt,close_dt,"
            "initial_deposit,tx_behavior_id,bank_id\n"
            "10,C_10,I,A,USD,false,1,0,1000000,100.0,1,bank\n"
            "11,C_11,I,A,USD,false,1,0,1000000,100.0,1,bank\n"
            "12,C_12,I,A,USD,false,1,0,1000000,100.0,1,bank\n");
  WriteFile(src.File("transactions.csv"),
            "tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id\n"
            "1,10,11,TRANSFER,12.345,2017-01-02,false,-1\n"
            "2,11,12,TRANSFER,7,2017-01-01,false,-1\n"
            "3,12,10,TRANSFER,8,2017-01-01,false,-1\n"
            "4,12,10,TRANSFER,9,someday,false,-1\n");
  WriteFile(src.File("alert_accounts.csv"),
            "alert_id,alert_type,acct_id,acct_name,is_sar,model_id,schedule_id,bank_id\n"
            "5,cycle,12,C_12,true,1,1,bank\n"
            "5,cycle,11,C_11,true,1,1,bank\n"
            "6,fan_in,10,C_10,false,1,1,bank\n");
  ImportSummary sum;
  Status s = ImportAmlsim(src.path(), out.path(), {}, &sum);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sum.rejected, 1u);  // "someday"
  EXPECT_EQ(ReadFile(out.File("labels/accounts.csv")), "account_id,role,gang_id\n11,mule_l1,5\n12,mule_l1,5\n");
  // A date is a day step: two rows on 01-01 at 00:00 and 12:00 local, 12.345 -> 12.35.
  EXPECT_EQ(ReadFile(out.File("transfers.csv")),
            "ts,txn_id,kind,from_account,to_account,amount,channel,device_id\n"
            "2017-01-01T00:00:00+08:00,t3,transfer,11,12,7,online,\n"
            "2017-01-01T12:00:00+08:00,t4,transfer,12,10,8,online,\n"
            "2017-01-02T00:00:00+08:00,t2,transfer,10,11,12.35,online,\n");
  // Accounts open 30 days before the first transfer (it is before --base).
  EXPECT_EQ(Lines(ReadFile(out.File("bank_accounts.csv")))[1], "2016-12-02T00:00:00+08:00,10,p10,amlsim,,personal");
  uint64_t n = 0;
  EXPECT_EQ(ReadBackRejects(out.path(), &n), 0u);
}

TEST(ImportAmlsim, MissingInputsAreErrors) {
  TempDir src, out;
  ImportSummary sum;
  EXPECT_FALSE(ImportAmlsim(src.path(), out.path(), {}, &sum).ok());
  WriteFile(src.File("nodes.csv"), "nodeid,isFraud\n0,0\n");
  Status s = ImportAmlsim(src.path(), out.path(), {}, &sum);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("transactions.csv"), std::string::npos);
  WriteFile(src.File("transactions.csv"), "sourceNodeId,targetNodeId,time\n0,0,1\n");
  s = ImportAmlsim(src.path(), out.path(), {}, &sum);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("value or TX_AMOUNT"), std::string::npos) << s.message();
}

TEST(ImportPaysim, SnippetRowByRow) {
  TempDir src, out;
  WriteFile(src.File("paysim.csv"),
            "step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,"
            "isFlaggedFraud\n"
            "1,PAYMENT,9.99,C1,100,90.01,M1,0,0,0,0\n"   // line 2: hour 1, 0 of 3 -> +0
            "1,TRANSFER,500,C2,500,0,C3,0,0,1,0\n"       // line 3: +1200 s; a case, C3 a mule
            "1,CASH_OUT,500,C4,500,0,C5,0,500,1,0\n"     // line 4: +2400 s; C4 a cashout
            "2,CASH_IN,100,C1,90.01,190.01,C6,0,0,0,0\n" // line 5: hour 2, 0 of 2 -> +0
            "2,DEBIT,20,C1,190.01,170.01,C7,0,0,0,0\n"   // line 6: +1800 s
            "2,REFUND,1,C1,0,0,C2,0,0,0,0\n");           // line 7: unknown type, rejected
  ImportSummary sum;
  Status s = ImportPaysim(src.File("paysim.csv"), out.path(), {}, &sum);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sum.rows_in, 6u);
  EXPECT_EQ(sum.rejected, 1u);
  EXPECT_EQ(ReadFile(out.File("transfers.csv")),
            "ts,txn_id,kind,from_account,to_account,amount,channel,device_id\n"
            "2024-01-01T00:00:00+08:00,t2,transfer,C1,M1,9.99,app,\n"
            "2024-01-01T00:20:00+08:00,t3,transfer,C2,C3,500,app,\n"
            "2024-01-01T00:40:00+08:00,t4,withdrawal,C4,,500,counter,\n"
            "2024-01-01T01:00:00+08:00,t5,deposit,,C1,100,counter,\n"
            "2024-01-01T01:30:00+08:00,t6,withdrawal,C1,,20,app,\n");
  // Every C-account named in an accepted row, in order of appearance; M1 is a
  // merchant: an outside account.
  std::vector<std::string> b = Lines(ReadFile(out.File("bank_accounts.csv")));
  ASSERT_EQ(b.size(), 8u);
  EXPECT_EQ(b[1], "2023-12-02T00:00:00+08:00,C1,pC1,paysim,,personal");
  EXPECT_EQ(b[7], "2023-12-02T00:00:00+08:00,C7,pC7,paysim,,personal");
  EXPECT_EQ(Lines(ReadFile(out.File("people.csv"))).size(), 8u);
  EXPECT_EQ(ReadFile(out.File("labels/accounts.csv")), "account_id,role,gang_id\nC3,mule_l1,\nC4,cashout,\n");
  EXPECT_EQ(ReadFile(out.File("labels/cases.csv")),
            "case_id,victim_person_id,victim_msisdn,victim_account_id,fraud_type,gang_id,first_contact_ts,"
            "first_loss_ts,loss_amount\n"
            "c3,pC2,,C2,account_takeover,,,2024-01-01T00:20:00+08:00,500\n");
  EXPECT_EQ(ReadFile(out.File("labels/case_transfers.csv")), "case_id,txn_id,hop\nc3,t3,1\n");
  std::string rej = ReadFile(out.File("import_rejects.csv"));
  EXPECT_NE(rej.find("paysim.csv,7,type,bad_enum"), std::string::npos) << rej;
  uint64_t n = 0;
  EXPECT_EQ(ReadBackRejects(out.path(), &n), 0u);
  EXPECT_EQ(n, 5u);
}

// The labels/accounts.csv ids of a data set.
std::set<std::string> LabelledAccounts(const std::string& dir) {
  std::set<std::string> out;
  std::vector<std::string> l = Lines(ReadFile(dir + "/labels/accounts.csv"));
  for (size_t i = 1; i < l.size(); ++i) out.insert(l[i].substr(0, l[i].find(',')));
  return out;
}

TEST(ImportRealData, AmlsimFanIn200) {
  std::string src = std::string(INTERDICT_SHARED_DIR) + "/datasets/amlsim-fanin200";
  if (!std::filesystem::exists(src + "/nodes.csv")) GTEST_SKIP() << src << " absent";
  TempDir out;
  ImportSummary sum;
  Status s = ImportAmlsim(src, out.path(), {}, &sum);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sum.rejected, 0u);
  EXPECT_EQ(sum.transfers, 118250u);
  EXPECT_EQ(sum.accounts, 20000u);
  uint64_t n = 0;
  EXPECT_EQ(ReadBackRejects(out.path(), &n), 0u);
  EXPECT_EQ(n, 118250u);
  // Every isFraud node is labelled, and nothing else.
  std::set<std::string> labelled = LabelledAccounts(out.path());
  std::vector<std::string> nodes = Lines(ReadFile(src + "/nodes.csv"));
  size_t fraud = 0;
  for (size_t i = 1; i < nodes.size(); ++i) {
    std::string id = nodes[i].substr(0, nodes[i].find(','));
    if (nodes[i].substr(id.size() + 1, 2) == "1,") {
      ++fraud;
      EXPECT_TRUE(labelled.count(id)) << id;
    }
  }
  EXPECT_EQ(fraud, 954u);
  EXPECT_EQ(labelled.size(), 954u);
}

TEST(ImportRealData, PaysimSubset) {
  std::string src = std::string(INTERDICT_SHARED_DIR) + "/datasets/paysim/paysim_subset.csv";
  if (!std::filesystem::exists(src)) GTEST_SKIP() << src << " absent";
  TempDir out;
  ImportSummary sum;
  Status s = ImportPaysim(src, out.path(), {}, &sum);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sum.rejected, 0u);
  EXPECT_EQ(sum.transfers, 7557u);
  uint64_t n = 0;
  EXPECT_EQ(ReadBackRejects(out.path(), &n), 0u);
  EXPECT_EQ(n, 7557u);
  // Every fraud TRANSFER is a case and its receiver labelled; every fraud
  // CASH_OUT's sender labelled.
  std::set<std::string> labelled = LabelledAccounts(out.path());
  std::vector<std::string> rows = Lines(ReadFile(src));
  size_t cases = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> f;
    std::istringstream in(rows[i]);
    for (std::string x; std::getline(in, x, ',');) f.push_back(x);
    ASSERT_GE(f.size(), 10u);
    if (f[9] != "1") continue;
    if (f[1] == "TRANSFER") {
      ++cases;
      EXPECT_TRUE(labelled.count(f[6])) << f[6];
    } else if (f[1] == "CASH_OUT") {
      EXPECT_TRUE(labelled.count(f[3])) << f[3];
    }
  }
  EXPECT_EQ(cases, 309u);
  EXPECT_EQ(sum.cases, 309u);
  EXPECT_EQ(sum.labelled_accounts, 617u);
}

}  // namespace
}  // namespace interdict
