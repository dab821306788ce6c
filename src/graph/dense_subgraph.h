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

#include "base/dense_table.h"
#include "graph/dense_subgraph_order.h"

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
// occurrence), priors, distinct-source counts and the edge log the weights
// are recomputed from.
//
// Adjacency is one flat pool: each vertex's entries are contiguous, with some
// slack after them so that most incremental appends write in place; a vertex
// whose slack runs out has its list moved to the end of the pool with twice
// the room (the old place is wasted until the next Reweight or compaction).
// Nothing in the edge path hashes: the multiplicity m of a pair is counted by
// scanning the shorter of the two endpoints' lists.
//
// Two modes: after AddBulk the adjacency is stale (edges are only logged) until
// Reweight builds it; Add on a stale graph reweights first.
// Ownership: owns everything; not thread-safe (one writer, no concurrent reads).
class SuspicionGraph {
 public:
  // Ids must be below kMaxVertices (the top bit of an adjacency entry says
  // which end it is); edges with larger ids are dropped.
  static constexpr uint32_t kMaxVertices = 0x80000000u;

  // One adjacency entry: the neighbour, whether this vertex is the edge's
  // source, and the edge's fixed-point weight (>= 1).
  struct Adj {
    uint32_t raw;  // neighbour id | kOut if this vertex is the source
    uint32_t w;
    static constexpr uint32_t kOut = 0x80000000u;
    uint32_t nbr() const { return raw & ~kOut; }
    bool out() const { return (raw & kOut) != 0; }
  };

  explicit SuspicionGraph(PeelOptions opt = {}) : opt_(opt) {}

  uint32_t NumVertices() const { return static_cast<uint32_t>(lists_.size()); }
  // Weighted occurrences kept (no self-loops); after AddBulk, until Reweight,
  // the count of logged edges (repeats not yet dropped when !count_repeats).
  uint64_t NumEdges() const { return num_edges_; }
  // Grows the id space to n vertices (new vertices are isolated, prior 0).
  void Reserve(uint32_t n);
  // Adds one edge, growing the id space if needed. Returns its fixed-point
  // weight, 0 if the edge was dropped (self-loop, non-positive scale, id too
  // large, or a repeat when !count_repeats).
  uint32_t Add(const WeightedEdge& e);
  // Logs an edge without building adjacency or weights (initial load); the
  // next Reweight (or Add) builds them. Returns false if the edge is dropped.
  bool AddBulk(const WeightedEdge& e);
  bool Stale() const { return stale_; }
  // Sets the prior a_v (>= 0, weight units). Callers of the incremental peeler
  // go through DensePeeler::RaisePrior.
  void SetPrior(uint32_t v, double a);
  // Recomputes every edge weight with the targets' current source counts and
  // rebuilds the adjacency pool compactly: O(V + E).
  void Reweight();

  // v's adjacency; the graph must not be Stale().
  std::span<const Adj> Neighbors(uint32_t v) const { return {pool_.data() + lists_[v].off, lists_[v].len}; }
  void PrefetchList(uint32_t v) const { PrefetchLine(&lists_[v]); }
  int64_t Prior(uint32_t v) const { return v < prior_.size() ? prior_[v] : 0; }
  // f(V): sum of priors and of all edge weights, fixed point.
  int64_t TotalMass() const { return total_mass_; }
  // Weighted degree of v into the whole graph (prior included).
  int64_t Degree(uint32_t v) const;
  size_t MemoryBytes() const;
  // Times the pool was compacted outside Reweight (a pause of O(E)).
  uint64_t compactions() const { return compactions_; }

  // Greedy peeling of the whole graph from scratch: an indexed 4-ary heap with
  // decrease-key, O((V + E) log V). The graph must not be Stale().
  Peeling PeelFromScratch() const;
  // The same over the subgraph induced by `vertices` (ids of this graph); the
  // peeling's order holds ids of this graph.
  Peeling PeelSubgraph(std::span<const uint32_t> vertices) const;

 private:
  struct LogEdge {
    uint32_t src, dst;
    float scale;
  };
  double InvLog(uint32_t x);
  uint32_t Weight(float scale, uint32_t m, uint32_t x);
  bool Accept(const WeightedEdge& e);
  // Occurrences of the directed pair u -> v so far.
  uint32_t PairCount(uint32_t u, uint32_t v) const;
  void Append(uint32_t v, Adj a);
  void Compact(uint64_t extra);

  PeelOptions opt_;
  bool stale_ = false;
  std::vector<LogEdge> log_;        // accepted edges in arrival order, for Reweight
  struct List {
    uint64_t off = 0;  // start in pool_
    uint32_t len = 0;  // entries
    uint32_t cap = 0;  // room
  };
  HugeVector<Adj> pool_;             // all adjacency lists
  HugeVector<List> lists_;           // per vertex: one cache line fetch for Neighbors
  uint64_t live_ = 0;                // sum of caps: pool_.size() - live_ is waste
  HugeVector<uint32_t> in_distinct_;  // distinct sources per target
  std::vector<int64_t> prior_;         // sized lazily
  std::vector<double> inv_log_;        // 1/ln(d + c) for small d
  uint64_t num_edges_ = 0;
  int64_t total_mass_ = 0;
  uint64_t compactions_ = 0;
};

// The graph plus its greedy peeling, kept valid as edges arrive.
//
// Invariant: after every call, Sequence() is exactly the greedy peeling (with
// the id tie-break) of the current graph, i.e. equal to
// graph().PeelFromScratch(), order and peeling weights. AddEdges re-peels only
// the affected part: the vertices whose weighted degree at removal changes and
// the ones they overtake, skipping runs of unchanged vertices by a finger
// search over the order's B+-tree (dense_subgraph_order.h, docs/rings.md).
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
    uint64_t searches = 0;  // finger searches over the order
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr uint32_t kNil = PeelOrder::kNil;
  using Key = PeelOrder::Key;

  void EnsureSequence();
  void GrowTo(uint32_t n);
  void Reinsert(std::span<const uint32_t> affected);

  // Incremental re-peel (see Reinsert and docs/rings.md).
  //
  // Per-vertex update state, valid only while epoch == epoch_ (reset lazily,
  // so an update touches only the vertices it visits). 32 bytes.
  struct Cold {
    int64_t dcur = 0;  // exact current key while in the heap
    uint32_t epoch = 0;
    uint32_t flags = 0;  // kInHeap | kPending
    // While in the heap, its entries in arena_: [mark_begin, cand_begin) the
    // heap vertices that were waiting for it when the walk reached it;
    // [cand_begin, cand_end) its neighbours ahead of the walk when it joined,
    // in sequence order; [cand_begin, cursor) those the walk has reached since.
    uint32_t mark_begin = 0, cand_begin = 0, cursor = 0, cand_end = 0;
  };
  static constexpr uint32_t kInHeap = 1, kPending = 2;
  Cold& Touch(uint32_t x);
  bool InHeap(uint32_t x) const { return cold_[x].epoch == epoch_ && (cold_[x].flags & kInHeap) != 0; }
  // The vertex of the first valid stop (kNil if none); drops stale entries.
  uint32_t NextStop(uint32_t ptr);
  // The walk reached stop x (ptr is now the vertex after it): takes all stop
  // entries for x and, if x's key changed, pushes it.
  void Visit(uint32_t x, uint32_t ptr);
  // Puts y in the heap with its exact weighted degree into the unplaced set:
  // the heap vertices waiting for it (visit_) and its neighbours at or after
  // ptr (kNil = end), which become its candidates.
  void Push(uint32_t y, uint32_t ptr);
  void Place(uint32_t z, int64_t w, uint32_t k);
  void PushStop(uint32_t x, uint32_t src);

  SuspicionGraph graph_;
  bool valid_ = true;  // sequence matches the graph
  Stats stats_;
  PeelOrder seq_;      // the peeling order with peeling weights
  HugeVector<Cold> cold_;
  uint32_t epoch_ = 0;
  std::vector<Key> heap_;  // min-heap with lazy deletion
  // Stops: where the walk must look. {x, kNil}: x is affected. {x, y}: heap
  // vertex y waits for its next candidate x: if the walk reaches x while y is
  // still in the heap, x's key includes their edge, so x must be re-placed.
  // Each heap vertex has one such entry at a time (lazy marking: a candidate
  // is only looked at if the walk gets there before y is placed). A min-heap
  // by x's order label as stored; a relabelling changes label values (not the
  // order), after which the entries are re-read (stops_relabels_ != the
  // order's count).
  struct Stop {
    uint64_t label;
    uint32_t x, src;
    bool operator>(const Stop& o) const { return label > o.label; }
  };
  std::vector<Stop> stops_;
  uint64_t stops_relabels_ = 0;
  struct Entry {
    uint32_t x, w;
    uint64_t label;
  };
  std::vector<Entry> arena_;  // see Cold
  std::vector<Entry> visit_;  // scratch: heap vertices waiting for the visited vertex
  // The last finger search for the heap top: valid until the next placement
  // or a change of the top.
  Key above_key_{};
  uint32_t above_ = kNil;
  bool above_valid_ = false;
};

}  // namespace interdict
