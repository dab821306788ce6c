#include "graph/dense_subgraph_order.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include <fmt/format.h>

namespace interdict {
namespace {

constexpr uint32_t kLeafFill = 48;  // entries per leaf when built: room to grow
constexpr uint32_t kFanFill = 24;   // children per inner node when built
constexpr uint64_t kMinGap = uint64_t{1} << 36;  // label space per entry after a relabel
constexpr uint64_t kStep = uint64_t{1} << 32;    // a new label's distance from its predecessor

}  // namespace

void PeelOrder::Grow(uint32_t n) {
  if (n <= leaf_.size()) return;
  label_.resize(n, 0);
  coarse_.resize(n, 0);
  leaf_.resize(n, kNil);
}

// A node slot from the free list, else a new one at the end of the pool.
template <class Node>
uint32_t TakeSlot(HugeVector<Node>& pool, std::vector<uint32_t>& free) {
  if (free.empty()) {
    pool.emplace_back();
    return static_cast<uint32_t>(pool.size() - 1);
  }
  uint32_t i = free.back();
  free.pop_back();
  return i;
}

// Moves the upper half of node a's entries (the given parallel arrays) to the
// empty node b.
template <class Node, class... Field>
void MoveUpperHalf(Node& a, Node& b, Field Node::*... field) {
  uint32_t half = a.n / 2;
  b.n = a.n - half;
  (std::memcpy(b.*field, a.*field + half, b.n * sizeof((a.*field)[0])), ...);
  a.n = half;
}

uint32_t PeelOrder::NewLeaf() {
  uint32_t l = TakeSlot(leaves_, free_leaves_);
  Leaf& L = leaves_[l];
  L.n = 0;
  L.parent = L.prev = L.next = kNil;
  return l;
}

uint32_t PeelOrder::NewInner(uint32_t level) {
  uint32_t p = TakeSlot(inners_, free_inners_);
  Inner& P = inners_[p];
  P.n = 0;
  P.parent = kNil;
  P.level = level;
  return p;
}

void PeelOrder::Assign(std::span<const uint32_t> order, std::span<const int64_t> weight) {
  assert(order.size() == weight.size());
  std::fill(leaf_.begin(), leaf_.end(), kNil);
  leaves_.clear();
  inners_.clear();
  free_leaves_.clear();
  free_inners_.clear();
  root_ = first_leaf_ = last_leaf_ = kNil;
  height_ = 0;
  size_ = static_cast<uint32_t>(order.size());
  if (order.empty()) return;
  const size_t n = order.size();
  const uint64_t spacing = ~uint64_t{0} / (n + 1);
  std::vector<uint32_t> level_nodes;
  // Moves split and merge leaves; growing the vectors later would copy them
  // (~100 MB at 5M vertices) inside one update. Twice the built count is
  // reserved instead: address space only until used.
  leaves_.reserve(2 * (n / kLeafFill) + 16);
  inners_.reserve(2 * (n / kLeafFill / kFanFill) + 16);
  for (size_t i = 0; i < n; i += kLeafFill) {
    uint32_t l = NewLeaf();
    Leaf& L = leaves_[l];
    L.n = static_cast<uint32_t>(std::min<size_t>(kLeafFill, n - i));
    for (uint32_t j = 0; j < L.n; ++j) {
      uint32_t x = order[i + j];
      L.id[j] = x;
      L.w[j] = weight[i + j];
      leaf_[x] = l;
      SetLabel(x, spacing * (i + j + 1));
    }
    L.prev = last_leaf_;
    if (last_leaf_ == kNil) first_leaf_ = l; else leaves_[last_leaf_].next = l;
    last_leaf_ = l;
    level_nodes.push_back(l);
  }
  uint32_t level = 0;
  while (level_nodes.size() > 1) {
    std::vector<uint32_t> up;
    for (size_t i = 0; i < level_nodes.size(); i += kFanFill) {
      uint32_t p = NewInner(level + 1);
      Inner& P = inners_[p];
      P.n = static_cast<uint32_t>(std::min<size_t>(kFanFill, level_nodes.size() - i));
      for (uint32_t j = 0; j < P.n; ++j) {
        uint32_t c = level_nodes[i + j];
        Key k = MaxOf(c, level);
        P.child[j] = c;
        P.maxw[j] = k.w;
        P.maxid[j] = k.id;
        SetParent(c, level, p);
      }
      up.push_back(p);
    }
    level_nodes.swap(up);
    ++level;
  }
  root_ = level_nodes[0];
  height_ = level;
}

uint32_t PeelOrder::SlotOf(uint32_t leaf, uint32_t x) const {
  const Leaf& L = leaves_[leaf];
  uint32_t i = 0;
  while (L.id[i] != x) ++i;  // x is in this leaf (leaf_[x] == leaf)
  assert(i < L.n);
  return i;
}

uint32_t PeelOrder::ParentOf(uint32_t node, uint32_t level) const {
  return level == 0 ? leaves_[node].parent : inners_[node].parent;
}

void PeelOrder::SetParent(uint32_t node, uint32_t level, uint32_t p) {
  if (level == 0) leaves_[node].parent = p; else inners_[node].parent = p;
}

PeelOrder::Key PeelOrder::MaxOf(uint32_t node, uint32_t level) const {
  Key best{INT64_MIN, 0};
  if (level == 0) {
    const Leaf& L = leaves_[node];
    for (uint32_t i = 0; i < L.n; ++i)
      if (Key{L.w[i], L.id[i]} > best) best = Key{L.w[i], L.id[i]};
  } else {
    const Inner& P = inners_[node];
    for (uint32_t i = 0; i < P.n; ++i)
      if (Key{P.maxw[i], P.maxid[i]} > best) best = Key{P.maxw[i], P.maxid[i]};
  }
  return best;
}

uint32_t PeelOrder::IndexIn(uint32_t p, uint32_t child) const {
  const Inner& P = inners_[p];
  uint32_t i = 0;
  while (P.child[i] != child) ++i;
  assert(i < P.n);
  return i;
}

void PeelOrder::FixUp(uint32_t node, uint32_t level) {
  for (;;) {
    uint32_t p = ParentOf(node, level);
    if (p == kNil) return;
    Key k = MaxOf(node, level);
    uint32_t i = IndexIn(p, node);
    Inner& P = inners_[p];
    if (P.maxw[i] == k.w && P.maxid[i] == k.id) return;  // the rest above is consistent
    P.maxw[i] = k.w;
    P.maxid[i] = k.id;
    node = p;
    ++level;
  }
}

uint32_t PeelOrder::First() const { return first_leaf_ == kNil ? kNil : leaves_[first_leaf_].id[0]; }

uint32_t PeelOrder::Next(uint32_t x) const {
  uint32_t leaf = leaf_[x];
  const Leaf& L = leaves_[leaf];
  uint32_t s = SlotOf(leaf, x);
  if (s + 1 < L.n) return L.id[s + 1];
  return L.next == kNil ? kNil : leaves_[L.next].id[0];
}

uint32_t PeelOrder::Prev(uint32_t x) const {
  uint32_t leaf = leaf_[x];
  const Leaf& L = leaves_[leaf];
  uint32_t s = SlotOf(leaf, x);
  if (s > 0) return L.id[s - 1];
  if (L.prev == kNil) return kNil;
  const Leaf& P = leaves_[L.prev];
  return P.id[P.n - 1];
}

int64_t PeelOrder::Weight(uint32_t x) const {
  uint32_t leaf = leaf_[x];
  return leaves_[leaf].w[SlotOf(leaf, x)];
}

uint32_t PeelOrder::Descend(uint32_t node, uint32_t level, const Key& k) const {
  while (level > 0) {
    const Inner& P = inners_[node];
    uint32_t j = 0;
    while (j < P.n && !(Key{P.maxw[j], P.maxid[j]} > k)) ++j;
    if (j == P.n) return kNil;
    node = P.child[j];
    --level;
  }
  const Leaf& L = leaves_[node];
  for (uint32_t i = 0; i < L.n; ++i)
    if (Key{L.w[i], L.id[i]} > k) return L.id[i];
  return kNil;
}

uint32_t PeelOrder::FindFirst(const Key& k) const { return root_ == kNil ? kNil : Descend(root_, height_, k); }

uint32_t PeelOrder::FindFrom(uint32_t x, const Key& k) const {
  if (x == kNil) return kNil;
  uint32_t leaf = leaf_[x];
  const Leaf& L = leaves_[leaf];
  for (uint32_t i = SlotOf(leaf, x); i < L.n; ++i)
    if (Key{L.w[i], L.id[i]} > k) return L.id[i];
  // Up until a right sibling's maximum is above k, then down into it.
  uint32_t node = leaf, level = 0, p = L.parent;
  while (p != kNil) {
    const Inner& P = inners_[p];
    for (uint32_t j = IndexIn(p, node) + 1; j < P.n; ++j)
      if (Key{P.maxw[j], P.maxid[j]} > k) return Descend(P.child[j], level, k);
    node = p;
    ++level;
    p = P.parent;
  }
  return kNil;
}

uint32_t PeelOrder::SplitLeaf(uint32_t leaf) {
  uint32_t r = NewLeaf();  // may move leaves_: references are taken after
  Leaf& L = leaves_[leaf];
  Leaf& R = leaves_[r];
  MoveUpperHalf(L, R, &Leaf::id, &Leaf::w);
  for (uint32_t i = 0; i < R.n; ++i) leaf_[R.id[i]] = r;
  R.prev = leaf;
  R.next = L.next;
  if (L.next == kNil) last_leaf_ = r; else leaves_[L.next].prev = r;
  L.next = r;
  InsertAfter(leaf, 0, r);
  return r;
}

uint32_t PeelOrder::SplitInner(uint32_t p) {
  uint32_t level = inners_[p].level;
  uint32_t q = NewInner(level);  // may move inners_
  Inner& P = inners_[p];
  Inner& Q = inners_[q];
  MoveUpperHalf(P, Q, &Inner::child, &Inner::maxw, &Inner::maxid);
  for (uint32_t i = 0; i < Q.n; ++i) SetParent(Q.child[i], level - 1, q);
  InsertAfter(p, level, q);
  return q;
}

void PeelOrder::InsertAfter(uint32_t c, uint32_t level, uint32_t nc) {
  uint32_t p = ParentOf(c, level);
  if (p == kNil) {  // c was the root: a new root above both
    uint32_t np = NewInner(level + 1);
    Inner& P = inners_[np];
    P.n = 2;
    P.child[0] = c;
    P.child[1] = nc;
    for (uint32_t i = 0; i < 2; ++i) {
      Key k = MaxOf(P.child[i], level);
      P.maxw[i] = k.w;
      P.maxid[i] = k.id;
      SetParent(P.child[i], level, np);
    }
    root_ = np;
    height_ = level + 1;
    return;
  }
  if (inners_[p].n == kFan) {
    uint32_t q = SplitInner(p);
    if (ParentOf(c, level) == q) p = q;
  }
  Inner& P = inners_[p];
  uint32_t i = IndexIn(p, c);
  for (uint32_t j = P.n; j > i + 1; --j) {
    P.child[j] = P.child[j - 1];
    P.maxw[j] = P.maxw[j - 1];
    P.maxid[j] = P.maxid[j - 1];
  }
  ++P.n;
  P.child[i + 1] = nc;
  SetParent(nc, level, p);
  for (uint32_t j : {i, i + 1}) {
    Key k = MaxOf(P.child[j], level);
    P.maxw[j] = k.w;
    P.maxid[j] = k.id;
  }
  FixUp(p, level + 1);
}

void PeelOrder::InsertBefore(uint32_t x, int64_t w, uint32_t k) {
  assert(x < leaf_.size() && leaf_[x] == kNil && x != k);
  if (root_ == kNil) {
    uint32_t l = NewLeaf();
    root_ = first_leaf_ = last_leaf_ = l;
    height_ = 0;
  }
  uint32_t leaf, slot;
  if (k == kNil) {
    leaf = last_leaf_;
    slot = leaves_[leaf].n;
  } else {
    leaf = leaf_[k];
    slot = SlotOf(leaf, k);
  }
  if (leaves_[leaf].n == kLeafCap) {
    uint32_t r = SplitLeaf(leaf);
    uint32_t left = leaves_[leaf].n;
    if (slot > left) {
      leaf = r;
      slot -= left;
    }
  }
  Leaf& L = leaves_[leaf];
  std::memmove(L.id + slot + 1, L.id + slot, (L.n - slot) * sizeof(uint32_t));
  std::memmove(L.w + slot + 1, L.w + slot, (L.n - slot) * sizeof(int64_t));
  L.id[slot] = x;
  L.w[slot] = w;
  ++L.n;
  leaf_[x] = leaf;
  ++size_;
  FixUp(leaf, 0);
  AssignLabel(x, leaf, slot);
}

void PeelOrder::AssignLabel(uint32_t x, uint32_t leaf, uint32_t slot) {
  const Leaf& L = leaves_[leaf];
  uint64_t a = 0, b = ~uint64_t{0};
  if (slot > 0) {
    a = label_[L.id[slot - 1]];
  } else if (L.prev != kNil) {
    const Leaf& P = leaves_[L.prev];
    a = label_[P.id[P.n - 1]];
  }
  if (slot + 1 < L.n) {
    b = label_[L.id[slot + 1]];
  } else if (L.next != kNil) {
    b = label_[leaves_[L.next].id[0]];
  }
  // A step after the predecessor, not the midpoint: when more vertices follow
  // at the same place (a run of placements before one vertex), each takes
  // kStep of the gap instead of halving it.
  if (b - a >= 2) {
    SetLabel(x, a + std::min((b - a) / 2, kStep));
  } else {
    Relabel(leaf, slot);
  }
}

void PeelOrder::Relabel(uint32_t leaf, uint32_t slot) {
  // Grow a window around the entry (doubling) until the labels just outside
  // it leave at least kMinGap per entry (or it is the whole sequence), then
  // spread the window's labels evenly. Order is unchanged.
  ++relabels_;
  struct Cur {
    uint32_t leaf, slot;
  };
  auto has_prev = [&](Cur c) { return c.slot > 0 || leaves_[c.leaf].prev != kNil; };
  auto has_next = [&](Cur c) { return c.slot + 1 < leaves_[c.leaf].n || leaves_[c.leaf].next != kNil; };
  auto prev = [&](Cur c) {
    if (c.slot > 0) return Cur{c.leaf, c.slot - 1};
    uint32_t p = leaves_[c.leaf].prev;
    return Cur{p, leaves_[p].n - 1};
  };
  auto next = [&](Cur c) { return c.slot + 1 < leaves_[c.leaf].n ? Cur{c.leaf, c.slot + 1} : Cur{leaves_[c.leaf].next, 0}; };
  auto id_at = [&](Cur c) { return leaves_[c.leaf].id[c.slot]; };
  Cur lo{leaf, slot}, hi{leaf, slot};
  uint64_t cnt = 1;
  for (uint64_t want = 2;; want *= 2) {
    while (cnt < want && (has_prev(lo) || has_next(hi))) {
      if (has_prev(lo)) lo = prev(lo), ++cnt;
      if (cnt < want && has_next(hi)) hi = next(hi), ++cnt;
    }
    uint64_t a = has_prev(lo) ? label_[id_at(prev(lo))] : 0;
    uint64_t b = has_next(hi) ? label_[id_at(next(hi))] : ~uint64_t{0};
    uint64_t gap = (b - a) / (cnt + 1);
    if (gap >= kMinGap || (!has_prev(lo) && !has_next(hi))) {
      uint64_t l = a;
      for (Cur c = lo;; c = next(c)) {
        l += gap;
        SetLabel(id_at(c), l);
        if (c.leaf == hi.leaf && c.slot == hi.slot) break;
      }
      return;
    }
  }
}

void PeelOrder::Erase(uint32_t x) {
  uint32_t leaf = leaf_[x];
  uint32_t slot = SlotOf(leaf, x);
  Leaf& L = leaves_[leaf];
  std::memmove(L.id + slot, L.id + slot + 1, (L.n - slot - 1) * sizeof(uint32_t));
  std::memmove(L.w + slot, L.w + slot + 1, (L.n - slot - 1) * sizeof(int64_t));
  --L.n;
  leaf_[x] = kNil;
  --size_;
  if (L.n == 0) {
    RemoveLeaf(leaf);
  } else if (!(L.n < kLeafCap / 4 && MergeSmall(leaf))) {
    FixUp(leaf, 0);
  }
  CollapseRoot();
}

bool PeelOrder::MergeSmall(uint32_t leaf) {
  // An underfull leaf goes into a neighbour that has room (order and labels
  // are unchanged); keeps leaves at least ~1/4 full on average so scans and
  // memory stay bounded under long runs of moves.
  constexpr uint32_t kRoom = kLeafCap * 3 / 4;
  Leaf& L = leaves_[leaf];
  uint32_t t, at;  // the receiving leaf, and where L's entries go in it
  if (L.prev != kNil && leaves_[L.prev].n + L.n <= kRoom) {
    t = L.prev;
    at = leaves_[t].n;
  } else if (L.next != kNil && leaves_[L.next].n + L.n <= kRoom) {
    t = L.next;
    at = 0;
  } else {
    return false;
  }
  Leaf& T = leaves_[t];
  std::memmove(T.id + at + L.n, T.id + at, (T.n - at) * sizeof(uint32_t));
  std::memmove(T.w + at + L.n, T.w + at, (T.n - at) * sizeof(int64_t));
  std::memcpy(T.id + at, L.id, L.n * sizeof(uint32_t));
  std::memcpy(T.w + at, L.w, L.n * sizeof(int64_t));
  for (uint32_t i = 0; i < L.n; ++i) leaf_[L.id[i]] = t;
  T.n += L.n;
  L.n = 0;
  RemoveLeaf(leaf);
  FixUp(t, 0);
  return true;
}

void PeelOrder::RemoveLeaf(uint32_t leaf) {
  Leaf& L = leaves_[leaf];
  if (L.prev == kNil) first_leaf_ = L.next; else leaves_[L.prev].next = L.next;
  if (L.next == kNil) last_leaf_ = L.prev; else leaves_[L.next].prev = L.prev;
  free_leaves_.push_back(leaf);
  Unhook(leaf, L.parent);
}

void PeelOrder::Unhook(uint32_t node, uint32_t parent) {
  if (parent == kNil) {  // the root went: the tree is empty
    root_ = kNil;
    height_ = 0;
  } else {
    RemoveChild(parent, node);
  }
}

void PeelOrder::RemoveChild(uint32_t p, uint32_t child) {
  Inner& P = inners_[p];
  uint32_t i = IndexIn(p, child);
  for (uint32_t j = i + 1; j < P.n; ++j) {
    P.child[j - 1] = P.child[j];
    P.maxw[j - 1] = P.maxw[j];
    P.maxid[j - 1] = P.maxid[j];
  }
  --P.n;
  if (P.n == 0) {
    free_inners_.push_back(p);
    Unhook(p, P.parent);
    return;
  }
  FixUp(p, P.level);
}

void PeelOrder::CollapseRoot() {
  while (height_ > 0 && inners_[root_].n == 1) {
    uint32_t c = inners_[root_].child[0];
    free_inners_.push_back(root_);
    root_ = c;
    --height_;
    SetParent(c, height_, kNil);
  }
}

void PeelOrder::Move(uint32_t x, int64_t w, uint32_t k) {
  uint32_t leaf = leaf_[x];
  uint32_t s = SlotOf(leaf, x);
  Leaf& L = leaves_[leaf];
  uint32_t next = s + 1 < L.n ? L.id[s + 1] : (L.next == kNil ? kNil : leaves_[L.next].id[0]);
  if (next == k) {
    L.w[s] = w;
    FixUp(leaf, 0);
    return;
  }
  Erase(x);
  InsertBefore(x, w, k);
}

size_t PeelOrder::MemoryBytes() const {
  return label_.capacity() * 8 + coarse_.capacity() * 2 + leaf_.capacity() * 4 + leaves_.capacity() * sizeof(Leaf) + inners_.capacity() * sizeof(Inner) +
         (free_leaves_.capacity() + free_inners_.capacity()) * sizeof(uint32_t);
}

std::string PeelOrder::CheckInvariants() const {
  // The leaf chain: sizes, back links, vertex -> leaf map, increasing labels.
  uint64_t count = 0, last_label = 0;
  std::vector<uint32_t> chain;
  uint32_t prev = kNil;
  for (uint32_t l = first_leaf_; l != kNil; prev = l, l = leaves_[l].next) {
    const Leaf& L = leaves_[l];
    if (L.n == 0 || L.n > kLeafCap) return fmt::format("leaf {} has {} entries", l, L.n);
    if (L.prev != prev) return fmt::format("leaf {} prev link", l);
    for (uint32_t i = 0; i < L.n; ++i) {
      uint32_t x = L.id[i];
      if (leaf_[x] != l) return fmt::format("vertex {} maps to leaf {}, is in {}", x, leaf_[x], l);
      if (count > 0 && label_[x] <= last_label) return fmt::format("label of {} not increasing", x);
      if (coarse_[x] != CoarseOf(label_[x])) return fmt::format("coarse label of {} out of step", x);
      last_label = label_[x];
      ++count;
    }
    chain.push_back(l);
  }
  if (prev != last_leaf_) return "last leaf";
  if (count != size_) return fmt::format("{} entries in leaves, size {}", count, size_);
  uint64_t mapped = 0;
  for (uint32_t l : leaf_) mapped += l != kNil;
  if (mapped != size_) return "vertices mapped to leaves != size";
  if (root_ == kNil) return size_ == 0 ? "" : "no root";
  // The tree: parent links, levels, stored maxima, leaves in chain order.
  std::vector<uint32_t> leaves_in_order;
  std::string err;
  auto walk = [&](auto&& self, uint32_t node, uint32_t level, uint32_t parent) -> void {
    if (!err.empty()) return;
    if (ParentOf(node, level) != parent) {
      err = fmt::format("parent link of node {} at level {}", node, level);
      return;
    }
    if (level == 0) {
      leaves_in_order.push_back(node);
      return;
    }
    const Inner& P = inners_[node];
    if (P.level != level || P.n == 0 || P.n > kFan) {
      err = fmt::format("inner {}: level {} (want {}), {} children", node, P.level, level, P.n);
      return;
    }
    for (uint32_t j = 0; j < P.n; ++j) {
      if (!(Key{P.maxw[j], P.maxid[j]} == MaxOf(P.child[j], level - 1))) {
        err = fmt::format("stale maximum for child {} of {}", j, node);
        return;
      }
      self(self, P.child[j], level - 1, node);
    }
  };
  walk(walk, root_, height_, kNil);
  if (!err.empty()) return err;
  if (leaves_in_order != chain) return "tree leaves differ from the chain";
  return "";
}

}  // namespace interdict
