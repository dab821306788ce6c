// interdict report RUN_DIR: the figures a centre publishes about a run
// (store/statistics.h, docs/statistics.md), for a period and optionally
// against a previous one. Reads only the engine's own records, never labels.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/money.h"
#include "cli/command.h"
#include "store/statistics.h"

namespace interdict::cli {
namespace {

struct ReportOptions {
  std::string run_dir;
  std::string period;
  std::string compare;
  bool json = false;
  bool csv = false;
};

// A figure's value as text: money in yuan, expected cases with two decimals.
std::string FigureText(FigureUnit u, std::optional<double> v, const char* missing) {
  if (!v) return missing;
  switch (u) {
    case FigureUnit::kMoney: return FormatMoney(static_cast<Money>(*v));
    case FigureUnit::kExpected: return fmt::format("{:.2f}", *v);
    case FigureUnit::kCount: break;
  }
  return fmt::format("{:.0f}", *v);
}

nlohmann::json FigureJson(FigureUnit u, std::optional<double> v) {
  if (!v) return nullptr;
  if (u == FigureUnit::kMoney) return *v / 100.0;  // yuan
  if (u == FigureUnit::kCount) return static_cast<int64_t>(*v);
  return *v;
}

std::string_view UnitName(FigureUnit u) {
  return u == FigureUnit::kMoney ? "yuan" : u == FigureUnit::kExpected ? "expected_cases" : "count";
}

std::string PeriodText(const Period& p) {
  const TimeZone& tz = Globals().tz;
  if (!p.bounded()) return "all time";
  return fmt::format("{} .. {}", p.from == kNoTs ? "" : FormatTs(p.from, tz), p.to == kNoTs ? "" : FormatTs(p.to, tz));
}

nlohmann::json PeriodJson(const Period& p) {
  const TimeZone& tz = Globals().tz;
  return {{"from", p.from == kNoTs ? nlohmann::json(nullptr) : nlohmann::json(FormatTs(p.from, tz))},
          {"to", p.to == kNoTs ? nlohmann::json(nullptr) : nlohmann::json(FormatTs(p.to, tz))}};
}

int RunReport(const ReportOptions& o) {
  const TimeZone& tz = Globals().tz;
  if (o.json && o.csv) return Fail(kExitUsage, "choose one of --json and --csv");
  Period period, previous;
  bool compare = !o.compare.empty();
  if (!o.period.empty()) {
    Status s = ParsePeriod(o.period, tz, &period);
    if (!s.ok()) return Fail(kExitUsage, "--period: " + s.message());
  }
  if (compare) {
    Status s = ParsePeriod(o.compare, tz, &previous);
    if (!s.ok()) return Fail(kExitUsage, "--compare: " + s.message());
  }
  RunRecords r;
  Status s = LoadRunRecords(o.run_dir, tz, &r);
  if (!s.ok()) return Fail(kExitInput, s.message());
  Figures cur = ComputeFigures(r, period);
  Figures prev;
  if (compare) prev = ComputeFigures(r, previous);

  if (o.json) {
    nlohmann::json j;
    j["run_dir"] = o.run_dir;
    j["period"] = PeriodJson(period);
    j["compare"] = compare ? PeriodJson(previous) : nlohmann::json(nullptr);
    j["sources"] = {{"actions", r.actions.size()},
                    {"actions_rejected", r.actions_rejected},
                    {"cases_db", r.have_cases},
                    {"cases", r.cases.size()},
                    {"restitution",
                     r.restitution_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.restitution_source)}};
    j["units"] = nlohmann::json::object();
    j["figures"] = nlohmann::json::object();
    if (compare) {
      j["previous"] = nlohmann::json::object();
      j["change_pct"] = nlohmann::json::object();
    }
    for (int i = 0; i < kNumFigures; ++i) {
      Figure f = static_cast<Figure>(i);
      const FigureInfo& info = Info(f);
      std::string key(info.key);
      j["units"][key] = UnitName(info.unit);
      j["figures"][key] = FigureJson(info.unit, cur.Get(f));
      if (compare) {
        j["previous"][key] = FigureJson(info.unit, prev.Get(f));
        auto pct = ChangePercent(cur.Get(f), prev.Get(f));
        j["change_pct"][key] = pct ? nlohmann::json(*pct) : nlohmann::json(nullptr);
      }
    }
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  if (o.csv) {
    // Missing values are empty fields: other tools read them as null.
    std::printf(compare ? "figure,unit,value,previous,change_pct\n" : "figure,unit,value\n");
    for (int i = 0; i < kNumFigures; ++i) {
      Figure f = static_cast<Figure>(i);
      const FigureInfo& info = Info(f);
      std::string line = fmt::format("{},{},{}", info.key, UnitName(info.unit), FigureText(info.unit, cur.Get(f), ""));
      if (compare) {
        auto pct = ChangePercent(cur.Get(f), prev.Get(f));
        line += fmt::format(",{},{}", FigureText(info.unit, prev.Get(f), ""), pct ? fmt::format("{:.1f}", *pct) : "");
      }
      std::printf("%s\n", line.c_str());
    }
    return kExitOk;
  }

  std::printf("run       %s\n", o.run_dir.c_str());
  std::printf("period    %s\n", PeriodText(period).c_str());
  if (compare) std::printf("compared  %s\n", PeriodText(previous).c_str());
  std::printf("sources   actions.csv (%zu rows%s), cases.db (%s), restitution (%s)\n\n", r.actions.size(),
              r.actions_rejected ? fmt::format(", {} rejected", r.actions_rejected).c_str() : "",
              r.have_cases ? fmt::format("{} cases", r.cases.size()).c_str() : "absent",
              r.restitution_source.empty() ? "absent" : r.restitution_source.c_str());
  size_t w = 0;
  for (int i = 0; i < kNumFigures; ++i) w = std::max(w, Info(static_cast<Figure>(i)).label.size());
  std::string header = fmt::format("{:<{}}  {:>14}", "figure", w, "value");
  if (compare) header += fmt::format("  {:>14}  {:>9}", "previous", "change");
  std::printf("%s\n%s\n", header.c_str(), std::string(header.size(), '-').c_str());
  for (int i = 0; i < kNumFigures; ++i) {
    Figure f = static_cast<Figure>(i);
    const FigureInfo& info = Info(f);
    std::string line = fmt::format("{:<{}}  {:>14}", info.label, w, FigureText(info.unit, cur.Get(f), "n/a"));
    if (compare) {
      auto pct = ChangePercent(cur.Get(f), prev.Get(f));
      line += fmt::format("  {:>14}  {:>9}", FigureText(info.unit, prev.Get(f), "n/a"),
                          pct ? fmt::format("{:+.1f}%", *pct) : "n/a");
    }
    std::printf("%s\n", line.c_str());
  }
  std::printf("\nmoney in yuan; 'n/a': no source for the figure, or no change from a previous 0\n");
  return kExitOk;
}

const bool kRegistered = RegisterCommand(80, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "The centre's published figures for a run: cases, warnings, stops, money");
  cmd->add_option("RUN_DIR", o->run_dir, "a run's output directory (actions.csv, cases.db, restitution.csv)")
      ->required();
  cmd->add_option("--period", o->period, "FROM..TO: dates (TO inclusive) or timestamps (TO exclusive); default all");
  cmd->add_option("--compare", o->compare, "FROM..TO of the previous period: adds the change in percent");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->add_flag("--csv", o->csv, "print CSV (figure,unit,value[,previous,change_pct])");
  cmd->callback([o, exit_code] { *exit_code = RunReport(*o); });
});

}  // namespace
}  // namespace interdict::cli
