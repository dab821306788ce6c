#include "ml/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>

namespace interdict {
namespace {

double Div(double a, double b) { return b > 0 ? a / b : 0; }
double F1Of(double tp, double fp, double fn) { return Div(2 * tp, 2 * tp + fp + fn); }

std::vector<size_t> OrderByScore(const std::vector<float>& scores) {
  std::vector<size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  return idx;
}

}  // namespace

double Confusion::Precision() const { return Div(static_cast<double>(tp), static_cast<double>(tp + fp)); }
double Confusion::Recall() const { return Div(static_cast<double>(tp), static_cast<double>(tp + fn)); }
double Confusion::F1() const {
  return F1Of(static_cast<double>(tp), static_cast<double>(fp), static_cast<double>(fn));
}
double Confusion::NegativeF1() const {
  return F1Of(static_cast<double>(tn), static_cast<double>(fn), static_cast<double>(fp));
}
double Confusion::Accuracy() const {
  return Div(static_cast<double>(tp + tn), static_cast<double>(tp + fp + tn + fn));
}

double RocAuc(const std::vector<float>& scores, const std::vector<float>& labels) {
  const size_t n = std::min(scores.size(), labels.size());
  std::vector<float> s(scores.begin(), scores.begin() + static_cast<ptrdiff_t>(n));
  std::vector<size_t> idx = OrderByScore(s);
  double pos = 0, neg = 0, rank_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && s[idx[j]] == s[idx[i]]) ++j;
    double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // 1-based ranks i+1..j
    for (size_t k = i; k < j; ++k) {
      if (labels[idx[k]] > 0.5f) {
        rank_sum += avg_rank;
        ++pos;
      } else {
        ++neg;
      }
    }
    i = j;
  }
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

Confusion ConfusionAt(const std::vector<float>& scores, const std::vector<float>& labels, double threshold) {
  Confusion c;
  const size_t n = std::min(scores.size(), labels.size());
  for (size_t i = 0; i < n; ++i) {
    bool flag = scores[i] >= threshold;
    bool fraud = labels[i] > 0.5f;
    if (flag && fraud) ++c.tp;
    else if (flag) ++c.fp;
    else if (fraud) ++c.fn;
    else ++c.tn;
  }
  return c;
}

ThresholdChoice ChooseThreshold(const std::vector<float>& scores, const std::vector<float>& labels) {
  const size_t n = std::min(scores.size(), labels.size());
  std::vector<float> s(scores.begin(), scores.begin() + static_cast<ptrdiff_t>(n));
  std::vector<size_t> idx = OrderByScore(s);
  uint64_t pos = 0;
  for (size_t i = 0; i < n; ++i) pos += labels[i] > 0.5f ? 1 : 0;
  // Sweep from the top score down: after group g, everything scoring >= the
  // group's score is flagged.
  Confusion c;
  c.fn = pos;
  c.tn = n - pos;
  ThresholdChoice best;
  best.confusion = c;  // nothing flagged: threshold above every score
  best.macro_f1 = c.MacroF1();
  best.threshold = n ? static_cast<double>(s[idx[n - 1]]) + 1e-6 : 0.5;
  size_t j = n;
  while (j > 0) {
    size_t i = j;
    float v = s[idx[j - 1]];
    while (i > 0 && s[idx[i - 1]] == v) --i;
    for (size_t k = i; k < j; ++k) {
      if (labels[idx[k]] > 0.5f) {
        ++c.tp;
        --c.fn;
      } else {
        ++c.fp;
        --c.tn;
      }
    }
    double m = c.MacroF1();
    if (m > best.macro_f1 + 1e-12) {
      best.macro_f1 = m;
      best.confusion = c;
      double below = i > 0 ? static_cast<double>(s[idx[i - 1]]) : 0.0;
      best.threshold = (static_cast<double>(v) + below) / 2;
      if (i == 0) best.threshold = static_cast<double>(v);  // flag everything
    }
    j = i;
  }
  return best;
}

MeanSd Summarise(const std::vector<double>& v) {
  MeanSd r;
  if (v.empty()) return r;
  r.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  if (v.size() < 2) return r;
  double ss = 0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  return r;
}

}  // namespace interdict
