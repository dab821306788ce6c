// Reading a data set: the people registry and the merged event stream.
//
// Operation:
//   Dictionaries dicts; RejectSink rejects; rejects.Open(out + "/rejects.csv");
//   DatasetReader reader(&dicts, &rejects, options);
//   Status s = reader.OpenDirectory("path/to/dataset");   // or OpenStdin(kind)
//   Event e;
//   while (reader.Next(&e)) engine.Apply(e);
//   reader.Finish();   // per-file stats, read errors
//
// Next() yields every accepted event of every file merged in event-time order
// (ties: file order of events.md, then row order), after each file's own
// bounded-lateness reorder buffer. Bad rows go to the RejectSink and the stats,
// never to the caller. people.csv is read whole by Open*(), before any event.
// Not thread-safe.
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "ingest/csv.h"
#include "ingest/event_source.h"
#include "ingest/line_check.h"
#include "ingest/rejects.h"
#include "ingest/reorder.h"
#include "ingest/row_parser.h"
#include "model/dictionary.h"

namespace interdict {

struct ReadOptions {
  TimeZone tz;
  Ts lateness_s = 300;
  size_t buffer_bytes = 1 << 20;
  CheckSimd check_simd = CheckSimd::kAuto;  // validate's fused path (line_check.h); kOff: record at a time
  // Distinct ids per column in the file statistics: exact (a bitset over the
  // interned ids: one more cache miss per id at a province's millions of
  // ids) or, by default, a HyperLogLog estimate (about 1 %, marked
  // approximate) from the hash interning computes anyway.
  bool exact_distinct = false;
  // sms.template_id is checked and counted like any id but, when false, not
  // interned: the event's template_id is kNoId (template_hash is set either
  // way, and is what the engine compares). Why: a province's SMS carry
  // millions of distinct ones (7.8M in the simulated 1M-person week), each a
  // new dictionary entry.
  bool intern_sms_templates = true;
};

// One event file: CSV reader + row parser + reorder buffer.
class EventFileStream {
 public:
  EventFileStream(const FileSpec& spec, Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt);
  // Opens the file ("-" = stdin) and binds the header.
  Status Open(const std::string& path, const std::string& display_name);
  // The next event in order, or nullptr at the end of this file.
  const Event* Peek();
  void Pop();
  Status Finish();  // read errors; fills distinct counts
  FileStats& stats() { return parser_.stats(); }
  EventKind kind() const { return parser_.spec().kind; }

 private:
  // Reads and parses one batch of records into the reorder buffer; false at end.
  bool ReadBatch();

  static constexpr size_t kBatch = 64;
  RowParser parser_;
  RejectSink* rejects_;
  ReadOptions opt_;
  std::unique_ptr<CsvReader> csv_;
  ReorderBuffer buffer_;
  // Events released by the reorder buffer, in release order. Releasing after
  // every single push (not per batch) keeps the output independent of how
  // input was batched, so a replay (even from a pipe) is deterministic.
  std::deque<Event> ready_;
  std::vector<CsvRecord> recs_;
  std::vector<PendingRow> pending_;
  std::vector<RejectInfo> rej_;
  std::vector<uint8_t> ok_;
  Event ev_;
  uint64_t seq_ = 0;
  bool eof_ = false;
};

// Reads people.csv (or .csv.gz) at `path` into dicts->people.
Status ReadPeople(const std::string& path, Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt,
                  FileStats* stats);

// The EventSource over a data set directory, or one event file on stdin.
class DatasetReader : public EventSource {
 public:
  DatasetReader(Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt)
      : dicts_(dicts), rejects_(rejects), opt_(opt) {}

  // Opens every spec file present in `dir` (x.csv or x.csv.gz; any may be
  // missing, unknown files are ignored) and reads people.csv. Errors: `dir`
  // missing or not a directory, a file unreadable, a header without a
  // required column.
  Status OpenDirectory(const std::string& dir);
  // One event file from standard input (or any path), e.g. a live feed.
  Status OpenStream(EventKind kind, const std::string& path);

  bool Next(Event* e) override;
  // Read errors of any file (a truncated gzip stream ...); fills stats.
  Status Finish() override;

  // people.csv first if present, then event files in spec order.
  std::vector<FileStats> stats() const override;
  // Events handed out; records read per event file (people.csv is read whole
  // at Open and not named).
  SourcePosition Position() const override;
  // Files found, by spec stem, for callers that need to know (e.g. bank-only).
  bool Has(EventKind k) const;

 private:
  Dictionaries* dicts_;
  RejectSink* rejects_;
  ReadOptions opt_;
  bool have_people_ = false;
  FileStats people_stats_;
  std::vector<std::unique_ptr<EventFileStream>> streams_;
  uint64_t delivered_ = 0;
};

// Validates one event file without building events (`interdict validate`):
// every row checked exactly as the engine's reader would, rejects written,
// late events counted against the running maximum ts (the reorder buffer's
// rule), distinct ids sketched unless `exact_distinct`. Errors: the file
// missing or unreadable, a header without a required column, a read error.
Status CheckEventFile(const FileSpec& spec, const std::string& path, const std::string& display_name,
                      Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt, bool exact_distinct,
                      FileStats* out);

// The same over any byte source (tests, fuzzing).
Status CheckEventSource(const FileSpec& spec, std::unique_ptr<ByteSource> src, const std::string& display_name,
                        Dictionaries* dicts, RejectSink* rejects, const ReadOptions& opt, bool exact_distinct,
                        FileStats* out);

// Finds DIR/stem.csv or DIR/stem.csv.gz; empty if neither. If both exist the
// plain file wins and `warning` says so.
std::string FindDatasetFile(const std::string& dir, std::string_view stem, std::string* warning);

}  // namespace interdict
