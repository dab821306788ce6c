// ReorderBuffer: puts a stream that is out of order by at most `lateness`
// seconds back into (ts, seq) order (events.md "Event time").
//
// An event is released once ts <= max_ts_seen - lateness, so every event that
// arrives within the bound comes out in order. An event later than the bound
// (ts < max_ts_seen - lateness at arrival) is late: Push() says so, and it is
// released at once, out of order, to be applied to state as it is.
//
// Why two containers: real feeds are nearly sorted. In-order arrivals append
// to a FIFO (O(1)); only the out-of-order ones pay for the heap.
#pragma once
#include <algorithm>
#include <deque>
#include <vector>

#include "model/events.h"

namespace interdict {

class ReorderBuffer {
 public:
  explicit ReorderBuffer(Ts lateness_s) : lateness_(lateness_s) {}

  // Adds an event. Returns true if it is late.
  bool Push(const Event& e) {
    bool late = max_ts_ != kNoTs && e.ts < max_ts_ - lateness_;
    if (max_ts_ == kNoTs || e.ts > max_ts_) max_ts_ = e.ts;
    if (fifo_.empty() || !Less(e, fifo_.back())) {
      fifo_.push_back(e);
    } else {
      heap_.push_back(e);
      std::push_heap(heap_.begin(), heap_.end(), Greater);
    }
    return late;
  }

  // The next event in order if it may be released now (or, with `flush`, at
  // end of input, whatever is left). nullptr otherwise.
  const Event* Peek(bool flush) const {
    const Event* m = Min();
    if (!m) return nullptr;
    if (!flush && m->ts > max_ts_ - lateness_) return nullptr;
    return m;
  }
  void Pop() {
    if (!heap_.empty() && (fifo_.empty() || Less(heap_.front(), fifo_.front()))) {
      std::pop_heap(heap_.begin(), heap_.end(), Greater);
      heap_.pop_back();
    } else {
      fifo_.pop_front();
    }
  }
  bool empty() const { return fifo_.empty() && heap_.empty(); }
  size_t size() const { return fifo_.size() + heap_.size(); }

 private:
  static bool Less(const Event& a, const Event& b) { return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq; }
  static bool Greater(const Event& a, const Event& b) { return Less(b, a); }
  const Event* Min() const {
    if (heap_.empty()) return fifo_.empty() ? nullptr : &fifo_.front();
    if (fifo_.empty() || Less(heap_.front(), fifo_.front())) return &heap_.front();
    return &fifo_.front();
  }

  Ts lateness_;
  Ts max_ts_ = kNoTs;
  std::deque<Event> fifo_;
  std::vector<Event> heap_;
};

}  // namespace interdict
