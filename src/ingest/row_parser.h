// RowParser: turns CSV records of one data set file into Events (or Person
// rows) over dense ids, or into a RejectInfo saying which column and why.
//
// Binding: columns are found by header name in any order; unknown columns are
// listed in stats().unknown_columns (the caller says so once); a missing
// required column fails BindHeader with a one-line message.
// Ids are interned into the shared Dictionaries only when the whole row is
// valid, so a rejected row leaves no trace in the id space or the counts.
// Not thread-safe; one parser per file.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "ingest/csv.h"
#include "ingest/rejects.h"
#include "ingest/schema.h"
#include "model/dictionary.h"

namespace interdict {

struct ColumnDistinct {
  std::string column;
  uint64_t distinct = 0;
};

struct FileStats {
  std::string file;  // as named to the user: "calls.csv.gz", "<stdin:calls>"
  uint64_t rows = 0;  // data records read (header and blank lines excluded)
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t blank_lines = 0;
  uint64_t late = 0;  // accepted events later than the lateness bound
  std::array<uint64_t, kNumRejectReasons> by_reason{};
  Ts min_ts = kNoTs;
  Ts max_ts = kNoTs;
  std::vector<std::string> unknown_columns;
  std::vector<ColumnDistinct> distinct;  // one per id column present in the header
};

class RowParser {
 public:
  RowParser(const FileSpec& spec, Dictionaries* dicts, const TimeZone& tz);

  Status BindHeader(const CsvRecord& header, std::string_view file_name);
  bool ParseEvent(const CsvRecord& r, Event* e, RejectInfo* rej);
  bool ParsePerson(const CsvRecord& r, Person* p, RejectInfo* rej);

  // Records a CSV-level error (bad quoting, overlong record) as a reject.
  void CsvErrorToReject(const CsvRecord& r, RejectInfo* rej) const;

  FileStats& stats() { return stats_; }
  // Fills stats().distinct from the per-column bitsets.
  void FinishStats();
  const FileSpec& spec() const { return spec_; }

 private:
  // Field access and validation helpers; false = reject filled.
  std::string_view Field(const CsvRecord& r, int c) const {
    int i = index_[c];
    return i < 0 ? std::string_view{} : r.fields[i];
  }
  bool CheckCount(const CsvRecord& r, RejectInfo* rej) const;
  bool GetTs(const CsvRecord& r, int c, Ts* out, RejectInfo* rej);
  bool GetId(const CsvRecord& r, int c, std::string_view* out, RejectInfo* rej) const;
  bool GetMoney(const CsvRecord& r, int c, Money* out, RejectInfo* rej) const;
  bool GetCount(const CsvRecord& r, int c, uint32_t* out, RejectInfo* rej) const;
  bool GetFlag(const CsvRecord& r, int c, uint8_t* out, RejectInfo* rej) const;
  bool GetInt(const CsvRecord& r, int c, int32_t* out, RejectInfo* rej) const;
  template <typename E, typename P>
  bool GetEnum(const CsvRecord& r, int c, P parse, E* out, RejectInfo* rej) const;
  uint32_t Intern(int c, Interner& in, std::string_view v);
  void MarkSeen(int c, uint32_t id);
  void Reject(RejectInfo* rej, RejectReason reason, int c, std::string detail) const;

  const FileSpec& spec_;
  Dictionaries* dicts_;
  TsParser ts_parser_;
  std::vector<int> index_;  // spec column -> record field index, -1 if absent
  size_t header_fields_ = 0;
  std::vector<std::vector<uint64_t>> seen_;  // per spec column: bitset over ids (id columns only)
  FileStats stats_;
};

// True if `s` is a valid id: 1..128 bytes of printable ASCII other than space,
// comma and double quote.
bool IsValidId(std::string_view s);

}  // namespace interdict
