#include "graph/dense_subgraph.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/hash.h"

namespace interdict {
namespace {

constexpr uint32_t kNone = 0xffffffffu;
constexpr size_t kInvLogTable = 4096;

// Greedy peeling over local vertices 0..n-1 with initial weighted degrees `d`
// (consumed). id_of(i) gives the tie-break id; for_nbr(i, f) calls f(j, w) for
// every edge occurrence of i with local neighbour j. An indexed 4-ary min-heap
// with decrease-key keeps it O((V + E) log V) with V heap slots of memory.
template <class IdOf, class ForNbr>
Peeling PeelGeneric(uint32_t n, std::vector<int64_t> d, IdOf id_of, ForNbr for_nbr) {
  Peeling out;
  out.order.reserve(n);
  out.weight.reserve(n);
  std::vector<uint32_t> heap(n), pos(n);
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

void SuspicionGraph::Reserve(uint32_t n) {
  if (n <= adj_.size()) return;
  adj_.resize(n);
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

uint32_t SuspicionGraph::Add(const WeightedEdge& e) {
  uint32_t n = std::max(e.src, e.dst) + 1;
  if (n > adj_.size()) Reserve(n);
  if (e.src == e.dst || !(e.scale > 0) || !std::isfinite(e.scale)) return 0;
  uint32_t& count = pair_count_[(static_cast<uint64_t>(e.src) << 32) | e.dst];
  if (count == 0) ++in_distinct_[e.dst];
  if (count < std::numeric_limits<uint32_t>::max()) ++count;
  if (count > 1 && !opt_.count_repeats) return 0;
  uint32_t w = Weight(e.scale, count, in_distinct_[e.dst]);
  adj_[e.src].push_back({e.dst, w});
  adj_[e.dst].push_back({e.src, w});
  log_.push_back({e.src, e.dst, e.scale, count});
  ++num_edges_;
  total_mass_ += w;
  return w;
}

void SuspicionGraph::Reweight() {
  // Every edge gets the weight it would get if all edges had arrived now:
  // x = the target's current number of distinct sources.
  for (auto& a : adj_) a.clear();
  total_mass_ = 0;
  for (int64_t p : prior_) total_mass_ += p;
  for (const LogEdge& e : log_) {
    uint32_t w = Weight(e.scale, e.m, in_distinct_[e.dst]);
    adj_[e.src].push_back({e.dst, w});
    adj_[e.dst].push_back({e.src, w});
    total_mass_ += w;
  }
}

void SuspicionGraph::SetPrior(uint32_t v, double a) {
  Reserve(v + 1);
  if (prior_.size() < adj_.size()) prior_.resize(adj_.size(), 0);
  int64_t fixed = std::max<int64_t>(0, std::llround(a * static_cast<double>(kWeightOne)));
  total_mass_ += fixed - prior_[v];
  prior_[v] = fixed;
}

int64_t SuspicionGraph::Degree(uint32_t v) const {
  int64_t d = Prior(v);
  for (const Adj& a : adj_[v]) d += a.w;
  return d;
}

size_t SuspicionGraph::MemoryBytes() const {
  size_t b = adj_.capacity() * sizeof(adj_[0]) + in_distinct_.capacity() * 4 + prior_.capacity() * 8;
  for (const auto& a : adj_) b += a.capacity() * sizeof(Adj);
  b += pair_count_.capacity() * (sizeof(std::pair<uint64_t, uint32_t>) + 1);
  b += log_.capacity() * sizeof(LogEdge);
  return b;
}

Peeling SuspicionGraph::PeelFromScratch() const {
  uint32_t n = NumVertices();
  std::vector<int64_t> d(n);
  for (uint32_t v = 0; v < n; ++v) d[v] = Degree(v);
  return PeelGeneric(
      n, std::move(d), [](uint32_t i) { return i; },
      [this](uint32_t v, auto&& f) {
        for (const Adj& a : adj_[v]) f(a.nbr, a.w);
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
  std::vector<int64_t> d(n);
  for (uint32_t i = 0; i < n; ++i) {
    d[i] = Prior(ids[i]);
    for (const Adj& a : adj_[ids[i]]) {
      auto it = local.find(a.nbr);
      if (it == local.end()) continue;
      edges.push_back({it->second, a.w});
      d[i] += a.w;
    }
    start[i + 1] = static_cast<uint32_t>(edges.size());
  }
  return PeelGeneric(
      n, std::move(d), [&ids](uint32_t i) { return ids[i]; },
      [&](uint32_t i, auto&& f) {
        for (uint32_t e = start[i]; e < start[i + 1]; ++e) f(edges[e].nbr, edges[e].w);
      });
}

// ---------------------------------------------------------------------------
// DensePeeler: treap

DensePeeler::DensePeeler(PeelOptions opt) : graph_(opt) {}

void DensePeeler::Pull(uint32_t x) {
  uint32_t l = N(x).left, r = N(x).right;
  uint32_t sz = 1;
  Key mk = NodeKey(x);
  if (l != kNil) {
    sz += N(l).size;
    if (N(l).max_key > mk) mk = N(l).max_key;
  }
  if (r != kNil) {
    sz += N(r).size;
    if (N(r).max_key > mk) mk = N(r).max_key;
  }
  N(x).size = sz;
  N(x).max_key = mk;
}

void DensePeeler::Split(uint32_t t, uint32_t k, uint32_t* a, uint32_t* b) {
  if (t == kNil) {
    *a = *b = kNil;
    return;
  }
  uint32_t ls = N(t).left == kNil ? 0 : N(N(t).left).size;
  if (ls < k) {
    uint32_t l, r;
    Split(N(t).right, k - ls - 1, &l, &r);
    N(t).right = l;
    if (l != kNil) N(l).parent = t;
    Pull(t);
    *a = t;
    *b = r;
  } else {
    uint32_t l, r;
    Split(N(t).left, k, &l, &r);
    N(t).left = r;
    if (r != kNil) N(r).parent = t;
    Pull(t);
    *a = l;
    *b = t;
  }
}

uint32_t DensePeeler::Merge(uint32_t a, uint32_t b) {
  if (a == kNil) return b;
  if (b == kNil) return a;
  if (N(a).prio > N(b).prio) {
    uint32_t m = Merge(N(a).right, b);
    N(a).right = m;
    N(m).parent = a;
    Pull(a);
    return a;
  }
  uint32_t m = Merge(a, N(b).left);
  N(b).left = m;
  N(m).parent = b;
  Pull(b);
  return b;
}

uint32_t DensePeeler::Rank(uint32_t x) const {
  uint32_t r = N(x).left == kNil ? 0 : N(N(x).left).size;
  while (N(x).parent != kNil) {
    uint32_t p = N(x).parent;
    if (N(p).right == x) r += (N(p).left == kNil ? 0 : N(N(p).left).size) + 1;
    x = p;
  }
  return r;
}

void DensePeeler::LinkBefore(uint32_t x, uint32_t k) {
  uint32_t p = k == kNil ? tail_ : prev_[k];
  prev_[x] = p;
  next_[x] = k;
  if (p == kNil) head_ = x; else next_[p] = x;
  if (k == kNil) tail_ = x; else prev_[k] = x;
  uint64_t a = p == kNil ? 0 : H(p).label;
  uint64_t b = k == kNil ? ~uint64_t{0} : H(k).label;
  if (b - a >= 2) {
    H(x).label = a + (b - a) / 2;
  } else {
    Relabel(x);
  }
}

void DensePeeler::Unlink(uint32_t x) {
  uint32_t p = prev_[x], k = next_[x];
  if (p == kNil) head_ = k; else next_[p] = k;
  if (k == kNil) tail_ = p; else prev_[k] = p;
  prev_[x] = next_[x] = kNil;
}

void DensePeeler::Relabel(uint32_t x) {
  // Grow a window around x (doubling) until the labels around it leave a gap
  // of at least 2^32 per node (or it is the whole list), then spread the
  // window's labels evenly.
  uint32_t lo = x, hi = x;
  uint64_t cnt = 1;
  for (uint64_t want = 2;; want *= 2) {
    while (cnt < want && (prev_[lo] != kNil || next_[hi] != kNil)) {
      if (prev_[lo] != kNil) lo = prev_[lo], ++cnt;
      if (cnt < want && next_[hi] != kNil) hi = next_[hi], ++cnt;
    }
    relabeled_ = true;
    uint64_t a = prev_[lo] == kNil ? 0 : H(prev_[lo]).label;
    uint64_t b = next_[hi] == kNil ? ~uint64_t{0} : H(next_[hi]).label;
    uint64_t gap = (b - a) / (cnt + 1);
    if (gap >= (uint64_t{1} << 32) || (prev_[lo] == kNil && next_[hi] == kNil)) {
      uint64_t l = a;
      for (uint32_t y = lo;; y = next_[y]) {
        l += gap;
        H(y).label = l;
        if (y == hi) break;
      }
      return;
    }
  }
}

void DensePeeler::Erase(uint32_t x) {
  uint32_t a, b, m, c;
  Split(root_, Rank(x), &a, &b);
  Split(b, 1, &m, &c);
  if (a != kNil) N(a).parent = kNil;
  if (c != kNil) N(c).parent = kNil;
  root_ = Merge(a, c);
  if (root_ != kNil) N(root_).parent = kNil;
  N(x).left = N(x).right = N(x).parent = kNil;
  Pull(x);
  Unlink(x);
}

void DensePeeler::InsertAt(uint32_t x, uint32_t rank) {
  // The list position: before the node now at `rank` (its first node after
  // the split), or at the end.
  uint32_t a, b;
  Split(root_, rank, &a, &b);
  if (a != kNil) N(a).parent = kNil;
  if (b != kNil) N(b).parent = kNil;
  N(x).left = N(x).right = N(x).parent = kNil;
  Pull(x);
  uint32_t first_b = b;
  if (first_b != kNil)
    while (N(first_b).left != kNil) first_b = N(first_b).left;
  uint32_t ax = Merge(a, x);
  N(ax).parent = kNil;
  root_ = Merge(ax, b);
  N(root_).parent = kNil;
  LinkBefore(x, first_b);
}

uint32_t DensePeeler::FindFirst(uint32_t from, const Key& k) const {
  // Recursive descent with pruning: a subtree is skipped when it lies wholly
  // before `from` or holds no key above k.
  struct Finder {
    const DensePeeler& p;
    uint32_t from;
    const Key& k;
    uint32_t Go(uint32_t t, uint32_t offset) const {
      if (t == kNil) return kNil;
      if (offset + p.N(t).size <= from) return kNil;
      if (!(p.N(t).max_key > k)) return kNil;
      uint32_t l = p.N(t).left;
      uint32_t res = Go(l, offset);
      if (res != kNil) return res;
      uint32_t self = offset + (l == kNil ? 0 : p.N(l).size);
      if (self >= from && p.NodeKey(t) > k) return t;
      return Go(p.N(t).right, self + 1);
    }
  };
  return Finder{*this, from, k}.Go(root_, 0);
}

uint32_t DensePeeler::SubtreeFirst(uint32_t t, const Key& k) const {
  if (t == kNil || !(N(t).max_key > k)) return kNil;
  for (;;) {
    uint32_t l = N(t).left;
    if (l != kNil && N(l).max_key > k) {
      t = l;
    } else if (NodeKey(t) > k) {
      return t;
    } else {
      t = N(t).right;  // must hold the maximum
    }
  }
}

uint32_t DensePeeler::FindFrom(uint32_t x, const Key& k) const {
  if (NodeKey(x) > k) return x;
  uint32_t r = SubtreeFirst(N(x).right, k);
  if (r != kNil) return r;
  while (N(x).parent != kNil) {
    uint32_t p = N(x).parent;
    if (N(p).left == x) {
      if (NodeKey(p) > k) return p;
      r = SubtreeFirst(N(p).right, k);
      if (r != kNil) return r;
    }
    x = p;
  }
  return kNil;
}

uint32_t DensePeeler::FirstWithKeyAbove(const Key& k) const { return FindFirst(0, k); }

void DensePeeler::BuildTreap(const std::vector<uint32_t>& order) {
  // Cartesian tree over the sequence with max-heap priorities, in O(n).
  std::vector<uint32_t> stack;
  for (uint32_t x : order) {
    N(x).left = N(x).right = N(x).parent = kNil;
    uint32_t last = kNil;
    while (!stack.empty() && N(stack.back()).prio < N(x).prio) {
      last = stack.back();
      stack.pop_back();
    }
    N(x).left = last;
    if (last != kNil) N(last).parent = x;
    if (!stack.empty()) {
      N(stack.back()).right = x;
      N(x).parent = stack.back();
    }
    stack.push_back(x);
  }
  root_ = stack.empty() ? kNil : stack.front();
  head_ = tail_ = kNil;
  uint64_t spacing = ~uint64_t{0} / (order.size() + 1);
  for (size_t i = 0; i < order.size(); ++i) {
    uint32_t x = order[i];
    prev_[x] = tail_;
    next_[x] = kNil;
    if (tail_ == kNil) head_ = x; else next_[tail_] = x;
    tail_ = x;
    H(x).label = spacing * (i + 1);
  }
  // Aggregates bottom-up: BFS order reversed.
  std::vector<uint32_t> bfs;
  bfs.reserve(order.size());
  if (root_ != kNil) bfs.push_back(root_);
  for (size_t i = 0; i < bfs.size(); ++i) {
    uint32_t x = bfs[i];
    if (N(x).left != kNil) bfs.push_back(N(x).left);
    if (N(x).right != kNil) bfs.push_back(N(x).right);
  }
  for (size_t i = bfs.size(); i-- > 0;) Pull(bfs[i]);
}

// ---------------------------------------------------------------------------
// DensePeeler: maintenance

void DensePeeler::GrowTo(uint32_t n) {
  uint32_t old = static_cast<uint32_t>(nodes_.size());
  if (n <= old) return;
  graph_.Reserve(n);
  nodes_.resize(n);
  hot_.resize(n);
  prev_.resize(n, kNil);
  next_.resize(n, kNil);
  for (uint32_t x = old; x < n; ++x) {
    N(x).prio = static_cast<uint32_t>(HashU64(x));
    N(x).pw = graph_.Prior(x);
    N(x).max_key = NodeKey(x);
  }
  if (!valid_) return;  // the next full peel places them
  // An isolated vertex is removed at the first step where it is the minimum:
  // just before the first vertex whose key exceeds its own. The rest of the
  // sequence is unaffected because it has no edges.
  for (uint32_t x = old; x < n; ++x) {
    uint32_t k = FirstWithKeyAbove(NodeKey(x));
    InsertAt(x, k == kNil ? (root_ == kNil ? 0 : N(root_).size) : Rank(k));
  }
}

void DensePeeler::RebuildFromScratch() {
  Peeling p = graph_.PeelFromScratch();
  uint32_t n = graph_.NumVertices();
  valid_ = false;  // GrowTo only sizes the arrays; BuildTreap places everyone
  GrowTo(n);
  valid_ = true;
  for (uint32_t i = 0; i < n; ++i) N(p.order[i]).pw = p.weight[i];
  BuildTreap(p.order);
  ++stats_.full_peels;
}

void DensePeeler::EnsureSequence() {
  if (!valid_) Rebuild();
}

void DensePeeler::Rebuild() {
  graph_.Reweight();
  RebuildFromScratch();
}

void DensePeeler::AddEdgesBulk(std::span<const WeightedEdge> batch) {
  for (const WeightedEdge& e : batch) graph_.Add(e);
  valid_ = false;
}

void DensePeeler::Mark(uint32_t x) {
  if (H(x).mark_epoch != epoch_) {
    H(x).mark_epoch = epoch_;
    H(x).mark = 0;
  }
  if (H(x).mark++ == 0) PushStop(x);
}

void DensePeeler::Unmark(uint32_t x) {
  if (H(x).mark_epoch == epoch_ && H(x).mark > 0) --H(x).mark;
}

void DensePeeler::PushStop(uint32_t x) {
  stops_.emplace_back(H(x).label, x);
  std::push_heap(stops_.begin(), stops_.end(), std::greater<>());
}

uint32_t DensePeeler::NextStop(uint32_t ptr) {
  if (relabeled_) RefreshStops();
  while (!stops_.empty()) {
    auto [lab, x] = stops_.front();
    bool valid = lab == H(x).label && AtOrAfter(x, ptr) && (H(x).pending_epoch == epoch_ || Marked(x));
    if (valid) return x;
    std::pop_heap(stops_.begin(), stops_.end(), std::greater<>());
    stops_.pop_back();
  }
  return kNil;
}

void DensePeeler::RefreshStops() {
  // Relabelling keeps the order but changes values: re-read every entry's
  // label. Moved vertices (placed heap vertices) sit behind the walk now and
  // are dropped by NextStop.
  for (auto& e : stops_) e.first = H(e.second).label;
  std::make_heap(stops_.begin(), stops_.end(), std::greater<>());
  relabeled_ = false;
}

void DensePeeler::Push(uint32_t y, uint32_t ptr) {
  if (InHeap(y)) return;
  H(y).heap_epoch = epoch_;
  const auto& nbrs = graph_.Neighbors(y);
  stats_.touched += nbrs.size();
  int64_t d = graph_.Prior(y);
  for (const SuspicionGraph::Adj& a : nbrs)
    if (InHeap(a.nbr) || AtOrAfter(a.nbr, ptr)) d += a.w;
  H(y).dcur = d;
  // While y waits in the heap the walk never passes a vertex whose key is
  // above y's (y's key only goes down), so only the neighbours before the
  // first such vertex can be reached in that time: only they are marked.
  uint32_t bound = ptr == kNil ? kNil : FindFrom(ptr, Key{d, y});
  H(y).bound = bound;
  for (const SuspicionGraph::Adj& a : nbrs)
    if (!InHeap(a.nbr) && AtOrAfter(a.nbr, ptr) && (bound == kNil || H(a.nbr).label < H(bound).label))
      Mark(a.nbr);  // its key at removal now includes this edge until y goes
  ++stats_.scanned;
  heap_.push_back(Key{d, y});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<Key>());
}

void DensePeeler::AddEdges(std::span<const WeightedEdge> batch) {
  if (!valid_) {
    AddEdgesBulk(batch);
    Rebuild();
    return;
  }
  ++stats_.batches;
  uint32_t n = static_cast<uint32_t>(nodes_.size());
  for (const WeightedEdge& e : batch) n = std::max(n, std::max(e.src, e.dst) + 1);
  GrowTo(n);
  std::vector<uint32_t> affected;
  affected.reserve(batch.size());
  for (const WeightedEdge& e : batch) {
    if (graph_.Add(e) == 0) continue;
    // Only the endpoint removed first sees its peeling weight change (the
    // other one is removed after it, when the edge is already gone).
    affected.push_back(H(e.src).label < H(e.dst).label ? e.src : e.dst);
  }
  Reinsert(affected);
}

void DensePeeler::RaisePrior(uint32_t v, double a) {
  EnsureSequence();
  GrowTo(v + 1);
  if (std::llround(a * static_cast<double>(kWeightOne)) <= graph_.Prior(v)) return;
  graph_.SetPrior(v, a);
  std::vector<uint32_t> affected{v};
  Reinsert(affected);
}

// The re-peel of the affected window (edge insertions and prior raises: every
// change is an increase). Walks the old sequence with a pointer `ptr`; the
// vertices before ptr are placed. Each affected vertex is a "stop": when the
// walk reaches it, it joins a heap keyed by its exact current weighted degree
// into the unplaced set. A vertex neighbouring a heap vertex is "marked" and
// is a stop too (its own key at removal changed). All other vertices keep
// their old keys, and the next removal is the smaller of the heap top and the
// next old vertex, so runs of unmarked old vertices below the heap top are
// skipped in O(log n) by a finger search on the treap's subtree max keys. The
// window ends when the heap is empty and no stop remains. docs/rings.md has
// the proof that the result is the greedy peeling of the new graph.
void DensePeeler::Reinsert(std::vector<uint32_t>& affected) {
  if (affected.empty()) return;
  if (++epoch_ == 0) {  // wrapped: clear the stamps once
    for (Hot& h : hot_) h.heap_epoch = h.pending_epoch = h.mark_epoch = 0;
    epoch_ = 1;
  }
  heap_.clear();
  stops_.clear();
  relabeled_ = false;
  uint32_t ptr = affected[0];
  for (uint32_t a : affected) {
    if (H(a).label < H(ptr).label) ptr = a;
    if (H(a).pending_epoch != epoch_) {
      H(a).pending_epoch = epoch_;
      PushStop(a);
    }
  }

  auto cmp = std::greater<Key>();
  auto end_rank = [&] { return root_ == kNil ? 0 : N(root_).size; };
  for (;;) {
    while (!heap_.empty() && (!InHeap(heap_.front().id) || H(heap_.front().id).dcur != heap_.front().w)) {
      std::pop_heap(heap_.begin(), heap_.end(), cmp);
      heap_.pop_back();
    }
    uint32_t stop = NextStop(ptr);
    if (heap_.empty() && stop == kNil) break;
    // The next place the walk must look at: a stop, or an old vertex whose
    // key exceeds the heap top (the top must be removed before it).
    uint32_t k = stop;
    if (!heap_.empty()) {
      uint32_t above = ptr == kNil ? kNil : FindFrom(ptr, heap_.front());
      if (above != kNil && (stop == kNil || H(above).label < H(stop).label)) k = above;
    }
    if (!heap_.empty() && (k == kNil || NodeKey(k) > heap_.front())) {
      // The heap top is the global minimum: place it just before k. Every old
      // vertex between ptr and k was the minimum at its step and stays put.
      const Key top = heap_.front();
      uint32_t z = top.id;
      uint32_t bound = H(z).bound;
      std::pop_heap(heap_.begin(), heap_.end(), cmp);
      heap_.pop_back();
      H(z).heap_epoch = 0;
      Erase(z);
      N(z).pw = top.w;
      InsertAt(z, k == kNil ? end_rank() : Rank(k));
      ++stats_.moved;
      ptr = k;
      const auto& nbrs = graph_.Neighbors(z);
      stats_.touched += nbrs.size();
      for (const SuspicionGraph::Adj& a : nbrs) {
        if (InHeap(a.nbr)) {
          H(a.nbr).dcur -= a.w;
          heap_.push_back(Key{H(a.nbr).dcur, a.nbr});
          std::push_heap(heap_.begin(), heap_.end(), cmp);
        } else if (AtOrAfter(a.nbr, k) && (bound == kNil || H(a.nbr).label < H(bound).label)) {
          Unmark(a.nbr);  // exactly the ones Push marked (see there)
        }
      }
      continue;
    }
    // k is a stop below the heap top: an affected vertex, or one whose key
    // includes an edge to a heap vertex behind it. It joins the heap with its
    // exact key (if that equals its old one it is placed right back).
    H(k).pending_epoch = 0;
    ptr = next_[k];
    Push(k, ptr);
  }
}

Peeling DensePeeler::Sequence() {
  EnsureSequence();
  Peeling p;
  uint32_t n = root_ == kNil ? 0 : N(root_).size;
  p.order.reserve(n);
  p.weight.reserve(n);
  for (uint32_t x = head_; x != kNil; x = next_[x]) {
    p.order.push_back(x);
    p.weight.push_back(N(x).pw);
  }
  return p;
}

size_t DensePeeler::MemoryBytes() const {
  size_t per = nodes_.capacity() * sizeof(Node) + hot_.capacity() * sizeof(Hot) + prev_.capacity() * 8;
  return graph_.MemoryBytes() + per + heap_.capacity() * sizeof(Key);
}

}  // namespace interdict
