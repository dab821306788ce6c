#include "graph/transfer_graph.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace interdict {

IndexList::~IndexList() { std::free(data_); }

IndexList& IndexList::operator=(IndexList&& o) noexcept {
  if (this != &o) {
    std::free(data_);
    data_ = o.data_;
    size_ = o.size_;
    cap_ = o.cap_;
    o.data_ = nullptr;
    o.size_ = o.cap_ = 0;
  }
  return *this;
}

void IndexList::Grow() {
  // 1.5x growth: most accounts have a handful of transfers, so the slack of
  // doubling would be a visible share of the graph.
  uint64_t cap = cap_ < 4 ? 4 : static_cast<uint64_t>(cap_) + cap_ / 2;
  if (cap > 0xffffffffu) cap = 0xffffffffu;
  if (cap == cap_) throw std::bad_alloc();
  void* p = std::realloc(data_, cap * sizeof(TransferIndex));
  if (!p) throw std::bad_alloc();
  data_ = static_cast<TransferIndex*>(p);
  cap_ = static_cast<uint32_t>(cap);
}

void IndexList::Insert(uint32_t pos, TransferIndex v) {
  if (size_ == cap_) Grow();
  std::memmove(data_ + pos + 1, data_ + pos, (size_ - pos) * sizeof(TransferIndex));
  data_[pos] = v;
  ++size_;
}

void TransferGraph::EnsureAccount(AccountId a) {
  if (a >= out_.size()) {
    size_t n = static_cast<size_t>(a) + 1;
    out_.resize(n);
    in_.resize(n);
  }
}

void TransferGraph::MarkInternal(AccountId a) {
  if (a == kNoId) return;
  EnsureAccount(a);
  if (a >= internal_.size()) internal_.resize(static_cast<size_t>(a) + 1, false);
  internal_[a] = true;
}

TransferIndex TransferGraph::Add(const Event& e) {
  if (e.kind == EventKind::kTransfer) return Add(e.ts, e.transfer);
  if (e.kind == EventKind::kBankAccount) MarkInternal(e.account.account);
  return kNoTransfer;
}

void TransferGraph::AppendSorted(IndexList* list, TransferIndex i, Ts ts) {
  // In time order (nearly always: the reader merges files by ts), i goes
  // last in every list without reading the list's last ts (a cache miss).
  if (max_ts_ == kNoTs || ts >= max_ts_) {
    list->PushBack(i);
    return;
  }
  auto s = list->span();
  if (s.empty() || ts_[s.back()] <= ts) {
    list->PushBack(i);
    return;
  }
  // Late transfer: i is the largest index, so it goes after every entry with
  // ts <= its ts.
  size_t pos = UpperBound(s, ts, i);
  list->Insert(static_cast<uint32_t>(pos), i);
}

TransferIndex TransferGraph::Add(Ts ts, const Transfer& t) {
  if (t.amount <= 0 || (t.from == kNoId && t.to == kNoId)) return kNoTransfer;
  if (ts_.size() >= kNoTransfer) return kNoTransfer;
  TransferIndex i = static_cast<TransferIndex>(ts_.size());
  ts_.PushBack(ts);
  amount_.PushBack(t.amount);
  from_.PushBack(t.from);
  to_.PushBack(t.to);
  txn_.PushBack(t.txn);
  meta_.PushBack(static_cast<uint8_t>((static_cast<uint8_t>(t.kind) & 3) | (static_cast<uint8_t>(t.channel) << 2)));
  if (t.from != kNoId) {
    EnsureAccount(t.from);
    AppendSorted(&out_[t.from], i, ts);
  }
  if (t.to != kNoId) {
    EnsureAccount(t.to);
    AppendSorted(&in_[t.to], i, ts);
  }
  if (max_ts_ == kNoTs || ts > max_ts_) max_ts_ = ts;
  if (min_ts_ == kNoTs || ts < min_ts_) min_ts_ = ts;
  return i;
}

size_t TransferGraph::LowerBound(std::span<const TransferIndex> list, Ts t) const {
  auto it = std::partition_point(list.begin(), list.end(), [&](TransferIndex j) { return ts_[j] < t; });
  return static_cast<size_t>(it - list.begin());
}

size_t TransferGraph::UpperBound(std::span<const TransferIndex> list, Ts ts, TransferIndex i) const {
  auto it = std::partition_point(list.begin(), list.end(), [&](TransferIndex j) {
    Ts tj = ts_[j];
    return tj < ts || (tj == ts && j <= i);
  });
  return static_cast<size_t>(it - list.begin());
}

size_t TransferGraph::MemoryBytes() const {
  size_t b = ts_.MemoryBytes() + amount_.MemoryBytes() + from_.MemoryBytes() + to_.MemoryBytes() +
             txn_.MemoryBytes() + meta_.MemoryBytes();
  b += (out_.capacity() + in_.capacity()) * sizeof(IndexList);
  for (const auto& l : out_) b += l.MemoryBytes();
  for (const auto& l : in_) b += l.MemoryBytes();
  b += internal_.capacity() / 8;
  return b;
}

}  // namespace interdict
