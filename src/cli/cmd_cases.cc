// interdict cases list|show|gangs|gang: reads a run's case database (RUN_DIR/cases.db,
// store/case_store.h) read-only, so it can be run while the engine writes.
// `list` masks victims' numbers (the table gets pasted into reports); `show`
// is the case file an investigator works from and prints ids in full unless
// --mask is given. `gangs` lists the rings found (detect/ring_watch.h) and
// `gang` shows one with every number, account, person and device it links.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/money.h"
#include "cli/command.h"
#include "store/case_store.h"

namespace interdict::cli {
namespace {

struct CasesOptions {
  std::string db;
  std::string run;
  std::string case_id;  // or gang id
  bool json = false;
  bool mask = false;
};

// Prints rows as a table with a header rule; columns whose index is in
// `right` (amounts, counts) are right-aligned so that digits line up.
void PrintTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                std::initializer_list<size_t> right = {}) {
  std::vector<size_t> w(header.size());
  for (size_t i = 0; i < header.size(); ++i) w[i] = header[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t i = 0; i < w.size(); ++i) {
      const std::string& v = i < r.size() ? r[i] : std::string();
      bool r = std::find(right.begin(), right.end(), i) != right.end();
      if (r) s += fmt::format("{:>{}}", v, w[i]);
      else s += i + 1 < w.size() ? fmt::format("{:<{}}", v, w[i]) : v;
      if (i + 1 < w.size()) s += "  ";
    }
    std::printf("%s\n", s.c_str());
  };
  line(header);
  std::vector<std::string> rule;
  for (size_t x : w) rule.push_back(std::string(x, '-'));
  line(rule);
  for (const auto& r : rows) line(r);
}

std::string Ts2(Ts ts) { return ts == kNoTs ? "-" : FormatTs(ts, Globals().tz); }
std::string Yuan(Money m) { return m == kNoMoney ? "-" : FormatMoney(m); }
nlohmann::json TsJson(Ts ts) { return ts == kNoTs ? nlohmann::json(nullptr) : nlohmann::json(FormatTs(ts, Globals().tz)); }
// Money in JSON: yuan as a number (exact to the fen for any amount below 10^13 yuan).
nlohmann::json YuanJson(Money m) { return m == kNoMoney ? nlohmann::json(nullptr) : nlohmann::json(static_cast<double>(m) / 100.0); }

int OpenDb(const CasesOptions& o, std::unique_ptr<CaseStore>* db) {
  if (o.db.empty() == o.run.empty()) return Fail(kExitUsage, "give exactly one of --db FILE or --run RUN_DIR");
  std::string path = o.db.empty() ? o.run + "/cases.db" : o.db;
  Status s = CaseStore::OpenReadOnly(path, db);
  if (!s.ok()) return Fail(kExitInput, s.message());
  return kExitOk;
}

int RunList(const CasesOptions& o) {
  std::unique_ptr<CaseStore> db;
  if (int rc = OpenDb(o, &db); rc != kExitOk) return rc;
  std::vector<CaseSummary> cases;
  Status s = db->ListCases(&cases);
  if (!s.ok()) return Fail(kExitInput, s.message());
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const CaseSummary& c : cases) {
      j.push_back({{"case_id", c.case_id},
                   {"opened", TsJson(c.opened_ts)},
                   {"origin", c.origin},
                   {"status", c.status},
                   {"victim", MaskMsisdn(c.victim_msisdn)},
                   {"stated_loss", YuanJson(c.stated_loss)},
                   {"stop_paid", YuanJson(c.stop_paid)},
                   {"returned", YuanJson(c.returned)},
                   {"linked", c.linked}});
    }
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const CaseSummary& c : cases)
    rows.push_back({c.case_id, Ts2(c.opened_ts), c.origin, c.status, c.victim_msisdn.empty() ? "-" : MaskMsisdn(c.victim_msisdn),
                    Yuan(c.stated_loss), Yuan(c.stop_paid), Yuan(c.returned), std::to_string(c.linked)});
  PrintTable({"case_id", "opened", "origin", "status", "victim", "stated_loss", "stop_paid", "returned", "linked"}, rows,
             {5, 6, 7, 8});
  std::printf("%zu cases\n", cases.size());
  return kExitOk;
}

int RunShow(const CasesOptions& o) {
  std::unique_ptr<CaseStore> db;
  if (int rc = OpenDb(o, &db); rc != kExitOk) return rc;
  CaseDetail d;
  Status s = db->GetCase(o.case_id, &d);
  if (s.code() == Status::Code::kNotFound) return Fail(kExitInput, fmt::format("{}: {}", db->path(), s.message()));
  if (!s.ok()) return Fail(kExitInput, s.message());
  auto num = [&](const std::string& v) { return o.mask ? MaskMsisdn(v) : v; };
  auto target = [&](const Action& a) { return a.target_kind == TargetKind::kMsisdn ? num(a.target) : a.target; };
  auto link_id = [&](const CaseLink& l) { return l.kind == "msisdn" ? num(l.id) : l.id; };
  const CaseRecord& c = d.c;
  if (o.json) {
    nlohmann::json j;
    j["case_id"] = c.case_id;
    j["opened"] = TsJson(c.opened_ts);
    j["origin"] = c.origin;
    j["status"] = c.status;
    j["closed"] = TsJson(c.closed_ts);
    j["report_id"] = c.report_id;
    j["fraud_type"] = c.fraud_type;
    j["stated_loss"] = YuanJson(c.stated_loss);
    j["first_loss"] = TsJson(c.first_loss_ts);
    j["victim"] = {{"person", c.victim_person}, {"msisdn", num(c.victim_msisdn)}, {"account", c.victim_account}};
    j["linked"] = nlohmann::json::array();
    for (const CaseLink& l : d.links)
      j["linked"].push_back({{"kind", l.kind}, {"id", link_id(l)}, {"role", l.role}, {"linked", TsJson(l.ts)}});
    j["actions"] = nlohmann::json::array();
    for (const Action& a : d.actions)
      j["actions"].push_back({{"ts", TsJson(a.ts)},
                              {"action_id", a.action_id},
                              {"action", ToString(a.type)},
                              {"target_kind", ToString(a.target_kind)},
                              {"target", target(a)},
                              {"amount", YuanJson(a.amount)},
                              {"score", a.score},
                              {"reason", a.reason}});
    j["trace"] = {{"ts", TsJson(d.trace_ts)}, {"hops", nlohmann::json::array()}};
    for (const TraceHopRow& h : d.trace)
      j["trace"]["hops"].push_back({{"account", h.account},
                                    {"depth", h.depth},
                                    {"received", YuanJson(h.received)},
                                    {"remaining", YuanJson(h.remaining)},
                                    {"sent", YuanJson(h.sent)},
                                    {"cashed_out", YuanJson(h.cashed_out)},
                                    {"first_in", TsJson(h.first_in)},
                                    {"first_out", TsJson(h.first_out)}});
    j["restitution"] = nlohmann::json::array();
    for (const RestitutionRow& r : d.restitution)
      j["restitution"].push_back(
          {{"ts", TsJson(r.ts)}, {"account", r.account}, {"victim", r.victim}, {"amount", YuanJson(r.amount)}});
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  auto dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
  std::printf("case %s  (%s, %s)\n", c.case_id.c_str(), c.origin.c_str(), c.status.c_str());
  std::printf("  opened       %s\n", Ts2(c.opened_ts).c_str());
  if (c.closed_ts != kNoTs) std::printf("  closed       %s\n", Ts2(c.closed_ts).c_str());
  std::printf("  report       %s\n", dash(c.report_id).c_str());
  std::printf("  fraud type   %s\n", dash(c.fraud_type).c_str());
  std::printf("  stated loss  %s\n", Yuan(c.stated_loss).c_str());
  std::printf("  first loss   %s\n", Ts2(c.first_loss_ts).c_str());
  std::printf("\nvictim\n  person %s  msisdn %s  account %s\n", dash(c.victim_person).c_str(),
              dash(num(c.victim_msisdn)).c_str(), dash(c.victim_account).c_str());
  std::printf("\nlinked entities (%zu)\n", d.links.size());
  std::vector<std::vector<std::string>> rows;
  for (const CaseLink& l : d.links) rows.push_back({l.kind, link_id(l), l.role, Ts2(l.ts)});
  PrintTable({"kind", "id", "role", "linked"}, rows);
  std::printf("\nactions (%zu)\n", d.actions.size());
  rows.clear();
  for (const Action& a : d.actions)
    rows.push_back({Ts2(a.ts), std::string(ToString(a.type)), fmt::format("{}:{}", ToString(a.target_kind), target(a)),
                    Yuan(a.amount), fmt::format("{:.3f}", a.score), dash(a.reason), dash(a.action_id)});
  PrintTable({"ts", "action", "target", "amount", "score", "reasons", "action_id"}, rows, {3, 4});
  std::printf("\ntrace (%zu hops, as of %s)\n", d.trace.size(), Ts2(d.trace_ts).c_str());
  rows.clear();
  for (const TraceHopRow& h : d.trace)
    rows.push_back({fmt::format("{}{}", std::string(static_cast<size_t>(std::clamp(h.depth, 0, 32)) * 2, ' '), h.account),
                    std::to_string(h.depth), Yuan(h.received), Yuan(h.remaining), Yuan(h.sent), Yuan(h.cashed_out),
                    Ts2(h.first_in), Ts2(h.first_out)});
  PrintTable({"account", "depth", "received", "remaining", "sent", "cashed_out", "first_in", "first_out"}, rows,
             {1, 2, 3, 4, 5});
  std::printf("\nrestitution (%zu)\n", d.restitution.size());
  rows.clear();
  Money total = 0;
  for (const RestitutionRow& r : d.restitution) {
    rows.push_back({Ts2(r.ts), dash(r.account), dash(r.victim), Yuan(r.amount)});
    total += r.amount;
  }
  PrintTable({"ts", "from_account", "to_victim", "amount"}, rows, {3});
  std::printf("returned in total: %s\n", FormatMoney(total).c_str());
  return kExitOk;
}

int RunGangs(const CasesOptions& o) {
  std::unique_ptr<CaseStore> db;
  if (int rc = OpenDb(o, &db); rc != kExitOk) return rc;
  std::vector<GangRow> gangs;
  Status s = db->ListGangs(&gangs);
  if (!s.ok()) return Fail(kExitInput, s.message());
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const GangRow& g : gangs)
      j.push_back({{"gang_id", g.gang_id},
                   {"graph", g.graph},
                   {"first", TsJson(g.first_ts)},
                   {"last", TsJson(g.last_ts)},
                   {"size", g.size},
                   {"density", g.density},
                   {"ratio", g.ratio},
                   {"accounts", g.accounts},
                   {"numbers", g.numbers},
                   {"persons", g.persons},
                   {"devices", g.devices}});
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const GangRow& g : gangs)
    rows.push_back({g.gang_id, g.graph, Ts2(g.first_ts), Ts2(g.last_ts), std::to_string(g.size),
                    fmt::format("{:.1f}", g.ratio), std::to_string(g.accounts), std::to_string(g.numbers),
                    std::to_string(g.persons), std::to_string(g.devices)});
  PrintTable({"gang_id", "graph", "first", "last", "size", "x_avg", "accounts", "numbers", "persons", "devices"}, rows,
             {4, 5, 6, 7, 8, 9});
  std::printf("%zu gangs\n", gangs.size());
  return kExitOk;
}

int RunGang(const CasesOptions& o) {
  std::unique_ptr<CaseStore> db;
  if (int rc = OpenDb(o, &db); rc != kExitOk) return rc;
  GangRow g;
  Status s = db->GetGang(o.case_id, &g);
  if (s.code() == Status::Code::kNotFound) return Fail(kExitInput, fmt::format("{}: {}", db->path(), s.message()));
  if (!s.ok()) return Fail(kExitInput, s.message());
  auto link_id = [&](const GangLinkRow& l) { return o.mask && l.kind == "msisdn" ? MaskMsisdn(l.id) : l.id; };
  if (o.json) {
    nlohmann::json j = {{"gang_id", g.gang_id}, {"graph", g.graph},     {"first", TsJson(g.first_ts)},
                        {"last", TsJson(g.last_ts)}, {"size", g.size}, {"density", g.density},
                        {"ratio", g.ratio},         {"linked", nlohmann::json::array()}};
    for (const GangLinkRow& l : g.links)
      j["linked"].push_back({{"kind", l.kind}, {"id", link_id(l)}, {"role", l.role}, {"linked", TsJson(l.ts)}});
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("gang %s  (%s ring, %lld members)\n", g.gang_id.c_str(), g.graph.c_str(), static_cast<long long>(g.size));
  std::printf("  first seen   %s\n", Ts2(g.first_ts).c_str());
  std::printf("  last seen    %s\n", Ts2(g.last_ts).c_str());
  std::printf("  density      %.3f (%.1f x the graph's average)\n", g.density, g.ratio);
  std::printf("\nlinked entities (%zu)\n", g.links.size());
  std::vector<std::vector<std::string>> rows;
  for (const GangLinkRow& l : g.links) rows.push_back({l.kind, link_id(l), l.role, Ts2(l.ts)});
  PrintTable({"kind", "id", "role", "linked"}, rows);
  return kExitOk;
}

const bool kRegistered = RegisterCommand(75, [](CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("cases", "List a run's cases or gangs, or show one (its case database, RUN_DIR/cases.db)");
  cmd->require_subcommand(1);
  auto add_source = [](CLI::App* c, CasesOptions* o) {
    c->add_option("--db", o->db, "the case database file");
    c->add_option("--run", o->run, "a run's output directory (reads RUN_DIR/cases.db)");
    c->add_flag("--json", o->json, "print JSON");
  };
  auto lo = std::make_shared<CasesOptions>();
  auto* list = cmd->add_subcommand("list", "One line per case: opened, origin, status, masked victim, money, links");
  add_source(list, lo.get());
  list->callback([lo, exit_code] { *exit_code = RunList(*lo); });
  auto so = std::make_shared<CasesOptions>();
  auto* show = cmd->add_subcommand("show", "Everything about one case: victim, links, actions, trace, restitution");
  show->add_option("CASE_ID", so->case_id, "the case")->required();
  add_source(show, so.get());
  show->add_flag("--mask", so->mask, "mask phone numbers as in 'cases list'");
  show->callback([so, exit_code] { *exit_code = RunShow(*so); });
  auto go = std::make_shared<CasesOptions>();
  auto* gangs = cmd->add_subcommand("gangs", "One line per gang (a ring of accounts or numbers): graph, seen, size, density, links");
  add_source(gangs, go.get());
  gangs->callback([go, exit_code] { *exit_code = RunGangs(*go); });
  auto g1 = std::make_shared<CasesOptions>();
  auto* gang = cmd->add_subcommand("gang", "One gang: its members, their holders, devices, other numbers and accounts");
  gang->add_option("GANG_ID", g1->case_id, "the gang (RG1 ...)")->required();
  add_source(gang, g1.get());
  gang->add_flag("--mask", g1->mask, "mask phone numbers as in 'cases list'");
  gang->callback([g1, exit_code] { *exit_code = RunGang(*g1); });
});

}  // namespace
}  // namespace interdict::cli
