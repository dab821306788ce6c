#include "sim/csv_out.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace interdict::sim {

CsvOut::~CsvOut() {
  if (f_) std::fclose(f_);
}

Status CsvOut::Open(const std::string& path, std::string_view header) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return Status::Io(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  buf_.reserve(kFlushBytes + (1 << 16));
  buf_.append(header);
  buf_.push_back('\n');
  return Status::Ok();
}

void CsvOut::Flush() {
  if (buf_.empty()) return;
  if (f_ && error_.ok() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
    error_ = Status::Io(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  bytes_ += buf_.size();
  buf_.clear();
}

Status CsvOut::Close() {
  Flush();
  if (f_) {
    if (std::fclose(f_) != 0 && error_.ok())
      error_ = Status::Io(fmt::format("{}: close failed: {}", path_, std::strerror(errno)));
    f_ = nullptr;
  }
  return error_;
}

void TsWriter::Append(Ts ts, std::string* out) {
  const Ts local = ts + zone_.offset_s;
  const Ts day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const Ts start = day * 86400 - zone_.offset_s;
  if (start != day_start_) {
    std::string s;
    AppendTs(start, zone_, &s);  // "YYYY-MM-DDT00:00:00+08:00"
    std::memcpy(date_, s.data(), 11);
    zone_len_ = static_cast<int>(s.size()) - 19;
    std::memcpy(zone_text_, s.data() + 19, zone_len_);
    day_start_ = start;
  }
  const int secs = static_cast<int>(ts - start);
  char b[8] = {static_cast<char>('0' + secs / 36000),       static_cast<char>('0' + secs / 3600 % 10), ':',
               static_cast<char>('0' + secs / 600 % 6),      static_cast<char>('0' + secs / 60 % 10),   ':',
               static_cast<char>('0' + secs % 60 / 10),      static_cast<char>('0' + secs % 10)};
  out->append(date_, 11);
  out->append(b, 8);
  out->append(zone_text_, zone_len_);
}

}  // namespace interdict::sim
