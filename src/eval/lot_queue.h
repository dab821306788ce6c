// LotQueue: the FIFO of tainted lots one account holds in the counterfactual
// replay (evaluation.md section 3). A vector with a moving head rather than a
// std::deque: most tainted accounts hold one or two lots, and a deque costs a
// 512-byte block each, which at millions of tainted accounts matters.
// Not thread-safe; owned by the replay.
#pragma once
#include <cstdint>
#include <vector>

#include "base/money.h"

namespace interdict {

struct TaintLot {
  uint32_t case_index;  // dense case index of the evaluation
  Money amount;         // fen, > 0
};

class LotQueue {
 public:
  bool empty() const { return head_ == lots_.size(); }
  TaintLot& front() { return lots_[head_]; }
  // Appends a lot; merges it into the last one when that is the same case (two
  // adjacent lots of one case behave exactly like one lot under FIFO).
  void Push(uint32_t case_index, Money amount) {
    if (!empty() && lots_.back().case_index == case_index) {
      lots_.back().amount += amount;
      return;
    }
    lots_.push_back({case_index, amount});
  }
  void PopFront() {
    ++head_;
    if (head_ == lots_.size()) {
      lots_.clear();
      head_ = 0;
    } else if (head_ >= 32 && head_ * 2 >= lots_.size()) {
      lots_.erase(lots_.begin(), lots_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  Money Total() const {
    Money t = 0;
    for (size_t i = head_; i < lots_.size(); ++i) t += lots_[i].amount;
    return t;
  }
  template <typename F>
  void ForEach(F f) const {
    for (size_t i = head_; i < lots_.size(); ++i) f(lots_[i]);
  }

 private:
  std::vector<TaintLot> lots_;
  size_t head_ = 0;
};

}  // namespace interdict
