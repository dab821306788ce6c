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

#include "base/hyperloglog.h"
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
  bool approximate = false;  // a HyperLogLog estimate (validate's default), else exact
  bool operator==(const ColumnDistinct&) const = default;
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
  bool operator==(const FileStats&) const = default;
};

// A row that passed validation, with its ids hashed but not yet interned.
struct PendingRow {
  struct Id {
    Interner* interner;  // nullptr: a column not interned (set_intern), only counted
    std::string_view text;  // empty = absent
    uint64_t hash;
    uint32_t candidate;
    int8_t column;
  };
  Event event;  // ts and the non-id fields are set; id fields are set by Finish
  Id ids[7];
  uint8_t num_ids = 0;
};

class RowParser {
 public:
  RowParser(const FileSpec& spec, Dictionaries* dicts, const TimeZone& tz);

  Status BindHeader(const CsvRecord& header, std::string_view file_name);
  // One row: Prepare + Finish.
  bool ParseEvent(const CsvRecord& r, Event* e, RejectInfo* rej);
  bool ParsePerson(const CsvRecord& r, Person* p, RejectInfo* rej);

  // Batched parsing (why: at millions of distinct ids every lookup is a cache
  // miss; staging a batch's lookups lets their misses overlap):
  //   1. Prepare() each record: validate every field, hash the ids and
  //      prefetch their slots. False = rejected (rej filled), nothing interned.
  //   2. Resolve() all prepared rows: find candidates, prefetch their keys.
  //   3. Finish() each row in record order: intern and build the event. False
  //      = rejected late (a duplicate txn_id).
  // The record views must stay valid until Finish (CsvReader::NextBatch).
  bool Prepare(const CsvRecord& r, PendingRow* p, RejectInfo* rej);
  static void Resolve(PendingRow* p) {
    for (int i = 0; i < p->num_ids; ++i) {
      PendingRow::Id& id = p->ids[i];
      id.candidate = id.text.empty() || !id.interner ? kNoId : id.interner->Candidate(id.hash);
    }
  }
  bool Finish(PendingRow* p, Event* e, RejectInfo* rej);

  // Validation only (`interdict validate`): the same checks as Prepare, but
  // ids are counted in per-column HyperLogLog sketches instead of interned,
  // except txn_id, which is interned for the exact duplicate check. With
  // exact_distinct every id is interned (exact counts, slower at millions of
  // ids). True if the row is accepted; *ts is its time.
  bool Check(const CsvRecord& r, Ts* ts, RejectInfo* rej);
  // Distinct ids per column: exact by bitset over interned ids, or (false,
  // the default) by HyperLogLog sketch. Check() interns nothing unless exact.
  void set_exact_distinct(bool exact) { exact_distinct_ = exact; }
  // A column whose ids are validated and counted but not interned: Finish()
  // sets the event's field to kNoId (for consumers that never read it).
  void set_intern(int column, bool intern) { no_intern_[column] = !intern; }

  // Records a CSV-level error (bad quoting, overlong record) as a reject.
  void CsvErrorToReject(const CsvRecord& r, RejectInfo* rej) const;

  FileStats& stats() { return stats_; }
  size_t header_fields() const { return header_fields_; }
  // Record field index of spec column c, -1 if the header lacks it.
  int field_index(int c) const { return index_[c]; }
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
  void AddId(PendingRow* p, int c, Interner& in, std::string_view v) const;
  uint32_t InternPending(const PendingRow::Id& id, bool* inserted = nullptr);
  // Counts an id in its column's distinct figure: the bitset (exact) or the sketch.
  void CountDistinct(const PendingRow::Id& id, uint32_t v);
  void Sketch(const PendingRow::Id& id);
  void Reject(RejectInfo* rej, RejectReason reason, int c, std::string detail) const;

  friend class LineChecker;  // validate's fused fast path: same sketches, ts cache and txn interner

  // The per-column sketches (allocated once); sketched_ is set separately,
  // when the first row passes validation, so that a file without one
  // reports exact zeros as before.
  void AllocateSketches() {
    if (sketch_.empty()) sketch_.resize(spec_.columns.size());
  }
  // validate's exact txn_id check: true if new (then counted as seen).
  bool InternNewTxn(std::string_view txn, uint64_t hash);

  const FileSpec& spec_;
  Dictionaries* dicts_;
  TsParser ts_parser_;
  std::vector<int> index_;  // spec column -> record field index, -1 if absent
  size_t header_fields_ = 0;
  std::vector<std::vector<uint64_t>> seen_;  // per spec column: bitset over ids (id columns only)
  std::vector<HyperLogLog> sketch_;          // per spec column, unless exact_distinct_
  std::vector<uint8_t> no_intern_;           // per spec column: set_intern(c, false)
  bool exact_distinct_ = false;
  bool sketched_ = false;
  PendingRow check_row_;
  FileStats stats_;
};

// Counts a rejected record into the file's figures and the sink.
void AddReject(FileStats* s, RejectSink* sink, const CsvRecord& r, const RejectInfo& rej);

// True if `s` is a valid id: 1..128 bytes of printable ASCII other than space,
// comma and double quote.
bool IsValidId(std::string_view s);

}  // namespace interdict
