// Pipeline: an event source through the engine to its sinks, as a library
// that `interdict run` and a long-running server both own.
//
// The path of an event: EventSource::Next (ingest/) -> a ring of kAhead
// events read ahead, each Engine::Prefetch()ed, then PrefetchNear()ed kNear
// events before it is applied -> Engine::Apply -> each action the engine
// decides goes at once to actions.csv and to the case database (cases.db,
// committed every `actions_per_commit` actions) -> each time event time
// passes a multiple of `persist_every_s`, the cases with their links and
// traces, restitutions and gangs as they stand are saved and committed, so
// that a reader of cases.db (interdict cases, the server) follows a long run
// -> at the end Engine::Finish, a last save, restitution.csv and summary.json.
//
// Usage:
//   PipelineOptions o;  o.out = "out";  o.config = cfg;
//   std::unique_ptr<Pipeline> p;
//   Status s = Pipeline::Create(Env::Default(), o, &p);         // outputs opened
//   auto reader = std::make_unique<DatasetReader>(&p->dictionaries(), &p->rejects(), ropt);
//   s = reader->OpenDirectory(dir);                              // the caller's input errors
//   p->Start(std::move(reader));
//   s = p->Run();                 // to the end of the source, then Finish()
//   // or, in a server: while (serving) { p->Step(4096); ... answer queries on p->engine() ... }
//   //                  then p->Finish();
//   PipelineSummary sum = p->summary();
//
// Ownership: the pipeline owns the dictionaries (declared before the engine,
// which borrows them), the rejects sink, the source, the engine, the writers
// and the case store; the Env is borrowed and must outlive it. Lifetime: the
// output files are complete and closed after Finish() (or Run()) returns OK;
// destroying a pipeline before that leaves cases.db at its last commit and
// actions.csv as far as it was flushed. Thread safety: none. One thread calls
// Step/Run/Finish; a server that answers queries from other threads must hold
// its own lock around Step and every use of engine().
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/env.h"
#include "base/status.h"
#include "base/time.h"
#include "engine/engine.h"
#include "ingest/event_source.h"
#include "ingest/rejects.h"
#include "model/action.h"
#include "model/dictionary.h"
#include "store/case_store.h"

namespace interdict {

struct PipelineOptions {
  std::string out;  // output directory, created if missing
  TimeZone tz;      // of the timestamps written
  EngineConfig config;
  std::shared_ptr<const Forest> model;  // fraud-number model; null: the rules decide
  std::string model_name;               // as summary.json names it (empty: null)
  // Cases, traces, restitutions and gangs are saved into cases.db each time
  // event time passes a multiple of this, if an action was decided or a case
  // opened since the last save (and at the end). Event time, so that what is
  // saved when does not depend on how fast the machine runs.
  Ts persist_every_s = 86400;
  uint64_t actions_per_commit = 50000;
  // Called with every action as it is decided, after it is written, on the
  // thread that calls Step/Drain/Finish (a server keeps its feed with it).
  std::function<void(const Action&)> on_action;
};

// What a run did: summary.json's content, and what `run` prints.
struct PipelineSummary {
  EngineStats engine;
  double seconds = 0;  // from Start to the end of the last event's Apply (Env::MonotonicNanos)
  double events_per_second = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0;  // per event, sampled 1 in 16
  uint64_t latency_sampled = 0;
  uint64_t restitutions = 0, gangs = 0;
  uint64_t rejected = 0, late = 0;
  std::vector<FileStats> files;
  SourcePosition position;
  double peak_rss_mb = 0;
};

class Pipeline {
 public:
  // Which side failed, for the CLI's exit codes: the input (source) or the outputs.
  enum class Side { kInput, kOutput };

  // Creates opts.out and opens rejects.csv, actions.csv and a fresh cases.db
  // in it through `env`. Errors are the output side's.
  static Status Create(Env* env, PipelineOptions opts, std::unique_ptr<Pipeline>* out);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // What a source needs to be built: the pipeline's dictionaries (the engine
  // reads what the source interns) and its rejects file.
  Dictionaries& dictionaries() { return dicts_; }
  RejectSink& rejects() { return rejects_; }
  // Hands the opened source over; call once, before Step/Run.
  void Start(std::unique_ptr<EventSource> source);

  // Reads up to `max_events` events from the source and applies those read
  // kAhead events earlier. Returns the number read: 0 means the source has
  // nothing now (ended, unless it is live). A store error stops the run:
  // error() says it.
  uint64_t Step(uint64_t max_events);
  // Applies the events read ahead now, commits cases.db's open transaction
  // and flushes actions.csv: what a live source handed out so far is decided
  // and visible. Step then reads on as before. Returns error().
  Status Drain();
  // Step until the source ends, then Finish().
  Status Run();
  // Applies the events still read ahead, ends the engine at the last event's
  // time, saves cases, closes the files, writes restitution.csv and
  // summary.json. Call once.
  Status Finish();

  // The first error met (OK if none) and its side.
  const Status& error() const { return error_; }
  Side error_side() const { return error_side_; }

  Engine& engine() { return *engine_; }
  // Event time of the last event applied (kNoTs before the first).
  Ts last_ts() const { return last_ts_; }
  const EventSource& source() const { return *source_; }
  // Valid after Finish().
  const PipelineSummary& summary() const { return summary_; }
  // summary.json as written.
  nlohmann::json SummaryJson() const;

 private:
  Pipeline(Env* env, PipelineOptions opts);
  void OnAction(const Action& a);
  void Apply(const Event& e);
  void Persist();  // cases, traces, restitutions, gangs as they stand; commits
  void Fail(Side side, Status s);

  static constexpr size_t kAhead = 32;  // events read ahead of the one applied
  static constexpr size_t kNear = 8;    // PrefetchNear this many events before Apply

  Env* env_;
  PipelineOptions opts_;
  Dictionaries dicts_;  // before engine_: the engine borrows it
  RejectSink rejects_;
  ActionWriter writer_;
  std::unique_ptr<CaseStore> store_;
  std::unique_ptr<EventSource> source_;
  std::unique_ptr<Engine> engine_;

  Status error_;
  Side error_side_ = Side::kOutput;
  uint64_t in_txn_ = 0;  // actions added since the last commit
  std::array<Event, kAhead> ahead_;  // event i of the stream sits at i % kAhead until applied
  uint64_t read_ = 0, applied_ = 0;
  Ts last_ts_ = kNoTs;
  Ts next_persist_ = kNoTs;
  size_t restitutions_saved_ = 0;
  uint64_t actions_since_persist_ = 0;  // a day without actions or new cases is not saved again
  size_t cases_saved_ = 0;
  int64_t t0_ns_ = 0;
  std::vector<uint32_t> hist_;  // per-event latency, 0.1 us buckets up to 10 ms
  uint64_t sampled_ = 0;
  bool finished_ = false;
  uint64_t flushed_actions_ = 0;  // actions.csv lines handed to the file system by Drain
  PipelineSummary summary_;
};

// One file's statistics as summary.json and `validate --json` write them.
nlohmann::json FileStatsJson(const FileStats& f, const TimeZone& tz);
// Saves every gang (rings with their linked entities) into the case database.
Status SaveGangs(CaseStore* store, const std::vector<GangRecord>& gangs);

}  // namespace interdict
