// Scoring an actions.csv against a labelled data set, exactly as
// shared/spec/evaluation.md says (docs/evaluation.md lists the choices the page
// leaves open and how they are made here).
//
// Operation:
//   EvalOptions opt;                 // the page's parameters, defaults as on the page
//   EvalReport report;
//   Status s = Evaluate("path/to/dataset", "actions.csv", opt, &report);
//   nlohmann::json j = EvalReportJson(report);   // keys as named on the page
//   std::fputs(FormatEvalTable(report).c_str(), stdout);
//
// Evaluate reads labels/, then actions.csv, then streams the data set once
// (through the same DatasetReader as the engine, so ids, times and money parse
// identically) while running the counterfactual FIFO replay of transfers.csv.
// Memory: per-id arrays only for labelled and acted-on ids, a lot queue only
// for accounts that ever hold taint. Bad rows in any input are rejected,
// counted and reported; they never stop the run. Errors (Status): the data set
// or labels/ directory missing, actions.csv missing, a header without a
// required column, a file that cannot be read to its end.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "ingest/named_csv.h"
#include "ingest/dataset.h"

namespace interdict {

struct EvalOptions {
  Ts latency_s = 60;  // a stop_payment or freeze is effective from ts + latency
  Ts lead_sms_s = 0;
  Ts lead_call_s = 120;
  Ts lead_visit_s = 1200;
  double efficacy_sms = 0.2;
  double efficacy_call = 0.6;
  double efficacy_visit = 0.9;
  double efficacy_hold = 0.95;
  ReadOptions read;          // time zone of offset-less timestamps, lateness of the merge
  std::string rejects_path;  // where rejected rows go (CSV); empty = count only
};

// The target kinds of section 1, in the page's order.
enum class EntityKind : uint8_t { kNumbers, kAccounts, kDevices, kOutlets, kPersons };
inline constexpr int kNumEntityKinds = 5;
const char* EntityKindName(EntityKind k);  // "numbers", "accounts", ...

// Warning tiers of section 2 in rank order; kNone = no in-time warning.
enum class Tier : uint8_t { kNone, kSms, kCall, kVisit, kHold };
inline constexpr int kNumTiers = 5;
const char* TierName(Tier t);  // "none", "sms", "call", "visit", "hold"

struct DetectionFigures {
  uint64_t positives = 0;  // labelled positives
  uint64_t flagged = 0;    // distinct flagged targets
  uint64_t tp = 0, fp = 0, fn = 0;
  std::optional<double> precision, recall, f1;  // nullopt = 0/0
  std::optional<double> median_delay_s;         // over true positives with a known first event
  uint64_t delays = 0;                          // how many true positives had a first event
};

struct EvalReport {
  std::array<DetectionFigures, kNumEntityKinds> detection;

  // Section 2.
  uint64_t cases = 0;                                // labels/cases.csv rows with a first_loss_ts
  std::array<uint64_t, kNumTiers> warned_in_time{};  // cases by best in-time tier
  double expected_prevented = 0;
  std::optional<double> prevented_share;
  std::optional<double> expected_loss_prevented;  // share of the cases' loss_amount
  double expected_loss_prevented_yuan = 0;       // the weighted sum itself, in yuan
  Money case_loss = 0;                           // sum of loss_amount over the cases
  std::array<uint64_t, 3> false_warning_rows{};  // sms, call, visit
  std::array<std::optional<double>, 3> false_warnings_per_10k_day;  // sms, call, visit
  uint64_t held_txns = 0;    // distinct txn ids under a hold_transfer
  uint64_t false_holds = 0;  // ... that are no transfer of any case (any hop)
  std::optional<double> false_holds_per_10k_day;  // per 10,000 persons per day
  uint64_t persons = 0;
  double days = 1;

  // Section 3.
  Money total_loss = 0;          // sum of hop-1 amounts found in transfers.csv
  Money intercepted = 0;         // = intercepted_by_stop + intercepted_by_hold
  Money intercepted_by_stop = 0;
  Money intercepted_by_hold = 0;
  std::optional<double> intercepted_share;
  std::optional<double> median_stop_delay_s;
  uint64_t stop_delays = 0;  // cases with a stop on an account that held their taint
  uint64_t stopped_accounts = 0;
  uint64_t false_stops = 0;  // distinct stopped accounts not in labels/accounts.csv
  uint64_t false_stop_actions = 0;
  std::optional<double> false_stops_share;
  uint64_t hop1_listed = 0;   // hop-1 rows in labels/case_transfers.csv
  uint64_t hop1_missing = 0;  // ... whose txn_id is not in transfers.csv
  uint64_t transfers = 0;
  uint64_t blocked_transfers = 0;

  // Inputs.
  uint64_t actions = 0;  // accepted rows of actions.csv
  std::vector<InputFileStats> inputs;  // actions.csv and labels/*.csv
  std::vector<FileStats> dataset;      // the data set's files
  uint64_t rejected = 0;               // all rejected rows, every file
};

Status Evaluate(const std::string& dataset_dir, const std::string& actions_path, const EvalOptions& opt,
                EvalReport* report);

// One flat JSON object; keys are the page's names ("numbers.precision",
// "warned_in_time.call", "intercepted_share" ...); money in yuan; 0/0 = null.
nlohmann::json EvalReportJson(const EvalReport& r, const EvalOptions& opt);
// The human table printed by `interdict eval`.
std::string FormatEvalTable(const EvalReport& r, const EvalOptions& opt);

// Median of a sample; an even count gives the mean of the two middle values.
// nullopt when empty. Reorders `v`.
std::optional<double> Median(std::vector<int64_t>* v);

}  // namespace interdict
