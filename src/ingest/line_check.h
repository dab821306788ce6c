// LineChecker: `interdict validate`'s fused fast path over whole lines of one
// event file (CheckEventFile drives it).
//
// Why: validate must keep up with a fifth of `wc -l` (issue 2). The
// record-at-a-time path (CsvReader::Next, then RowParser::Check) fills a
// field vector, walks each column through its generic getter and hashes ids
// one call at a time: about 1,500 instructions a row. This path does the same
// checks in two passes over a window of whole lines:
//   1. SIMD (AVX-512 with VBMI2, or AVX2, as the CPU allows; portable scalar
//      code elsewhere): the offset of every ',' and '\n', of every '\n', and
//      of every byte a fast row may not hold (a quote, a control or non-ASCII
//      byte, DEL). The last kind is rare, so a row checks it with one compare.
//   2. Per line: the header's number of separators must end exactly at the
//      line's '\n'; then every field is checked by its column type from a
//      layout bound once per header (the same rules as RowParser's getters),
//      ids are hashed (SketchHash, as RowParser::Check does for its sketches)
//      and only then, the row being valid, sketches, txn_id interning and the
//      ts tally are updated.
// It only ever accepts. A line it cannot prove valid (any check fails, a CR
// anywhere but before the '\n', a dirty byte, a blank line) goes to the same
// RowParser::Check as the slow path, as the very CsvRecord the CsvReader
// would have built, so every reject (reason, column, detail, line, raw) is the
// slow path's by construction. A quote ends the window: a quoted field may
// span lines, so the CsvReader takes the record.
//
// Ownership: borrows the parser and the sink. Not thread-safe; one per file.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/hyperloglog.h"
#include "base/money.h"
#include "ingest/row_parser.h"

namespace interdict {

// Which pass-1 scanner the fused path uses. kAuto: the widest the CPU has.
// kOff: no fused path (every record through CsvReader::Next and
// RowParser::Check). The others force one build (tests, benchmarks).
enum class CheckSimd : uint8_t { kAuto, kOff, kScalar, kAvx2, kAvx512 };
bool CheckSimdSupported(CheckSimd simd);
const char* ToString(CheckSimd simd);

// validate's running figures for one file. Both paths feed the one tally in
// row order, so late events count against one running maximum ts.
struct CheckTally {
  Ts lateness = 300;
  Ts min_ts = INT64_MAX;
  Ts max_ts = kNoTs;
  Ts late_below = kNoTs;  // max_ts - lateness once there is a max_ts: the reorder buffer's rule
  uint64_t accepted = 0;
  uint64_t late = 0;

  void Accept(Ts ts) {
    ++accepted;
    min_ts = ts < min_ts ? ts : min_ts;
    late += ts < late_below;
    if (ts > max_ts) {
      max_ts = ts;
      // A bound below every ts when --lateness reaches past the int64 range.
      if (__builtin_sub_overflow(ts, lateness, &late_below)) late_below = kNoTs;
    }
  }
  void Into(FileStats* st) const;
};

// Checks one record the record-at-a-time way. True: accepted, *ts set. False:
// rejected, counted into the parser's stats and written to the sink.
bool CheckRecord(RowParser* parser, RejectSink* rejects, const CsvRecord& r, Ts* ts);

class LineChecker {
 public:
  static constexpr size_t kWindow = 32 << 10;  // bytes per Run() at most (stays in L1/L2 between passes)
  static constexpr size_t kMaxFields = 64;

  // After parser->BindHeader. Null when the file cannot take the fused path
  // (the people registry, more than kMaxFields columns, simd not supported).
  static std::unique_ptr<LineChecker> Create(RowParser* parser, RejectSink* rejects, CheckSimd simd);

  struct Result {
    size_t bytes = 0;      // consumed from the start of the text
    uint64_t lines = 0;    // physical lines in them
    uint64_t blank = 0;    // of which blank
    uint64_t records = 0;  // lines - blank
    bool stopped = false;  // a quote in the line at `bytes`: the CsvReader takes it
    size_t window = 0;     // bytes pass 1 scanned (from the start of the text)
  };
  // `text`: whole lines (ends in '\n'), at most kWindow bytes, with 64
  // readable bytes past its end (CsvReader::BufferedLines). `line`: the
  // physical line its first byte is on.
  Result Run(std::string_view text, uint64_t line, CheckTally* tally);

 private:
  struct IdField {
    uint8_t field;
    bool required;
    uint8_t* sketch;  // HyperLogLog registers; transfers' txn_id: the dummy's (it is interned exactly instead)
  };
  enum class Kind : uint8_t { kCount, kFlag, kEnum, kMoney };
  struct TypedField {
    Kind kind;
    uint8_t field;
    bool required;
    bool (*valid_word)(std::string_view);  // kEnum
  };
  using FlattenFn = void (*)(const char* p, size_t n, uint32_t* sep, uint32_t* nl, uint32_t* bad, size_t* counts);

  LineChecker(RowParser* parser, RejectSink* rejects, FlattenFn flatten);
  bool Bind();
  // Pass 2 over the lines of pass 1's output, for kIds id columns (why a
  // template: the per-id loops unroll and keep hashes in registers).
  template <int kIds>
  void Lines(const char* b, size_t n_lines, uint64_t line, CheckTally* tally, Result* res);
  // Checks the fields of the line whose separators are f[0..n_fields_-1]
  // (f[-1] = the previous line's end). True: valid, ts_ set, each id's
  // sketch hash in hash[i] and its registers in sink[i], a transfer's txn_id
  // interned.
  template <int kIds>
  bool Fields(const char* b, const uint32_t* f, uint64_t* hash, uint8_t** sink);
  bool TypedFields(const char* b, const uint32_t* f);
  // A line the fused checks did not accept, through the slow path.
  void SlowLine(const char* b, const uint32_t* f, size_t n_seps, uint64_t line, CheckTally* tally);

  RowParser* parser_;
  RejectSink* rejects_;
  FlattenFn flatten_;
  size_t n_fields_ = 0;
  uint8_t ts_field_ = 0;
  std::vector<IdField> ids_;
  std::vector<TypedField> small_;  // counts and flags
  std::vector<TypedField> typed_;  // enums and money
  // Transfers: the cross-field rules (direction by kind, amount > 0, unique
  // txn_id). Indices into ids_ (-1: column absent) and field numbers.
  bool transfer_ = false;
  int txn_id_ = -1, from_id_ = -1, to_id_ = -1;
  uint8_t kind_field_ = 0;

  // Per line, set by Fields. An empty id's hash goes to dummy_ (why: the
  // commit loop then has no branch per id).
  Ts ts_ = 0;
  Money amount_ = kNoMoney;
  HyperLogLog dummy_;
  std::vector<uint32_t> sep_, nl_, bad_;  // pass-1 output (sep_[0] is a sentinel: "line -1 ended at -1")
  CsvRecord rec_;                         // a slow line, as the CsvReader would build it
};

}  // namespace interdict
