// CsvReader: RFC 4180 records from a ByteSource, fast.
//
// Rows without a quote character take a fast path that finds commas and the
// line end 16 bytes at a time (SSE2); rows with quotes take an exact RFC 4180
// path (escaped "", commas and line breaks inside quotes). A UTF-8 BOM at the
// start is skipped; CRLF and LF line ends are both accepted; empty lines are
// skipped and counted (blank_lines()), never silently.
//
// Malformed quoting never loses the rest of the file: a quoted field still
// open after kMaxQuotedSpan bytes or at end of input makes that one physical
// line a record with error kUnterminatedQuote, and reading resumes at the next
// line. A line longer than kMaxRecord bytes is a kRecordTooLong record.
//
// Lifetime: the record's views point into the reader's buffers and are valid
// until the next Next() call. Not thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"

namespace interdict {

enum class CsvError : uint8_t { kNone, kUnterminatedQuote, kBadQuote, kRecordTooLong };

struct CsvRecord {
  std::vector<std::string_view> fields;
  uint64_t line = 0;     // 1-based physical line the record starts on
  std::string_view raw;  // the record's bytes without its line end (truncated for kRecordTooLong)
  CsvError error = CsvError::kNone;
  // True when every byte of the record is printable ASCII other than space
  // and quote (separators aside): then no field can hold a byte an id may not
  // have, and parsers skip their per-field character checks. Set by the fast
  // path only; quoted records are checked field by field.
  bool clean = false;
};

class CsvReader {
 public:
  static constexpr size_t kMaxQuotedSpan = 1 << 20;
  static constexpr size_t kMaxRecord = 64 << 20;

  explicit CsvReader(std::unique_ptr<ByteSource> src, size_t buffer_bytes = 1 << 20);

  // Next record; false at end of input or on a read error (then error() is set).
  bool Next(CsvRecord* rec);
  // Up to `max` records whose views all stay valid until the next call of
  // Next or NextBatch (the batch stops where a refill or a second quoted
  // record would be needed). 0 at end of input.
  size_t NextBatch(CsvRecord* recs, size_t max);
  // Fused scanners (validate's fast path, line_check.h) read the buffer in
  // place: the input from the read position through the last buffered '\n',
  // refilling first when no whole line is buffered. 64 bytes past its end
  // are readable. Empty at end of input, on a read error, or when a line
  // outgrows the buffer: Next() then takes the record as usual (the final
  // line without a line end, kRecordTooLong). Valid until the next call.
  std::string_view BufferedLines();
  // Consumes the first `bytes` bytes of BufferedLines(): `lines` physical
  // lines, `blank` of them blank (counted into blank_lines()).
  void SkipLines(size_t bytes, uint64_t lines, uint64_t blank) {
    begin_ += bytes;
    line_ += lines;
    blank_lines_ += blank;
  }
  uint64_t line() const { return line_; }  // physical line the next record starts on
  uint64_t consumed() const { return bytes_read_ - (end_ - begin_); }  // bytes of input used so far
  const Status& error() const { return src_->error(); }
  uint64_t blank_lines() const { return blank_lines_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  // Reads more input, keeping [begin_, end_). False if nothing more came.
  bool Refill();
  // Tries the quote-free fast path on the record at begin_. Returns 1 on
  // success, 0 if the record has a quote, -1 if more input is needed.
  int FastRecord(CsvRecord* rec);
  int FastRecordSse2(CsvRecord* rec);
  int FastRecordAvx2(CsvRecord* rec);
  int FastRecordScalar(CsvRecord* rec);
  bool use_avx2_ = false;
  // The RFC 4180 path. Returns 1 on success, -1 if more input is needed.
  int QuotedRecord(CsvRecord* rec);
  // The physical line at begin_ as a bad record. 1, or -1 if its line end
  // is not buffered yet.
  int TakeBadLine(CsvRecord* rec, CsvError err);

  std::unique_ptr<ByteSource> src_;
  std::vector<char> buf_;  // data in [begin_, end_), plus 64 bytes of slack for wide loads
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool at_start_ = true;
  bool last_quoted_ = false;  // the last record's fields point into scratch_
  uint64_t line_ = 1;
  uint64_t blank_lines_ = 0;
  uint64_t bytes_read_ = 0;
  std::string scratch_;  // unescaped quoted fields
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // (offset, len) into scratch_
};

// Quotes a field for CSV output if it needs it (RFC 4180).
void AppendCsvField(std::string_view s, std::string* out);

}  // namespace interdict
