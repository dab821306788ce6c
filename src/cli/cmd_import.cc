// interdict import amlsim|paysim SRC OUT_DIR: converts a public data set into
// the interchange format with labels/ (docs/importers.md).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/report_util.h"
#include "importers/importers.h"

namespace interdict::cli {
namespace {

struct ImportCliOptions {
  std::string format;  // "amlsim" or "paysim"
  std::string src;
  std::string out;
  std::string base = "2024-01-01T00:00:00+08:00";
  std::string rejects;
};

void PrintSummary(const ImportCliOptions& o, const ImportSummary& s, const TimeZone& tz) {
  std::printf("import %s: %s -> %s\n", o.format.c_str(), o.src.c_str(), o.out.c_str());
  for (const InputFileStats& f : s.inputs)
    std::printf("  %s: %s rows in, %s accepted, %s rejected\n", f.file.c_str(), Thousands(f.rows).c_str(),
                Thousands(f.accepted).c_str(), Thousands(f.rejected).c_str());
  std::printf("  out: %s transfers, %s people, %s bank accounts\n", Thousands(s.transfers).c_str(),
              Thousands(s.people).c_str(), Thousands(s.accounts).c_str());
  std::printf("  labels: %s accounts, %s cases, %s case transfers\n", Thousands(s.labelled_accounts).c_str(),
              Thousands(s.cases).c_str(), Thousands(s.case_transfers).c_str());
  if (s.first_ts != kNoTs)
    std::printf("  span: %s .. %s\n", FormatTs(s.first_ts, tz).c_str(), FormatTs(s.last_ts, tz).c_str());
  for (const std::string& n : s.notes) std::printf("  note: %s\n", n.c_str());
  std::printf("  rejected source rows: %s%s\n", Thousands(s.rejected).c_str(),
              s.rejected ? fmt::format(" (see {})", s.rejects_path).c_str() : "");
}

int RunImport(const ImportCliOptions& o) {
  ImportOptions opt;
  opt.tz = Globals().tz;
  opt.rejects_path = o.rejects;
  if (!ParseTs(o.base, opt.tz, &opt.base))
    return Fail(kExitUsage, fmt::format("--base: not a timestamp: {}", o.base));
  ImportSummary sum;
  Status s = o.format == "amlsim" ? ImportAmlsim(o.src, o.out, opt, &sum) : ImportPaysim(o.src, o.out, opt, &sum);
  if (!s.ok()) {
    // Output paths are under OUT_DIR or the rejects file; anything else is input.
    bool output = s.message().rfind(o.out, 0) == 0 || (!o.rejects.empty() && s.message().rfind(o.rejects, 0) == 0);
    return Fail(output && s.code() == Status::Code::kIoError ? kExitOutput : kExitInput, s.message());
  }
  PrintSummary(o, sum, opt.tz);
  return kExitOk;
}

const bool kRegistered = RegisterCommand(40, [](CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("import", "Convert a public data set (AMLSim, PaySim) into the interchange format");
  cmd->require_subcommand(1);
  struct Sub {
    const char* name;
    const char* help;
    const char* src_help;
  };
  static constexpr Sub kSubs[] = {
      {"amlsim", "IBM AMLSim: nodes.csv/accounts.csv + transactions.csv", "AMLSim output directory"},
      {"paysim", "PaySim: one CSV (step,type,amount,nameOrig,...,isFraud)", "PaySim CSV file"}};
  for (const Sub& sub : kSubs) {
    auto o = std::make_shared<ImportCliOptions>();
    o->format = sub.name;
    auto* c = cmd->add_subcommand(sub.name, sub.help);
    c->add_option("SRC", o->src, sub.src_help)->required();
    c->add_option("OUT_DIR", o->out, "output data set directory (created)")->required();
    c->add_option("--base", o->base, "event time of the start of step 1")->capture_default_str();
    c->add_option("--rejects", o->rejects, "where bad source rows go (default OUT_DIR/import_rejects.csv)");
    c->callback([o, exit_code] { *exit_code = RunImport(*o); });
  }
});

}  // namespace
}  // namespace interdict::cli
