// Scenario files: a story a fraud analyst can read and write (events in,
// expected actions out, or actions that must not appear), run against the
// Engine. The format is in docs/scenarios.md; tests/scenarios/*.test are the
// stories, run one gtest instance per file by engine/scenario_test.cc.
//
// Usage:
//   Scenario s;
//   Status st = LoadScenario("tests/scenarios/fraud_burst.test", &s);
//   if (!st.ok()) ...;                       // "fraud_burst.test:12: ..."
//   std::vector<std::string> failures = RunScenario(s);  // empty: it passed
//
// A Scenario is plain data (no engine inside): parse once, run any number of
// times, each run with its own Dictionaries and Engine, built exactly as
// engine_test.cc's World builds them. Not thread-safe per object; separate
// objects are independent.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "engine/config.h"
#include "model/action.h"

namespace interdict {

// One timed line of a scenario after repeats are expanded: an event to apply,
// or the clock moved on (advance) or the data's end (finish).
struct ScenarioStep {
  enum class Kind : uint8_t { kSim, kAccount, kCall, kSms, kPay, kReport, kAdvance, kFinish };
  Kind kind = Kind::kCall;
  Ts ts = 0;
  int line = 0;
  // Ids as written: sim: a = msisdn, b = holder, c = operator, d = outlet;
  // account: a = account, b = holder, c = kind; call/sms: a -> b, c = imei /
  // template, d = the caller's cell (call); pay: a -> b, c = txn, d = channel; report: a = report id,
  // b = person, c = account, amount = the stated loss (kNoMoney if not said).
  std::string a, b, c, d;
  uint32_t duration_s = 0;  // call
  bool link = false;        // sms
  Money amount = 0;         // pay, report's loss (fen)
  int plan = 0;             // sim: Plan as int (0: prepaid, as World)
};

// A time in an expectation: a fixed time, or the time of the first action of
// a type (and target) plus an offset, resolved after the run.
struct ScenarioTime {
  Ts ts = 0;               // fixed, or the offset from the referenced action
  std::string ref_action;  // empty: fixed
  std::string ref_target;  // empty: any target
};

struct ScenarioExpect {
  int line = 0;
  std::string text;  // the line as written (after {...} substitution), for messages
  enum class Kind : uint8_t { kActions, kStat, kRestitution, kCases } kind = Kind::kActions;
  // Count comparison: "==", ">=", "<=".
  std::string cmp = "==";
  int64_t count = 1;
  // kActions: filters ("" / unset: any).
  std::string action;  // action type name, or "any"
  std::string target;
  std::string reason_eq, reason_contains, case_id, target_kind;
  Money amount = kNoMoney;
  // Time filters; used when the flag is set.
  bool has_at = false, has_before = false, has_by = false, has_after = false;
  ScenarioTime at, before, by, after;
  // kStat: the EngineStats field; kRestitution: total returned (fen) as count.
  std::string stat;
};

struct ScenarioPerson {
  std::string id;
  int birth_year = 0;
};

struct Scenario {
  std::string path;
  std::string story;  // the leading comment lines, joined
  Ts start = 1709251200;  // 2024-03-01T08:00:00+08:00 unless `start` says otherwise
  EngineConfig config;    // ample call and visit capacity, then the file's `config` lines
  std::vector<ScenarioPerson> persons;
  std::vector<ScenarioStep> steps;  // in file order; RunScenario applies them sorted by time (stable)
  std::vector<ScenarioExpect> expects;
};

// Parses scenario text; errors name `path` and the line ("x.test:7: ...").
Status ParseScenario(std::string_view text, const std::string& path, Scenario* out);
// Reads and parses a file.
Status LoadScenario(const std::string& path, Scenario* out);
// Runs the scenario on a fresh engine and checks every expectation. Returns
// one message per failed expectation ("x.test:31: expect ...: found 0 ..."),
// empty when all hold. `actions_out`, if given, receives every action emitted.
std::vector<std::string> RunScenario(const Scenario& s, std::vector<Action>* actions_out = nullptr);

}  // namespace interdict
