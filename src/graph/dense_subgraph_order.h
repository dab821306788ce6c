// PeelOrder: the peeling sequence of DensePeeler (dense_subgraph.h) as a
// B+-tree over positions, built for the operations incremental re-peeling
// needs at 5M vertices without chasing one pointer per level per vertex:
//
//   * order comparison in O(1): every vertex carries a 64-bit order label,
//     Label(a) < Label(b) iff a precedes b (order maintenance: a new entry
//     takes the midpoint of its neighbours' labels; when there is no gap, a
//     window around it is re-spread, doubling until each entry gets >= 2^32);
//   * FindFrom(x, k): the first vertex at or after x whose key (weight, id) is
//     above k, by a finger search: the rest of x's leaf, then up the tree
//     through the per-child maximum keys and down into the first child whose
//     maximum is above k; O(log distance) nodes, each a few cache lines;
//   * Move(x, w, k): x leaves its place and is re-inserted with weight w just
//     before k (O(leaf + height)).
//
// Leaves hold up to 64 (id, weight) pairs in sequence order and are chained;
// inner nodes hold up to 32 children with each child's maximum key. There are
// no ranks: nothing in the incremental algorithm needs positions as numbers.
//
// Labels are a flat array of their own (8 bytes per vertex): the hot loop of
// the incremental peeler reads one per neighbour ("is it ahead of the walk").
//
// Ownership: owns its nodes. Not thread-safe. Vertex ids are dense (Grow).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/huge_alloc.h"


namespace interdict {

// The ring detector's large, randomly read arrays (adjacency pool, per-vertex
// state, order labels, order tree) live on transparent huge pages: at 5M
// vertices nearly every random read would otherwise also miss the TLB.
template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

class PeelOrder {
 public:
  static constexpr uint32_t kNil = 0xffffffffu;
  // A vertex's position key: its peeling weight, ties broken by id.
  struct Key {
    int64_t w;
    uint32_t id;
    friend bool operator<(const Key& a, const Key& b) { return a.w != b.w ? a.w < b.w : a.id < b.id; }
    friend bool operator>(const Key& a, const Key& b) { return b < a; }
    friend bool operator==(const Key& a, const Key& b) { return a.w == b.w && a.id == b.id; }
  };

  // Makes ids 0..n-1 valid (new ones are not in the sequence).
  void Grow(uint32_t n);
  // Replaces the sequence by `order` with weights `weight` (same length; ids
  // distinct and < the grown size). Labels are spread evenly. O(n).
  void Assign(std::span<const uint32_t> order, std::span<const int64_t> weight);

  uint32_t size() const { return size_; }
  bool Contains(uint32_t x) const { return x < leaf_.size() && leaf_[x] != kNil; }
  uint32_t First() const;  // kNil if empty
  uint32_t Next(uint32_t x) const;  // kNil after the last
  uint32_t Prev(uint32_t x) const;  // kNil before the first
  int64_t Weight(uint32_t x) const;
  Key KeyOf(uint32_t x) const { return Key{Weight(x), x}; }
  uint64_t Label(uint32_t x) const { return label_[x]; }
  // The label's top 16 bits, from a 2-byte array that mostly stays in cache:
  // Coarse(a) < Coarse(b) implies a precedes b, so most order tests against a
  // fixed vertex need no full label (equal values: compare labels).
  static uint16_t CoarseOf(uint64_t label) { return static_cast<uint16_t>(label >> 48); }
  uint16_t Coarse(uint32_t x) const { return coarse_[x]; }

  // First vertex at or after x (x itself included) whose key is above k;
  // kNil if none or if x is kNil.
  uint32_t FindFrom(uint32_t x, const Key& k) const;
  // First vertex of the whole sequence whose key is above k; kNil if none.
  uint32_t FindFirst(const Key& k) const;

  // x (not in the sequence) is inserted with weight w just before k (kNil:
  // at the end).
  void InsertBefore(uint32_t x, int64_t w, uint32_t k);
  void Erase(uint32_t x);
  // x (in the sequence, x != k) goes just before k with weight w; in place
  // when it is there already (its label is then kept).
  void Move(uint32_t x, int64_t w, uint32_t k);

  // Calls f(id, weight) for every vertex in sequence order.
  template <class F>
  void ForEach(F&& f) const {
    for (uint32_t l = first_leaf_; l != kNil; l = leaves_[l].next)
      for (uint32_t i = 0; i < leaves_[l].n; ++i) f(leaves_[l].id[i], leaves_[l].w[i]);
  }

  size_t MemoryBytes() const;
  uint64_t relabels() const { return relabels_; }
  // Empty when every structural invariant holds, else a description (tests).
  std::string CheckInvariants() const;

  static constexpr uint32_t kLeafCap = 64;
  static constexpr uint32_t kFan = 32;

 private:
  struct Leaf {
    uint32_t n = 0, parent = kNil, prev = kNil, next = kNil;
    uint32_t id[kLeafCap];
    int64_t w[kLeafCap];
  };
  struct Inner {
    uint32_t n = 0, parent = kNil, level = 1;  // level 1: children are leaves
    uint32_t child[kFan];
    int64_t maxw[kFan];
    uint32_t maxid[kFan];
  };

  uint32_t NewLeaf();
  uint32_t NewInner(uint32_t level);
  uint32_t SlotOf(uint32_t leaf, uint32_t x) const;
  uint32_t ParentOf(uint32_t node, uint32_t level) const;
  void SetParent(uint32_t node, uint32_t level, uint32_t p);
  Key MaxOf(uint32_t node, uint32_t level) const;
  uint32_t IndexIn(uint32_t p, uint32_t child) const;
  // Re-reads node's maximum into its parent's entry, upward while it changes.
  void FixUp(uint32_t node, uint32_t level);
  uint32_t Descend(uint32_t node, uint32_t level, const Key& k) const;
  uint32_t SplitLeaf(uint32_t leaf);
  uint32_t SplitInner(uint32_t p);
  // Puts fresh node `nc` right after `c` (both at `level`) under c's parent.
  void InsertAfter(uint32_t c, uint32_t level, uint32_t nc);
  void RemoveLeaf(uint32_t leaf);
  void RemoveChild(uint32_t p, uint32_t child);
  // A freed node leaves its parent (kNil: it was the root).
  void Unhook(uint32_t node, uint32_t parent);
  bool MergeSmall(uint32_t leaf);
  void CollapseRoot();
  void AssignLabel(uint32_t x, uint32_t leaf, uint32_t slot);
  void Relabel(uint32_t leaf, uint32_t slot);

  HugeVector<uint64_t> label_;  // order label per vertex
  HugeVector<uint16_t> coarse_;  // CoarseOf(label_), kept in step
  void SetLabel(uint32_t x, uint64_t l) {
    label_[x] = l;
    coarse_[x] = CoarseOf(l);
  }
  HugeVector<uint32_t> leaf_;   // leaf holding the vertex, kNil if absent
  HugeVector<Leaf> leaves_;
  HugeVector<Inner> inners_;
  std::vector<uint32_t> free_leaves_, free_inners_;
  uint32_t root_ = kNil, height_ = 0;  // height 0: the root is a leaf
  uint32_t first_leaf_ = kNil, last_leaf_ = kNil;
  uint32_t size_ = 0;
  uint64_t relabels_ = 0;
};

}  // namespace interdict
