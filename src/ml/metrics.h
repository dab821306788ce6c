// Metrics for a binary fraud classifier: ROC AUC, confusion counts at a
// threshold, precision/recall/F1 of the fraud class, macro-F1 (mean of the
// fraud and normal classes' F1 — the figure published Sichuan results use),
// the threshold that maximises macro-F1 and the other threshold rules
// (plateau middle, Platt-calibrated P = 0.5), and macro-F1 at another fraud share.
//
// Conventions: label 1 = fraud (positive); a row is flagged when its score is
// >= the threshold. Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace interdict {

// Area under the ROC curve by the rank-sum (Mann-Whitney) formula; tied
// scores get their average rank, so a tie between a fraud and a normal row
// counts one half. 0.5 when either class is absent.
double RocAuc(const std::vector<float>& scores, const std::vector<float>& labels);

struct Confusion {
  uint64_t tp = 0, fp = 0, tn = 0, fn = 0;
  double Precision() const;   // of the fraud class; 0 when nothing is flagged
  double Recall() const;      // of the fraud class; 0 when there is no fraud
  double F1() const;          // of the fraud class
  double NegativeF1() const;  // of the normal class
  double MacroF1() const { return (F1() + NegativeF1()) / 2; }
  double Accuracy() const;
};

Confusion ConfusionAt(const std::vector<float>& scores, const std::vector<float>& labels, double threshold);

struct ThresholdChoice {
  double threshold = 0.5;
  Confusion confusion;  // at that threshold
  double macro_f1 = 0;
};

// The threshold maximising macro-F1 over every cut between distinct scores.
// The cut is placed midway between the two neighbouring distinct scores, so a
// new row scoring like the last flagged one is still flagged and the choice
// does not sit on a training score. Ties in macro-F1 go to the higher
// threshold (fewer flags, less analyst load). O(n log n).
ThresholdChoice ChooseThreshold(const std::vector<float>& scores, const std::vector<float>& labels);

// How a decision threshold is chosen from out-of-fold scores.
//  - kMaxMacroF1: the single cut with the highest macro-F1 (ChooseThreshold).
//  - kPlateau: the middle of the plateau: every cut whose macro-F1 is within
//    `kPlateauTolerance` of the best, and the threshold midway between the
//    lowest and the highest of them. Less sensitive to where the peak of a
//    flat, noisy curve happens to fall on one sample.
//  - kCalibrated: P = 0.5 of a Platt-calibrated score: the cut where a
//    logistic fit of the label on the score's log-odds crosses one half.
enum class ThresholdRule { kMaxMacroF1, kPlateau, kCalibrated };
inline constexpr double kPlateauTolerance = 0.005;
const char* ThresholdRuleName(ThresholdRule r);
bool ParseThresholdRule(const std::string& name, ThresholdRule* out);
ThresholdChoice ChooseThreshold(const std::vector<float>& scores, const std::vector<float>& labels,
                                ThresholdRule rule);

// Platt scaling: a, b of P(fraud) = 1 / (1 + exp(-(a * logit(score) + b)))
// fitted by maximum likelihood (Newton steps, scores clamped to [1e-6, 1 - 1e-6]).
struct Platt {
  double a = 1, b = 0;
  double Apply(double score) const;
};
Platt FitPlatt(const std::vector<float>& scores, const std::vector<float>& labels);

// Macro-F1 of confusion counts re-weighted as if fraud were `share` of the
// rows (every fraud row weighted so that fraud / all = share): what the same
// threshold gives on a data set with another fraud share.
double MacroF1AtShare(const Confusion& c, double share);

// Mean and sample standard deviation (0 for fewer than two values).
struct MeanSd {
  double mean = 0, sd = 0;
};
MeanSd Summarise(const std::vector<double>& v);

}  // namespace interdict
