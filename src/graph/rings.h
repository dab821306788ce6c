// Ring detection on top of the incrementally peeled suspiciousness graph:
// the top-k dense blocks, each with a decision "ring or not".
//
// A block is a ring when its density f(S)/|S| is at least min_density_ratio
// times the graph's average density f(V)/|V|, and it has at least min_size
// members. The first block is the densest suffix of the maintained peeling
// (exactly what a from-scratch greedy peeling would give). Block i+1 is the
// densest suffix of a greedy peeling of what is left after removing blocks
// 1..i, restricted to the weighted T-core (T = the density threshold): any
// subgraph of density >= T has all its optimal members there, so the
// restriction keeps FRAUDAR's 1/2-approximation for every block that can be a
// ring while peeling only a small part of a large graph.
//
// Operation:
//   RingDetector d;                 // options: thresholds, weights
//   d.AddEdgesBulk(history);        // optional initial load
//   d.AddEdges(batch);              // as calls/transfers arrive
//   for (const Ring& r : d.CurrentRings(5)) if (r.is_ring) ...
//   int32_t i = d.RingOf(v);        // its ring in the last CurrentRings, -1 none
// Ownership: owns the graph and peeling. Not thread-safe.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "graph/dense_subgraph.h"

namespace interdict {

struct RingOptions {
  PeelOptions peel;
  double min_density_ratio = 3.0;  // density threshold relative to f(V)/|V|
  uint32_t min_size = 5;           // a smaller block (e.g. a family) is never a ring
  // Rebuild (exact FRAUDAR re-weighting + full peel) when the edge count has
  // grown by this fraction since the last rebuild (and by >= 1024 edges);
  // 0 = never. Between rebuilds new edges are weighted at arrival.
  double rebuild_growth = 0.25;
};

struct Ring {
  std::vector<uint32_t> members;  // in peeling order (least attached first)
  double density = 0;             // f(S)/|S| in weight units
  double ratio = 0;               // density / average density of the graph
  bool is_ring = false;           // ratio >= min_density_ratio && size >= min_size
};

class RingDetector {
 public:
  explicit RingDetector(RingOptions opt = {}) : opt_(opt), peeler_(opt.peel) {}

  void AddEdges(std::span<const WeightedEdge> batch) {
    peeler_.AddEdges(batch);
    stale_ = true;
    MaybeRebuild();
  }
  void AddEdgesBulk(std::span<const WeightedEdge> batch) {
    peeler_.AddEdgesBulk(batch);
    stale_ = true;
  }
  void RaisePrior(uint32_t v, double a) {
    peeler_.RaisePrior(v, a);
    stale_ = true;
  }

  // Up to k blocks, densest first. Blocks are extracted while their density
  // reaches the threshold; the first block below it (if any, and if fewer than
  // k were found) is returned too, with is_ring = false, so callers see the
  // margin. Cost: O(V) for the maintained peeling plus a greedy peeling of the
  // T-core per further block.
  std::vector<Ring> CurrentRings(size_t k);
  // The index, in the last CurrentRings result, of the ring (is_ring) holding
  // v; -1 if none. Recomputes CurrentRings (same k) if edges arrived since.
  int32_t RingOf(uint32_t v);

  // f(V)/|V| in weight units; after a bulk load, valid from the next
  // CurrentRings (or any call that rebuilds the peeling).
  double AverageDensity() const;
  DensePeeler& peeler() { return peeler_; }
  const RingOptions& options() const { return opt_; }

 private:
  Ring MakeRing(const DenseBlock& b, double avg) const;
  void MaybeRebuild();

  RingOptions opt_;
  DensePeeler peeler_;
  bool stale_ = true;
  uint64_t seen_peels_ = 0;
  uint64_t rebuild_at_ = 0;  // edge count that triggers the next rebuild
  size_t last_k_ = 8;
  std::vector<Ring> last_;
  absl::flat_hash_map<uint32_t, int32_t> ring_of_;
};

}  // namespace interdict
