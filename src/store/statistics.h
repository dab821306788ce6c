// The figures an anti-fraud centre publishes about a run (`interdict report`),
// computed from the engine's own records only: RUN_DIR/actions.csv (always),
// RUN_DIR/cases.db (when present) and RUN_DIR/restitution.csv (when present).
// No labels are read. docs/statistics.md defines every figure exactly.
//
// Operation:
//   RunRecords r;  Status s = LoadRunRecords("out/run1", tz, &r);
//   Period p;      s = ParsePeriod("2024-03-01..2024-03-31", tz, &p);
//   Figures f = ComputeFigures(r, p);
//   // f.Get(Figure::kCasesFiled) is nullopt when its source is missing (no cases.db).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "model/action.h"
#include "store/case_store.h"

namespace interdict {

// A half-open interval of event time [from, to); kNoTs on a side = unbounded.
struct Period {
  Ts from = kNoTs;
  Ts to = kNoTs;
  bool Contains(Ts ts) const { return (from == kNoTs || ts >= from) && (to == kNoTs || ts < to); }
  bool bounded() const { return from != kNoTs || to != kNoTs; }
};

// "FROM..TO": each side a date (YYYY-MM-DD, local midnight in `tz`; a TO date
// includes its whole day) or a timestamp of a form events.md allows (a TO
// timestamp is exclusive). Either side may be empty (unbounded), not both.
// Invalid: no "..", a side that does not parse, FROM not before TO.
Status ParsePeriod(std::string_view s, const TimeZone& tz, Period* out);

// Everything the figures are computed from, loaded once so that several
// periods can be computed without reading the files again. Owns its data;
// immutable after loading, so it may be read by several threads.
struct RunRecords {
  std::vector<Action> actions;          // accepted rows of actions.csv, file order
  uint64_t actions_rejected = 0;        // malformed rows skipped (counted, not fatal)
  bool have_cases = false;              // cases.db was present and read
  std::vector<CaseRecord> cases;
  std::vector<std::pair<std::string, CaseLink>> links;            // (case_id, link)
  std::vector<std::pair<std::string, TraceHopRow>> trace_sources; // (case_id, depth-0 hop)
  // Restitution: from restitution.csv when present, else from cases.db.
  std::string restitution_source;       // "restitution.csv", "cases.db" or "" (none)
  std::vector<RestitutionRow> restitution;
  uint64_t restitution_rejected = 0;
};

// Reads RUN_DIR. Errors: RUN_DIR/actions.csv missing or without a required
// column (ts, action, target_kind, target); cases.db present but unreadable;
// restitution.csv present but without a required column.
Status LoadRunRecords(const std::string& run_dir, const TimeZone& tz, RunRecords* out);

enum class Figure : uint8_t {
  kCasesFiled,
  kCasesSolved,
  kCasesPrevented,
  kSuspectsIdentified,
  kWarningsSms,
  kWarningsCall,
  kWarningsVisit,
  kAccountsStopPaid,
  kMoneyStopPaid,
  kMoneyReturned,
  kSimCardsFlagged,
  kBankAccountsFlagged,
  kDevicesFlagged,
  kOutletsFlagged,
};
inline constexpr int kNumFigures = 14;
enum class FigureUnit : uint8_t { kCount, kMoney /* fen */, kExpected /* expected number of cases */ };

struct FigureInfo {
  std::string_view key;    // JSON/CSV name: "cases_filed"
  std::string_view label;  // table label: "cases filed"
  FigureUnit unit;
};
const FigureInfo& Info(Figure f);

// Efficacies and lead times of evaluation.md section 2 for the tiers that
// count as a prevention (call, visit, hold).
struct PreventionParams {
  double efficacy_call = 0.6;
  double efficacy_visit = 0.9;
  double efficacy_hold = 0.95;
  Ts lead_call_s = 120;
  Ts lead_visit_s = 1200;
};

struct Figures {
  // Counts and money (fen) are exact integers held in a double (< 2^53);
  // nullopt when the figure's source is missing.
  std::array<std::optional<double>, kNumFigures> values;
  std::optional<double> Get(Figure f) const { return values[static_cast<int>(f)]; }
};

Figures ComputeFigures(const RunRecords& r, const Period& p, const PreventionParams& params = {});

// (current - previous) / previous * 100; nullopt when either is missing or
// previous is 0 (a change from nothing is not a percentage).
std::optional<double> ChangePercent(std::optional<double> current, std::optional<double> previous);

}  // namespace interdict
