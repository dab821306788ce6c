// forest_bench: one-row scoring latency, the native Forest against xgboost.
//   forest_bench [--rows N] [--features F] [--trees T] [--depth D] [--bags B]
//                [--calls N] [--model FILE]
// Defaults: a model of 600 depth-3 trees (the GbmModel defaults) trained on
// 4000 synthetic rows of 77 features (10 % missing); then scores 20 000 rows
// one at a time. Prints ns per row for Forest::Margin, Forest::Probability,
// Forest::Contributions, and GbmModel::Predict on a one-row matrix (what a
// streaming caller would otherwise do), plus batch Predict per row for
// reference, and the largest |Forest - Predict| difference seen.
// With --model, scores that model file instead of training one.
//
// Times are this thread's CPU time, the best of 5 passes over the rows: on a
// shared machine wall time measures the neighbours.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ml/forest.h"
#include "ml/gbm.h"

namespace {

using namespace interdict;
using Clock = std::chrono::steady_clock;

double CpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU ns per call of `pass` (which makes `calls` calls), best of 5 passes.
template <typename F>
double BestNsPerCall(size_t calls, F&& pass) {
  double best = 1e300;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = CpuNs();
    pass();
    best = std::min(best, (CpuNs() - t0) / static_cast<double>(calls));
  }
  return best;
}

// Rows of N(0,1) features, `missing` of the cells NaN; the label depends on
// the first three columns, so trees grow real splits.
void Table(size_t rows, size_t cols, double missing, uint64_t seed, Matrix* x, std::vector<float>* y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0, 1);
  std::bernoulli_distribution hole(missing);
  x->rows = rows;
  x->cols = cols;
  x->names.clear();
  for (size_t c = 0; c < cols; ++c) x->names.push_back("f" + std::to_string(c));
  x->values.assign(rows * cols, 0);
  y->assign(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) x->values[r * cols + c] = hole(rng) ? kMissing : g(rng);
    auto v = [&](size_t c) { return std::isnan(x->at(r, c)) ? 0.0f : x->at(r, c); };
    (*y)[r] = v(0) + 0.5f * v(1) - 0.3f * v(2) + 0.5f * g(rng) > 0.4f ? 1.0f : 0.0f;
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "forest_bench: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = 4000, features = 77, calls = 20000;
  GbmParams params;  // 600 rounds, depth 3
  std::string model_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--rows") rows = std::strtoull(v, nullptr, 10);
    else if (k == "--features") features = std::strtoull(v, nullptr, 10);
    else if (k == "--calls") calls = std::strtoull(v, nullptr, 10);
    else if (k == "--trees") params.rounds = std::atoi(v);
    else if (k == "--depth") params.max_depth = std::atoi(v);
    else if (k == "--bags") params.bags = std::atoi(v);
    else if (k == "--model") model_path = v;
    else {
      std::fprintf(stderr, "forest_bench: unknown option %s\n", argv[i]);
      return 2;
    }
  }

  GbmModel model;
  Matrix train;
  std::vector<float> y;
  auto t0 = Clock::now();
  if (model_path.empty()) {
    Table(rows, features, 0.1, 1, &train, &y);
    Status s = model.Train(train, y, params);
    if (!s.ok()) return Fail(s);
    std::printf("trained %d trees x %zu bags, depth %d, on %zu rows x %zu features in %.1f s\n", model.rounds(),
                model.bags(), params.max_depth, rows, features,
                std::chrono::duration<double>(Clock::now() - t0).count());
  } else {
    Status s = GbmModel::Load(model_path, &model);
    if (!s.ok()) return Fail(s);
    features = model.feature_names().size();
  }
  Forest forest;
  t0 = Clock::now();
  Status s = model_path.empty() ? Forest::FromModel(model, &forest) : Forest::Load(model_path, &forest);
  if (!s.ok()) return Fail(s);
  std::printf("forest: %zu trees, %zu nodes (%zu KiB), built in %.1f ms\n", forest.num_trees(), forest.num_nodes(),
              forest.num_nodes() * 16 / 1024, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());

  Matrix x;
  std::vector<float> unused;
  Table(calls, features, 0.1, 2, &x, &unused);
  x.names = model.feature_names();

  // Forest, one row per call, every row different.
  double sink = 0;
  const double ns_margin = BestNsPerCall(x.rows, [&] {
    for (size_t r = 0; r < x.rows; ++r) sink += forest.Margin(x.row(r));
  });
  const double ns_prob = BestNsPerCall(x.rows, [&] {
    for (size_t r = 0; r < x.rows; ++r) sink += forest.Probability(x.row(r));
  });
  std::vector<float> contrib(features);
  const double ns_contrib = BestNsPerCall(x.rows, [&] {
    for (size_t r = 0; r < x.rows; ++r) sink += forest.Contributions(x.row(r), contrib.data());
  });

  // xgboost, one row per call: a one-row matrix and Predict, as a streaming
  // caller would have to. Fewer calls: it is much slower.
  const size_t xgb_calls = std::min<size_t>(x.rows, 2000);
  Matrix one;
  one.rows = 1;
  one.cols = features;
  one.names = model.feature_names();
  one.values.resize(features);
  std::vector<float> p;
  const double ns_xgb_one = BestNsPerCall(xgb_calls, [&] {
    for (size_t r = 0; r < xgb_calls && s.ok(); ++r) {
      std::memcpy(one.values.data(), x.row(r), features * sizeof(float));
      s = model.Predict(one, &p);
      if (s.ok()) sink += p[0];
    }
  });
  if (!s.ok()) return Fail(s);
  const double ns_xgb_batch = BestNsPerCall(x.rows, [&] {
    if (s.ok()) s = model.Predict(x, &p);
  });
  if (!s.ok()) return Fail(s);
  double worst = 0;
  for (size_t r = 0; r < x.rows; ++r) worst = std::max(worst, std::fabs(forest.Probability(x.row(r)) - p[r]));

  std::printf("scoring %zu rows of %zu features (10%% missing), one call per row, CPU ns:\n", x.rows, features);
  std::printf("  Forest::Margin          %9.0f ns/row\n", ns_margin);
  std::printf("  Forest::Probability     %9.0f ns/row\n", ns_prob);
  std::printf("  Forest::Contributions   %9.0f ns/row\n", ns_contrib);
  std::printf("  GbmModel::Predict, 1 row %8.0f ns/row  (%zu calls; %.0fx Forest::Probability)\n", ns_xgb_one,
              xgb_calls, ns_xgb_one / ns_prob);
  std::printf("  GbmModel::Predict, batch %8.0f ns/row  (all %zu rows in one call)\n", ns_xgb_batch, x.rows);
  std::printf("max |Forest - Predict| = %.3g   (checksum %.6g)\n", worst, sink);
  return worst < 1e-5 ? 0 : 1;
}
