// `interdict cut DATASET --at TS --out DIR`: the data set as a live feed would
// have had it at time C (shared/spec/events.md, "What is known when"): every
// event row with ts <= C, and a call still connected at C with
// duration_s = C - ts. people.csv and labels/ are copied whole. This is the
// input of the causality test (tests/cli/causality.sh): an engine's actions
// stamped before C must be the same on the cut data set as on the whole one.
//
// Rows are copied byte for byte except the shortened durations; a row whose
// ts cannot be parsed is kept (the engine rejects it either way) and counted.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "base/bytes.h"
#include "base/time.h"
#include "cli/command.h"
#include "ingest/csv.h"
#include "ingest/schema.h"

namespace interdict::cli {
namespace {

namespace fs = std::filesystem;

constexpr Ts kNoCut = INT64_MAX;  // copy every row (people.csv has no ts)

struct CutCounts {
  uint64_t kept = 0, dropped = 0, shortened = 0, bad_ts = 0;
};

// Copies one event file, keeping rows known at `cut` (kNoCut: all of them). Returns false (with a
// message in *err) when the file cannot be read or written.
bool CutFile(const fs::path& in, const fs::path& out, bool is_calls, Ts cut, const TimeZone& tz, CutCounts* n,
             std::string* err) {
  std::unique_ptr<ByteSource> src;
  if (Status s = OpenByteSource(in.string(), &src); !s.ok()) {
    *err = s.message();
    return false;
  }
  std::ofstream os(out, std::ios::binary);
  if (!os) {
    *err = fmt::format("{}: cannot write", out.string());
    return false;
  }
  CsvReader reader(std::move(src));
  CsvRecord rec;
  int ts_col = -1, dur_col = -1;
  bool header = true;
  std::string line;
  while (reader.Next(&rec)) {
    if (header) {
      header = false;
      for (size_t i = 0; i < rec.fields.size(); ++i) {
        std::string_view name = rec.fields[i];
        if (i == 0 && name.starts_with("\xEF\xBB\xBF")) name.remove_prefix(3);
        if (name == "ts") ts_col = static_cast<int>(i);
        if (is_calls && name == "duration_s") dur_col = static_cast<int>(i);
      }
      os << rec.raw << '\n';
      if (ts_col < 0 && cut != kNoCut) {
        *err = fmt::format("{}: no ts column", in.string());
        return false;
      }
      continue;
    }
    if (cut == kNoCut) {  // the registry: every row
      os << rec.raw << '\n';
      continue;
    }
    Ts ts = 0;
    if (rec.error != CsvError::kNone || static_cast<size_t>(ts_col) >= rec.fields.size() ||
        !ParseTs(rec.fields[ts_col], tz, &ts)) {
      ++n->bad_ts;
      os << rec.raw << '\n';
      continue;
    }
    if (ts > cut) {
      ++n->dropped;
      continue;
    }
    ++n->kept;
    if (dur_col >= 0 && static_cast<size_t>(dur_col) < rec.fields.size()) {
      const std::string_view d = rec.fields[dur_col];
      int64_t dur = 0;
      bool digits = !d.empty();
      for (char ch : d) {
        if (ch < '0' || ch > '9' || dur > (int64_t{1} << 40)) {
          digits = false;
          break;
        }
        dur = dur * 10 + (ch - '0');
      }
      if (digits && ts + dur > cut) {  // still connected at C: only C - ts of it is known
        ++n->shortened;
        line.clear();
        for (size_t i = 0; i < rec.fields.size(); ++i) {
          if (i) line.push_back(',');
          if (static_cast<int>(i) == dur_col) line += fmt::format("{}", cut - ts);
          else AppendCsvField(rec.fields[i], &line);
        }
        os << line << '\n';
        continue;
      }
    }
    os << rec.raw << '\n';
  }
  if (!reader.error().ok()) {
    *err = reader.error().message();
    return false;
  }
  os.flush();
  if (!os) {
    *err = fmt::format("{}: write failed", out.string());
    return false;
  }
  return true;
}

int RunCut(const std::string& dataset, const std::string& at, const std::string& out_dir) {
  const TimeZone& tz = Globals().tz;
  Ts cut = 0;
  if (!ParseTs(at, tz, &cut)) return Fail(kExitUsage, fmt::format("--at: not a timestamp: '{}'", at));
  std::error_code ec;
  if (!fs::is_directory(dataset, ec)) return Fail(kExitInput, fmt::format("{}: not a directory", dataset));
  fs::create_directories(out_dir, ec);
  if (ec) return Fail(kExitOutput, fmt::format("{}: {}", out_dir, ec.message()));
  CutCounts n;
  for (const FileSpec& spec : AllFileSpecs()) {
    for (const char* ext : {".csv", ".csv.gz"}) {
      const fs::path in = fs::path(dataset) / (std::string(spec.stem) + ext);
      if (!fs::exists(in, ec)) continue;
      const fs::path out = fs::path(out_dir) / (std::string(spec.stem) + ".csv");
      if (spec.is_registry) {
        // The registry is static: copied whole, decompressed like the rest.
        CutCounts ignored;
        std::string err;
        if (!CutFile(in, out, false, kNoCut, tz, &ignored, &err)) return Fail(kExitInput, err);
        break;
      }
      std::string err;
      if (!CutFile(in, out, spec.kind == EventKind::kCall, cut, tz, &n, &err)) return Fail(kExitInput, err);
      break;
    }
  }
  const fs::path labels = fs::path(dataset) / "labels";
  if (fs::is_directory(labels, ec)) {
    fs::copy(labels, fs::path(out_dir) / "labels",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec) return Fail(kExitOutput, fmt::format("{}/labels: {}", out_dir, ec.message()));
  }
  std::fprintf(stderr, "cut at %s: %llu rows kept, %llu later rows dropped, %llu calls shortened, %llu rows "
               "with no readable ts kept as they are\n",
               FormatTs(cut, tz).c_str(), static_cast<unsigned long long>(n.kept),
               static_cast<unsigned long long>(n.dropped), static_cast<unsigned long long>(n.shortened),
               static_cast<unsigned long long>(n.bad_ts));
  return kExitOk;
}

const bool kRegistered = RegisterCommand(35, [](CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "cut", "A data set as a live feed had it at a time C: rows with ts <= C, calls still connected cut at C");
  static std::string dataset, at, out;
  cmd->add_option("DATASET", dataset, "data set directory")->required();
  cmd->add_option("--at", at, "the time C (any ts form of the spec)")->required();
  cmd->add_option("--out", out, "output directory")->required();
  cmd->callback([exit_code] { *exit_code = RunCut(dataset, at, out); });
});

}  // namespace
}  // namespace interdict::cli
