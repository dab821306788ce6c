#include "graph/transfer_graph.h"

#include <gtest/gtest.h>

#include <vector>

namespace interdict {
namespace {

Transfer Xfer(AccountId from, AccountId to, Money amount, TxnId txn = 0) {
  Transfer t{};
  t.txn = txn;
  t.kind = to == kNoId ? TransferKind::kWithdrawal : from == kNoId ? TransferKind::kDeposit : TransferKind::kTransfer;
  t.channel = to == kNoId ? Channel::kAtm : Channel::kApp;
  t.from = from;
  t.to = to;
  t.amount = amount;
  t.device = kNoId;
  return t;
}

std::vector<TransferIndex> ToVec(std::span<const TransferIndex> s) { return {s.begin(), s.end()}; }

TEST(TransferGraphTest, IndexesOutAndInListsInTimeOrder) {
  TransferGraph g;
  EXPECT_EQ(g.Add(100, Xfer(1, 2, 500, 7)), 0u);
  EXPECT_EQ(g.Add(110, Xfer(1, 3, 600)), 1u);
  EXPECT_EQ(g.Add(120, Xfer(2, 1, 700)), 2u);
  EXPECT_EQ(g.Add(130, Xfer(1, kNoId, 800)), 3u);  // withdrawal
  EXPECT_EQ(g.Add(140, Xfer(kNoId, 1, 900)), 4u);  // deposit
  EXPECT_EQ(g.size(), 5u);
  EXPECT_EQ(ToVec(g.OutOf(1)), (std::vector<TransferIndex>{0, 1, 3}));
  EXPECT_EQ(ToVec(g.InTo(1)), (std::vector<TransferIndex>{2, 4}));
  EXPECT_EQ(ToVec(g.InTo(2)), (std::vector<TransferIndex>{0}));
  EXPECT_TRUE(g.OutOf(99).empty());
  EXPECT_EQ(g.amount(0), 500);
  EXPECT_EQ(g.txn(0), 7u);
  EXPECT_EQ(g.kind(3), TransferKind::kWithdrawal);
  EXPECT_EQ(g.channel(3), Channel::kAtm);
  EXPECT_EQ(g.kind(4), TransferKind::kDeposit);
  EXPECT_EQ(g.from(4), kNoId);
  EXPECT_EQ(g.min_ts(), 100);
  EXPECT_EQ(g.max_ts(), 140);
  // Time-respecting lookup: the transfers out of 1 at or after 105.
  auto out = g.OutOf(1);
  EXPECT_EQ(g.LowerBound(out, 105), 1u);
  EXPECT_EQ(g.LowerBound(out, 110), 1u);
  EXPECT_EQ(g.LowerBound(out, 111), 2u);
  EXPECT_EQ(g.LowerBound(out, 1000), 3u);
  EXPECT_EQ(g.UpperBound(out, 110, 1), 2u);
}

TEST(TransferGraphTest, RejectsWhatItCannotHold) {
  TransferGraph g;
  EXPECT_EQ(g.Add(1, Xfer(1, 2, 0)), kNoTransfer);
  EXPECT_EQ(g.Add(1, Xfer(1, 2, -5)), kNoTransfer);
  EXPECT_EQ(g.Add(1, Xfer(kNoId, kNoId, 5)), kNoTransfer);
  EXPECT_EQ(g.size(), 0u);
}

TEST(TransferGraphTest, LateTransferIsInsertedInOrder) {
  TransferGraph g;
  g.Add(100, Xfer(1, 2, 1));
  g.Add(300, Xfer(1, 2, 1));
  g.Add(200, Xfer(1, 2, 1));  // late: index 2, ts between
  g.Add(300, Xfer(1, 2, 1));  // equal ts: after index 1
  EXPECT_EQ(ToVec(g.OutOf(1)), (std::vector<TransferIndex>{0, 2, 1, 3}));
  EXPECT_EQ(ToVec(g.InTo(2)), (std::vector<TransferIndex>{0, 2, 1, 3}));
  EXPECT_EQ(g.min_ts(), 100);
}

TEST(TransferGraphTest, InternalAccountsFromBankAccountEvents) {
  TransferGraph g;
  Event e;
  e.kind = EventKind::kBankAccount;
  e.account = BankAccountOpen{5, 0, 0, 0, AccountKind::kPersonal};
  EXPECT_EQ(g.Add(e), kNoTransfer);
  EXPECT_TRUE(g.IsInternal(5));
  EXPECT_FALSE(g.IsInternal(4));
  EXPECT_FALSE(g.IsInternal(kNoId));
  g.SetAllInternal(true);
  EXPECT_TRUE(g.IsInternal(4));
  EXPECT_FALSE(g.IsInternal(kNoId));

  Event t;
  t.kind = EventKind::kTransfer;
  t.ts = 50;
  t.transfer = Xfer(5, 6, 100);
  EXPECT_EQ(g.Add(t), 0u);
  EXPECT_EQ(g.ts(0), 50);
}

TEST(TransferGraphTest, ManyTransfersCrossChunksAndStayCompact) {
  TransferGraph g;
  const uint32_t n = 262'144;  // 4 full chunks of 65536
  for (uint32_t i = 0; i < n; ++i) g.Add(i, Xfer(i % 1000, (i * 7 + 1) % 1000, 100 + i));
  ASSERT_EQ(g.size(), n);
  EXPECT_EQ(g.amount(n - 1), 100 + n - 1);
  EXPECT_EQ(g.ts(70'000), 70'000);
  size_t total = 0;
  for (AccountId a = 0; a < 1000; ++a) total += g.OutOf(a).size();
  EXPECT_EQ(total, n);
  // The budget in the header: ~29 bytes of columns + 8 of lists per transfer.
  EXPECT_LT(g.MemoryBytes(), static_cast<size_t>(n) * 48);
}

}  // namespace
}  // namespace interdict
