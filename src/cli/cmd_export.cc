// interdict export blacklist|reverify|dens RUN_DIR [--out DIR]: turns a run's
// actions.csv into the lists partners take:
//   blacklist.csv  flagged numbers, for operators and platforms to block;
//   reverify.csv   SIMs and accounts whose holder must pass a real-person check;
//   dens.csv       devices to seize (SIM boxes, rotation handsets, mule phones)
//                  and the cells they sit in, with counts, to raid.
// Only actions.csv is read (no data set): the governance finders put the cell
// of a flagged device into its reason ("+cell:<id>").
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "ingest/named_csv.h"
#include "model/action.h"

namespace interdict::cli {
namespace {

struct ExportOptions {
  std::string what;
  std::string run_dir;
  std::string out;
  int den_min_devices = 2;
};

struct Row {
  std::string ts, action, target_kind, target, score, reason;
};

// The value after "key:" among '+'-joined reason codes ("" if absent).
std::string ReasonValue(const std::string& reason, std::string_view key) {
  size_t pos = 0;
  while (pos <= reason.size()) {
    size_t end = reason.find('+', pos);
    if (end == std::string::npos) end = reason.size();
    std::string_view code(reason.data() + pos, end - pos);
    if (code.size() > key.size() && code.substr(0, key.size()) == key && code[key.size()] == ':')
      return std::string(code.substr(key.size() + 1));
    pos = end + 1;
  }
  return {};
}
bool HasCode(const std::string& reason, std::string_view code) {
  size_t pos = 0;
  while (pos <= reason.size()) {
    size_t end = reason.find('+', pos);
    if (end == std::string::npos) end = reason.size();
    std::string_view c(reason.data() + pos, end - pos);
    if (c == code || (c.size() > code.size() && c.substr(0, code.size()) == code && c[code.size()] == ':'))
      return true;
    pos = end + 1;
  }
  return false;
}

class Out {
 public:
  ~Out() {
    if (f_) std::fclose(f_);
  }
  bool Open(const std::string& path) {
    f_ = std::fopen(path.c_str(), "wb");
    return f_ != nullptr;
  }
  void Line(const std::string& s) { std::fputs(s.c_str(), f_), std::fputc('\n', f_); }
  bool Close() {
    bool ok = std::fclose(f_) == 0;
    f_ = nullptr;
    return ok;
  }

 private:
  std::FILE* f_ = nullptr;
};

int RunExport(const ExportOptions& o) {
  const std::string in = o.run_dir + "/actions.csv";
  RejectSink rejects;  // counts only: a bad row is reported, never fatal
  Status s = rejects.Open("");
  if (!s.ok()) return Fail(kExitFailure, s.message());
  NamedCsv csv("actions.csv", &rejects);
  s = csv.Open(in, {"ts", "action", "target_kind", "target"}, {"score", "reason", "action_id", "amount", "case_id"});
  if (!s.ok()) return Fail(kExitInput, s.message());
  // Earliest action per (action, target): the file is in decision order.
  std::vector<Row> rows;
  std::map<std::pair<std::string, std::string>, size_t> seen;
  while (csv.Next()) {
    Row r{std::string(csv.Get(0)), std::string(csv.Get(1)), std::string(csv.Get(2)),
          std::string(csv.Get(3)), std::string(csv.Get(4)), std::string(csv.Get(5))};
    if (r.target.empty() || !ParseActionType(r.action)) {
      csv.Reject(RejectReason::kBadEnum, r.target.empty() ? 3 : 1, "unknown action or empty target");
      continue;
    }
    csv.Accept();
    if (seen.emplace(std::make_pair(r.action, r.target), rows.size()).second) rows.push_back(std::move(r));
  }
  s = csv.Finish();
  if (!s.ok()) return Fail(kExitInput, s.message());

  const std::string dir = o.out.empty() ? o.run_dir : o.out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(kExitOutput, fmt::format("{}: cannot create directory", dir));
  Out f;
  uint64_t n = 0;
  std::string path;
  if (o.what == "blacklist") {
    path = dir + "/blacklist.csv";
    if (!f.Open(path)) return Fail(kExitOutput, fmt::format("{}: cannot create", path));
    f.Line("msisdn,ts,score,reason");
    for (const Row& r : rows)
      if (r.action == "flag_number") f.Line(fmt::format("{},{},{},{}", r.target, r.ts, r.score, r.reason)), ++n;
  } else if (o.what == "reverify") {
    path = dir + "/reverify.csv";
    if (!f.Open(path)) return Fail(kExitOutput, fmt::format("{}: cannot create", path));
    f.Line("kind,target,ts,score,reason");
    for (const Row& r : rows) {
      if (r.action == "reverify_sim") f.Line(fmt::format("sim,{},{},{},{}", r.target, r.ts, r.score, r.reason)), ++n;
      if (r.action == "reverify_account")
        f.Line(fmt::format("account,{},{},{},{}", r.target, r.ts, r.score, r.reason)), ++n;
    }
  } else {  // dens
    path = dir + "/dens.csv";
    if (!f.Open(path)) return Fail(kExitOutput, fmt::format("{}: cannot create", path));
    struct Cell {
      int devices = 0, simboxes = 0, phones = 0, mule_phones = 0;
      long sims = 0, accounts = 0;
    };
    std::map<std::string, Cell> cells;
    f.Line("kind,target,cell,role,sims,accounts,ts,score");
    for (const Row& r : rows) {
      if (r.action != "flag_device") continue;
      const std::string cell = ReasonValue(r.reason, "cell");
      const std::string sims = ReasonValue(r.reason, "sims");
      const std::string accounts = ReasonValue(r.reason, "accounts");
      const char* role = HasCode(r.reason, "simbox")          ? "simbox"
                         : HasCode(r.reason, "sim_rotation")  ? "fraud_phone"
                         : !accounts.empty()                  ? "mule_phone"
                                                              : "device";
      f.Line(fmt::format("device,{},{},{},{},{},{},{}", r.target, cell, role, sims, accounts, r.ts, r.score));
      ++n;
      if (cell.empty()) continue;
      Cell& c = cells[cell];
      ++c.devices;
      if (std::string_view(role) == "simbox") ++c.simboxes;
      if (std::string_view(role) == "fraud_phone") ++c.phones;
      if (std::string_view(role) == "mule_phone") ++c.mule_phones;
      c.sims += std::atol(sims.c_str());
      c.accounts += std::atol(accounts.c_str());
    }
    // A den: a cell hosting a SIM box, or several flagged devices.
    for (const auto& [cell, c] : cells) {
      if (c.simboxes == 0 && c.devices < o.den_min_devices) continue;
      f.Line(fmt::format("cell,{},{},den:devices={}/simboxes={}/phones={}/mule_phones={},{},{},,", cell, cell,
                         c.devices, c.simboxes, c.phones, c.mule_phones, c.sims, c.accounts));
      ++n;
    }
  }
  if (!f.Close()) return Fail(kExitOutput, fmt::format("{}: write failed", path));
  std::printf("export %s: %llu rows to %s (%llu bad action rows skipped)\n", o.what.c_str(),
              static_cast<unsigned long long>(n), path.c_str(), static_cast<unsigned long long>(rejects.total()));
  return kExitOk;
}

const bool kRegistered = RegisterCommand(85, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export", "Write partner lists from a run's actions.csv: blacklist, reverify, dens");
  cmd->add_option("LIST", o->what, "blacklist | reverify | dens")
      ->required()
      ->check(CLI::IsMember({"blacklist", "reverify", "dens"}));
  cmd->add_option("RUN_DIR", o->run_dir, "run directory holding actions.csv")->required();
  cmd->add_option("--out", o->out, "output directory (default: RUN_DIR)");
  cmd->add_option("--den-min-devices", o->den_min_devices, "flagged devices that make a cell a den (a SIM box alone does)")
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = RunExport(*o); });
});

}  // namespace
}  // namespace interdict::cli
