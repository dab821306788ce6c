// One record per number (MSISDN), shared by every detector of a run: the
// engine's fraud-number rules, governance's finders and ring detection each
// keep their part of it, in one table by MsisdnId, instead of a table each.
//
// Layout: 192 bytes, three cache lines on line boundaries (the table's chunks
// are 2 MiB-aligned): the engine's part is lines 0-1 (a call touches two
// numbers, and the engine's work is mostly waiting for these lines), the
// finders' and the rings' parts line 2. Each detector prefetches the
// lines of its own part (PrefetchAt over its NumberParts view).
//
// Usage:
//   SharedState state;                                  // owned by the engine (or by `govern`)
//   NumberParts<EngineNumber, &NumberRecord::engine> numbers(&state.numbers);
//   EngineNumber& n = At(numbers, msisdn);              // grows the table on demand
//
// Ownership: SharedState owns the records; a view borrows the table and must
// not outlive it. References stay valid as the table grows (ChunkedTable
// never copies). Thread safety: none; one run's detectors run on one thread.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/dense_table.h"
#include "base/hash.h"
#include "base/time.h"
#include "model/enums.h"
#include "model/ids.h"

namespace interdict {

// Linear counting over a 256-bit bitmap: distinct callees per window with 32
// bytes per number (exact enough up to several hundred; the rules judge at
// >= 10). Fed with a hash of the callee's name, not its dense id: ids depend
// on how far ahead the reader has interned, and a decision must not depend on
// data still to come (events.md, "What is known when").
struct Distinct256 {
  uint64_t w[4] = {};
  void Add(uint32_t name_hash) {
    uint64_t h = HashU64(name_hash);
    w[(h >> 6) & 3] |= uint64_t{1} << (h & 63);
  }
  uint32_t Estimate() const {
    int set = 0;
    for (uint64_t x : w) set += __builtin_popcountll(x);
    if (set >= 256) return 1500;  // saturated: "very many"
    return static_cast<uint32_t>(std::lround(-256.0 * std::log(1.0 - set / 256.0)));
  }
  void Clear() { w[0] = w[1] = w[2] = w[3] = 0; }
};

// One entry of a number's contact log.
struct Contact {
  MsisdnId callee;
  uint32_t ts;   // seconds since the engine's epoch (first event)
  uint32_t dur;  // answered seconds
};

// The engine's part (engine/engine.cc): window and lifetime call counts,
// the rule verdict, and a contact log that exists only while the number is
// "unsettled" (normal subscribers settle within days and free it). The
// registry facts a call needs (holder, opening time) live here too, not in
// tables of their own that would cost a line each. Exactly two cache lines.
struct EngineNumber {
  Ts first_seen = kNoTs;
  Ts window_start = kNoTs;
  Ts opened = kNoTs;       // sim_cards ts, kNoTs if none (off-net)
  uint32_t out_w = 0, in_w = 0, answered_w = 0;
  uint32_t out_total = 0, in_total = 0, answered_total = 0;
  PersonId holder = kNoId;  // registered holder (sim_cards)
  uint32_t name_hash = 0;   // NameHash of the msisdn, set with first_seen (see Distinct256)
  DeviceId last_imei = kNoId;
  uint8_t handsets = 0;
  bool flagged = false;
  bool settled : 1 = false;
  bool tap_done : 1 = false;  // flagged, and the rules would have flagged it by now: no more training rows
  Plan plan = Plan::kUnknown;  // sim_cards plan; kUnknown off-net
  float score = 0;
  uint16_t reasons = 0;       // the engine's reason bits (engine.cc, fewer than 16)
  uint16_t strangers_in = 0;  // calls in from numbers it never called (saturating; see engine.cc, "public")
  Distinct256 callees;
  std::vector<Contact> contacts;
};
static_assert(sizeof(EngineNumber) == 128, "two cache lines: see above");

// Governance's part (detect/governance.cc): what the card-seller, insider
// and den finders know of a SIM. Counted by the finders' own rules (calls at
// their start, ends as the engine reports them), so not merged with the
// engine's counts of the same calls, which follow other rules.
struct GovernanceNumber {
  PersonId holder = kNoId;
  OutletId outlet = kNoId;
  uint32_t out_calls = 0;
  uint32_t in_calls = 0;
  bool bad : 1 = false;             // counted as a bad card (flagged / on a flagged device)
  bool counted_outlet : 1 = false;  // counted in its outlet's bad cards
  bool reverified : 1 = false;
  bool fraud_number : 1 = false;    // flagged as a fraud number, by the engine or by the finders (flag_number sent)
  uint32_t answered_calls = 0;  // of its calls that ended (NoteCallEnded): answered
  Ts opened = kNoTs;
  Ts first_active = kNoTs;      // first call or SMS, either side
  DeviceId device = kNoId;      // first handset it called from
  uint32_t ended_calls = 0;     // its outgoing calls known to have ended
};
static_assert(sizeof(GovernanceNumber) == 48);

// Ring detection's part (detect/ring_watch.cc): who holds the number, its
// lifetime calls (saturating), and whether it is flagged or watched.
struct RingNumber {
  PersonId person = kNoId;
  uint16_t calls_out = 0, calls_in = 0;
  uint8_t marks = 0;
};

struct alignas(64) NumberRecord {
  EngineNumber engine;
  GovernanceNumber gov;
  RingNumber ring;
};
static_assert(sizeof(NumberRecord) == 192, "three cache lines: see above");

using NumberTable = ChunkedTable<NumberRecord>;

// One detector's part of every record, indexed like a table of its own.
template <typename Part, Part NumberRecord::*kMember>
class NumberParts {
 public:
  explicit NumberParts(NumberTable* t) : t_(t) {}
  Part& operator[](size_t i) { return (*t_)[i].*kMember; }
  const Part& operator[](size_t i) const { return (*t_)[i].*kMember; }
  size_t size() const { return t_->size(); }
  size_t capacity() const { return t_->capacity(); }
  void resize(size_t n) { t_->resize(n); }

 private:
  NumberTable* t_;
};

// The part of `id`, growing the shared table on demand.
template <typename Part, Part NumberRecord::*kMember>
Part& At(NumberParts<Part, kMember>& t, uint32_t id) {
  if (id >= t.size()) t.resize(id + size_t{1});
  return t[id];
}
// The part of `id`, or `fill` for an id the table has not reached.
template <typename Part, Part NumberRecord::*kMember>
Part Get(const NumberParts<Part, kMember>& t, uint32_t id, Part fill) {
  return id < t.size() ? t[id] : fill;
}

// The per-entity state one run's detectors share. Numbers so far; accounts,
// handsets and persons are still each detector's own.
struct SharedState {
  NumberTable numbers;
};

// The state a detector works on: the run's `shared` one, or, for a detector
// run alone (`shared` null), a new one it keeps in `*own`.
inline SharedState* SharedOrOwn(SharedState* shared, std::unique_ptr<SharedState>* own) {
  if (shared) return shared;
  *own = std::make_unique<SharedState>();
  return own->get();
}

}  // namespace interdict
