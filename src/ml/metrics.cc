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

// Every cut between distinct scores, from the highest down: `f(threshold,
// confusion)` with everything scoring >= the threshold flagged. The cut sits
// midway between the group's score and the next lower one (at the lowest
// score itself for the last group, which flags everything).
template <typename F>
void SweepCuts(const std::vector<float>& scores, const std::vector<float>& labels, F&& f) {
  const size_t n = std::min(scores.size(), labels.size());
  std::vector<float> s(scores.begin(), scores.begin() + static_cast<ptrdiff_t>(n));
  std::vector<size_t> idx = OrderByScore(s);
  uint64_t pos = 0;
  for (size_t i = 0; i < n; ++i) pos += labels[i] > 0.5f ? 1 : 0;
  Confusion c;
  c.fn = pos;
  c.tn = n - pos;
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
    f(i > 0 ? (static_cast<double>(v) + static_cast<double>(s[idx[i - 1]])) / 2 : static_cast<double>(v), c);
    j = i;
  }
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
  uint64_t pos = 0;
  float top = 0;
  for (size_t i = 0; i < n; ++i) {
    pos += labels[i] > 0.5f ? 1 : 0;
    top = i == 0 ? scores[i] : std::max(top, scores[i]);
  }
  ThresholdChoice best;
  best.confusion.fn = pos;  // nothing flagged: threshold above every score
  best.confusion.tn = n - pos;
  best.macro_f1 = best.confusion.MacroF1();
  best.threshold = n ? static_cast<double>(top) + 1e-6 : 0.5;
  SweepCuts(scores, labels, [&](double t, const Confusion& c) {
    double m = c.MacroF1();
    if (m > best.macro_f1 + 1e-12) {
      best.macro_f1 = m;
      best.confusion = c;
      best.threshold = t;
    }
  });
  return best;
}

const char* ThresholdRuleName(ThresholdRule r) {
  switch (r) {
    case ThresholdRule::kMaxMacroF1: return "max-macro-f1";
    case ThresholdRule::kPlateau: return "plateau";
    case ThresholdRule::kCalibrated: return "calibrated";
  }
  return "?";
}

bool ParseThresholdRule(const std::string& name, ThresholdRule* out) {
  for (ThresholdRule r : {ThresholdRule::kMaxMacroF1, ThresholdRule::kPlateau, ThresholdRule::kCalibrated})
    if (name == ThresholdRuleName(r)) {
      *out = r;
      return true;
    }
  return false;
}

namespace {

double Logit(double p) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return std::log(p / (1 - p));
}

}  // namespace

double Platt::Apply(double score) const { return 1 / (1 + std::exp(-(a * Logit(score) + b))); }

Platt FitPlatt(const std::vector<float>& scores, const std::vector<float>& labels) {
  const size_t n = std::min(scores.size(), labels.size());
  Platt p;
  // Newton's method on the two-parameter logistic log-likelihood, with a
  // tiny ridge so that separable data stays finite.
  for (int it = 0; it < 50; ++it) {
    double ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (size_t i = 0; i < n; ++i) {
      double x = Logit(scores[i]);
      double q = 1 / (1 + std::exp(-(p.a * x + p.b)));
      double r = q - (labels[i] > 0.5f ? 1.0 : 0.0);
      double w = q * (1 - q);
      ga += r * x;
      gb += r;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    }
    double det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    p.a -= da;
    p.b -= db;
    if (std::fabs(da) + std::fabs(db) < 1e-10) break;
  }
  return p;
}

ThresholdChoice ChooseThreshold(const std::vector<float>& scores, const std::vector<float>& labels,
                                ThresholdRule rule) {
  ThresholdChoice best = ChooseThreshold(scores, labels);
  if (rule == ThresholdRule::kMaxMacroF1) return best;
  ThresholdChoice out;
  if (rule == ThresholdRule::kPlateau) {
    double lo = best.threshold, hi = best.threshold;
    SweepCuts(scores, labels, [&](double t, const Confusion& c) {
      if (c.MacroF1() >= best.macro_f1 - kPlateauTolerance) {
        lo = std::min(lo, t);
        hi = std::max(hi, t);
      }
    });
    out.threshold = (lo + hi) / 2;
  } else {
    Platt p = FitPlatt(scores, labels);
    // a * logit(t) + b = 0; a <= 0 means the score does not rank at all.
    out.threshold = p.a > 0 ? 1 / (1 + std::exp(p.b / p.a)) : best.threshold;
  }
  out.confusion = ConfusionAt(scores, labels, out.threshold);
  out.macro_f1 = out.confusion.MacroF1();
  return out;
}

double MacroF1AtShare(const Confusion& c, double share) {
  double pos = static_cast<double>(c.tp + c.fn), neg = static_cast<double>(c.tn + c.fp);
  if (pos == 0 || neg == 0 || share <= 0 || share >= 1) return c.MacroF1();
  double w = share / (1 - share) * neg / pos;
  double tp = static_cast<double>(c.tp) * w, fn = static_cast<double>(c.fn) * w;
  double fp = static_cast<double>(c.fp), tn = static_cast<double>(c.tn);
  return (F1Of(tp, fp, fn) + F1Of(tn, fn, fp)) / 2;
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
