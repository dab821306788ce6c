// NamedCsv: a CSV file whose columns are found by header name (labels/*.csv,
// actions.csv), with the project's reject rules: a record with the wrong field
// count or broken quoting is rejected with its line, and the caller rejects
// rows whose values it cannot use through Reject(). Every reject goes to the
// RejectSink and to the per-file counters this class keeps, and the first few
// are logged as "file:line: reason" (never the row's values: they are
// personal data).
//
// Operation:
//   NamedCsv f("labels/accounts.csv", &rejects);
//   Status s = f.Open(path, {"account_id"}, {"role", "gang_id"});
//   while (f.Next()) { std::string_view a = f.Get(0); ... f.Reject(...) ... }
// Columns are numbered in the order required + optional were given; Get() of a
// column absent from the header is empty. A column may be given as
// alternatives "a|b|c" (importers accept several spellings of one source
// column); the first header field matching any of them binds it, a second
// match is an error. Not thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ingest/csv.h"
#include "ingest/rejects.h"

namespace interdict {

// Reject counts of one input file, for reports.
struct InputFileStats {
  std::string file;
  uint64_t rows = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
};

class NamedCsv {
 public:
  NamedCsv(std::string display_name, RejectSink* rejects) : name_(std::move(display_name)), rejects_(rejects) {
    stats_.file = name_;
  }

  // Opens `path` and binds the header. Errors (one line, naming the file): the
  // file is missing or unreadable, empty, or lacks a required column.
  Status Open(const std::string& path, const std::vector<std::string_view>& required,
              const std::vector<std::string_view>& optional);

  // Advances to the next well-formed record; malformed ones are rejected here.
  bool Next();
  std::string_view Get(int column) const {
    int i = index_[column];
    return i < 0 ? std::string_view{} : rec_.fields[i];
  }
  bool Has(int column) const { return index_[column] >= 0; }
  // The header name that bound `column` (empty if absent).
  std::string_view BoundName(int column) const { return bound_[column]; }
  uint64_t line() const { return rec_.line; }

  // Rejects the current record.
  void Reject(RejectReason reason, int column, std::string detail);
  // Counts the current record as accepted.
  void Accept() { ++stats_.accepted; }

  // Read errors (a truncated gzip stream ...). Call at the end.
  Status Finish() const;
  const InputFileStats& stats() const { return stats_; }

 private:
  std::string name_;
  RejectSink* rejects_;
  std::unique_ptr<CsvReader> csv_;
  std::vector<std::string_view> names_;
  std::vector<int> index_;
  std::vector<std::string> bound_;
  size_t header_fields_ = 0;
  CsvRecord rec_;
  InputFileStats stats_;
};

}  // namespace interdict
