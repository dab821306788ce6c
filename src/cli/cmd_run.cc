// interdict run DATASET --out DIR: the engine over a data set (or a stream on
// stdin), writing DIR/actions.csv, DIR/restitution.csv, DIR/rejects.csv and
// DIR/summary.json. Never reads labels/.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "base/env.h"
#include "cli/command.h"
#include "cli/report_util.h"
#include "engine/engine.h"
#include "ingest/dataset.h"
#include "runtime/pipeline.h"

namespace interdict::cli {
namespace {

struct RunOptions {
  std::string dataset;
  std::string out;
  std::string config;
  std::string stream_kind;
  std::string model;
  bool quiet = false;
  bool exact_distinct = false;
};

// The shell around runtime/pipeline.h: options in, the source built, the
// pipeline run, its summary printed. Exit codes: usage (bad config), input
// (model, data set), output (anything written).
int RunRun(const RunOptions& o) {
  const GlobalOptions& g = Globals();
  PipelineOptions po;
  po.out = o.out;
  po.tz = g.tz;
  if (!o.config.empty()) {
    Status s = EngineConfig::Load(o.config, &po.config);
    if (!s.ok()) return Fail(kExitUsage, s.message());
  }
  if (!o.model.empty()) {
    auto model = std::make_shared<Forest>();
    Status s = Forest::Load(o.model, model.get());
    if (!s.ok()) return Fail(kExitInput, s.message());
    if (model->feature_names() != NumberFeatureNames())
      return Fail(kExitInput, fmt::format("{}: not an engine number model (train it with 'interdict train DATASET')",
                                          o.model));
    po.model = std::move(model);
    po.model_name = o.model;
  }
  std::unique_ptr<Pipeline> p;
  Status s = Pipeline::Create(Env::Default(), po, &p);
  if (!s.ok()) return Fail(kExitOutput, s.message());

  ReadOptions ropt;
  ropt.tz = g.tz;
  ropt.lateness_s = g.lateness_s;
  ropt.exact_distinct = o.exact_distinct;
  ropt.intern_sms_templates = false;  // the engine compares sms.template_hash, never the dense id
  auto reader = std::make_unique<DatasetReader>(&p->dictionaries(), &p->rejects(), ropt);
  if (o.dataset == "-") {
    const FileSpec* spec = FindFileSpec(o.stream_kind);
    if (!spec || spec->is_registry)
      return Fail(kExitUsage, "run -: --stream must name an event file kind (calls, sms, transfers ...)");
    s = reader->OpenStream(spec->kind, "-");
  } else {
    s = reader->OpenDirectory(o.dataset);
  }
  if (!s.ok()) return Fail(kExitInput, s.message());
  p->Start(std::move(reader));
  s = p->Run();
  if (!s.ok()) return Fail(p->error_side() == Pipeline::Side::kInput ? kExitInput : kExitOutput, s.message());

  if (!o.quiet) {
    const PipelineSummary& m = p->summary();
    const EngineStats& st = m.engine;
    std::printf("events        %s in %.2f s: %s events/s\n", Thousands(st.events).c_str(), m.seconds,
                Thousands(static_cast<uint64_t>(m.events_per_second)).c_str());
    std::printf("latency       p50 %.1f us, p99 %.1f us, p999 %.1f us (per event, sampled 1/16)\n", m.p50_us,
                m.p99_us, m.p999_us);
    std::string a;
    for (int i = 0; i < kNumActionTypes; ++i)
      if (st.actions[i])
        a += fmt::format("{}{} {}", a.empty() ? "" : ", ", ToString(static_cast<ActionType>(i)), st.actions[i]);
    std::printf("actions       %s\n", a.empty() ? "none" : a.c_str());
    std::printf("unserved      %s calls, %s visits (over capacity, expired)\n",
                Thousands(st.warnings_unserved_call).c_str(), Thousands(st.warnings_unserved_visit).c_str());
    std::printf("cases         %s reported, %s detected before a report, %s restitutions\n",
                Thousands(st.cases_opened).c_str(), Thousands(st.cases_detected).c_str(),
                Thousands(m.restitutions).c_str());
    std::printf("gangs         %s rings as gang records (interdict cases gangs --run %s)\n",
                Thousands(m.gangs).c_str(), o.out.c_str());
    const double per_number =
        st.active_numbers ? static_cast<double>(st.state_bytes) / static_cast<double>(st.active_numbers) : 0;
    std::printf("state         %.1f MB engine state, %s active numbers, %.0f bytes per number; peak RSS %.0f MB\n",
                st.state_bytes / 1e6, Thousands(st.active_numbers).c_str(), per_number, m.peak_rss_mb);
    std::printf("input         %s rejected rows, %s late events\n", Thousands(m.rejected).c_str(),
                Thousands(m.late).c_str());
    std::printf("output        %s/actions.csv, cases.db, summary.json, restitution.csv, rejects.csv\n", o.out.c_str());
  }
  return kExitOk;
}

const bool kRegistered = RegisterCommand(60, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run the detection and response engine over a data set or a stream");
  cmd->add_option("DATASET", o->dataset, "data set directory, or - for one event file on standard input")
      ->required();
  cmd->add_option("--out", o->out, "output directory")->required();
  cmd->add_option("--config", o->config,
                  "configuration of every stage: engine, [governance], [rings] (TOML, docs/config.md; "
                  "default: built-in, as config/engine-default.toml)");
  cmd->add_option("--model", o->model, "fraud-number model from 'interdict train DATASET' (default: the rules decide)");
  cmd->add_option("--stream", o->stream_kind, "with DATASET -: the file kind on stdin (calls, sms, transfers ...)");
  cmd->add_flag("--quiet", o->quiet, "print nothing on success");
  cmd->add_flag("--exact-distinct", o->exact_distinct,
                "exact distinct ids per column in summary.json (default: HyperLogLog estimate, ~1 %)");
  cmd->callback([o, exit_code] { *exit_code = RunRun(*o); });
});

}  // namespace
}  // namespace interdict::cli
