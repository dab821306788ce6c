// Dense-subgraph (ring) detection by greedy peeling with FRAUDAR-style
// suspiciousness weights, maintained incrementally as edges arrive (after
// Spade, Jiang et al., VLDB 2023). docs/rings.md has the full design.
//
// The graph: vertices are dense uint32 ids 0..NumVertices()-1 (grown on demand
// by AddEdges); an edge u->v (caller->callee, payer->payee) joins the two ids.
// Bipartite graphs use disjoint id ranges (e.g. payees offset by the number of
// payers). For density an edge is undirected: it counts once inside S when both
// ends are in S. Self-loops are dropped.
//
// Weights (fixed point, unit 2^-24, so that every sum is exact and the
// incremental and from-scratch peelings are bit-identical):
//   w(u->v) = scale / (m * ln(x + c))
// where x is the number of distinct sources of v (FRAUDAR's column degree), m
// is 1 for the first u->v edge, 2 for the second, ... (a pair's total weight
// grows like the harmonic number H(m) ~ ln m: repeated calls count, but
// log-damped), c = 5 by default and scale is the caller's optional factor
// (e.g. an amount bucket). x is taken at the last rebuild (Rebuild(), or the
// first use after a bulk load) for edges that existed then, and at arrival
// (this source included) for edges added incrementally since: a rebuild gives
// exact FRAUDAR weights; between rebuilds a target's weights are not lowered
// as it gets popular. That keeps every incremental change an increase, which
// is what makes exact incremental maintenance cheap; docs/rings.md discusses
// the tradeoff (RingDetector rebuilds as the graph grows).
//
// Density: g(S) = f(S)/|S|, f(S) = sum of priors a_i in S + sum of weights of
// edges inside S. Greedy peeling removes, at each step, the vertex with the
// least weighted degree into the remaining set (prior + weights of its edges to
// remaining vertices), ties broken by the smaller vertex id; its weighted degree
// at removal is its "peeling weight". The densest suffix of the removal order
// (the remaining set with the best g) is a 1/2-approximation of the densest
// subgraph.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace interdict {

// One arriving interaction u -> v. `scale` multiplies the edge's weight (1 for
// a plain count; callers may fold an amount in, e.g. 1 + log10(amount/100 yuan)).
struct WeightedEdge {
  uint32_t src = 0;
  uint32_t dst = 0;
  float scale = 1.0f;
};

struct PeelOptions {
  double c = 5.0;                 // popularity discount: 1/ln(din + c); must be > 1
  bool count_repeats = true;      // false: only the first u->v edge carries weight
};

// Fixed-point unit of weights and peeling weights: value * kWeightOne.
inline constexpr int64_t kWeightOne = int64_t{1} << 24;

// A peeling: removal order and each vertex's peeling weight (fixed point),
// aligned by index.
struct Peeling {
  std::vector<uint32_t> order;
  std::vector<int64_t> weight;
};

// The densest suffix of a peeling.
struct DenseBlock {
  std::vector<uint32_t> members;  // in peeling order
  int64_t mass = 0;               // f(S), fixed point
  double density = 0;             // f(S)/|S| in weight units
};

// Returns the densest suffix of `p`: the suffix order[k..] maximising
// sum(weight[k..]) / (n - k), compared exactly; ties go to the smaller set.
// Empty block for an empty peeling.
DenseBlock DensestSuffix(const Peeling& p);

// The weighted graph alone: adjacency (both directions, one entry per edge
// occurrence), priors and the per-pair counts the weights need.
// Ownership: owns everything; not thread-safe (one writer, no concurrent reads).
class SuspicionGraph {
 public:
  struct Adj {
    uint32_t nbr;
    uint32_t w;  // fixed point, >= 1
  };

  explicit SuspicionGraph(PeelOptions opt = {}) : opt_(opt) {}

  uint32_t NumVertices() const { return static_cast<uint32_t>(adj_.size()); }
  uint64_t NumEdges() const { return num_edges_; }  // weighted occurrences kept (no self-loops)
  // Grows the id space to n vertices (new vertices are isolated, prior 0).
  void Reserve(uint32_t n);
  // Adds one edge, growing the id space if needed. Returns its fixed-point
  // weight, 0 if the edge was dropped (self-loop, or a repeat when
  // !count_repeats).
  uint32_t Add(const WeightedEdge& e);
  // Sets the prior a_v (>= 0, weight units). Callers of the incremental peeler
  // go through DensePeeler::RaisePrior.
  void SetPrior(uint32_t v, double a);
  // Recomputes every edge weight with the targets' current source counts.
  void Reweight();

  const std::vector<Adj>& Neighbors(uint32_t v) const { return adj_[v]; }
  int64_t Prior(uint32_t v) const { return v < prior_.size() ? prior_[v] : 0; }
  // f(V): sum of priors and of all edge weights, fixed point.
  int64_t TotalMass() const { return total_mass_; }
  // Weighted degree of v into the whole graph (prior included).
  int64_t Degree(uint32_t v) const;
  size_t MemoryBytes() const;

  // Greedy peeling of the whole graph from scratch: an indexed 4-ary heap with
  // decrease-key, O((V + E) log V).
  Peeling PeelFromScratch() const;
  // The same over the subgraph induced by `vertices` (ids of this graph); the
  // peeling's order holds ids of this graph.
  Peeling PeelSubgraph(std::span<const uint32_t> vertices) const;

 private:
  struct LogEdge {
    uint32_t src, dst;
    float scale;
    uint32_t m;  // multiplicity index of this occurrence of the pair
  };
  double InvLog(uint32_t x);
  uint32_t Weight(float scale, uint32_t m, uint32_t x);

  PeelOptions opt_;
  std::vector<LogEdge> log_;  // accepted edges in arrival order, for Reweight
  std::vector<std::vector<Adj>> adj_;
  std::vector<uint32_t> in_distinct_;              // distinct sources per target
  std::vector<int64_t> prior_;                     // sized lazily
  absl::flat_hash_map<uint64_t, uint32_t> pair_count_;  // (src << 32 | dst) -> occurrences
  std::vector<double> inv_log_;                    // 1/ln(d + c) for small d
  uint64_t num_edges_ = 0;
  int64_t total_mass_ = 0;
};

// The graph plus its greedy peeling, kept valid as edges arrive.
//
// Invariant: after every call, Sequence() is exactly the greedy peeling (with
// the id tie-break) of the current graph, i.e. equal to
// graph().PeelFromScratch(). AddEdges re-peels only the affected part: the
// vertices whose weighted degree at removal changes and the ones they overtake,
// found with an order-statistics treap over the sequence (see docs/rings.md).
//
// Operation:
//   DensePeeler p;
//   p.AddEdgesBulk(history);   // no maintenance; one full peel on next use
//   p.AddEdges(batch);         // per batch as events arrive
//   DenseBlock b = p.Densest();
// Ownership: owns the graph. Not thread-safe: one thread calls everything.
class DensePeeler {
 public:
  explicit DensePeeler(PeelOptions opt = {});

  // Adds edges and updates the peeling incrementally.
  void AddEdges(std::span<const WeightedEdge> batch);
  // Adds edges without maintaining the peeling (initial load); the next
  // AddEdges, RaisePrior or Sequence calls Rebuild once.
  void AddEdgesBulk(std::span<const WeightedEdge> batch);
  // Recomputes all weights from current degrees (exact FRAUDAR weights) and
  // peels from scratch: O((V + E) log V).
  void Rebuild();
  // Raises the prior of v to a (no-op if a is not above the current prior);
  // maintained incrementally like an edge.
  void RaisePrior(uint32_t v, double a);

  // The current peeling (walks the whole sequence: O(V)).
  Peeling Sequence();
  DenseBlock Densest() { return DensestSuffix(Sequence()); }

  const SuspicionGraph& graph() const { return graph_; }
  size_t MemoryBytes() const;

  // Counters since construction, for benchmarks and docs.
  struct Stats {
    uint64_t batches = 0;
    uint64_t full_peels = 0;
    uint64_t moved = 0;    // vertices re-placed by incremental updates
    uint64_t scanned = 0;  // vertices whose weighted degree was recomputed
    uint64_t touched = 0;  // adjacency entries read by incremental updates
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr uint32_t kNil = 0xffffffffu;
  struct Key {
    int64_t w;
    uint32_t id;
    bool operator<(const Key& o) const { return w != o.w ? w < o.w : id < o.id; }
    bool operator>(const Key& o) const { return o < *this; }
    bool operator==(const Key& o) const { return w == o.w && id == o.id; }
  };

  void EnsureSequence();
  void RebuildFromScratch();
  void GrowTo(uint32_t n);
  void Reinsert(std::vector<uint32_t>& affected);

  // Treap over the peeling sequence (node = vertex id).
  Key NodeKey(uint32_t x) const { return Key{N(x).pw, x}; }
  void Pull(uint32_t x);
  void Split(uint32_t t, uint32_t k, uint32_t* a, uint32_t* b);
  uint32_t Merge(uint32_t a, uint32_t b);
  uint32_t Rank(uint32_t x) const;
  uint32_t Next(uint32_t x) const { return next_[x]; }
  // Order labels: H(a).label < H(b).label iff a precedes b; O(1) comparisons for
  // the hot "is this neighbour placed yet" test. Gaps are re-spread locally
  // when an insertion finds none (order-maintenance, amortised O(log n)).
  void LinkBefore(uint32_t x, uint32_t k);
  void Unlink(uint32_t x);
  void Relabel(uint32_t x);
  void Erase(uint32_t x);
  void InsertAt(uint32_t x, uint32_t rank);
  // First node of rank >= from whose key is above k; kNil if none.
  uint32_t FindFirst(uint32_t from, const Key& k) const;
  // First node at or after node x (in sequence order) whose key is above k;
  // a finger search up from x, O(log distance) expected.
  uint32_t FindFrom(uint32_t x, const Key& k) const;
  uint32_t SubtreeFirst(uint32_t t, const Key& k) const;
  uint32_t FirstWithKeyAbove(const Key& k) const;
  void BuildTreap(const std::vector<uint32_t>& order);

  // Incremental re-peel state (per update; arrays indexed by vertex).
  // Puts y in the heap with its weighted degree into the unplaced set (heap
  // vertices and those at or after ptr; kNil = end), marking the latter.
  void Push(uint32_t y, uint32_t ptr);
  bool AtOrAfter(uint32_t x, uint32_t ptr) const { return ptr != kNil && H(x).label >= H(ptr).label; }
  void Mark(uint32_t x);
  void Unmark(uint32_t x);
  bool Marked(uint32_t x) const { return H(x).mark_epoch == epoch_ && H(x).mark > 0; }
  void PushStop(uint32_t x);
  // The first valid stop at or after ptr (kNil if none); drops stale entries.
  uint32_t NextStop(uint32_t ptr);
  void RefreshStops();
  bool InHeap(uint32_t x) const { return H(x).heap_epoch == epoch_; }

  SuspicionGraph graph_;
  bool valid_ = true;  // sequence matches the graph
  Stats stats_;

  // Treap nodes, one per vertex (one cache line each).
  struct Node {
    uint32_t left = kNil, right = kNil, parent = kNil, size = 1, prio = 0;
    int64_t pw = 0;  // peeling weight of the vertex
    Key max_key{};   // subtree max of NodeKey
  };
  // Per-vertex update state, packed so that a neighbour test is one miss.
  struct Hot {
    uint64_t label = 0;  // order label
    int64_t dcur = 0;    // exact current key while in the heap
    uint32_t heap_epoch = 0, pending_epoch = 0, mark_epoch = 0, mark = 0;
    uint32_t bound = 0;  // while in the heap: first node the walk cannot pass
  };
  Node& N(uint32_t x) { return nodes_[x]; }
  const Node& N(uint32_t x) const { return nodes_[x]; }
  Hot& H(uint32_t x) { return hot_[x]; }
  const Hot& H(uint32_t x) const { return hot_[x]; }
  uint32_t root_ = kNil;
  std::vector<Node> nodes_;
  std::vector<Hot> hot_;
  std::vector<uint32_t> prev_, next_;  // the sequence as a list
  uint32_t head_ = kNil, tail_ = kNil;

  // Update state.
  uint32_t epoch_ = 0;
  std::vector<Key> heap_;  // min-heap with lazy deletion
  // Marks (Hot::mark): per vertex, how many heap vertices it neighbours
  // (counted only while it is ahead of the walk; stale behind it, reset by
  // epoch). Hot::pending_epoch: affected, not yet reached by the walk.
  // Stops: vertices the walk must visit (affected vertices not yet reached,
  // marked vertices), a min-heap of (label when pushed, vertex); an entry whose label
  // changed is stale. Relabelling refreshes all entries.
  std::vector<std::pair<uint64_t, uint32_t>> stops_;
  bool relabeled_ = false;
};

}  // namespace interdict
