// EventSource: where the runtime's events come from (a data set directory, one
// event file on stdin, and, later, live streams), behind one interface.
//
// Contract: Next() yields accepted events in event-time order (ties as the
// source defines them; a directory breaks them by file order of events.md,
// then row order). Bad input never reaches the caller: rows that fail go to
// the source's RejectSink and its stats. Next() returning false means the
// source has ended (a file source) or, for a live source, that nothing is
// available now and the caller may come back (live() says which). Finish()
// ends reading and reports read errors (a truncated gzip stream, a broken
// pipe) that Next() could not.
//
// Position() names how far the source has been consumed, so that a
// checkpoint can record it and a restarted runtime resume after it: the
// count of events handed out by Next(), and per input (file, stream) the
// records read from it so far (read ahead of what was handed out: the
// reorder buffers hold the difference).
//
// Usage (runtime/pipeline.h does this):
//   std::unique_ptr<EventSource> src = ...;     // e.g. a DatasetReader after OpenDirectory
//   Event e;
//   while (src->Next(&e)) engine.Apply(e);
//   Status s = src->Finish();
//
// Ownership: a source borrows the Dictionaries it interns into and the
// RejectSink it writes to; both must outlive it. Thread safety: none; one
// thread calls a source at a time.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ingest/row_parser.h"
#include "model/events.h"

namespace interdict {

struct SourcePosition {
  uint64_t events = 0;  // handed out by Next()
  std::vector<std::pair<std::string, uint64_t>> inputs;  // (input as named to the user, records read)
  bool operator==(const SourcePosition&) const = default;
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual bool Next(Event* e) = 0;
  virtual Status Finish() = 0;
  // Per input: rows, accepted, rejected, late, time span, distinct ids.
  virtual std::vector<FileStats> stats() const = 0;
  virtual SourcePosition Position() const = 0;
  // False for a source that has an end (files); true for a feed whose Next()
  // returning false only means "nothing yet".
  virtual bool live() const { return false; }
};

}  // namespace interdict
