// Rejects: every bad row, with where and why (events.md "Bad input").
//
// RejectSink writes `file,line,column,reason,detail,raw` rows (CSV, raw row
// quoted) and counts by file and reason. The rejects file may hold personal
// data (the raw row): it lives under the run's output, never in the log.
// Not thread-safe.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace interdict {

enum class RejectReason : uint8_t {
  kFieldCount,         // wrong number of fields
  kMissingRequired,    // a required value is empty
  kBadTs,
  kBadId,              // empty-not-allowed, > 128 bytes, non-printable/non-ASCII, comma/quote/space
  kBadMoney,
  kNonPositiveAmount,  // transfers.amount must be > 0
  kBadCount,
  kBadFlag,
  kBadEnum,
  kBadInt,
  kDuplicateTxn,       // txn_id seen before in this data set
  kKindMismatch,       // e.g. a withdrawal with a to_account, a transfer without one
  kDuplicatePerson,    // person_id listed twice in people.csv
  kUnterminatedQuote,
  kBadQuote,
  kRecordTooLong,
};
inline constexpr int kNumRejectReasons = 16;
std::string_view ToString(RejectReason r);

struct RejectInfo {
  RejectReason reason = RejectReason::kFieldCount;
  std::string_view column;  // header name, empty when the whole row is bad
  std::string detail;       // human explanation: "expected 7 fields, got 6"
};

class RejectSink {
 public:
  RejectSink() = default;
  ~RejectSink();
  RejectSink(const RejectSink&) = delete;
  RejectSink& operator=(const RejectSink&) = delete;

  // An empty path counts without writing (used by tests and `validate --rejects ''`).
  // Written through `env` (base/env.h; the default: the disk).
  Status Open(const std::string& path, Env* env = Env::Default());
  void Add(std::string_view file, uint64_t line, const RejectInfo& info, std::string_view raw);
  Status Close();
  uint64_t total() const { return total_; }
  const std::string& path() const { return path_; }

 private:
  std::unique_ptr<WritableFile> f_;
  Status error_;  // the first write error, returned by Close
  std::string path_;
  std::string line_;
  uint64_t total_ = 0;
};

}  // namespace interdict
