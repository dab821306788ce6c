#include "ingest/named_csv.h"

#include <fmt/format.h>

#include "base/log.h"

namespace interdict {

namespace {
// Rejects logged per file before the log falls silent (the sink keeps them all).
constexpr uint64_t kLoggedRejects = 10;

// True if `field` is one of the '|'-separated alternatives in `names`.
bool Matches(std::string_view names, std::string_view field) {
  size_t start = 0;
  for (;;) {
    size_t bar = names.find('|', start);
    std::string_view alt = names.substr(start, bar == std::string_view::npos ? bar : bar - start);
    if (alt == field) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}
}  // namespace

Status NamedCsv::Open(const std::string& path, const std::vector<std::string_view>& required,
                      const std::vector<std::string_view>& optional) {
  std::unique_ptr<ByteSource> src;
  Status s = OpenByteSource(path, &src);
  if (!s.ok()) return s;
  csv_ = std::make_unique<CsvReader>(std::move(src));
  names_ = required;
  names_.insert(names_.end(), optional.begin(), optional.end());
  index_.assign(names_.size(), -1);
  bound_.assign(names_.size(), std::string());
  CsvRecord header;
  if (!csv_->Next(&header)) {
    if (!csv_->error().ok()) return Status::Io(fmt::format("{}: {}", name_, csv_->error().message()));
    return Status::Invalid(fmt::format("{}: empty file, expected a header row", name_));
  }
  if (header.error != CsvError::kNone)
    return Status::Invalid(fmt::format("{}: line 1: header is not valid CSV", name_));
  header_fields_ = header.fields.size();
  std::string unknown;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    bool known = false;
    for (size_t c = 0; c < names_.size(); ++c) {
      if (!Matches(names_[c], header.fields[i])) continue;
      if (index_[c] >= 0) return Status::Invalid(fmt::format("{}: header names column '{}' twice", name_, names_[c]));
      index_[c] = static_cast<int>(i);
      bound_[c] = std::string(header.fields[i]);
      known = true;
    }
    if (!known) unknown += fmt::format("{}{}", unknown.empty() ? "" : ", ", header.fields[i]);
  }
  std::string missing;
  for (size_t c = 0; c < required.size(); ++c)
    if (index_[c] < 0) {
      std::string alts(names_[c]);
      for (size_t at = alts.find('|'); at != std::string::npos; at = alts.find('|', at)) alts.replace(at, 1, " or ");
      missing += fmt::format("{}{}", missing.empty() ? "" : ", ", alts);
    }
  if (!missing.empty())
    return Status::Invalid(fmt::format("{}: header lacks required column(s): {}", name_, missing));
  if (!unknown.empty()) INTERDICT_LOG_INFO("{}: ignoring unknown column(s): {}", name_, unknown);
  return Status::Ok();
}

bool NamedCsv::Next() {
  while (csv_->Next(&rec_)) {
    ++stats_.rows;
    switch (rec_.error) {
      case CsvError::kNone:
        break;
      case CsvError::kUnterminatedQuote:
        Reject(RejectReason::kUnterminatedQuote, -1, "quoted field not closed; line taken alone");
        continue;
      case CsvError::kBadQuote:
        Reject(RejectReason::kBadQuote, -1, "text after a closing quote");
        continue;
      case CsvError::kRecordTooLong:
        Reject(RejectReason::kRecordTooLong, -1, "record over 64 MiB");
        continue;
    }
    if (rec_.fields.size() != header_fields_) {
      Reject(RejectReason::kFieldCount, -1,
             fmt::format("expected {} fields, got {}", header_fields_, rec_.fields.size()));
      continue;
    }
    return true;
  }
  return false;
}

void NamedCsv::Reject(RejectReason reason, int column, std::string detail) {
  ++stats_.rejected;
  RejectInfo info;
  info.reason = reason;
  info.column = column < 0 ? std::string_view{} : !bound_[column].empty() ? std::string_view(bound_[column]) : names_[column];
  info.detail = std::move(detail);
  if (stats_.rejected <= kLoggedRejects) {
    INTERDICT_LOG_WARN("{}:{}: rejected ({}{}{}): {}", name_, rec_.line, ToString(reason),
                       info.column.empty() ? "" : ", column ", info.column, info.detail);
  } else if (stats_.rejected == kLoggedRejects + 1) {
    INTERDICT_LOG_WARN("{}: more rejected rows; all are counted{}", name_,
                       rejects_->path().empty() ? "" : " and in " + rejects_->path());
  }
  rejects_->Add(name_, rec_.line, info, rec_.raw);
}

Status NamedCsv::Finish() const {
  if (csv_ && !csv_->error().ok()) return Status::Io(fmt::format("{}: {}", name_, csv_->error().message()));
  return Status::Ok();
}

}  // namespace interdict
