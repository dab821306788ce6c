// RingWatch (issue 6): dense-subgraph ring detection on the live event stream.
//
// Two graphs, each with its own incrementally maintained RingDetector
// (graph/rings.h, FRAUDAR weights: edges into popular targets are discounted):
//  - money: transfers between two personal accounts (payer -> payee);
//  - calls: calls (caller -> callee) whose caller is *watched*: a one-sided
//    heavy caller (>= call_min_out calls out, outgoing share >= call_min_out_share)
//    or a number some detector flagged.
// Edges are buffered and handed to the detector as one batch per period of
// event time (hourly by default); at each period's end the current rings are
// read, every ring above threshold becomes (or extends) a gang, and its members
// are flagged once each (flag_account / flag_number, reason
// `ring:<gang id>+density:<ratio>`). docs/rings.md ("RingWatch") says why
// these edges and not all: the cost budget of the engine.
//
// A gang record links the ring's numbers or accounts, their holders (persons),
// the devices seen operating them, and the holders' other numbers and accounts.
//
// Ownership: borrows `dicts` (must outlive the watch, read to turn ids into
// strings and targets into ids); owns its detectors and state. Memory: a few
// bytes per number and account seen, plus the two graphs (docs/rings.md). Not
// thread-safe: one watch per event stream.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/time.h"
#include "graph/rings.h"
#include "model/action.h"
#include "model/dictionary.h"
#include "detect/detector.h"
#include "model/events.h"
#include "state/number.h"

namespace interdict {

struct RingWatchConfig {
  Ts period_s = 3600;          // rings are read once per this much event time
  size_t rings_per_graph = 8;  // top-k blocks read per graph and period
  bool money = true;           // the transfer graph
  bool calls = true;           // the call graph
  // Ring decision per graph (graph/rings.h): density >= ratio x the graph's
  // average density and >= min_size members.
  double money_min_ratio = 3.0;
  double calls_min_ratio = 3.0;
  uint32_t min_size = 5;
  // A block larger than this is a community (a village, a company's staff),
  // not a gang: it is recorded nowhere and flags nothing.
  uint32_t max_size = 60;
  // Rings are read once the graph has this many edges: on fewer, its average
  // density is no baseline (a few dozen transfers make anything "dense").
  uint64_t min_graph_edges = 1000;
  // Rings are read at a period's end only if the edges added since the last
  // reading are at least this share of the graph (and 64): a reading costs
  // O(V), so this keeps it amortised over the edges (0: every period).
  double read_min_growth = 0.01;
  // Corroboration: a ring is a gang only if at least this many of its members
  // were already flagged or stopped by another detector. 0 (the default):
  // structure alone, which flags nothing false in the simulated worlds
  // (docs/rings.md, "RingWatch"); raise it where families or workmates' money
  // circles show up as rings.
  uint32_t min_flagged_members = 0;
  // Calls enter the call graph only from watched callers (see above). Once a
  // number has made call_min_out calls with this outgoing share it stays
  // watched (a gang's numbers calling each other later receive calls too).
  // 30 / 0.95 admits 2 % of the 200k world's calls (114k of 5.5M); 20 / 0.75
  // admitted 13 % at five times the cost, all of it ordinary callers.
  uint32_t call_min_out = 30;
  double call_min_out_share = 0.95;
  // Emit flag_account / flag_number for ring members (false: gang records only).
  bool flag_members = true;
  // (Compared by engine/config's round-trip test.)
  friend bool operator==(const RingWatchConfig&, const RingWatchConfig&) = default;
};

struct RingWatchStats {
  uint64_t money_edges = 0, call_edges = 0;  // edges handed to the detectors
  uint64_t ticks = 0;                        // periods ended
  uint64_t reads = 0;                        // rings read (per graph)
  uint64_t gangs = 0, flagged_accounts = 0, flagged_numbers = 0;
  double detector_seconds = 0;  // CPU time in AddEdges (thread clock)
  double read_seconds = 0;      // CPU time in CurrentRings
};

// One entity of a gang. kind: account|msisdn|person|device; role: member
// (in the dense block, flagged), payer (an account of the block that only paid
// into it: a victim; not flagged), contact (a callee of a call ring that is
// not a watched caller: a victim; not flagged), holder (holds a member),
// device (operated a member), holder_account / holder_number (another account
// or number of a holder).
struct GangMember {
  std::string kind;
  std::string id;
  std::string role;
  Ts ts = kNoTs;  // when it was linked (member: the period its ring was read)
};

struct GangRecord {
  std::string gang_id;  // "RG<n>", in order of first detection
  std::string graph;    // "money" | "calls"
  Ts first_ts = 0, last_ts = 0;  // first and last period it was read as a ring
  uint32_t size = 0;             // members in the dense block (all periods' union)
  double density = 0, ratio = 0; // at its densest reading (ratio = x the graph's average)
  std::vector<GangMember> members;  // members first (in detection order), then linked entities
};

// Dense-subgraph (ring) detection over the live transfer and call graphs,
// with gang records (docs/rings.md). Usage, alone (`interdict govern`) or
// inside the Engine, which passes it every other detector's actions:
//
//   RingWatch rings(&dicts, cfg, /*shared=*/nullptr);
//   Verdicts v;
//   for (const Event& e : events) rings.Apply(e, &v);   // event-time order; handle v
//   rings.Note(Fact::ActionSent(a), &v);                 // each action decided elsewhere
//   rings.Finish(end_ts, &v);
//   for (const GangRecord& g : rings.Gangs()) { ... }    // as GangRow into store/case_store.h
//
// Ownership: borrows `dicts` (must outlive it); owns the graphs and gang
// records. Verdicts (detect/detector.h) are appended to the caller's vector.
// Not thread-safe: one per event stream, all calls (Gangs() included) from
// one thread.
class RingWatch : public Detector {
 public:
  // `shared`: the run's per-number records (state/number.h); null: its own.
  RingWatch(const Dictionaries* dicts, const RingWatchConfig& cfg, SharedState* shared);
  ~RingWatch() override;
  RingWatch(const RingWatch&) = delete;
  RingWatch& operator=(const RingWatch&) = delete;

  std::string_view name() const override { return "rings"; }
  // Every event, in event-time order (openings give holders and account kinds).
  void Apply(const Event& e, Verdicts* out) override;
  // A hint that `e` will be applied soon (base/dense_table.h); no effect on results.
  void Prefetch(const Event& e) const override;
  // The fact it uses, kActionSent: an action another detector decided. A
  // flagged number is watched in the call graph, and a flagged or stopped
  // entity is never flagged again here.
  void Note(const Fact& f, Verdicts* out) override;
  // End of data: the last period's rings are read.
  void Finish(Ts end, Verdicts* out) override;

  // Every gang so far with its linked entities (holders, devices, their other
  // numbers and accounts), in gang-id order.
  std::vector<GangRecord> Gangs() const;
  const RingWatchStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace interdict
