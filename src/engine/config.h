// EngineConfig: every threshold and capacity of the detection engine and of
// the detectors it runs (source governance, ring watch), with the defaults of
// config/engine-default.toml. One TOML file holds all of them: the engine's
// keys at the top level, the detectors' in tables [governance] and [rings]
// (docs/config.md lists every key).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "detect/governance.h"
#include "detect/ring_watch.h"

namespace interdict {

struct EngineConfig {
  // --- fraud numbers (rules that encode what investigators know) ---
  uint32_t min_calls = 10;              // outgoing calls in the window before a number is judged
  uint32_t min_distinct_callees = 8;    // distinct callees in the window (linear-counting estimate)
  double min_outgoing_share = 0.85;     // calls made / (made + received)
  double answer_rate_suspect = 0.35;    // answered share at or below this is a strong sign
  double answer_rate_normal = 0.65;     // at or above this, the number looks like a business line
  Ts new_card_s = 60 * 86400;           // a SIM opened within this before its first call is "new"
  Ts dormant_after_s = 2 * 86400;           // an old card first active this long after the data begins: woken up
  double flag_threshold = 0.75;         // rule score needed to flag
  uint32_t public_line_min_strangers = 3;  // calls from people a line never called: it is a public number
  Ts window_s = 86400;                  // feature window (tumbling)
  // SIM boxes are judged by governance alone ([governance] simbox_*, detect/governance.h).
  // --- SMS blasters ---
  uint32_t sms_blast_min_links = 30;    // link SMS of one template to this many numbers from a new card nothing reached
  // --- exposure and warnings ---
  Ts contact_memory_s = 7 * 86400;      // who a number reached: kept this long
  uint32_t warn_sms_min_answered_s = 60;    // an answered call this long with a flagged number: SMS
  uint32_t warn_call_min_answered_s = 300;  // an answered call this long escalates to a call
  int vulnerable_age_min = 65;          // ages at or above: escalate to a call at once
  int vulnerable_age_max = 22;          // ages at or below: likewise (loans, brushing)
  uint32_t exposure_min_answered_s = 300;  // a conversation this long with a flagged number exposes its holder ...
  Ts exposure_hold_s = 72 * 3600;       // ... whose payments this soon after are held ...
  Money hold_min_amount = 10000;        // ... if it is at least this (fen: 100 yuan)
  // --- capacity: what a centre can do per day, per 10,000 registered persons ---
  // Guangdong 2021: 18 M dissuasion calls and 1.16 M visits for ~126 M people,
  // true and false together. The engine spends it on the highest expected loss.
  double call_capacity_per_10k_day = 4.0;
  double visit_capacity_per_10k_day = 0.25;
  Ts warning_expiry_s = 6 * 3600;       // a queued warning not served by then is reported unserved
  // --- response ---
  Ts trace_lookback_s = 48 * 3600;      // on a report with no known first contact, trace this far back
  Money trace_min_amount = 10000;       // fen
  int trace_max_depth = 6;
  Ts own_use_window_s = 7 * 86400;      // a payee shopping or paid wages within this is someone's own account
  Money own_use_max_payment = 50000;    // fen: a third-party payment up to this is a living expense
  double stop_min_tainted_share = 0.5;  // a hop 2+ layers down is stopped if fraud fed this share of its inflow
  Ts freeze_after_s = 24 * 3600;        // a freeze follows a stop-payment (within the 48 h)
  Ts case_close_s = 30 * 86400;         // restitution when a case closes
  // --- source governance (detect/governance.h): [governance] enabled ---
  uint32_t governance = 1;              // 0 turns the card/outlet/den/mule finders off
  // --- rings (detect/ring_watch.h): [rings] enabled ---
  uint32_t rings = 1;                   // 0 turns dense-subgraph ring detection and gang records off
  // --- live tracing ---
  // 0: cases are still opened (on reports and before them) but their money is
  // not traced, extended or stop-paid. For measuring what tracing costs
  // (docs/benchmarks.md), not for operations.
  uint32_t live_tracing = 1;
  // The detectors' thresholds, tables [governance] and [rings] of the file;
  // their defaults are the detectors' own (detect/governance.h, ring_watch.h).
  GovernanceConfig governance_config;
  RingWatchConfig rings_config;

  friend bool operator==(const EngineConfig&, const EngineConfig&) = default;

  // Loads a TOML file over *out: keys the file names replace their values,
  // the others keep theirs (callers start from the defaults). Unknown keys,
  // wrong types, negative integers and integers out of the field's range are
  // errors naming the file and the key ("governance.seller_sims_batch");
  // *out may then be partly updated. The older top-level switches
  // `governance = 0` and `rings = 0` are still read as [governance] and
  // [rings] `enabled = 0` (TOML forbids both forms in one file).
  static Status Load(const std::string& path, EngineConfig* out);
  // As Load, from TOML text; `origin` names the text in errors.
  static Status Parse(std::string_view text, const std::string& origin, EngineConfig* out);
  // Every key with its value as TOML, top-level keys first, then the tables;
  // Parse of the result gives back a configuration equal to *this.
  std::string ToToml() const;
  // Every key as written in the file: "min_calls", ..., "governance.enabled",
  // "governance.batch_window_s", ..., "rings.period_s", ... (ToToml's order).
  static std::vector<std::string> Keys();
};

}  // namespace interdict
