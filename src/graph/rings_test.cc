#include "graph/rings.h"

#include <algorithm>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace interdict {
namespace {

// A sparse random background: n vertices, m edges (average degree 2m/n).
std::vector<WeightedEdge> Background(uint32_t n, uint32_t m, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint32_t> pick(0, n - 1);
  std::vector<WeightedEdge> e;
  for (uint32_t i = 0; i < m; ++i) e.push_back({pick(rng), pick(rng)});
  return e;
}

void AddClique(const std::vector<uint32_t>& members, std::vector<WeightedEdge>* e) {
  for (uint32_t a : members)
    for (uint32_t b : members)
      if (a != b) e->push_back({a, b});
}

size_t Overlap(const Ring& r, const std::vector<uint32_t>& group) {
  size_t n = 0;
  for (uint32_t v : group) n += std::count(r.members.begin(), r.members.end(), v);
  return n;
}

TEST(Rings, TwoPlantedCliquesAreTheTopRings) {
  std::vector<WeightedEdge> e = Background(4000, 6000, 1);
  std::vector<uint32_t> a = {11, 222, 333, 1444, 2555, 3666, 777, 888, 1999, 3010};
  std::vector<uint32_t> b = {5, 50, 500, 505, 1505, 2505, 3505, 3999};
  AddClique(a, &e);
  AddClique(b, &e);
  std::shuffle(e.begin(), e.end(), std::mt19937(2));
  RingDetector d;
  d.AddEdgesBulk(e);
  std::vector<Ring> rings = d.CurrentRings(4);
  ASSERT_GE(rings.size(), 2u);
  EXPECT_TRUE(rings[0].is_ring);
  EXPECT_TRUE(rings[1].is_ring);
  std::set<uint32_t> r0(rings[0].members.begin(), rings[0].members.end());
  std::set<uint32_t> r1(rings[1].members.begin(), rings[1].members.end());
  EXPECT_EQ(r0, std::set<uint32_t>(a.begin(), a.end()));
  EXPECT_EQ(r1, std::set<uint32_t>(b.begin(), b.end()));
  EXPECT_GT(rings[0].ratio, d.options().min_density_ratio);
  EXPECT_EQ(d.RingOf(333), 0);
  EXPECT_EQ(d.RingOf(505), 1);
  // Only the two cliques are rings.
  for (size_t i = 2; i < rings.size(); ++i) EXPECT_FALSE(rings[i].is_ring);
}

TEST(Rings, CliqueArrivingIncrementallyIsFound) {
  RingDetector d;
  d.AddEdgesBulk(Background(3000, 4500, 3));
  std::vector<uint32_t> ring = {7, 70, 700, 1700, 2700, 2900};
  EXPECT_EQ(d.RingOf(70), -1);
  std::vector<WeightedEdge> calls;
  AddClique(ring, &calls);
  AddClique(ring, &calls);  // every pair calls twice
  std::shuffle(calls.begin(), calls.end(), std::mt19937(4));
  for (size_t i = 0; i < calls.size(); i += 7) {
    size_t len = std::min<size_t>(7, calls.size() - i);
    d.AddEdges(std::span<const WeightedEdge>(calls.data() + i, len));
  }
  int32_t idx = d.RingOf(70);  // recomputed: edges arrived since
  ASSERT_GE(idx, 0);
  std::vector<Ring> rings = d.CurrentRings(3);
  EXPECT_TRUE(rings[static_cast<size_t>(idx)].is_ring);
  EXPECT_EQ(Overlap(rings[static_cast<size_t>(idx)], ring), ring.size());
  // Incremental state is still exactly the from-scratch peeling.
  EXPECT_EQ(d.peeler().Sequence().order, d.peeler().graph().PeelFromScratch().order);
}

// Popular merchants: 400 customers each pay all 8 merchants. In raw counts
// this bipartite block is far denser than the background; with FRAUDAR's
// popularity discount (each merchant has 400 sources) it is not a ring.
struct MerchantScene {
  std::vector<WeightedEdge> edges;
  std::vector<uint32_t> merchants;
  uint32_t star = 0;  // one more merchant with 1000 unrelated payers
};

MerchantScene Merchants() {
  MerchantScene s;
  s.edges = Background(5000, 8000, 5);
  for (uint32_t m = 0; m < 8; ++m) s.merchants.push_back(5400 + m);
  for (uint32_t c = 5000; c < 5400; ++c)
    for (uint32_t m : s.merchants) s.edges.push_back({c, m});
  s.star = 5500;
  for (uint32_t p = 6000; p < 7000; ++p) s.edges.push_back({p, s.star});
  std::shuffle(s.edges.begin(), s.edges.end(), std::mt19937(6));
  return s;
}

TEST(Rings, PopularMerchantsAreNotARing) {
  MerchantScene s = Merchants();
  RingDetector d;
  d.AddEdgesBulk(s.edges);
  for (const Ring& r : d.CurrentRings(5)) {
    if (!r.is_ring) continue;
    EXPECT_EQ(Overlap(r, s.merchants), 0u);
    EXPECT_EQ(Overlap(r, {s.star}), 0u);
  }
  EXPECT_EQ(d.RingOf(s.star), d.RingOf(s.star));  // cached, no crash
}

TEST(Rings, WithoutPopularityDiscountMerchantsWouldBeARing) {
  // Control for the test above: with c huge every edge weighs the same (raw
  // counts) and the merchant block is flagged, so the discount is what clears
  // it.
  MerchantScene s = Merchants();
  RingOptions opt;
  opt.peel.c = 1e12;
  RingDetector d(opt);
  d.AddEdgesBulk(s.edges);
  bool flagged = false;
  for (const Ring& r : d.CurrentRings(5))
    if (r.is_ring && Overlap(r, s.merchants) == s.merchants.size()) flagged = true;
  EXPECT_TRUE(flagged);
}

TEST(Rings, FamilyOfFourStaysBelowThreshold) {
  std::vector<WeightedEdge> e = Background(3000, 4500, 7);
  std::vector<uint32_t> family = {100, 1100, 2100, 2999};
  AddClique(family, &e);
  AddClique(family, &e);  // every member calls every other twice
  std::shuffle(e.begin(), e.end(), std::mt19937(8));
  RingDetector d;
  d.AddEdgesBulk(e);
  std::vector<Ring> rings = d.CurrentRings(5);
  ASSERT_FALSE(rings.empty());
  for (const Ring& r : rings) {
    if (r.is_ring) {
      EXPECT_LT(Overlap(r, family), 2u);
    }
  }
  // The family is (part of) the densest block, but below the bar.
  EXPECT_GE(Overlap(rings[0], family), 3u);
  EXPECT_FALSE(rings[0].is_ring);
  EXPECT_EQ(d.RingOf(100), -1);  // not a ring
}

TEST(Rings, MinimumSizeAppliesToDenseSmallBlocks) {
  // A pair calling each other very often, for long, is dense but never a
  // ring (scale stands for a caller-supplied duration factor).
  std::vector<WeightedEdge> e = Background(2000, 3000, 9);
  for (int i = 0; i < 60; ++i) {
    e.push_back({10, 20, 3.0f});
    e.push_back({20, 10, 3.0f});
  }
  RingOptions opt;
  opt.peel.count_repeats = true;
  RingDetector d(opt);
  d.AddEdgesBulk(e);
  std::vector<Ring> rings = d.CurrentRings(3);
  ASSERT_FALSE(rings.empty());
  EXPECT_EQ(std::set<uint32_t>(rings[0].members.begin(), rings[0].members.end()), (std::set<uint32_t>{10, 20}));
  EXPECT_GT(rings[0].ratio, opt.min_density_ratio);
  EXPECT_FALSE(rings[0].is_ring);
}

TEST(Rings, EmptyGraph) {
  RingDetector d;
  EXPECT_TRUE(d.CurrentRings(3).empty());
  EXPECT_EQ(d.RingOf(5), -1);
  EXPECT_EQ(d.AverageDensity(), 0.0);
}

}  // namespace
}  // namespace interdict
