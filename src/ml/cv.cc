#include "ml/cv.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace interdict {
namespace {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Uniform in [0, n) by rejection, so no residue is favoured.
uint64_t Below(uint64_t n, uint64_t* state) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do r = SplitMix64(state);
  while (r >= limit);
  return r % n;
}

void Add(const Confusion& c, Confusion* to) {
  to->tp += c.tp;
  to->fp += c.fp;
  to->tn += c.tn;
  to->fn += c.fn;
}

}  // namespace

ShiftedRows ShiftByBlanking(const Matrix& x, std::string name, const std::vector<std::string>& columns,
                            double share, uint64_t seed) {
  ShiftedRows out{std::move(name), x};
  std::vector<size_t> cols;
  for (const auto& c : columns) {
    int j = x.Find(c);
    if (j >= 0) cols.push_back(static_cast<size_t>(j));
  }
  uint64_t state = seed * 0x9e3779b97f4a7c15ull + 7;
  const uint64_t cut = static_cast<uint64_t>(std::clamp(share, 0.0, 1.0) * 1e9);
  for (size_t r = 0; r < x.rows; ++r) {
    if (Below(1000000000ull, &state) >= cut) continue;
    for (size_t c : cols) out.x.values[r * x.cols + c] = std::numeric_limits<float>::quiet_NaN();
  }
  return out;
}

std::vector<int> StratifiedFolds(const std::vector<float>& labels, int k, uint64_t seed) {
  std::vector<int> fold(labels.size(), 0);
  if (k < 1) k = 1;
  uint64_t state = seed * 0x2545f4914f6cdd1dull + 1;
  // Deal each class's shuffled rows round-robin; the normal class continues
  // where the fraud class stopped so fold sizes stay within one row.
  int next = 0;
  for (int cls = 1; cls >= 0; --cls) {
    std::vector<size_t> rows;
    for (size_t i = 0; i < labels.size(); ++i)
      if ((labels[i] > 0.5f) == (cls == 1)) rows.push_back(i);
    for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[Below(i, &state)]);
    for (size_t r : rows) {
      fold[r] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

Status CrossValidate(const Matrix& x, const std::vector<float>& y, const CvOptions& opt, CvResult* out) {
  *out = CvResult();
  if (y.size() != x.rows) return Status::Invalid("labels and rows differ in number");
  if (opt.folds < 2) return Status::Invalid("cross-validation needs at least 2 folds");
  if (opt.repeats < 1) return Status::Invalid("cross-validation needs at least 1 repeat");
  size_t pos = 0;
  for (float v : y) pos += v > 0.5f ? 1 : 0;
  size_t neg = y.size() - pos;
  if (pos < static_cast<size_t>(opt.folds) || neg < static_cast<size_t>(opt.folds))
    return Status::Invalid(fmt::format("cross-validation with {} folds needs at least {} rows of each class "
                                       "(have {} fraud, {} normal)",
                                       opt.folds, opt.folds, pos, neg));
  for (const auto& sh : opt.shifted)
    if (sh.x.rows != x.rows || sh.x.cols != x.cols)
      return Status::Invalid(fmt::format("shift check '{}': not the shape of the table", sh.name));
  std::vector<float> pooled_scores, pooled_labels;
  std::vector<double> aucs, mf1, prec, rec, f1, best_mf1, all_thresholds;
  std::vector<std::vector<double>> shift_auc(opt.shifted.size()), shift_mf1(opt.shifted.size()),
      share_mf1(opt.prior_shares.size());
  for (int r = 0; r < opt.repeats; ++r) {
    CvRepeatResult rep;
    rep.oof.assign(x.rows, 0.0f);
    std::vector<std::vector<float>> shift_oof(opt.shifted.size(), std::vector<float>(x.rows, 0.0f));
    std::vector<int> fold = StratifiedFolds(y, opt.folds, opt.seed + static_cast<uint64_t>(r));
    GbmParams p = opt.params;
    p.seed = opt.params.seed + r;
    for (int f = 0; f < opt.folds; ++f) {
      std::vector<size_t> tr, te;
      for (size_t i = 0; i < x.rows; ++i) (fold[i] == f ? te : tr).push_back(i);
      Matrix xtr = x.Select(tr), xte = x.Select(te);
      std::vector<float> ytr(tr.size());
      for (size_t i = 0; i < tr.size(); ++i) ytr[i] = y[tr[i]];
      GbmModel m;
      Status s = m.Train(xtr, ytr, p);
      if (!s.ok()) return s;
      std::vector<float> pred;
      s = m.Predict(xte, &pred);
      if (!s.ok()) return s;
      for (size_t i = 0; i < te.size(); ++i) rep.oof[te[i]] = pred[i];
      for (size_t k = 0; k < opt.shifted.size(); ++k) {
        s = m.Predict(opt.shifted[k].x.Select(te), &pred);
        if (!s.ok()) return s;
        for (size_t i = 0; i < te.size(); ++i) shift_oof[k][te[i]] = pred[i];
      }
    }
    rep.auc = RocAuc(rep.oof, y);
    rep.best = ChooseThreshold(rep.oof, y);
    // Cross-fitted threshold per fold.
    std::vector<Confusion> shift_conf(opt.shifted.size());
    for (int f = 0; f < opt.folds; ++f) {
      std::vector<float> s_other, y_other, s_in, y_in;
      for (size_t i = 0; i < x.rows; ++i) {
        if (fold[i] == f) {
          s_in.push_back(rep.oof[i]);
          y_in.push_back(y[i]);
        } else {
          s_other.push_back(rep.oof[i]);
          y_other.push_back(y[i]);
        }
      }
      ThresholdChoice t = ChooseThreshold(s_other, y_other, opt.threshold_rule);
      rep.crossfit_threshold_mean += t.threshold / opt.folds;
      rep.crossfit_thresholds.push_back(t.threshold);
      all_thresholds.push_back(t.threshold);
      Add(ConfusionAt(s_in, y_in, t.threshold), &rep.crossfit);
      for (size_t k = 0; k < opt.shifted.size(); ++k) {
        std::vector<float> sh_in;
        for (size_t i = 0; i < x.rows; ++i)
          if (fold[i] == f) sh_in.push_back(shift_oof[k][i]);
        Add(ConfusionAt(sh_in, y_in, t.threshold), &shift_conf[k]);
      }
    }
    for (size_t k = 0; k < opt.shifted.size(); ++k) {
      shift_auc[k].push_back(RocAuc(shift_oof[k], y));
      shift_mf1[k].push_back(shift_conf[k].MacroF1());
    }
    for (size_t k = 0; k < opt.prior_shares.size(); ++k)
      share_mf1[k].push_back(MacroF1AtShare(rep.crossfit, opt.prior_shares[k]));
    aucs.push_back(rep.auc);
    mf1.push_back(rep.crossfit.MacroF1());
    prec.push_back(rep.crossfit.Precision());
    rec.push_back(rep.crossfit.Recall());
    f1.push_back(rep.crossfit.F1());
    best_mf1.push_back(rep.best.macro_f1);
    pooled_scores.insert(pooled_scores.end(), rep.oof.begin(), rep.oof.end());
    pooled_labels.insert(pooled_labels.end(), y.begin(), y.end());
    out->repeats.push_back(std::move(rep));
  }
  out->auc = Summarise(aucs);
  out->macro_f1 = Summarise(mf1);
  out->precision = Summarise(prec);
  out->recall = Summarise(rec);
  out->f1 = Summarise(f1);
  out->best_macro_f1 = Summarise(best_mf1);
  out->crossfit_threshold = Summarise(all_thresholds);
  out->pooled = ChooseThreshold(pooled_scores, pooled_labels, opt.threshold_rule);
  for (size_t k = 0; k < opt.shifted.size(); ++k)
    out->shifts.push_back({opt.shifted[k].name, Summarise(shift_auc[k]), Summarise(shift_mf1[k])});
  for (const auto& v : share_mf1) out->macro_f1_at_share.push_back(Summarise(v));
  return Status::Ok();
}

Status TrainWithCv(const Matrix& table, const std::vector<float>& y, const FeatureSpec& spec,
                   const CvOptions& opt, CvResult* cv, GbmModel* model) {
  Matrix x;
  Status s = spec.Build(table, &x);
  if (!s.ok()) return s;
  s = CrossValidate(x, y, opt, cv);
  if (!s.ok()) return s;
  GbmModel m;
  s = m.Train(x, y, opt.params);
  if (!s.ok()) return s;
  m.set_spec(spec);
  m.set_threshold(cv->pooled.threshold);
  *model = std::move(m);
  return Status::Ok();
}

}  // namespace interdict
