#include "graph/dense_subgraph.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <absl/container/flat_hash_map.h>


namespace interdict {
namespace {

constexpr uint32_t kNone = 0xffffffffu;
constexpr size_t kInvLogTable = 4096;

// Greedy peeling over local vertices 0..n-1 with initial weighted degrees `d`
// (consumed). id_of(i) gives the tie-break id; for_nbr(i, f) calls f(j, w) for
// every edge occurrence of i with local neighbour j. An indexed 4-ary min-heap
// with decrease-key keeps it O((V + E) log V) with V heap slots of memory (on
// huge pages, like the incremental structures: the from-scratch baseline gets
// the same memory treatment).
template <class IdOf, class ForNbr>
Peeling PeelGeneric(uint32_t n, HugeVector<int64_t> d, IdOf id_of, ForNbr for_nbr) {
  Peeling out;
  out.order.reserve(n);
  out.weight.reserve(n);
  HugeVector<uint32_t> heap(n), pos(n);
  for (uint32_t i = 0; i < n; ++i) heap[i] = pos[i] = i;
  auto less = [&](uint32_t a, uint32_t b) {
    return d[a] != d[b] ? d[a] < d[b] : id_of(a) < id_of(b);
  };
  auto place = [&](size_t slot, uint32_t v) {
    heap[slot] = v;
    pos[v] = static_cast<uint32_t>(slot);
  };
  auto sift_up = [&](size_t slot) {
    uint32_t v = heap[slot];
    while (slot > 0) {
      size_t par = (slot - 1) / 4;
      if (!less(v, heap[par])) break;
      place(slot, heap[par]);
      slot = par;
    }
    place(slot, v);
  };
  size_t hn = n;
  auto sift_down = [&](size_t slot) {
    uint32_t v = heap[slot];
    for (;;) {
      size_t first = slot * 4 + 1;
      if (first >= hn) break;
      size_t best = first;
      size_t last = std::min(first + 4, hn);
      for (size_t c = first + 1; c < last; ++c)
        if (less(heap[c], heap[best])) best = c;
      if (!less(heap[best], v)) break;
      place(slot, heap[best]);
      slot = best;
    }
    place(slot, v);
  };
  if (n > 1)
    for (size_t s = (n - 2) / 4 + 1; s-- > 0;) sift_down(s);
  while (hn > 0) {
    uint32_t v = heap[0];
    out.order.push_back(id_of(v));
    out.weight.push_back(d[v]);
    pos[v] = kNone;
    --hn;
    if (hn > 0) {
      heap[0] = heap[hn];
      pos[heap[0]] = 0;
      sift_down(0);
    }
    for_nbr(v, [&](uint32_t j, uint32_t w) {
      if (pos[j] == kNone) return;
      d[j] -= w;
      sift_up(pos[j]);
    });
  }
  return out;
}

}  // namespace

DenseBlock DensestSuffix(const Peeling& p) {
  DenseBlock b;
  size_t n = p.order.size();
  if (n == 0) return b;
  __int128_t sum = 0, best_sum = -1;
  size_t best_k = n - 1, best_cnt = 1;
  for (size_t k = n; k-- > 0;) {
    sum += p.weight[k];
    size_t cnt = n - k;
    // sum/cnt > best_sum/best_cnt, exactly; strict so ties keep the smaller set.
    if (best_sum < 0 || sum * static_cast<__int128_t>(best_cnt) > best_sum * static_cast<__int128_t>(cnt)) {
      best_sum = sum;
      best_k = k;
      best_cnt = cnt;
    }
  }
  b.members.assign(p.order.begin() + static_cast<std::ptrdiff_t>(best_k), p.order.end());
  b.mass = static_cast<int64_t>(best_sum);
  b.density = static_cast<double>(b.mass) / static_cast<double>(kWeightOne) / static_cast<double>(best_cnt);
  return b;
}

// ---------------------------------------------------------------------------
// SuspicionGraph

namespace {
// Room given to a list of `len` entries when the pool is (re)built: most
// vertices then take a few incremental edges without moving their list.
uint32_t WithSlack(uint32_t len) { return len + len / 16 + 2; }
}  // namespace

void SuspicionGraph::Reserve(uint32_t n) {
  if (n <= lists_.size()) return;
  lists_.resize(n);
  in_distinct_.resize(n, 0);
}

double SuspicionGraph::InvLog(uint32_t x) {
  if (inv_log_.empty()) {
    inv_log_.resize(kInvLogTable);
    for (size_t d = 0; d < kInvLogTable; ++d) inv_log_[d] = 1.0 / std::log(static_cast<double>(d) + opt_.c);
  }
  return x < kInvLogTable ? inv_log_[x] : 1.0 / std::log(static_cast<double>(x) + opt_.c);
}

uint32_t SuspicionGraph::Weight(float scale, uint32_t m, uint32_t x) {
  double wd = static_cast<double>(scale) * InvLog(x) * static_cast<double>(kWeightOne);
  if (opt_.count_repeats) wd /= static_cast<double>(m);
  return static_cast<uint32_t>(std::clamp(std::llround(wd), 1LL, 0xffffffffLL));
}

bool SuspicionGraph::Accept(const WeightedEdge& e) {
  if (e.src >= kMaxVertices || e.dst >= kMaxVertices) return false;
  Reserve(std::max(e.src, e.dst) + 1);
  return e.src != e.dst && e.scale > 0 && std::isfinite(e.scale);
}

uint32_t SuspicionGraph::PairCount(uint32_t u, uint32_t v) const {
  // u's list holds the pair as (v, out), v's as (u, in): scan the shorter.
  uint32_t target = lists_[u].len <= lists_[v].len ? (v | Adj::kOut) : u;
  uint32_t cnt = 0;
  for (const Adj& a : Neighbors(lists_[u].len <= lists_[v].len ? u : v)) cnt += a.raw == target;
  return cnt;
}

void SuspicionGraph::Append(uint32_t v, Adj a) {
  if (lists_[v].len == lists_[v].cap) {
    uint32_t ncap = std::max<uint32_t>(4, lists_[v].cap * 2);
    // Out of reserved pool: compact instead of letting the vector reallocate
    // (compaction gives every list fresh slack, so v has room afterwards).
    if (pool_.size() + ncap > pool_.capacity()) Compact(ncap);
    if (lists_[v].len == lists_[v].cap) {
      uint64_t noff = pool_.size();
      pool_.resize(noff + ncap);
      std::copy_n(pool_.data() + lists_[v].off, lists_[v].len, pool_.data() + noff);
      live_ += ncap - lists_[v].cap;
      lists_[v].off = noff;
      lists_[v].cap = ncap;
    }
  }
  pool_[lists_[v].off + lists_[v].len++] = a;
}

void SuspicionGraph::Compact(uint64_t extra) {
  uint64_t total = 0;
  for (const List& l : lists_) total += WithSlack(l.len);
  HugeVector<Adj> np;
  np.reserve(total + total / 2 + extra + (uint64_t{1} << 20));
  ++compactions_;
  np.resize(total);
  uint64_t o = 0;
  for (uint32_t v = 0; v < NumVertices(); ++v) {
    std::copy_n(pool_.data() + lists_[v].off, lists_[v].len, np.data() + o);
    lists_[v].off = o;
    lists_[v].cap = WithSlack(lists_[v].len);
    o += lists_[v].cap;
  }
  pool_.swap(np);
  live_ = total;
}

uint32_t SuspicionGraph::Add(const WeightedEdge& e) {
  if (stale_) Reweight();
  if (!Accept(e)) return 0;
  uint32_t m = PairCount(e.src, e.dst) + 1;
  if (m == 1) {
    ++in_distinct_[e.dst];
  } else if (!opt_.count_repeats) {
    return 0;
  }
  uint32_t w = Weight(e.scale, m, in_distinct_[e.dst]);
  Append(e.src, {e.dst | Adj::kOut, w});
  Append(e.dst, {e.src, w});
  log_.push_back({e.src, e.dst, e.scale});
  ++num_edges_;
  total_mass_ += w;
  return w;
}

bool SuspicionGraph::AddBulk(const WeightedEdge& e) {
  if (!Accept(e)) return false;
  log_.push_back({e.src, e.dst, e.scale});
  ++num_edges_;
  stale_ = true;
  return true;
}

void SuspicionGraph::Reweight() {
  // Every edge gets the weight it would get if all edges had arrived now:
  // x = the target's current number of distinct sources; m = the occurrence's
  // rank among its pair's occurrences in arrival order.
  const uint32_t n = NumVertices();
  HugeVector<uint32_t> outn(n, 0);
  for (List& l : lists_) l.len = 0;
  for (const LogEdge& e : log_) {
    ++outn[e.src];
    ++lists_[e.dst].len;
  }
  uint64_t total = 0;
  for (uint32_t v = 0; v < n; ++v) {
    lists_[v].off = total;
    lists_[v].cap = WithSlack(outn[v] + lists_[v].len);
    total += lists_[v].cap;
  }
  pool_ = HugeVector<Adj>();
  // Room for growth without compaction: half the pool again (address space
  // only until used, so it costs no memory before edges arrive).
  pool_.reserve(total + total / 2 + (uint64_t{1} << 20));
  pool_.resize(total);
  live_ = total;
  // Out entries of each source in arrival order; w holds the log index for now.
  for (List& l : lists_) l.len = 0;
  for (size_t i = 0; i < log_.size(); ++i) {
    List& l = lists_[log_[i].src];
    pool_[l.off + l.len++] = {log_[i].dst | Adj::kOut, static_cast<uint32_t>(i)};
  }
  // Distinct sources per target, then weights (a stamp per target says which
  // source's run last touched it: no hashing).
  HugeVector<uint32_t> stamp(n, kNone), cnt(n, 0);
  std::fill(in_distinct_.begin(), in_distinct_.end(), 0);
  for (uint32_t u = 0; u < n; ++u)
    for (const Adj& a : Neighbors(u))
      if (stamp[a.nbr()] != u) stamp[a.nbr()] = u, ++in_distinct_[a.nbr()];
  std::fill(stamp.begin(), stamp.end(), kNone);
  std::vector<uint8_t> dropped;
  if (!opt_.count_repeats) dropped.assign(log_.size(), 0);
  num_edges_ = 0;
  total_mass_ = 0;
  for (int64_t p : prior_) total_mass_ += p;
  for (uint32_t u = 0; u < n; ++u) {
    uint32_t keep = 0;
    for (uint32_t j = 0; j < lists_[u].len; ++j) {
      Adj a = pool_[lists_[u].off + j];
      uint32_t v = a.nbr();
      if (stamp[v] != u) stamp[v] = u, cnt[v] = 0;
      uint32_t m = ++cnt[v];
      if (m > 1 && !opt_.count_repeats) {
        dropped[a.w] = 1;
        continue;
      }
      uint32_t w = Weight(log_[a.w].scale, m, in_distinct_[v]);
      pool_[lists_[u].off + keep++] = {a.raw, w};
      total_mass_ += w;
      ++num_edges_;
    }
    lists_[u].len = outn[u] = keep;
  }
  // In entries after each target's out entries.
  for (uint32_t u = 0; u < n; ++u)
    for (uint32_t j = 0; j < outn[u]; ++j) {
      Adj a = pool_[lists_[u].off + j];
      uint32_t v = a.nbr();
      pool_[lists_[v].off + lists_[v].len++] = {u, a.w};
    }
  if (!dropped.empty()) {
    size_t o = 0;
    for (size_t i = 0; i < log_.size(); ++i)
      if (!dropped[i]) log_[o++] = log_[i];
    log_.resize(o);
  }
  stale_ = false;
}

void SuspicionGraph::SetPrior(uint32_t v, double a) {
  Reserve(v + 1);
  if (prior_.size() < lists_.size()) prior_.resize(lists_.size(), 0);
  int64_t fixed = std::max<int64_t>(0, std::llround(a * static_cast<double>(kWeightOne)));
  total_mass_ += fixed - prior_[v];
  prior_[v] = fixed;
}

int64_t SuspicionGraph::Degree(uint32_t v) const {
  int64_t d = Prior(v);
  for (const Adj& a : Neighbors(v)) d += a.w;
  return d;
}

size_t SuspicionGraph::MemoryBytes() const {
  return pool_.capacity() * sizeof(Adj) + lists_.capacity() * sizeof(List) +
         in_distinct_.capacity() * 4 + prior_.capacity() * 8 + log_.capacity() * sizeof(LogEdge) +
         inv_log_.capacity() * 8;
}

Peeling SuspicionGraph::PeelFromScratch() const {
  uint32_t n = NumVertices();
  HugeVector<int64_t> d(n);
  for (uint32_t v = 0; v < n; ++v) d[v] = Degree(v);
  return PeelGeneric(
      n, std::move(d), [](uint32_t i) { return i; },
      [this](uint32_t v, auto&& f) {
        for (const Adj& a : Neighbors(v)) f(a.nbr(), a.w);
      });
}

Peeling SuspicionGraph::PeelSubgraph(std::span<const uint32_t> vertices) const {
  absl::flat_hash_map<uint32_t, uint32_t> local;
  local.reserve(vertices.size());
  std::vector<uint32_t> ids;
  ids.reserve(vertices.size());
  for (uint32_t v : vertices)
    if (v < NumVertices() && local.emplace(v, static_cast<uint32_t>(ids.size())).second) ids.push_back(v);
  uint32_t n = static_cast<uint32_t>(ids.size());
  // Local adjacency (CSR) restricted to the subgraph.
  std::vector<uint32_t> start(n + 1, 0);
  std::vector<Adj> edges;
  HugeVector<int64_t> d(n);
  for (uint32_t i = 0; i < n; ++i) {
    d[i] = Prior(ids[i]);
    for (const Adj& a : Neighbors(ids[i])) {
      auto it = local.find(a.nbr());
      if (it == local.end()) continue;
      edges.push_back({it->second, a.w});
      d[i] += a.w;
    }
    start[i + 1] = static_cast<uint32_t>(edges.size());
  }
  return PeelGeneric(
      n, std::move(d), [&ids](uint32_t i) { return ids[i]; },
      [&](uint32_t i, auto&& f) {
        for (uint32_t e = start[i]; e < start[i + 1]; ++e) f(edges[e].raw, edges[e].w);
      });
}

// ---------------------------------------------------------------------------
// DensePeeler

DensePeeler::DensePeeler(PeelOptions opt) : graph_(opt) {}

void DensePeeler::GrowTo(uint32_t n) {
  uint32_t old = static_cast<uint32_t>(cold_.size());
  if (n <= old) return;
  graph_.Reserve(n);
  seq_.Grow(n);
  cold_.resize(n);
  if (!valid_) return;  // the next full peel places them
  // An isolated vertex is removed at the first step where it is the minimum:
  // just before the first vertex whose key exceeds its own. The rest of the
  // sequence is unaffected because it has no edges.
  for (uint32_t x = old; x < n; ++x) {
    Key key{graph_.Prior(x), x};
    seq_.InsertBefore(x, key.w, seq_.FindFirst(key));
  }
}

void DensePeeler::EnsureSequence() {
  if (!valid_) Rebuild();
}

void DensePeeler::Rebuild() {
  graph_.Reweight();
  Peeling p = graph_.PeelFromScratch();
  valid_ = false;  // GrowTo only sizes the arrays; Assign places everyone
  GrowTo(graph_.NumVertices());
  valid_ = true;
  seq_.Assign(p.order, p.weight);
  ++stats_.full_peels;
}

void DensePeeler::AddEdgesBulk(std::span<const WeightedEdge> batch) {
  for (const WeightedEdge& e : batch) graph_.AddBulk(e);
  valid_ = false;
}

void DensePeeler::AddEdges(std::span<const WeightedEdge> batch) {
  if (!valid_) {
    AddEdgesBulk(batch);
    Rebuild();
    return;
  }
  ++stats_.batches;
  uint32_t n = static_cast<uint32_t>(cold_.size());
  for (const WeightedEdge& e : batch)
    if (e.src < SuspicionGraph::kMaxVertices && e.dst < SuspicionGraph::kMaxVertices)
      n = std::max(n, std::max(e.src, e.dst) + 1);
  GrowTo(n);
  std::vector<uint32_t> affected;
  affected.reserve(batch.size());
  for (const WeightedEdge& e : batch) {
    if (graph_.Add(e) == 0) continue;
    // Only the endpoint removed first sees its peeling weight change (the
    // other one is removed after it, when the edge is already gone).
    affected.push_back(seq_.Label(e.src) < seq_.Label(e.dst) ? e.src : e.dst);
  }
  Reinsert(affected);
}

void DensePeeler::RaisePrior(uint32_t v, double a) {
  if (v >= SuspicionGraph::kMaxVertices) return;
  EnsureSequence();
  GrowTo(v + 1);
  if (std::llround(a * static_cast<double>(kWeightOne)) <= graph_.Prior(v)) return;
  graph_.SetPrior(v, a);
  Reinsert(std::span<const uint32_t>(&v, 1));
}

DensePeeler::Cold& DensePeeler::Touch(uint32_t x) {
  Cold& c = cold_[x];
  if (c.epoch != epoch_) {
    c.epoch = epoch_;
    c.flags = 0;
  }
  return c;
}

void DensePeeler::PushStop(uint32_t x, uint32_t src) {
  stops_.push_back({seq_.Label(x), x, src});
  std::push_heap(stops_.begin(), stops_.end(), std::greater<>());
}

uint32_t DensePeeler::NextStop(uint32_t ptr) {
  if (stops_relabels_ != seq_.relabels()) {
    for (Stop& e : stops_) e.label = seq_.Label(e.x);
    std::make_heap(stops_.begin(), stops_.end(), std::greater<>());
    stops_relabels_ = seq_.relabels();
  }
  const uint64_t from = ptr == kNil ? ~uint64_t{0} : seq_.Label(ptr);  // labels are < ~0
  while (!stops_.empty()) {
    const Stop& e = stops_.front();
    bool valid = e.label >= from &&
                 (e.src == kNil ? cold_[e.x].epoch == epoch_ && (cold_[e.x].flags & kPending) != 0 : InHeap(e.src));
    if (valid) {
      // The walk will probably visit it next: start fetching what Push reads
      // while the heap-top search runs.
      PrefetchLine(&cold_[e.x]);
      graph_.PrefetchList(e.x);
      return e.x;
    }
    std::pop_heap(stops_.begin(), stops_.end(), std::greater<>());
    stops_.pop_back();
  }
  return kNil;
}

void DensePeeler::Visit(uint32_t x, uint32_t ptr) {
  // Every entry for x is at the front (one label per vertex). A heap vertex
  // waiting for x is adjacent to it and behind the walk: x's key now includes
  // their edge. Such a vertex then waits for its next candidate.
  const uint64_t lx = stops_.front().label;
  bool pending = false;
  visit_.clear();
  while (!stops_.empty() && stops_.front().label == lx) {
    const Stop e = stops_.front();
    std::pop_heap(stops_.begin(), stops_.end(), std::greater<>());
    stops_.pop_back();
    if (e.src == kNil) {
      Cold& c = cold_[x];
      if (c.epoch == epoch_ && (c.flags & kPending) != 0) {
        pending = true;
        c.flags &= ~kPending;
      }
      continue;
    }
    if (!InHeap(e.src)) continue;
    Cold& cs = cold_[e.src];
    for (; cs.cursor < cs.cand_end && arena_[cs.cursor].x == x; ++cs.cursor)
      visit_.push_back({e.src, arena_[cs.cursor].w, 0});  // one per edge occurrence
    if (cs.cursor < cs.cand_end) PushStop(arena_[cs.cursor].x, e.src);
  }
  if (pending || !visit_.empty()) Push(x, ptr);
}

void DensePeeler::Push(uint32_t y, uint32_t ptr) {
  std::span<const SuspicionGraph::Adj> nbrs = graph_.Neighbors(y);
  stats_.touched += nbrs.size();
  ++stats_.scanned;
  // Unplaced neighbours: the heap vertices waiting for y (visit_), and the old
  // vertices at or after ptr (one label read each; branch-free so that the
  // reads overlap), which become y's candidates in sequence order.
  const uint64_t from = ptr == kNil ? ~uint64_t{0} : seq_.Label(ptr);
  int64_t d = graph_.Prior(y);
  const uint32_t mark_begin = static_cast<uint32_t>(arena_.size());
  for (const Entry& m : visit_) {
    d += m.w;
    arena_.push_back(m);
  }
  const uint32_t cand_begin = static_cast<uint32_t>(arena_.size());
  arena_.resize(cand_begin + nbrs.size());
  Entry* cand = arena_.data() + cand_begin;
  uint32_t n = 0;
  // Ahead or behind is decided by the 2-byte coarse label for almost every
  // neighbour (a mostly cached array; the full labels are 40 MB at 5M
  // vertices); equal coarse values compare full labels. Branch-free so that
  // the reads overlap. Then the full labels of the candidates only.
  const uint16_t cfrom = PeelOrder::CoarseOf(from);
  for (const SuspicionGraph::Adj& a : nbrs) {
    uint32_t x = a.nbr();
    uint16_t cx = seq_.Coarse(x);
    bool ahead = cx > cfrom || (cx == cfrom && seq_.Label(x) >= from);
    cand[n] = {x, a.w, 0};
    n += ahead;
    d += ahead ? a.w : 0;
  }
  for (uint32_t i = 0; i < n; ++i) cand[i].label = seq_.Label(cand[i].x);
  arena_.resize(cand_begin + n);
  cand = arena_.data() + cand_begin;
  auto by_label = [](const Entry& a, const Entry& b) { return a.label < b.label; };
  if (n <= 16) {
    for (uint32_t i = 1; i < n; ++i)  // insertion sort: most lists are short
      for (uint32_t j = i; j > 0 && by_label(cand[j], cand[j - 1]); --j) std::swap(cand[j], cand[j - 1]);
  } else {
    std::sort(cand, cand + n, by_label);
  }
  Cold& c = Touch(y);
  c.flags |= kInHeap;
  c.dcur = d;
  c.mark_begin = mark_begin;
  c.cand_begin = c.cursor = cand_begin;
  c.cand_end = cand_begin + n;
  if (n > 0) PushStop(cand[0].x, y);
  heap_.push_back(Key{d, y});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<Key>());
}

void DensePeeler::Place(uint32_t z, int64_t w, uint32_t k) {
  Cold& cz = cold_[z];
  cz.flags &= ~kInHeap;
  seq_.Move(z, w, k);
  above_valid_ = false;
  ++stats_.moved;
  // The heap vertices among its neighbours lose their edge to z from their
  // degree into the unplaced set: those waiting for z when it joined, and
  // its candidates reached since (the others never counted it).
  stats_.touched += cz.cursor - cz.mark_begin;
  for (uint32_t i = cz.mark_begin; i < cz.cursor; ++i) {
    uint32_t x = arena_[i].x;
    if (!InHeap(x)) continue;
    cold_[x].dcur -= arena_[i].w;
    heap_.push_back(Key{cold_[x].dcur, x});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<Key>());
  }
}

// The re-peel of the affected window (edge insertions and prior raises: every
// change is an increase). Walks the old sequence with a pointer `ptr`; the
// vertices before ptr are placed. The walk stops at "stops": affected
// vertices, and the next candidate of every heap vertex. At a stop whose key
// changed, the vertex joins a heap keyed by its exact current weighted degree
// into the unplaced set. All other vertices keep their old keys, and the next
// removal is the smaller of the heap top and the next old vertex, so runs of
// old vertices below the heap top are skipped in O(log distance) by a finger
// search on the order's maximum keys. The window ends when the heap is empty
// and no stop remains. docs/rings.md has the proof that the result is the
// greedy peeling of the new graph.
void DensePeeler::Reinsert(std::span<const uint32_t> affected) {
  if (affected.empty()) return;
  if (++epoch_ == 0) {  // wrapped: clear the stamps once
    for (Cold& c : cold_) c.epoch = 0;
    epoch_ = 1;
  }
  heap_.clear();
  stops_.clear();
  stops_relabels_ = seq_.relabels();
  arena_.clear();
  above_valid_ = false;
  uint32_t ptr = affected[0];
  for (uint32_t a : affected) {
    if (seq_.Label(a) < seq_.Label(ptr)) ptr = a;
    Cold& c = Touch(a);
    if ((c.flags & kPending) == 0) {
      c.flags |= kPending;
      PushStop(a, kNil);
    }
  }
  auto cmp = std::greater<Key>();
  for (;;) {
    while (!heap_.empty() && (!InHeap(heap_.front().id) || cold_[heap_.front().id].dcur != heap_.front().w)) {
      std::pop_heap(heap_.begin(), heap_.end(), cmp);
      heap_.pop_back();
    }
    uint32_t stop = NextStop(ptr);
    if (heap_.empty() && stop == kNil) break;
    // The next place the walk must look at: a stop, or an old vertex whose
    // key exceeds the heap top (the top must be removed before it). Between
    // placements the sequence does not change and ptr stays before the
    // vertex found, so the search is reused while the top is the same.
    uint32_t k = stop;
    if (!heap_.empty()) {
      if (!above_valid_ || !(above_key_ == heap_.front())) {
        ++stats_.searches;
        above_ = seq_.FindFrom(ptr, heap_.front());
        above_key_ = heap_.front();
        above_valid_ = true;
      }
      if (above_ != kNil && (stop == kNil || seq_.Label(above_) < seq_.Label(stop))) k = above_;
    }
    if (!heap_.empty() && (k == kNil || seq_.KeyOf(k) > heap_.front())) {
      // The heap top is the global minimum: place it just before k. Every old
      // vertex between ptr and k was the minimum at its step and stays put.
      const Key top = heap_.front();
      std::pop_heap(heap_.begin(), heap_.end(), cmp);
      heap_.pop_back();
      Place(top.id, top.w, k);
      ptr = k;
      continue;
    }
    // k is a stop below the heap top: an affected vertex, or the candidate of
    // heap vertices behind it. If its key changed it joins the heap (if that
    // key equals its old one it is placed right back).
    ptr = seq_.Next(k);
    Visit(k, ptr);
  }
}

Peeling DensePeeler::Sequence() {
  EnsureSequence();
  Peeling p;
  p.order.reserve(seq_.size());
  p.weight.reserve(seq_.size());
  seq_.ForEach([&p](uint32_t x, int64_t w) {
    p.order.push_back(x);
    p.weight.push_back(w);
  });
  return p;
}

size_t DensePeeler::MemoryBytes() const {
  return graph_.MemoryBytes() + seq_.MemoryBytes() + cold_.capacity() * sizeof(Cold) +
         heap_.capacity() * sizeof(Key) + stops_.capacity() * sizeof(Stop) +
         (arena_.capacity() + visit_.capacity()) * sizeof(Entry);
}

}  // namespace interdict
