#include "graph/dense_subgraph.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace interdict {
namespace {

double W(double x) { return x * static_cast<double>(kWeightOne); }

TEST(DenseSubgraph, WeightsDiscountPopularTargets) {
  SuspicionGraph g;
  // First edge into a fresh target: x = 1 source, 1/ln(1 + 5).
  uint32_t w0 = g.Add({0, 1000});
  EXPECT_NEAR(w0, W(1.0 / std::log(6.0)), 1.0);
  for (uint32_t u = 1; u < 100; ++u) g.Add({u, 1000});
  // The 101st distinct source: x = 101.
  uint32_t w100 = g.Add({100, 1000});
  EXPECT_NEAR(w100, W(1.0 / std::log(106.0)), 1.0);
  // A repeat of an existing pair is harmonic-damped: 1/(2 ln(din + c)).
  uint32_t rep = g.Add({0, 1000});
  EXPECT_NEAR(rep, W(1.0 / (2 * std::log(106.0))), 1.0);
  EXPECT_EQ(g.Add({3, 3}), 0u);  // self-loop dropped
  EXPECT_EQ(g.Add({3, 4, 0.0f}), 0u);  // non-positive scale dropped
  EXPECT_EQ(g.NumEdges(), 102u);
}

TEST(DenseSubgraph, RebuildGivesExactFraudarWeights) {
  // Edges arrive one by one (early ones heavier); a rebuild re-weights every
  // edge with the final source count, as FRAUDAR does.
  DensePeeler p;
  for (uint32_t u = 1; u <= 50; ++u) {
    WeightedEdge e{u, 0};
    p.AddEdges(std::span<const WeightedEdge>(&e, 1));
  }
  EXPECT_GT(p.graph().Neighbors(0).front().w, p.graph().Neighbors(0).back().w);
  p.Rebuild();
  for (const auto& a : p.graph().Neighbors(0)) EXPECT_NEAR(a.w, W(1.0 / std::log(55.0)), 1.0);
  EXPECT_NEAR(static_cast<double>(p.graph().TotalMass()), W(50.0 / std::log(55.0)), 50.0);
  Peeling s = p.Sequence();
  EXPECT_EQ(s.order, p.graph().PeelFromScratch().order);
}

TEST(DenseSubgraph, RepeatsIgnoredWhenConfigured) {
  PeelOptions opt;
  opt.count_repeats = false;
  SuspicionGraph g(opt);
  EXPECT_GT(g.Add({0, 1}), 0u);
  EXPECT_EQ(g.Add({0, 1}), 0u);
  EXPECT_GT(g.Add({1, 0}), 0u);  // the other direction is another pair
}

TEST(DenseSubgraph, PeelsTriangleWithPendantLast) {
  // Triangle 0-1-2 plus pendant 3 hanging off 0: the pendant goes first, the
  // triangle is the densest suffix.
  DensePeeler p;
  std::vector<WeightedEdge> e = {{0, 1}, {1, 2}, {2, 0}, {3, 0}};
  p.AddEdges(e);
  Peeling s = p.Sequence();
  ASSERT_EQ(s.order.size(), 4u);
  EXPECT_EQ(s.order[0], 3u);
  DenseBlock b = p.Densest();
  std::set<uint32_t> m(b.members.begin(), b.members.end());
  EXPECT_EQ(m, (std::set<uint32_t>{0, 1, 2}));
  // Peeling weights sum to f(V).
  int64_t sum = 0;
  for (int64_t w : s.weight) sum += w;
  EXPECT_EQ(sum, p.graph().TotalMass());
}

TEST(DenseSubgraph, DensestSuffixExactTieGoesToSmallerSet) {
  Peeling p;
  p.order = {5, 6, 7, 8};
  p.weight = {4, 4, 4, 4};  // every suffix has density 4
  DenseBlock b = DensestSuffix(p);
  ASSERT_EQ(b.members.size(), 1u);
  EXPECT_EQ(b.members[0], 8u);
  EXPECT_TRUE(DensestSuffix(Peeling{}).members.empty());
}

TEST(DenseSubgraph, PlantedCliqueInSparseRandomGraphIsDensest) {
  std::mt19937 rng(7);
  const uint32_t n = 3000;
  std::vector<WeightedEdge> edges;
  std::uniform_int_distribution<uint32_t> pick(0, n - 1);
  for (int i = 0; i < 6000; ++i) edges.push_back({pick(rng), pick(rng)});
  std::set<uint32_t> clique;
  while (clique.size() < 12) clique.insert(pick(rng));
  for (uint32_t a : clique)
    for (uint32_t b : clique)
      if (a != b) edges.push_back({a, b});
  std::shuffle(edges.begin(), edges.end(), rng);
  DensePeeler p;
  p.AddEdges(edges);
  DenseBlock b = p.Densest();
  std::set<uint32_t> found(b.members.begin(), b.members.end());
  EXPECT_EQ(found, clique);
}

// Draws from a skewed (power-law-like) distribution so that some targets are
// hubs and re-peels cross long stretches of the order.
uint32_t Skewed(std::mt19937& rng, uint32_t n) {
  std::uniform_real_distribution<double> u(0, 1);
  return std::min<uint32_t>(n - 1, static_cast<uint32_t>(std::pow(u(rng), 2.5) * n));
}

void ExpectSameAsScratch(DensePeeler& p) {
  Peeling inc = p.Sequence();
  Peeling ref = p.graph().PeelFromScratch();
  ASSERT_EQ(inc.order, ref.order);
  ASSERT_EQ(inc.weight, ref.weight);
  DenseBlock a = DensestSuffix(inc), b = DensestSuffix(ref);
  ASSERT_EQ(a.members, b.members);
  ASSERT_EQ(a.mass, b.mass);
}

TEST(DenseSubgraph, IncrementalEqualsFromScratchAfterRandomBatches) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    DensePeeler p;
    // Initial bulk load, then many incremental batches, some with new ids,
    // repeats, planted dense groups and prior raises.
    std::vector<WeightedEdge> init;
    for (int i = 0; i < 1500; ++i) init.push_back({Skewed(rng, 600), Skewed(rng, 600)});
    p.AddEdgesBulk(init);
    uint32_t n = 600;
    std::uniform_int_distribution<int> batch_size(1, 40);
    std::uniform_real_distribution<float> scale(0.5f, 3.0f);
    for (int b = 0; b < 150; ++b) {
      std::vector<WeightedEdge> batch;
      int m = batch_size(rng);
      if (b % 10 == 9) n += 5;  // new vertices appear
      for (int i = 0; i < m; ++i) {
        WeightedEdge e{Skewed(rng, n), static_cast<uint32_t>(rng() % n), (i % 3 == 0) ? scale(rng) : 1.0f};
        batch.push_back(e);
        if (i % 7 == 0) batch.push_back(e);  // repeated pair in the same batch
      }
      if (b % 25 == 0) {  // a small dense group
        uint32_t base = static_cast<uint32_t>(rng() % (n - 6));
        for (uint32_t x = 0; x < 6; ++x)
          for (uint32_t y = 0; y < 6; ++y)
            if (x != y) batch.push_back({base + x, base + y});
      }
      p.AddEdges(batch);
      if (b % 17 == 5) p.RaisePrior(static_cast<uint32_t>(rng() % n), 0.5 + (rng() % 100) / 50.0);
      ExpectSameAsScratch(p);
      if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_EQ(p.stats().full_peels, 1u);
    EXPECT_GT(p.stats().moved, 0u);
  }
}

TEST(DenseSubgraph, IncrementalSingleEdgesFromEmptyGraph) {
  std::mt19937 rng(11);
  DensePeeler p;
  for (int i = 0; i < 600; ++i) {
    WeightedEdge e{Skewed(rng, 150), Skewed(rng, 150)};
    p.AddEdges(std::span<const WeightedEdge>(&e, 1));
    if (i % 20 == 0) {
      ExpectSameAsScratch(p);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  ExpectSameAsScratch(p);
}

TEST(DenseSubgraph, PeelSubgraphMatchesStandalonePeel) {
  // Peeling the subgraph induced by {0..4} must equal peeling a graph that
  // only has those vertices' edges.
  DensePeeler big;
  std::vector<WeightedEdge> e = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 0}, {0, 2}, {5, 0}, {6, 1}, {5, 6}};
  big.AddEdges(e);
  std::vector<uint32_t> sub = {0, 1, 2, 3, 4};
  Peeling ps = big.graph().PeelSubgraph(sub);
  ASSERT_EQ(ps.order.size(), 5u);
  // Recompute induced degrees by hand and check the first removal.
  int64_t min_d = INT64_MAX;
  uint32_t arg = 0;
  for (uint32_t v : sub) {
    int64_t d = 0;
    for (const auto& a : big.graph().Neighbors(v))
      if (a.nbr() < 5) d += a.w;
    if (d < min_d) min_d = d, arg = v;
  }
  EXPECT_EQ(ps.order[0], arg);
  EXPECT_EQ(ps.weight[0], min_d);
}

}  // namespace
}  // namespace interdict
