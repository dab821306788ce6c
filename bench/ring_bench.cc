// ring_bench: incremental dense-subgraph (ring) maintenance on a random
// power-law graph with planted dense blocks.
//
//   ring_bench [--vertices 5000000] [--edges 25000000] [--incremental 1000000]
//              [--batch 1000] [--blocks 20] [--block-size 30] [--block-p 0.5]
//              [--peel-runs 3] [--verify-every 0] [--seed 1] [--no-verify]
//
// What is measured: `edges` edges are loaded in bulk and peeled once (the
// rebuild); then `incremental` further edges from the same generator arrive
// through RingDetector::AddEdges in batches of `batch`, each batch timed on its
// own (wall clock and thread CPU time). The from-scratch greedy peeling of the
// bulk graph is timed `peel-runs` times (best wall, best CPU). Speed-up =
// from-scratch peel time / mean batch time: incremental maintenance vs
// re-peeling the graph after every batch (the re-peel alone, without
// rebuilding any structure: the cheapest from-scratch alternative, measured on
// the smaller bulk graph). With --verify (default) the final incremental
// peeling is compared with a from-scratch one (order and weights), and with
// --verify-every N also after every N-th batch (not timed). Then the top rings
// are extracted and matched against the planted blocks.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "graph/dense_subgraph.h"
#include "graph/rings.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// CPU time of this thread: the machine may be shared, and wall-clock figures
// then include time spent waiting for a core.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double PeakRssMiB() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

struct Args {
  uint64_t vertices = 5'000'000;
  uint64_t edges = 25'000'000;
  uint64_t incremental = 1'000'000;
  uint64_t batch = 1000;
  uint32_t blocks = 20;
  uint32_t block_size = 30;
  double block_p = 0.5;
  uint64_t seed = 1;
  uint64_t peel_runs = 3;
  uint64_t verify_every = 0;
  bool verify = true;
};

bool Parse(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&](uint64_t* v) {
      if (i + 1 >= argc) return false;
      *v = std::strtoull(argv[++i], nullptr, 10);
      return true;
    };
    uint64_t v = 0;
    if (f == "--vertices" && next(&a->vertices)) continue;
    if (f == "--edges" && next(&a->edges)) continue;
    if (f == "--incremental" && next(&a->incremental)) continue;
    if (f == "--batch" && next(&a->batch)) continue;
    if (f == "--seed" && next(&a->seed)) continue;
    if (f == "--peel-runs" && next(&a->peel_runs)) continue;
    if (f == "--verify-every" && next(&a->verify_every)) continue;
    if (f == "--blocks" && next(&v)) { a->blocks = static_cast<uint32_t>(v); continue; }
    if (f == "--block-size" && next(&v)) { a->block_size = static_cast<uint32_t>(v); continue; }
    if (f == "--block-p" && i + 1 < argc) { a->block_p = std::strtod(argv[++i], nullptr); continue; }
    if (f == "--no-verify") { a->verify = false; continue; }
    std::fprintf(stderr, "ring_bench: unknown or incomplete flag %s\n", f.c_str());
    return false;
  }
  if (a->vertices < 2 || a->edges == 0 || a->batch == 0 || a->peel_runs == 0 ||
      uint64_t{a->blocks} * a->block_size > a->vertices || a->vertices > 0xfffffff0ull) {
    std::fprintf(stderr, "ring_bench: inconsistent sizes\n");
    return false;
  }
  return true;
}

// Chung-Lu style power law: vertex rank i drawn with probability ~ (i+1)^-gamma
// by inverting the continuous CDF; ranks are mapped through a random
// permutation so that degree is unrelated to id.
class PowerLaw {
 public:
  PowerLaw(uint64_t n, double gamma) : n_(static_cast<double>(n)), e_(1.0 - gamma) {
    top_ = std::pow(n_ + 1.0, e_) - 1.0;
  }
  uint32_t operator()(std::mt19937_64& rng) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    double x = std::pow(u * top_ + 1.0, 1.0 / e_) - 1.0;
    return static_cast<uint32_t>(std::min(x, n_ - 1));
  }

 private:
  double n_, e_, top_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace interdict;
  Args a;
  if (!Parse(argc, argv, &a)) return 2;
  std::mt19937_64 rng(a.seed);
  const uint32_t n = static_cast<uint32_t>(a.vertices);
  const uint64_t total = a.edges + a.incremental;

  auto t0 = Clock::now();
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  std::shuffle(perm.begin(), perm.end(), rng);
  // Callers are less skewed than callees (a few merchants / hotlines are huge).
  PowerLaw src_law(n, 0.5), dst_law(n, 0.75);
  std::vector<WeightedEdge> edges;
  edges.reserve(total);
  // Planted blocks: members drawn from the lightly used ids, each ordered pair
  // connected with probability block_p.
  std::vector<std::vector<uint32_t>> planted(a.blocks);
  std::vector<uint8_t> used(n, 0);
  for (auto& b : planted) {
    while (b.size() < a.block_size) {
      uint32_t rank = n / 2 + static_cast<uint32_t>(rng() % (n / 2));
      uint32_t v = perm[rank];
      if (used[v]) continue;
      used[v] = 1;
      b.push_back(v);
    }
    for (uint32_t x : b)
      for (uint32_t y : b)
        if (x != y && std::uniform_real_distribution<double>(0, 1)(rng) < a.block_p) edges.push_back({x, y, 1.0f});
  }
  uint64_t planted_edges = edges.size();
  while (edges.size() < total) {
    uint32_t s = perm[src_law(rng)], d = perm[dst_law(rng)];
    if (s != d) edges.push_back({s, d, 1.0f});
  }
  edges.resize(total);
  std::shuffle(edges.begin(), edges.end(), rng);
  std::vector<uint32_t>().swap(perm);
  auto t1 = Clock::now();

  RingDetector det;
  DensePeeler& peeler = det.peeler();
  det.AddEdgesBulk(std::span<const WeightedEdge>(edges.data(), a.edges));
  auto t2 = Clock::now();
  double c2 = ThreadCpuSeconds();
  peeler.Sequence();  // rebuild: exact FRAUDAR re-weighting, full peel, order tree
  double rebuild_cpu = ThreadCpuSeconds() - c2;
  auto t3 = Clock::now();
  double peel_s = 1e300, peel_cpu = 1e300;
  size_t peeled = 0;
  for (uint64_t r = 0; r < a.peel_runs; ++r) {
    auto p0 = Clock::now();
    double c0 = ThreadCpuSeconds();
    Peeling scratch = peeler.graph().PeelFromScratch();
    peel_cpu = std::min(peel_cpu, ThreadCpuSeconds() - c0);
    peel_s = std::min(peel_s, Seconds(p0, Clock::now()));
    peeled = scratch.order.size();
  }

  std::vector<double> batch_s, batch_cpu;
  batch_s.reserve(a.incremental / a.batch + 1);
  batch_cpu.reserve(a.incremental / a.batch + 1);
  DensePeeler::Stats before = peeler.stats();
  bool exact = true;
  uint64_t checks = 0;
  auto check = [&] {
    Peeling inc = peeler.Sequence();
    Peeling ref = peeler.graph().PeelFromScratch();
    exact = exact && inc.order == ref.order && inc.weight == ref.weight;
    ++checks;
  };
  for (uint64_t off = a.edges; off < total; off += a.batch) {
    uint64_t len = std::min<uint64_t>(a.batch, total - off);
    auto b0 = Clock::now();
    double c0 = ThreadCpuSeconds();
    det.AddEdges(std::span<const WeightedEdge>(edges.data() + off, len));
    batch_cpu.push_back(ThreadCpuSeconds() - c0);
    batch_s.push_back(Seconds(b0, Clock::now()));
    if (a.verify && a.verify_every > 0 && batch_s.size() % a.verify_every == 0 && off + len < total) check();
  }
  double inc_total = std::accumulate(batch_s.begin(), batch_s.end(), 0.0);
  double inc_cpu = std::accumulate(batch_cpu.begin(), batch_cpu.end(), 0.0);
  DensePeeler::Stats after = peeler.stats();
  double struct_mib = static_cast<double>(peeler.MemoryBytes()) / (1 << 20);

  double verify_s = 0;
  if (a.verify) {
    auto v0 = Clock::now();
    check();
    verify_s = Seconds(v0, Clock::now());
  }

  auto r0 = Clock::now();
  std::vector<Ring> rings = det.CurrentRings(static_cast<size_t>(a.blocks) + 5);
  double rings_s = Seconds(r0, Clock::now());
  uint32_t found = 0;
  for (const auto& b : planted) {
    // Found: one reported ring holds at least 80% of the block's members.
    bool ok = false;
    for (const Ring& r : rings) {
      if (!r.is_ring) continue;
      std::vector<uint32_t> m = r.members;
      std::sort(m.begin(), m.end());
      size_t hit = 0;
      for (uint32_t v : b) hit += std::binary_search(m.begin(), m.end(), v);
      if (hit * 5 >= b.size() * 4) ok = true;
    }
    found += ok;
  }
  uint32_t ring_count = 0, false_rings = 0;
  for (const Ring& r : rings) {
    if (!r.is_ring) continue;
    ++ring_count;
    size_t in_planted = 0;
    for (uint32_t v : r.members)
      for (const auto& b : planted) in_planted += std::find(b.begin(), b.end(), v) != b.end();
    if (in_planted * 2 < r.members.size()) ++false_rings;
  }

  const double n_batches = std::max(1.0, static_cast<double>(batch_s.size()));
  const double n_inc = std::max(1.0, static_cast<double>(a.incremental));
  const double mean_batch = inc_total / n_batches, mean_cpu = inc_cpu / n_batches;
  // RingDetector rebuilds (exact re-weighting + full peel) after every
  // rebuild_growth of growth: amortised over those edges, per edge.
  const double rebuild_edges = det.options().rebuild_growth * static_cast<double>(a.edges);
  std::printf("ring_bench\n");
  std::printf("  graph             %u vertices, %llu bulk + %llu incremental edges (%llu planted in %u blocks of %u), seed %llu\n",
              n, static_cast<unsigned long long>(a.edges), static_cast<unsigned long long>(a.incremental),
              static_cast<unsigned long long>(planted_edges), a.blocks, a.block_size,
              static_cast<unsigned long long>(a.seed));
  std::printf("  generate          %.2f s\n", Seconds(t0, t1));
  std::printf("  bulk load         %llu edges in %.2f s\n", static_cast<unsigned long long>(a.edges), Seconds(t1, t2));
  std::printf("  rebuild           %.3f s wall, %.3f s cpu (re-weight + peel + order tree)\n", Seconds(t2, t3),
              rebuild_cpu);
  std::printf("  from-scratch peel %.3f s wall, %.3f s cpu, best of %llu (%zu vertices)\n", peel_s, peel_cpu,
              static_cast<unsigned long long>(a.peel_runs), peeled);
  std::printf("  incremental       %llu edges in %zu batches of %llu: %.3f s wall, %.3f s cpu\n",
              static_cast<unsigned long long>(a.incremental), batch_s.size(),
              static_cast<unsigned long long>(a.batch), inc_total, inc_cpu);
  std::printf("  per edge          %.2f us wall, %.2f us cpu (target < 50 us)\n", inc_total / n_inc * 1e6,
              inc_cpu / n_inc * 1e6);
  std::printf("  batch p50/p99/max %.2f / %.2f / %.2f ms wall; cpu %.2f / %.2f / %.2f ms\n",
              Percentile(batch_s, 0.5) * 1e3, Percentile(batch_s, 0.99) * 1e3, Percentile(batch_s, 1.0) * 1e3,
              Percentile(batch_cpu, 0.5) * 1e3, Percentile(batch_cpu, 0.99) * 1e3, Percentile(batch_cpu, 1.0) * 1e3);
  std::printf("  speed-up          %.0fx wall, %.0fx cpu vs re-peeling per batch (target >= 100x)\n",
              mean_batch > 0 ? peel_s / mean_batch : 0.0, mean_cpu > 0 ? peel_cpu / mean_cpu : 0.0);
  std::printf("  rebuild share     %.2f us cpu per edge (one rebuild per %.0f%% growth, amortised)\n",
              rebuild_edges > 0 ? rebuild_cpu / rebuild_edges * 1e6 : 0.0, det.options().rebuild_growth * 100);
  std::printf("  work per batch    %.1f vertices moved, %.0f adjacency entries read, %.1f finger searches"
              " (%llu pool compactions in all)\n",
              static_cast<double>(after.moved - before.moved) / n_batches,
              static_cast<double>(after.touched - before.touched) / n_batches,
              static_cast<double>(after.searches - before.searches) / n_batches,
              static_cast<unsigned long long>(peeler.graph().compactions()));
  if (a.verify)
    std::printf("  exact             %s (incremental == from-scratch order and weights, %llu checks; last %.2f s)\n",
                exact ? "yes" : "NO", static_cast<unsigned long long>(checks), verify_s);
  std::printf("  memory            %.0f MiB structures, %.0f MiB peak RSS (edge list %.0f MiB)\n", struct_mib,
              PeakRssMiB(), static_cast<double>(edges.capacity() * sizeof(WeightedEdge)) / (1 << 20));
  std::printf("  rings             %u reported as rings (%u not mostly planted), query %.2f s, avg density %.3f\n",
              ring_count, false_rings, rings_s, det.AverageDensity());
  for (size_t i = 0; i < rings.size() && i < 5; ++i)
    std::printf("    block %zu: %zu members, density %.3f (%.1fx average)%s\n", i, rings[i].members.size(),
                rings[i].density, rings[i].ratio, rings[i].is_ring ? " ring" : "");
  std::printf("  planted found     %u of %u\n", found, a.blocks);
  return exact ? 0 : 1;
}
