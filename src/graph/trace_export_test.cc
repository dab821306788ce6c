#include "graph/trace_export.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace interdict {
namespace {

// V -1000-> M (t=1709255702), M -600-> X (outside), M withdraws 300 at an ATM.
struct ExportFixture {
  ExportFixture() {
    for (const char* a : {"V<1>", "M&\"2\"", "X"}) accounts.Intern(a);
    for (const char* x : {"t1", "t2", "t3"}) txns.Intern(x);
    g.MarkInternal(0);
    g.MarkInternal(1);
    Add(1709255702, 0, 0, 1, 100000, TransferKind::kTransfer, Channel::kApp);
    Add(1709255760, 1, 1, 2, 60000, TransferKind::kTransfer, Channel::kOnline);
    Add(1709255800, 2, 1, kNoId, 30000, TransferKind::kWithdrawal, Channel::kAtm);
    names.accounts = &accounts;
    names.txns = &txns;
  }
  void Add(Ts ts, TxnId txn, AccountId from, AccountId to, Money amount, TransferKind kind, Channel ch) {
    Transfer t{};
    t.txn = txn;
    t.kind = kind;
    t.channel = ch;
    t.from = from;
    t.to = to;
    t.amount = amount;
    t.device = kNoId;
    g.Add(ts, t);
  }
  Interner accounts, txns;
  TransferGraph g;
  TraceNames names;
};

TEST(TraceExportTest, JsonHasNodesEdgesAndExactAmounts) {
  ExportFixture f;
  MoneyTrace t = MoneyTrace::FromAccount(f.g, 0, 0, 1709259999, TraceOptions{});
  auto j = nlohmann::json::parse(TraceToJson(t, f.names));
  EXPECT_EQ(j["model"], "fifo");
  EXPECT_EQ(j["totals"]["seeded"].get<double>(), 1000.0);
  EXPECT_EQ(j["totals"]["outside"].get<double>(), 600.0);
  EXPECT_EQ(j["totals"]["cashed_out"].get<double>(), 300.0);
  EXPECT_EQ(j["totals"]["remaining"].get<double>(), 100.0);
  ASSERT_EQ(j["nodes"].size(), 4u);  // V, M, X, cash-out of M
  EXPECT_EQ(j["nodes"][0]["account"], "V<1>");
  EXPECT_EQ(j["nodes"][1]["account"], "M&\"2\"");
  EXPECT_EQ(j["nodes"][1]["first_in"], "2024-03-01T09:15:02+08:00");
  EXPECT_EQ(j["nodes"][2]["kind"], "outside");
  EXPECT_EQ(j["nodes"][3]["kind"], "cash");
  ASSERT_EQ(j["edges"].size(), 3u);
  EXPECT_EQ(j["edges"][2]["txn"], "t3");
  EXPECT_EQ(j["edges"][2]["to"], "cash1");
  EXPECT_EQ(j["edges"][2]["channel"], "atm");
  EXPECT_EQ(j["edges"][1]["traced"].get<double>(), 600.0);
}

TEST(TraceExportTest, DotAndGraphmlEscapeIds) {
  ExportFixture f;
  MoneyTrace t = MoneyTrace::FromAccount(f.g, 0, 0, 1709259999, TraceOptions{});
  std::string dot = TraceToDot(t, f.names);
  EXPECT_NE(dot.find("digraph trace {"), std::string::npos);
  EXPECT_NE(dot.find("M&\\\"2\\\""), std::string::npos);  // quote escaped for DOT
  EXPECT_NE(dot.find("n1 -> cash1"), std::string::npos);
  EXPECT_NE(dot.find("n0 -> n1"), std::string::npos);
  std::string gml = TraceToGraphml(t, f.names);
  EXPECT_NE(gml.find("V&lt;1&gt;"), std::string::npos);
  EXPECT_NE(gml.find("M&amp;&quot;2&quot;"), std::string::npos);
  EXPECT_EQ(gml.find("M&\""), std::string::npos);
  EXPECT_NE(gml.find("source=\"n1\" target=\"n2\""), std::string::npos);
  EXPECT_NE(gml.find("<data key=\"traced\">600</data>"), std::string::npos);
}

TEST(TraceExportTest, TextTree) {
  ExportFixture f;
  MoneyTrace t = MoneyTrace::FromAccount(f.g, 0, 0, 1709259999, TraceOptions{});
  std::string text = TraceToText(t, f.names);
  EXPECT_NE(text.find("seeded 1000 yuan in 1 payment;"), std::string::npos) << text;
  EXPECT_NE(text.find("V<1>  [victim] sent 1000"), std::string::npos) << text;
  EXPECT_NE(text.find("└─ M&\"2\"  [depth 1] received 1000"), std::string::npos) << text;
  EXPECT_NE(text.find("CASHED OUT 300"), std::string::npos) << text;
  EXPECT_NE(text.find("   └─ X  [outside, depth 2] received 600"), std::string::npos) << text;
  // Without names, dense ids.
  std::string bare = TraceToText(t, TraceNames{});
  EXPECT_NE(bare.find("#0  [victim]"), std::string::npos) << bare;
}

}  // namespace
}  // namespace interdict
