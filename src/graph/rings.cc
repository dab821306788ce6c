#include "graph/rings.h"

#include <algorithm>
#include <cmath>

namespace interdict {
namespace {

// Index of the first step whose peeling weight reaches t: the suffix from there
// is the weighted t-core (core value = running max of peeling weights).
size_t CoreStart(const Peeling& p, int64_t t) {
  for (size_t i = 0; i < p.weight.size(); ++i)
    if (p.weight[i] >= t) return i;
  return p.weight.size();
}

}  // namespace

void RingDetector::MaybeRebuild() {
  uint64_t e = peeler_.graph().NumEdges();
  auto next = [&] {
    return std::max<uint64_t>(e + 1024, static_cast<uint64_t>(static_cast<double>(e) * (1.0 + opt_.rebuild_growth)));
  };
  if (peeler_.stats().full_peels != seen_peels_) {  // the peeler rebuilt (bulk load)
    seen_peels_ = peeler_.stats().full_peels;
    rebuild_at_ = next();
    return;
  }
  if (opt_.rebuild_growth > 0 && e >= rebuild_at_) {
    peeler_.Rebuild();
    seen_peels_ = peeler_.stats().full_peels;
    rebuild_at_ = next();
  }
}

double RingDetector::AverageDensity() const {
  uint32_t n = peeler_.graph().NumVertices();
  if (n == 0) return 0;
  return static_cast<double>(peeler_.graph().TotalMass()) / static_cast<double>(kWeightOne) / n;
}

Ring RingDetector::MakeRing(const DenseBlock& b, double avg) const {
  Ring r;
  r.members = b.members;
  r.density = b.density;
  r.ratio = avg > 0 ? b.density / avg : 0;
  r.is_ring = r.ratio >= opt_.min_density_ratio && r.members.size() >= opt_.min_size;
  return r;
}

std::vector<Ring> RingDetector::CurrentRings(size_t k) {
  std::vector<Ring> out;
  last_k_ = k;
  if (k > 0) {
    Peeling seq = peeler_.Sequence();  // first: rebuilds after a bulk load, which sets f(V)
    double avg = AverageDensity();
    double thr = avg * opt_.min_density_ratio;
    int64_t thr_fixed = static_cast<int64_t>(std::ceil(thr * static_cast<double>(kWeightOne)));
    DenseBlock b = DensestSuffix(seq);
    if (!b.members.empty()) {
      out.push_back(MakeRing(b, avg));
      bool dense = b.density >= thr;
      // Candidates for further blocks: the threshold core minus the block.
      absl::flat_hash_map<uint32_t, bool> taken;
      for (uint32_t v : b.members) taken[v] = true;
      std::vector<uint32_t> cand;
      for (size_t i = CoreStart(seq, thr_fixed); i < seq.order.size(); ++i)
        if (!taken.contains(seq.order[i])) cand.push_back(seq.order[i]);
      while (dense && out.size() < k && !cand.empty()) {
        Peeling q = peeler_.graph().PeelSubgraph(cand);
        b = DensestSuffix(q);
        if (b.members.empty()) break;
        out.push_back(MakeRing(b, avg));
        dense = b.density >= thr;
        for (uint32_t v : b.members) taken[v] = true;
        cand.clear();
        for (size_t i = CoreStart(q, thr_fixed); i < q.order.size(); ++i)
          if (!taken.contains(q.order[i])) cand.push_back(q.order[i]);
      }
    }
  }
  last_ = out;
  ring_of_.clear();
  for (size_t i = 0; i < last_.size(); ++i)
    if (last_[i].is_ring)
      for (uint32_t v : last_[i].members) ring_of_.emplace(v, static_cast<int32_t>(i));
  stale_ = false;
  return out;
}

int32_t RingDetector::RingOf(uint32_t v) {
  if (stale_) CurrentRings(last_k_);
  auto it = ring_of_.find(v);
  return it == ring_of_.end() ? -1 : it->second;
}

}  // namespace interdict
