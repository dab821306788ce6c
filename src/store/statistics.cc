#include "store/statistics.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "ingest/named_csv.h"
#include "ingest/rejects.h"
#include "ingest/row_parser.h"

namespace interdict {
namespace {

constexpr std::array<FigureInfo, kNumFigures> kInfos = {{
    {"cases_filed", "cases filed", FigureUnit::kCount},
    {"cases_solved", "cases solved", FigureUnit::kCount},
    {"cases_prevented", "cases prevented (expected)", FigureUnit::kExpected},
    {"suspects_identified", "suspects identified", FigureUnit::kCount},
    {"warnings_sms", "warnings: SMS", FigureUnit::kCount},
    {"warnings_call", "warnings: call", FigureUnit::kCount},
    {"warnings_visit", "warnings: visit", FigureUnit::kCount},
    {"accounts_stop_paid", "accounts stop-paid", FigureUnit::kCount},
    {"money_stop_paid", "money stop-paid", FigureUnit::kMoney},
    {"money_returned", "money returned", FigureUnit::kMoney},
    {"sim_cards_flagged", "SIM cards flagged", FigureUnit::kCount},
    {"bank_accounts_flagged", "bank accounts flagged", FigureUnit::kCount},
    {"devices_flagged", "devices flagged", FigureUnit::kCount},
    {"outlets_flagged", "outlets flagged", FigureUnit::kCount},
}};

// "YYYY-MM-DD" exactly: the form whose TO side means "through that day".
bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool ParseSide(std::string_view s, const TimeZone& tz, bool is_to, Ts* out) {
  if (IsDate(s)) {
    std::string t = fmt::format("{}T00:00:00", s);
    if (!ParseTs(t, tz, out)) return false;
    if (is_to) *out += 86'400;  // a fixed offset: every local day is 86,400 s
    return true;
  }
  return ParseTs(s, tz, out);
}

Status ReadActions(const std::string& path, const TimeZone& tz, RunRecords* out) {
  enum { kTs, kAction, kKind, kTarget, kActionId, kAmount, kScore, kReason, kCaseId };
  RejectSink rejects;  // count only: the rows' values are personal data
  (void)rejects.Open("");
  NamedCsv f("actions.csv", &rejects);
  Status s = f.Open(path, {"ts", "action", "target_kind", "target"}, {"action_id", "amount", "score", "reason", "case_id"});
  if (!s.ok()) return s;
  TsParser ts_parser(tz);
  while (f.Next()) {
    Action a;
    if (!ts_parser.Parse(f.Get(kTs), &a.ts)) {
      f.Reject(RejectReason::kBadTs, kTs, "not a timestamp of a form events.md allows");
      continue;
    }
    auto type = ParseActionType(f.Get(kAction));
    if (!type) {
      f.Reject(RejectReason::kBadEnum, kAction, "not an action of events.md");
      continue;
    }
    auto kind = ParseTargetKind(f.Get(kKind));
    if (!kind) {
      f.Reject(RejectReason::kBadEnum, kKind, "not a target kind of events.md");
      continue;
    }
    if (!IsValidId(f.Get(kTarget))) {
      f.Reject(RejectReason::kBadId, kTarget, "not a valid id");
      continue;
    }
    if (!f.Get(kAmount).empty()) {
      MoneyError e = ParseMoney(f.Get(kAmount), &a.amount);
      if (e != MoneyError::kOk) {
        f.Reject(RejectReason::kBadMoney, kAmount, MoneyErrorText(e));
        continue;
      }
    }
    a.type = *type;
    a.target_kind = *kind;
    a.target = std::string(f.Get(kTarget));
    a.action_id = std::string(f.Get(kActionId));
    a.reason = std::string(f.Get(kReason));
    a.case_id = std::string(f.Get(kCaseId));
    // The score is informative only here; an unparsable one reads as 0.
    std::string score(f.Get(kScore));
    char* end = nullptr;
    double sc = score.empty() ? 0 : std::strtod(score.c_str(), &end);
    a.score = (end && *end == '\0' && sc >= 0 && sc <= 1) ? sc : 0;
    f.Accept();
    out->actions.push_back(std::move(a));
  }
  out->actions_rejected = f.stats().rejected;
  return f.Finish();
}

Status ReadRestitution(const std::string& path, const TimeZone& tz, RunRecords* out) {
  enum { kCase, kAmount, kTs, kAccount, kVictim };
  RejectSink rejects;
  (void)rejects.Open("");
  NamedCsv f("restitution.csv", &rejects);
  Status s = f.Open(path, {"case_id", "amount", "ts"}, {"account", "victim_account"});
  if (!s.ok()) return s;
  TsParser ts_parser(tz);
  while (f.Next()) {
    RestitutionRow r;
    if (!ts_parser.Parse(f.Get(kTs), &r.ts)) {
      f.Reject(RejectReason::kBadTs, kTs, "not a timestamp of a form events.md allows");
      continue;
    }
    MoneyError e = ParseMoney(f.Get(kAmount), &r.amount);
    if (e != MoneyError::kOk) {
      f.Reject(RejectReason::kBadMoney, kAmount, MoneyErrorText(e));
      continue;
    }
    r.case_id = std::string(f.Get(kCase));
    r.account = std::string(f.Get(kAccount));
    r.victim = std::string(f.Get(kVictim));
    f.Accept();
    out->restitution.push_back(std::move(r));
  }
  out->restitution_rejected = f.stats().rejected;
  return f.Finish();
}

// First ts per distinct target over the given action types.
void FirstFlags(const std::vector<Action>& actions, std::initializer_list<ActionType> types,
                std::unordered_map<std::string, Ts>* first) {
  for (const Action& a : actions) {
    if (std::find(types.begin(), types.end(), a.type) == types.end()) continue;
    auto [it, added] = first->emplace(a.target, a.ts);
    if (!added && a.ts < it->second) it->second = a.ts;
  }
}

double CountFirstIn(const std::unordered_map<std::string, Ts>& first, const Period& p) {
  double n = 0;
  for (const auto& [target, ts] : first) n += p.Contains(ts) ? 1 : 0;
  return n;
}

bool IsVictimRole(std::string_view role) { return role.substr(0, 6) == "victim"; }

}  // namespace

const FigureInfo& Info(Figure f) { return kInfos[static_cast<int>(f)]; }

Status ParsePeriod(std::string_view s, const TimeZone& tz, Period* out) {
  size_t dots = s.find("..");
  if (dots == std::string_view::npos)
    return Status::Invalid(fmt::format("period '{}': expected FROM..TO (dates or timestamps)", s));
  std::string_view from = s.substr(0, dots), to = s.substr(dots + 2);
  if (from.empty() && to.empty()) return Status::Invalid("period '..': give FROM, TO or both");
  Period p;
  if (!from.empty() && !ParseSide(from, tz, false, &p.from))
    return Status::Invalid(fmt::format("period: FROM '{}' is not a date (YYYY-MM-DD) or a timestamp", from));
  if (!to.empty() && !ParseSide(to, tz, true, &p.to))
    return Status::Invalid(fmt::format("period: TO '{}' is not a date (YYYY-MM-DD) or a timestamp", to));
  if (p.from != kNoTs && p.to != kNoTs && p.from >= p.to)
    return Status::Invalid(fmt::format("period '{}': FROM must be before TO", s));
  *out = p;
  return Status::Ok();
}

Status LoadRunRecords(const std::string& run_dir, const TimeZone& tz, RunRecords* out) {
  *out = RunRecords{};
  std::error_code ec;
  if (!std::filesystem::is_directory(run_dir, ec)) return Status::NotFound(fmt::format("{}: not a directory", run_dir));
  Status s = ReadActions(run_dir + "/actions.csv", tz, out);
  if (!s.ok()) return s;
  std::string db_path = run_dir + "/cases.db";
  if (std::filesystem::exists(db_path, ec)) {
    std::unique_ptr<CaseStore> db;
    s = CaseStore::OpenReadOnly(db_path, &db);
    if (s.ok()) s = db->AllCases(&out->cases);
    if (s.ok()) s = db->AllLinks(&out->links);
    if (s.ok()) s = db->AllTraceSources(&out->trace_sources);
    if (s.ok()) s = db->AllRestitution(&out->restitution);
    if (!s.ok()) return s;
    out->have_cases = true;
    out->restitution_source = "cases.db";
  }
  std::string rest_path = run_dir + "/restitution.csv";
  if (std::filesystem::exists(rest_path, ec)) {
    // The CSV is the centre's ledger of money actually paid back: it wins over
    // the engine's own restitution rows.
    out->restitution.clear();
    s = ReadRestitution(rest_path, tz, out);
    if (!s.ok()) return s;
    out->restitution_source = "restitution.csv";
  }
  return Status::Ok();
}

std::optional<double> ChangePercent(std::optional<double> current, std::optional<double> previous) {
  if (!current || !previous || *previous == 0) return std::nullopt;
  return (*current - *previous) / *previous * 100.0;
}

Figures ComputeFigures(const RunRecords& r, const Period& p, const PreventionParams& params) {
  Figures f;
  auto set = [&](Figure k, double v) { f.values[static_cast<int>(k)] = v; };

  // Action rows in the period.
  double sms = 0, call = 0, visit = 0;
  Money stopped_money = 0;
  std::unordered_set<std::string_view> stopped_accounts;
  for (const Action& a : r.actions) {
    if (!p.Contains(a.ts)) continue;
    switch (a.type) {
      case ActionType::kWarnSms: ++sms; break;
      case ActionType::kWarnCall: ++call; break;
      case ActionType::kWarnVisit: ++visit; break;
      case ActionType::kStopPayment:
        stopped_accounts.insert(a.target);
        if (a.amount != kNoMoney) stopped_money += a.amount;
        break;
      default: break;
    }
  }
  set(Figure::kWarningsSms, sms);
  set(Figure::kWarningsCall, call);
  set(Figure::kWarningsVisit, visit);
  set(Figure::kAccountsStopPaid, static_cast<double>(stopped_accounts.size()));
  set(Figure::kMoneyStopPaid, static_cast<double>(stopped_money));

  // Entities counted once, in the period of their first flag.
  std::unordered_map<std::string, Ts> numbers, persons, sims, bank_accounts, devices, outlets;
  FirstFlags(r.actions, {ActionType::kFlagNumber}, &numbers);
  FirstFlags(r.actions, {ActionType::kFlagPerson}, &persons);
  FirstFlags(r.actions, {ActionType::kFlagNumber, ActionType::kReverifySim}, &sims);
  FirstFlags(r.actions, {ActionType::kFlagAccount, ActionType::kReverifyAccount}, &bank_accounts);
  FirstFlags(r.actions, {ActionType::kFlagDevice}, &devices);
  FirstFlags(r.actions, {ActionType::kFlagOutlet}, &outlets);
  set(Figure::kSuspectsIdentified, CountFirstIn(numbers, p) + CountFirstIn(persons, p));
  set(Figure::kSimCardsFlagged, CountFirstIn(sims, p));
  set(Figure::kBankAccountsFlagged, CountFirstIn(bank_accounts, p));
  set(Figure::kDevicesFlagged, CountFirstIn(devices, p));
  set(Figure::kOutletsFlagged, CountFirstIn(outlets, p));

  if (!r.restitution_source.empty()) {
    Money returned = 0;
    for (const RestitutionRow& x : r.restitution)
      if (p.Contains(x.ts)) returned += x.amount;
    set(Figure::kMoneyReturned, static_cast<double>(returned));
  }

  if (!r.have_cases) return f;

  // Cases filed: opened by a victim's report in the period.
  double filed = 0;
  for (const CaseRecord& c : r.cases)
    if (c.origin == "report" && p.Contains(c.opened_ts)) ++filed;
  set(Figure::kCasesFiled, filed);

  // Cases solved: a linked number the engine flagged, or a linked (non-victim)
  // account it flagged, stop-paid or froze; solved at the earliest such action,
  // never before the case was opened.
  std::unordered_map<std::string, Ts> mules;
  FirstFlags(r.actions, {ActionType::kFlagAccount, ActionType::kStopPayment, ActionType::kFreeze}, &mules);
  std::unordered_map<std::string, Ts> solved_at;  // case_id -> earliest identification
  for (const auto& [case_id, l] : r.links) {
    if (IsVictimRole(l.role)) continue;
    const std::unordered_map<std::string, Ts>* flagged =
        l.kind == "msisdn" ? &numbers : l.kind == "account" ? &mules : nullptr;
    if (!flagged) continue;
    auto it = flagged->find(l.id);
    if (it == flagged->end()) continue;
    auto [s, added] = solved_at.emplace(case_id, it->second);
    if (!added && it->second < s->second) s->second = it->second;
  }
  double solved = 0;
  std::unordered_map<std::string_view, const CaseRecord*> by_id;
  for (const CaseRecord& c : r.cases) by_id[c.case_id] = &c;
  for (const auto& [case_id, ts] : solved_at) {
    auto it = by_id.find(case_id);
    if (it == by_id.end()) continue;  // links of a case the store never got
    if (p.Contains(std::max(ts, it->second->opened_ts))) ++solved;
  }
  set(Figure::kCasesSolved, solved);

  // Cases prevented (expected): each case's best warning (call, visit) or hold
  // in time before its first loss, weighted by that tier's efficacy, counted in
  // the period of the earliest in-time action of that tier.
  std::unordered_map<std::string_view, Ts> source_out;  // case -> earliest victim outflow in its trace
  for (const auto& [case_id, h] : r.trace_sources) {
    if (h.first_out == kNoTs) continue;
    auto [it, added] = source_out.emplace(case_id, h.first_out);
    if (!added && h.first_out < it->second) it->second = h.first_out;
  }
  std::unordered_map<std::string_view, std::vector<const Action*>> by_case, by_msisdn, by_person;
  for (const Action& a : r.actions) {
    bool warn = a.type == ActionType::kWarnCall || a.type == ActionType::kWarnVisit;
    if (!warn && a.type != ActionType::kHoldTransfer) continue;
    if (!a.case_id.empty()) by_case[a.case_id].push_back(&a);
    if (warn && a.target_kind == TargetKind::kMsisdn) by_msisdn[a.target].push_back(&a);
    if (warn && a.target_kind == TargetKind::kPerson) by_person[a.target].push_back(&a);
  }
  double prevented = 0;
  for (const CaseRecord& c : r.cases) {
    Ts loss = c.first_loss_ts;
    if (loss == kNoTs) {
      auto it = source_out.find(c.case_id);
      if (it != source_out.end()) loss = it->second;
    }
    // A victim reports after paying: a report stating a loss dates it at the latest.
    if (loss == kNoTs && c.origin == "report" && c.stated_loss != kNoMoney && c.stated_loss > 0) loss = c.opened_ts;
    int best = 0;  // 0 none, 1 call, 2 visit, 3 hold
    Ts best_ts = kNoTs;
    auto consider = [&](const std::vector<const Action*>* list) {
      if (!list) return;
      for (const Action* a : *list) {
        int tier = a->type == ActionType::kWarnCall ? 1 : a->type == ActionType::kWarnVisit ? 2 : 3;
        Ts lead = tier == 1 ? params.lead_call_s : tier == 2 ? params.lead_visit_s : 0;
        if (loss != kNoTs && a->ts > loss - lead) continue;
        if (tier > best || (tier == best && a->ts < best_ts)) {
          best = tier;
          best_ts = a->ts;
        }
      }
    };
    auto find = [](const auto& m, const std::string& k) -> const std::vector<const Action*>* {
      if (k.empty()) return nullptr;
      auto it = m.find(k);
      return it == m.end() ? nullptr : &it->second;
    };
    consider(find(by_case, c.case_id));
    consider(find(by_msisdn, c.victim_msisdn));
    consider(find(by_person, c.victim_person));
    if (best == 0 || !p.Contains(best_ts)) continue;
    prevented += best == 1 ? params.efficacy_call : best == 2 ? params.efficacy_visit : params.efficacy_hold;
  }
  set(Figure::kCasesPrevented, prevented);
  return f;
}

}  // namespace interdict
