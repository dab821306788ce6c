// interdict validate DATASET: reads every file of a data set, as the engine
// would, and reports per file what it found. Each file is read on its own (no
// cross-file merge is needed for these figures), single-threaded.
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/report_util.h"
#include "ingest/dataset.h"

namespace interdict::cli {
namespace {

struct ValidateOptions {
  std::string dataset;
  std::string rejects = "rejects.csv";
  std::string stream_kind;  // with DATASET "-": which file kind stdin carries
  bool json = false;
  bool exact_distinct = false;
};

int RunValidate(const ValidateOptions& o) {
  const GlobalOptions& g = Globals();
  ReadOptions ropt;
  ropt.tz = g.tz;
  ropt.lateness_s = g.lateness_s;
  Dictionaries dicts;
  RejectSink rejects;
  Status s = rejects.Open(o.rejects);
  if (!s.ok()) return Fail(kExitOutput, s.message());

  auto t0 = std::chrono::steady_clock::now();
  std::vector<FileStats> stats;
  if (o.dataset == "-") {
    const FileSpec* spec = FindFileSpec(o.stream_kind);
    if (!spec || spec->is_registry)
      return Fail(kExitUsage, "validate -: --stream must name an event file kind (calls, sms, transfers, ...)");
    FileStats fst;
    s = CheckEventFile(*spec, "-", fmt::format("<stdin:{}>", spec->stem), &dicts, &rejects, ropt,
                       o.exact_distinct, &fst);
    if (!s.ok()) return Fail(kExitInput, s.message());
    stats.push_back(fst);
  } else {
    DatasetReader probe(&dicts, &rejects, ropt);
    // Open files one at a time so that each is read to its end before the next.
    bool any = false;
    for (const FileSpec& spec : AllFileSpecs()) {
      std::string warning;
      std::string path = FindDatasetFile(o.dataset, spec.stem, &warning);
      if (path.empty()) continue;
      any = true;
      std::string name = path.substr(path.find_last_of('/') + 1);
      if (spec.is_registry) {
        FileStats ps;
        s = ReadPeople(path, &dicts, &rejects, ropt, &ps);
        if (!s.ok()) return Fail(kExitInput, s.message());
        stats.push_back(ps);
        continue;
      }
      FileStats fst;
      s = CheckEventFile(spec, path, name, &dicts, &rejects, ropt, o.exact_distinct, &fst);
      if (!s.ok()) return Fail(kExitInput, s.message());
      stats.push_back(fst);
    }
    if (!any) {
      // Distinguish "not a directory" from "a directory with no data set files".
      s = probe.OpenDirectory(o.dataset);
      if (!s.ok()) return Fail(kExitInput, s.message());
      return Fail(kExitInput, fmt::format("{}: no data set files (people.csv, calls.csv, ...)", o.dataset));
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s = rejects.Close();
  if (!s.ok()) return Fail(kExitOutput, s.message());

  uint64_t rows = 0, rejected = 0;
  for (const auto& f : stats) {
    rows += f.rows;
    rejected += f.rejected;
  }
  double rate = secs > 0 ? static_cast<double>(rows) / secs : 0;
  if (o.json) {
    nlohmann::json j;
    j["files"] = nlohmann::json::array();
    for (const auto& f : stats) j["files"].push_back(FileStatsJson(f, g.tz));
    j["rows"] = rows;
    j["rejected"] = rejected;
    j["seconds"] = secs;
    j["rows_per_second"] = rate;
    j["rejects_file"] = o.rejects;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& f : stats) PrintFileStats(f, g.tz);
    std::printf("total: %s rows, %s rejected, %.3f s, %s rows/s\n", Thousands(rows).c_str(),
                Thousands(rejected).c_str(), secs, Thousands(static_cast<uint64_t>(rate)).c_str());
    if (rejected > 0 && !o.rejects.empty()) std::printf("rejects: %s\n", o.rejects.c_str());
  }
  return kExitOk;
}

const bool kRegistered = RegisterCommand(10, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand("validate", "Read a data set and report rows, rejects, time span, late events, ids");
  cmd->add_option("DATASET", o->dataset, "data set directory, or - for one file on standard input")->required();
  cmd->add_option("--rejects", o->rejects, "where bad rows go (CSV); '' to only count them")->capture_default_str();
  cmd->add_option("--stream", o->stream_kind, "with DATASET -: the file kind on stdin (calls, sms, transfers ...)");
  cmd->add_flag("--json", o->json, "print the report as JSON");
  cmd->add_flag("--exact-distinct", o->exact_distinct,
                "count distinct ids exactly (interns every id; slower) instead of HyperLogLog (+-1 %)");
  cmd->callback([o, exit_code] { *exit_code = RunValidate(*o); });
});

}  // namespace
}  // namespace interdict::cli
