// Synthetic tables for the ml tests. Tests only.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ml/feature_table.h"

namespace interdict::testing {

// `n` rows of `cols` features drawn N(0,1). With `signal`, the label is
// 1 when x0 + 0.5*x1 plus a little noise is positive (learnable); without it
// the label is a coin flip independent of every feature (pure noise).
inline void SyntheticTable(size_t n, size_t cols, bool signal, uint64_t seed, Matrix* x, std::vector<float>* y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, 1);
  std::bernoulli_distribution coin(0.35);
  x->rows = n;
  x->cols = cols;
  x->names.clear();
  for (size_t c = 0; c < cols; ++c) x->names.push_back(fmt::format("f{}", c));
  x->values.resize(n * cols);
  y->resize(n);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < cols; ++c) x->values[r * cols + c] = static_cast<float>(g(rng));
    double z = x->values[r * cols] + 0.5 * x->values[r * cols + 1] + 0.1 * g(rng);
    (*y)[r] = signal ? (z > 0.3 ? 1.0f : 0.0f) : (coin(rng) ? 1.0f : 0.0f);
  }
}

// The same table as CSV text with an id column and a label column.
inline std::string TableCsv(const Matrix& x, const std::vector<float>& y, bool with_label = true) {
  std::string s = "id";
  for (const auto& n : x.names) s += "," + n;
  if (with_label) s += ",label";
  s += "\n";
  for (size_t r = 0; r < x.rows; ++r) {
    s += fmt::format("n{}", r);
    for (size_t c = 0; c < x.cols; ++c) {
      float v = x.at(r, c);
      s += std::isnan(v) ? std::string(",") : fmt::format(",{}", v);
    }
    if (with_label) s += fmt::format(",{}", static_cast<int>(y[r]));
    s += "\n";
  }
  return s;
}

}  // namespace interdict::testing
