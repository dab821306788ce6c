#include "importers/output.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "base/file_util.h"

#include "ingest/csv.h"

namespace interdict::importers {

CsvOut::~CsvOut() { (void)Close(); }

Status CsvOut::Open(const std::string& path, std::string_view header) {
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return Status::Io(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  path_ = path;
  std::fwrite(header.data(), 1, header.size(), f_);
  std::fputc('\n', f_);
  return Status::Ok();
}

void CsvOut::Row(std::initializer_list<std::string_view> fields) {
  line_.clear();
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) line_ += ',';
    first = false;
    AppendCsvField(f, &line_);
  }
  line_ += '\n';
  std::fwrite(line_.data(), 1, line_.size(), f_);
  ++rows_;
}

Status CsvOut::Close() {
  return CloseChecked(&f_, path_);
}

Status MakeOutputDirs(const std::string& out_dir) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir + "/labels", ec);
  if (ec) return Status::Io(fmt::format("{}: cannot create output directory: {}", out_dir, ec.message()));
  return Status::Ok();
}

bool SourceAmountToFen(std::string_view s, Money* fen, std::string* why) {
  MoneyError e = ParseMoney(s, fen);
  if (e == MoneyError::kOk) {
    if (*fen > 0) return true;
    *why = "amount must be > 0";
    return false;
  }
  if (e == MoneyError::kTooLarge) {
    *why = MoneyErrorText(e);
    return false;
  }
  if (e == MoneyError::kTooManyDecimals) {
    // Plain decimal with more than two fraction digits: round exactly on the
    // decimal digits (third fraction digit >= 5 rounds up).
    size_t dot = s.find('.');
    Money cut = 0;
    if (ParseMoney(s.substr(0, dot + 3), &cut) == MoneyError::kOk) {
      if (s[dot + 3] >= '5') ++cut;
      if (cut <= 0) {
        *why = "amount must be > 0";
        return false;
      }
      if (cut > kMaxMoney) {
        *why = "over 10^12 yuan";
        return false;
      }
      *fen = cut;
      return true;
    }
  }
  double v = 0;
  auto r = fast_float::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
    *why = "not a number";
    return false;
  }
  if (v > 1e12) {
    *why = "over 10^12 yuan";
    return false;
  }
  long long f = std::llround(v * 100.0);
  if (f <= 0) {
    *why = "amount must be > 0";
    return false;
  }
  *fen = f;
  return true;
}

bool ParseStep(std::string_view s, int64_t* step) {
  if (s.empty() || s.size() > 9) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *step = v;
  return true;
}

}  // namespace interdict::importers
