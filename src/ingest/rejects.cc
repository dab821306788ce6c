#include "ingest/rejects.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/file_util.h"

#include "ingest/csv.h"

namespace interdict {

std::string_view ToString(RejectReason r) {
  static constexpr std::array<std::string_view, kNumRejectReasons> kNames = {
      "field_count", "missing_required", "bad_ts",        "bad_id",           "bad_money",          "non_positive_amount",
      "bad_count",   "bad_flag",         "bad_enum",      "bad_int",          "duplicate_txn_id",   "kind_mismatch",
      "duplicate_person", "unterminated_quote", "bad_quote", "record_too_long"};
  return kNames[static_cast<int>(r)];
}

RejectSink::~RejectSink() { (void)Close(); }

Status RejectSink::Open(const std::string& path) {
  path_ = path;
  if (path.empty()) return Status::Ok();
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return Status::Io(fmt::format("{}: cannot create rejects file: {}", path, std::strerror(errno)));
  std::fputs("file,line,column,reason,detail,raw\n", f_);
  return Status::Ok();
}

void RejectSink::Add(std::string_view file, uint64_t line, const RejectInfo& info, std::string_view raw) {
  ++total_;
  if (!f_) return;
  line_.clear();
  AppendCsvField(file, &line_);
  fmt::format_to(std::back_inserter(line_), ",{},", line);
  AppendCsvField(info.column, &line_);
  line_ += ',';
  line_ += ToString(info.reason);
  line_ += ',';
  AppendCsvField(info.detail, &line_);
  line_ += ',';
  AppendCsvField(raw, &line_);
  line_ += '\n';
  std::fwrite(line_.data(), 1, line_.size(), f_);
}

Status RejectSink::Close() {
  return CloseChecked(&f_, path_);
}

}  // namespace interdict
