// Output helpers for the simulator: a buffered CSV file writer and fast
// appenders for the fields it writes (tens of millions of rows per run, so
// nothing here allocates per row).
//
// CsvOut owns its FILE* and buffer; not thread-safe (one writer per file; the
// simulator's writer thread owns the events files while a day is written).
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"

namespace interdict::sim {

class CsvOut {
 public:
  CsvOut() = default;
  ~CsvOut();
  CsvOut(const CsvOut&) = delete;
  CsvOut& operator=(const CsvOut&) = delete;

  // Creates `path` and writes `header` (without line end).
  Status Open(const std::string& path, std::string_view header);
  // The row being built; append fields, then call EndRow().
  std::string& row() { return buf_; }
  void EndRow() {
    buf_.push_back('\n');
    ++rows_;
    if (buf_.size() >= kFlushBytes) Flush();
  }
  // Flushes and closes; the first write error, if any.
  Status Close();
  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kFlushBytes = 4 << 20;
  void Flush();

  FILE* f_ = nullptr;
  std::string path_;
  std::string buf_;
  Status error_;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
};

// Appends the decimal digits of v.
inline void AppendU64(uint64_t v, std::string* out) {
  char b[20];
  int n = 0;
  do {
    b[19 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  out->append(b + 20 - n, n);
}

// Appends v zero-padded to at least `width` digits.
inline void AppendPadded(uint64_t v, int width, std::string* out) {
  char b[20];
  int n = 0;
  do {
    b[19 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n < width && n < 20) b[19 - n++] = '0';
  out->append(b + 20 - n, n);
}

inline void AppendHex16(uint64_t v, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  char b[16];
  for (int i = 15; i >= 0; --i) {
    b[i] = kHex[v & 15];
    v >>= 4;
  }
  out->append(b, 16);
}

// Formats event times exactly as AppendTs (base/time.h) does, caching the
// date part: calls AppendTs once per new local day and fills in the clock by
// hand, which matters at tens of millions of rows. Not thread-safe.
class TsWriter {
 public:
  explicit TsWriter(const TimeZone& zone = TimeZone{}) : zone_(zone) {}
  void Append(Ts ts, std::string* out);

 private:
  TimeZone zone_;
  Ts day_start_ = kNoTs;  // UTC seconds of the cached local midnight
  char date_[11] = {};    // "YYYY-MM-DDT"
  char zone_text_[8] = {};
  int zone_len_ = 0;
};

}  // namespace interdict::sim
