// EvalReport as JSON (flat keys named as on evaluation.md) and as the human
// table of `interdict eval`.
#include <fmt/format.h>

#include "eval/evaluate.h"

namespace interdict {

namespace {

nlohmann::json Opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
double Yuan(Money fen) { return static_cast<double>(fen) / 100.0; }

std::string Fmt(const std::optional<double>& v, int decimals = 4) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : std::string("null");
}

constexpr const char* kWarnTiers[] = {"sms", "call", "visit"};

}  // namespace

nlohmann::json EvalReportJson(const EvalReport& r, const EvalOptions& opt) {
  nlohmann::json j = nlohmann::json::object();
  for (int k = 0; k < kNumEntityKinds; ++k) {
    const DetectionFigures& d = r.detection[k];
    std::string p = EntityKindName(static_cast<EntityKind>(k));
    j[p + ".precision"] = Opt(d.precision);
    j[p + ".recall"] = Opt(d.recall);
    j[p + ".f1"] = Opt(d.f1);
    j[p + ".median_delay_s"] = Opt(d.median_delay_s);
    j[p + ".tp"] = d.tp;
    j[p + ".fp"] = d.fp;
    j[p + ".fn"] = d.fn;
  }
  j["cases"] = r.cases;
  for (int t = 1; t < kNumTiers; ++t)
    j[fmt::format("warned_in_time.{}", TierName(static_cast<Tier>(t)))] = r.warned_in_time[t];
  j["warned_in_time.none"] = r.warned_in_time[0];
  j["expected_prevented"] = r.expected_prevented;
  j["prevented_share"] = Opt(r.prevented_share);
  j["expected_loss_prevented"] = Opt(r.expected_loss_prevented);
  j["expected_loss_prevented_amount"] = r.expected_loss_prevented_yuan;
  j["case_loss"] = Yuan(r.case_loss);
  for (int t = 0; t < 3; ++t) {
    j[fmt::format("false_warnings_per_10k_day.{}", kWarnTiers[t])] = Opt(r.false_warnings_per_10k_day[t]);
    j[fmt::format("false_warning_rows.{}", kWarnTiers[t])] = r.false_warning_rows[t];
  }
  j["false_holds"] = r.false_holds;
  j["false_holds_per_10k_day"] = Opt(r.false_holds_per_10k_day);
  j["held_txns"] = r.held_txns;
  j["persons"] = r.persons;
  j["days"] = r.days;
  j["total_loss"] = Yuan(r.total_loss);
  j["intercepted_amount"] = Yuan(r.intercepted);
  j["intercepted_by_stop"] = Yuan(r.intercepted_by_stop);
  j["intercepted_by_hold"] = Yuan(r.intercepted_by_hold);
  j["intercepted_share"] = Opt(r.intercepted_share);
  j["median_stop_delay_s"] = Opt(r.median_stop_delay_s);
  j["stopped_accounts"] = r.stopped_accounts;
  j["false_stops"] = r.false_stops;
  j["false_stop_actions"] = r.false_stop_actions;
  j["false_stops_share"] = Opt(r.false_stops_share);
  j["hop1_transfers_missing"] = r.hop1_missing;
  j["actions"] = r.actions;
  j["rejected"] = r.rejected;
  j["latency"] = opt.latency_s;
  return j;
}

std::string FormatEvalTable(const EvalReport& r, const EvalOptions& opt) {
  std::string o;
  auto out = std::back_inserter(o);
  fmt::format_to(out, "1. entity detection\n");
  fmt::format_to(out, "  {:<9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>14}\n", "kind", "tp", "fp", "fn", "precision",
                 "recall", "f1", "median_delay_s");
  for (int k = 0; k < kNumEntityKinds; ++k) {
    const DetectionFigures& d = r.detection[k];
    fmt::format_to(out, "  {:<9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>14}\n",
                   EntityKindName(static_cast<EntityKind>(k)), d.tp, d.fp, d.fn, Fmt(d.precision), Fmt(d.recall),
                   Fmt(d.f1), Fmt(d.median_delay_s, 1));
  }
  fmt::format_to(out, "2. warnings and prevented cases ({} cases with a first_loss_ts)\n", r.cases);
  fmt::format_to(out, "  warned_in_time: hold {}, visit {}, call {}, sms {}, none {}\n", r.warned_in_time[4],
                 r.warned_in_time[3], r.warned_in_time[2], r.warned_in_time[1], r.warned_in_time[0]);
  fmt::format_to(out, "  expected_prevented {:.4f}, prevented_share {}, expected_loss_prevented {} ({:.2f} of {} yuan)\n",
                 r.expected_prevented, Fmt(r.prevented_share), Fmt(r.expected_loss_prevented),
                 r.expected_loss_prevented_yuan, FormatMoney(r.case_loss));
  fmt::format_to(out, "  false_warnings_per_10k_day ({} persons, {:.3f} days): sms {} ({} rows), call {} ({} rows), "
                 "visit {} ({} rows)\n",
                 r.persons, r.days, Fmt(r.false_warnings_per_10k_day[0]), r.false_warning_rows[0],
                 Fmt(r.false_warnings_per_10k_day[1]), r.false_warning_rows[1], Fmt(r.false_warnings_per_10k_day[2]),
                 r.false_warning_rows[2]);
  fmt::format_to(out, "  false_holds {} of {} held txn ids, false_holds_per_10k_day {}\n", r.false_holds, r.held_txns,
                 Fmt(r.false_holds_per_10k_day));
  fmt::format_to(out, "3. money intercepted (replay, latency {} s)\n", opt.latency_s);
  fmt::format_to(out, "  total_loss {} yuan, intercepted_amount {} yuan (stops {}, holds {}), intercepted_share {}\n",
                 FormatMoney(r.total_loss), FormatMoney(r.intercepted), FormatMoney(r.intercepted_by_stop),
                 FormatMoney(r.intercepted_by_hold), Fmt(r.intercepted_share));
  fmt::format_to(out, "  median_stop_delay_s {} (over {} cases)\n", Fmt(r.median_stop_delay_s, 1), r.stop_delays);
  fmt::format_to(out, "  false_stops {} of {} stopped accounts (false_stops_share {}; {} stop/freeze rows on them)\n", r.false_stops,
                 r.stopped_accounts, Fmt(r.false_stops_share), r.false_stop_actions);
  if (r.hop1_missing)
    fmt::format_to(out, "  note: {} hop-1 txn_ids of labels/case_transfers.csv are not in transfers.csv\n",
                   r.hop1_missing);
  fmt::format_to(out, "inputs: {} actions scored, {} transfers replayed ({} blocked), {} rows rejected\n", r.actions,
                 r.transfers, r.blocked_transfers, r.rejected);
  for (const InputFileStats& f : r.inputs)
    if (f.rejected) fmt::format_to(out, "  {}: {} of {} rows rejected\n", f.file, f.rejected, f.rows);
  for (const FileStats& f : r.dataset)
    if (f.rejected) fmt::format_to(out, "  {}: {} of {} rows rejected\n", f.file, f.rejected, f.rows);
  return o;
}

}  // namespace interdict
