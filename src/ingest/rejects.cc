#include "ingest/rejects.h"

#include <fmt/format.h>

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

Status RejectSink::Open(const std::string& path, Env* env) {
  path_ = path;
  if (path.empty()) return Status::Ok();
  Status s = env->NewWritableFile(path, &f_);
  if (!s.ok()) return Status::Io(fmt::format("cannot create rejects file: {}", s.message()));
  error_ = f_->Append("file,line,column,reason,detail,raw\n");
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
  if (error_.ok()) error_ = f_->Append(line_);
}

Status RejectSink::Close() {
  if (!f_) return error_;
  Status s = f_->Close();
  f_.reset();
  return error_.ok() ? s : error_;
}

}  // namespace interdict
