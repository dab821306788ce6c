// TransferGraph: every transfer of a data set, indexed for time-respecting
// traversal (docs/tracing.md).
//
// Transfers get dense indices 0..size()-1 in the order they are added. Each
// account has an out-list and an in-list of transfer indices kept sorted by
// (ts, index): "the transfers out of A after time t, in order" is a binary
// search plus a scan. A withdrawal (no receiver) is only in its sender's
// out-list, a deposit (no sender) only in its receiver's in-list.
//
// Internal and outside accounts: an account with a bank_accounts row is
// internal (MarkInternal, or Add of a kBankAccount event); any other account
// is outside (another bank, a payment platform) and tracing stops there. A
// data set without bank_accounts.csv can call SetAllInternal(true).
//
// Memory (why the layout): transfer columns are stored struct-of-arrays in
// fixed-size chunks (no 2x copy peak while growing to 50 M rows) and the
// per-account lists are 16-byte headers over realloc'd uint32 arrays: about
// 29 bytes per transfer in the columns, 8 in the two lists, plus 32 bytes per
// account. 50 M transfers over 5 M accounts take about 2 GB.
//
// Ownership: the graph owns all its storage. Spans returned by OutOf/InTo are
// invalidated by the next Add. Thread safety: none; concurrent const readers
// are safe while nobody adds.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/dense_table.h"
#include "base/huge_alloc.h"
#include "base/money.h"
#include "base/time.h"
#include "model/enums.h"
#include "model/events.h"
#include "model/ids.h"

namespace interdict {

using TransferIndex = uint32_t;
inline constexpr TransferIndex kNoTransfer = 0xffffffffu;

// Fixed-size-chunk array: appends never move existing elements, and growth
// never needs old + new storage at once. Indexing costs one extra load.
template <typename T>
class ChunkedColumn {
 public:
  static constexpr uint32_t kShift = 16;
  static constexpr uint32_t kChunk = 1u << kShift;

  void PushBack(const T& v) {
    if ((size_ & (kChunk - 1)) == 0) chunks_.push_back(std::make_unique<T[]>(kChunk));
    chunks_.back()[size_ & (kChunk - 1)] = v;
    ++size_;
  }
  const T& operator[](size_t i) const { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return chunks_.size() * (kChunk * sizeof(T) + sizeof(void*)); }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

// A growable array of transfer indices with a 16-byte header (std::vector
// would take 24): the per-account lists are the graph's largest fixed cost.
class IndexList {
 public:
  IndexList() = default;
  ~IndexList();
  IndexList(const IndexList&) = delete;
  IndexList& operator=(const IndexList&) = delete;
  IndexList(IndexList&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
    o.data_ = nullptr;
    o.size_ = o.cap_ = 0;
  }
  IndexList& operator=(IndexList&& o) noexcept;

  void PushBack(TransferIndex v) {
    if (size_ == cap_) Grow();
    data_[size_++] = v;
  }
  // Inserts v before position pos (late transfers; moves the tail).
  void Insert(uint32_t pos, TransferIndex v);
  std::span<const TransferIndex> span() const { return {data_, size_}; }
  uint32_t size() const { return size_; }
  size_t MemoryBytes() const { return static_cast<size_t>(cap_) * sizeof(TransferIndex); }

 private:
  void Grow();
  TransferIndex* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
};

class TransferGraph {
 public:
  TransferGraph() = default;
  TransferGraph(const TransferGraph&) = delete;
  TransferGraph& operator=(const TransferGraph&) = delete;

  // Adds a kTransfer event (returns its index) or marks the account of a
  // kBankAccount event internal (returns kNoTransfer); other kinds are ignored.
  TransferIndex Add(const Event& e);
  // Adds one transfer. Returns kNoTransfer (and adds nothing) for a transfer
  // the graph cannot hold: amount <= 0, neither account set, or 2^32 - 1
  // transfers already held. Transfers should arrive in ts order; a late one is
  // inserted at its place in the two account lists (cost: the lists' tails).
  TransferIndex Add(Ts ts, const Transfer& t);

  void MarkInternal(AccountId a);
  // Starts loading the index-list headers Add(.., {from, to}) will touch.
  void Prefetch(AccountId from, AccountId to) const {
    if (from < out_.size()) PrefetchLine(&out_[from]);
    if (to < in_.size()) PrefetchLine(&in_[to]);
  }
  // Every account counts as internal (a data set without bank_accounts.csv).
  void SetAllInternal(bool all) { all_internal_ = all; }
  bool IsInternal(AccountId a) const {
    return a != kNoId && (all_internal_ || (a < internal_.size() && internal_[a]));
  }

  size_t size() const { return ts_.size(); }
  // Accounts seen so far (highest id + 1), in transfers or as internal.
  size_t account_count() const { return out_.size(); }
  Ts max_ts() const { return max_ts_; }
  Ts min_ts() const { return min_ts_; }

  Ts ts(TransferIndex i) const { return ts_[i]; }
  Money amount(TransferIndex i) const { return amount_[i]; }
  AccountId from(TransferIndex i) const { return from_[i]; }  // kNoId for a deposit
  AccountId to(TransferIndex i) const { return to_[i]; }      // kNoId for a withdrawal
  TxnId txn(TransferIndex i) const { return txn_[i]; }
  TransferKind kind(TransferIndex i) const { return static_cast<TransferKind>(meta_[i] & 3); }
  Channel channel(TransferIndex i) const { return static_cast<Channel>(meta_[i] >> 2); }

  // Transfers out of / into `a`, sorted by (ts, index). Empty for an unseen
  // account. Invalidated by the next Add.
  std::span<const TransferIndex> OutOf(AccountId a) const {
    return a < out_.size() ? out_[a].span() : std::span<const TransferIndex>();
  }
  std::span<const TransferIndex> InTo(AccountId a) const {
    return a < in_.size() ? in_[a].span() : std::span<const TransferIndex>();
  }
  // First position in `list` (an OutOf/InTo span) whose transfer has ts >= t.
  size_t LowerBound(std::span<const TransferIndex> list, Ts t) const;
  // First position whose transfer sorts after (ts, index): the list position
  // just past transfer `i` when `i` is in the list.
  size_t UpperBound(std::span<const TransferIndex> list, Ts ts, TransferIndex i) const;

  // Bytes held by the columns, lists and bitset (not the allocator's slack).
  size_t MemoryBytes() const;

 private:
  void EnsureAccount(AccountId a);
  void AppendSorted(IndexList* list, TransferIndex i, Ts ts);

  ChunkedColumn<Ts> ts_;
  ChunkedColumn<Money> amount_;
  ChunkedColumn<AccountId> from_;
  ChunkedColumn<AccountId> to_;
  ChunkedColumn<TxnId> txn_;
  ChunkedColumn<uint8_t> meta_;  // kind (2 bits) | channel << 2
  // Headers by account, read at random: in huge pages (base/huge_alloc.h).
  std::vector<IndexList, HugePageAllocator<IndexList>> out_;
  std::vector<IndexList, HugePageAllocator<IndexList>> in_;
  std::vector<bool> internal_;
  bool all_internal_ = false;
  Ts max_ts_ = kNoTs;
  Ts min_ts_ = kNoTs;
};

}  // namespace interdict
