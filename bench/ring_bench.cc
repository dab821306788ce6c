// ring_bench: incremental dense-subgraph (ring) maintenance on a random
// power-law graph with planted dense blocks.
//
//   ring_bench [--vertices 5000000] [--edges 25000000] [--incremental 1000000]
//              [--batch 1000] [--blocks 20] [--block-size 30] [--block-p 0.5]
//              [--seed 1] [--no-verify]
//
// What is measured: all edges are generated and shuffled; the first
// (edges - incremental) are loaded in bulk and peeled once from scratch (that
// time is the "from-scratch peeling" figure); the last `incremental` edges are
// then inserted with DensePeeler::AddEdges in batches of `batch`, each batch
// timed on its own. Speed-up = from-scratch peel time / mean batch time, i.e.
// incremental vs re-peeling the whole graph after every batch. With --verify
// (default) the final incremental peeling is compared with a from-scratch one.
// Then the top rings are extracted and matched against the planted blocks.
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
    if (f == "--blocks" && next(&v)) { a->blocks = static_cast<uint32_t>(v); continue; }
    if (f == "--block-size" && next(&v)) { a->block_size = static_cast<uint32_t>(v); continue; }
    if (f == "--block-p" && i + 1 < argc) { a->block_p = std::strtod(argv[++i], nullptr); continue; }
    if (f == "--no-verify") { a->verify = false; continue; }
    std::fprintf(stderr, "ring_bench: unknown or incomplete flag %s\n", f.c_str());
    return false;
  }
  if (a->vertices < 2 || a->edges == 0 || a->batch == 0 || a->incremental > a->edges ||
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

  auto t0 = Clock::now();
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  std::shuffle(perm.begin(), perm.end(), rng);
  // Callers are less skewed than callees (a few merchants / hotlines are huge).
  PowerLaw src_law(n, 0.5), dst_law(n, 0.75);
  std::vector<WeightedEdge> edges;
  edges.reserve(a.edges);
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
  while (edges.size() < a.edges) {
    uint32_t s = perm[src_law(rng)], d = perm[dst_law(rng)];
    if (s != d) edges.push_back({s, d, 1.0f});
  }
  edges.resize(a.edges);
  std::shuffle(edges.begin(), edges.end(), rng);
  auto t1 = Clock::now();

  RingDetector det;
  DensePeeler& peeler = det.peeler();
  uint64_t bulk = a.edges - a.incremental;
  det.AddEdgesBulk(std::span<const WeightedEdge>(edges.data(), bulk));
  auto t2 = Clock::now();
  peeler.Sequence();  // rebuild: exact FRAUDAR re-weighting, full peel, treap build
  auto t3 = Clock::now();
  double c3 = ThreadCpuSeconds();
  Peeling scratch = peeler.graph().PeelFromScratch();
  double peel_cpu = ThreadCpuSeconds() - c3;
  auto t4 = Clock::now();
  double peel_s = Seconds(t3, t4);

  std::vector<double> batch_s, batch_cpu;
  batch_s.reserve(a.incremental / a.batch + 1);
  batch_cpu.reserve(a.incremental / a.batch + 1);
  DensePeeler::Stats before = peeler.stats();
  for (uint64_t off = bulk; off < a.edges; off += a.batch) {
    uint64_t len = std::min<uint64_t>(a.batch, a.edges - off);
    auto b0 = Clock::now();
    double c0 = ThreadCpuSeconds();
    det.AddEdges(std::span<const WeightedEdge>(edges.data() + off, len));
    batch_cpu.push_back(ThreadCpuSeconds() - c0);
    batch_s.push_back(Seconds(b0, Clock::now()));
  }
  double inc_total = std::accumulate(batch_s.begin(), batch_s.end(), 0.0);
  double inc_cpu = std::accumulate(batch_cpu.begin(), batch_cpu.end(), 0.0);
  DensePeeler::Stats after = peeler.stats();

  bool exact = true;
  double verify_s = 0;
  if (a.verify) {
    auto v0 = Clock::now();
    Peeling inc = peeler.Sequence();
    Peeling ref = peeler.graph().PeelFromScratch();
    exact = inc.order == ref.order && inc.weight == ref.weight;
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

  double n_batches = static_cast<double>(batch_s.size());
  double mean_batch = inc_total / std::max(1.0, n_batches);
  std::printf("ring_bench\n");
  std::printf("  graph             %u vertices, %llu edges (%llu planted in %u blocks of %u), seed %llu\n", n,
              static_cast<unsigned long long>(a.edges), static_cast<unsigned long long>(planted_edges), a.blocks,
              a.block_size, static_cast<unsigned long long>(a.seed));
  std::printf("  generate          %.2f s\n", Seconds(t0, t1));
  std::printf("  bulk load         %llu edges in %.2f s\n", static_cast<unsigned long long>(bulk), Seconds(t1, t2));
  std::printf("  rebuild           %.3f s (re-weight + peel + treap)\n", Seconds(t2, t3));
  std::printf("  from-scratch peel %.3f s wall, %.3f s cpu (graph of %llu edges, %zu vertices)\n", peel_s, peel_cpu,
              static_cast<unsigned long long>(bulk), scratch.order.size());
  std::printf("  incremental       %llu edges in %zu batches of %llu: %.3f s total\n",
              static_cast<unsigned long long>(a.incremental), batch_s.size(),
              static_cast<unsigned long long>(a.batch), inc_total);
  std::printf("  per edge          %.2f us wall, %.2f us cpu (target < 50 us)\n",
              a.incremental ? inc_total / static_cast<double>(a.incremental) * 1e6 : 0.0,
              a.incremental ? inc_cpu / static_cast<double>(a.incremental) * 1e6 : 0.0);
  std::printf("  batch p50 / p99   %.3f ms / %.3f ms wall (max %.3f ms); cpu %.3f ms / %.3f ms\n",
              Percentile(batch_s, 0.5) * 1e3, Percentile(batch_s, 0.99) * 1e3,
              batch_s.empty() ? 0.0 : *std::max_element(batch_s.begin(), batch_s.end()) * 1e3,
              Percentile(batch_cpu, 0.5) * 1e3, Percentile(batch_cpu, 0.99) * 1e3);
  double mean_cpu = inc_cpu / std::max(1.0, n_batches);
  std::printf("  speed-up          %.0fx wall, %.0fx cpu vs re-peeling per batch (target >= 100x)\n",
              mean_batch > 0 ? peel_s / mean_batch : 0.0, mean_cpu > 0 ? peel_cpu / mean_cpu : 0.0);
  std::printf("  work              %.1f vertices moved, %.1f rescanned, %.0f adjacency entries read per batch\n",
              static_cast<double>(after.moved - before.moved) / std::max(1.0, n_batches),
              static_cast<double>(after.scanned - before.scanned) / std::max(1.0, n_batches),
              static_cast<double>(after.touched - before.touched) / std::max(1.0, n_batches));
  if (a.verify)
    std::printf("  exact             %s (incremental == from-scratch order and weights; check %.2f s)\n",
                exact ? "yes" : "NO", verify_s);
  std::printf("  memory            %.0f MiB structures, %.0f MiB peak RSS\n",
              static_cast<double>(peeler.MemoryBytes()) / (1 << 20), PeakRssMiB());
  std::printf("  rings             %u reported as rings (%u not mostly planted), query %.2f s, avg density %.3f\n",
              ring_count, false_rings, rings_s, det.AverageDensity());
  for (size_t i = 0; i < rings.size() && i < 5; ++i)
    std::printf("    block %zu: %zu members, density %.3f (%.1fx average)%s\n", i, rings[i].members.size(),
                rings[i].density, rings[i].ratio, rings[i].is_ring ? " ring" : "");
  std::printf("  planted found     %u of %u\n", found, a.blocks);
  return exact ? 0 : 1;
}
