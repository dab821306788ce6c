// Stratified k-fold cross-validation, repeated over seeds, and the training
// protocol every model of the project follows: cross-validate, choose the
// decision threshold on out-of-fold predictions, train the final model on all
// rows (docs/models.md "Training protocol").
//
// Deterministic: the same data, options and seed give the same folds, the
// same predictions and the same figures (xgboost's hist method with a fixed
// seed and thread count is deterministic). Functions are thread-compatible.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "ml/feature_table.h"
#include "ml/features.h"
#include "ml/gbm.h"
#include "ml/metrics.h"

namespace interdict {

// A fold number 0..k-1 per row such that each fold holds (to within one row)
// the same share of each class. Own Fisher-Yates over a SplitMix64 stream, so
// folds are the same on every platform and standard library.
std::vector<int> StratifiedFolds(const std::vector<float>& labels, int k, uint64_t seed);

// A copy of the CV matrix (same rows, same columns) changed the way new data
// might differ from the training rows, e.g. a block of columns missing on
// some rows (ShiftByBlanking). Each fold's model scores the copy's held-out
// rows as well, flagged at the thresholds chosen on the unchanged
// out-of-fold scores: what the model would give if held-out rows looked like
// this.
struct ShiftedRows {
  std::string name;
  Matrix x;
};

// Figures of one shift check (mean +- sd over repeats).
struct ShiftFigures {
  std::string name;
  MeanSd auc, macro_f1;
};

struct CvOptions {
  int folds = 5;
  int repeats = 1;     // repeat r uses fold seed `seed + r` and xgboost seed `params.seed + r`
  uint64_t seed = 1;
  GbmParams params;
  ThresholdRule threshold_rule = ThresholdRule::kMaxMacroF1;
  std::vector<ShiftedRows> shifted;  // optional shift checks
  // Fraud shares at which the cross-fitted flags are re-weighted (prior shift).
  std::vector<double> prior_shares;
};

struct CvRepeatResult {
  std::vector<float> oof;  // out-of-fold P(fraud) per row
  double auc = 0;
  // Each fold's rows flagged at the threshold chosen on the other folds'
  // out-of-fold scores: an honest estimate, the threshold never sees the rows
  // it judges.
  Confusion crossfit;
  double crossfit_threshold_mean = 0;
  std::vector<double> crossfit_thresholds;  // one per fold
  // At the threshold maximising macro-F1 on this repeat's own predictions
  // (optimistic by construction; shown for comparison with published work).
  ThresholdChoice best;
};

struct CvResult {
  std::vector<CvRepeatResult> repeats;
  MeanSd auc, macro_f1, precision, recall, f1;  // over repeats, cross-fitted thresholds
  MeanSd best_macro_f1;                        // over repeats, own optimal threshold
  MeanSd crossfit_threshold;                   // over every fold of every repeat: how stable the rule is
  ThresholdChoice pooled;  // threshold chosen on all repeats' out-of-fold predictions together
  std::vector<ShiftFigures> shifts;         // one per CvOptions::shifted
  std::vector<MeanSd> macro_f1_at_share;    // one per CvOptions::prior_shares
};

// `x` with the columns named in `columns` set to missing on a seeded random
// `share` of the rows (the same rows for every column: a whole source table
// absent for a number). Unknown names are ignored.
ShiftedRows ShiftByBlanking(const Matrix& x, std::string name, const std::vector<std::string>& columns,
                            double share, uint64_t seed);

Status CrossValidate(const Matrix& x, const std::vector<float>& y, const CvOptions& opt, CvResult* out);

// The whole protocol on a table: build the model matrix from `table` with
// `spec`, cross-validate, train the final model on every row with
// `opt.params`, and set its spec and the pooled out-of-fold threshold.
Status TrainWithCv(const Matrix& table, const std::vector<float>& y, const FeatureSpec& spec,
                   const CvOptions& opt, CvResult* cv, GbmModel* model);

}  // namespace interdict
