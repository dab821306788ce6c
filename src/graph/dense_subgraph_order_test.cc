#include "graph/dense_subgraph_order.h"

#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace interdict {
namespace {

using Key = PeelOrder::Key;

// The model: a plain vector of (id, weight) in sequence order.
struct Model {
  std::vector<uint32_t> id;
  std::vector<int64_t> w;
  size_t Pos(uint32_t x) const { return static_cast<size_t>(std::find(id.begin(), id.end(), x) - id.begin()); }
  uint32_t FindFrom(size_t from, const Key& k) const {
    for (size_t i = from; i < id.size(); ++i)
      if (Key{w[i], id[i]} > k) return id[i];
    return PeelOrder::kNil;
  }
};

void ExpectSame(const PeelOrder& o, const Model& m) {
  ASSERT_EQ(o.CheckInvariants(), "");
  ASSERT_EQ(o.size(), m.id.size());
  std::vector<uint32_t> ids;
  std::vector<int64_t> ws;
  o.ForEach([&](uint32_t x, int64_t w) {
    ids.push_back(x);
    ws.push_back(w);
  });
  ASSERT_EQ(ids, m.id);
  ASSERT_EQ(ws, m.w);
}

TEST(PeelOrder, RandomMovesMatchAVectorModel) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    const uint32_t n = 3000;
    PeelOrder o;
    o.Grow(n);
    Model m;
    // Start from a shuffled sequence with small weights (many ties).
    for (uint32_t x = 0; x < n; ++x) m.id.push_back(x);
    std::shuffle(m.id.begin(), m.id.end(), rng);
    for (size_t i = 0; i < n; ++i) m.w.push_back(static_cast<int64_t>(rng() % 50));
    o.Assign(m.id, m.w);
    ExpectSame(o, m);
    for (int step = 0; step < 20000; ++step) {
      uint32_t x = m.id[rng() % m.id.size()];
      int op = static_cast<int>(rng() % 10);
      if (op < 6) {
        // Move x before a random k (or to the end), often to a nearby spot so
        // that labels run out locally and leaves split and merge.
        size_t px = m.Pos(x);
        int64_t w = static_cast<int64_t>(rng() % 50);
        uint32_t k = PeelOrder::kNil;
        if (rng() % 8 != 0) {
          size_t pk = op < 3 ? std::min(m.id.size() - 1, px + 1 + rng() % 3) : rng() % m.id.size();
          k = m.id[pk];
        }
        if (k == x) continue;
        o.Move(x, w, k);
        m.id.erase(m.id.begin() + static_cast<std::ptrdiff_t>(px));
        m.w.erase(m.w.begin() + static_cast<std::ptrdiff_t>(px));
        size_t at = k == PeelOrder::kNil ? m.id.size() : m.Pos(k);
        m.id.insert(m.id.begin() + static_cast<std::ptrdiff_t>(at), x);
        m.w.insert(m.w.begin() + static_cast<std::ptrdiff_t>(at), w);
      } else if (op < 9) {
        Key k{static_cast<int64_t>(rng() % 55), static_cast<uint32_t>(rng() % n)};
        size_t px = m.Pos(x);
        ASSERT_EQ(o.FindFrom(x, k), m.FindFrom(px, k));
        ASSERT_EQ(o.FindFirst(k), m.FindFrom(0, k));
        ASSERT_EQ(o.Weight(x), m.w[px]);
        ASSERT_EQ(o.Next(x), px + 1 < m.id.size() ? m.id[px + 1] : PeelOrder::kNil);
        ASSERT_EQ(o.Prev(x), px > 0 ? m.id[px - 1] : PeelOrder::kNil);
      } else if (m.id.size() > 1) {
        // Erase and re-insert at a random place.
        size_t px = m.Pos(x);
        o.Erase(x);
        m.id.erase(m.id.begin() + static_cast<std::ptrdiff_t>(px));
        m.w.erase(m.w.begin() + static_cast<std::ptrdiff_t>(px));
        size_t at = rng() % (m.id.size() + 1);
        uint32_t k = at == m.id.size() ? PeelOrder::kNil : m.id[at];
        o.InsertBefore(x, 7, k);
        m.id.insert(m.id.begin() + static_cast<std::ptrdiff_t>(at), x);
        m.w.insert(m.w.begin() + static_cast<std::ptrdiff_t>(at), 7);
      }
      if (step % 997 == 0) {
        ExpectSame(o, m);
        if (HasFatalFailure()) return;
      }
    }
    ExpectSame(o, m);
  }
}

TEST(PeelOrder, RepeatedInsertsAtOneSpotRelabel) {
  // Each new vertex goes just before the previous one, right after vertex 0:
  // the gap after 0 halves every time, so labels must be re-spread (many
  // times) and the order kept.
  PeelOrder o;
  const uint32_t n = 5000;
  o.Grow(n);
  std::vector<uint32_t> order = {0, 1};
  std::vector<int64_t> w = {0, 0};
  o.Assign(order, w);
  for (uint32_t x = 2; x < n; ++x) o.InsertBefore(x, x, x - 1);
  EXPECT_GT(o.relabels(), 10u);
  EXPECT_EQ(o.CheckInvariants(), "");
  std::vector<uint32_t> got;
  o.ForEach([&](uint32_t x, int64_t) { got.push_back(x); });
  ASSERT_EQ(got.size(), n);
  EXPECT_EQ(got.front(), 0u);
  for (uint32_t i = 1; i < n; ++i) EXPECT_EQ(got[i], n - i);
  // Drain it to empty and back.
  for (uint32_t x = 0; x < n; ++x) o.Erase(x);
  EXPECT_EQ(o.size(), 0u);
  EXPECT_EQ(o.First(), PeelOrder::kNil);
  EXPECT_EQ(o.CheckInvariants(), "");
  o.InsertBefore(3, 1, PeelOrder::kNil);
  EXPECT_EQ(o.First(), 3u);
  EXPECT_EQ(o.FindFirst(Key{0, 0}), 3u);
  EXPECT_EQ(o.FindFirst(Key{1, 3}), PeelOrder::kNil);
}

}  // namespace
}  // namespace interdict
