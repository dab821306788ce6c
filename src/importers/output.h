// Writing an interchange-format data set: one buffered CSV per file, the
// headers events.md gives, and the helpers both importers share (money from
// source decimals, time spread within a step). Internal to importers/.
#pragma once
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"

namespace interdict::importers {

// A CSV output file. Not thread-safe. Close() reports write errors.
class CsvOut {
 public:
  CsvOut() = default;
  ~CsvOut();
  CsvOut(const CsvOut&) = delete;
  CsvOut& operator=(const CsvOut&) = delete;

  Status Open(const std::string& path, std::string_view header);
  void Row(std::initializer_list<std::string_view> fields);
  Status Close();
  uint64_t rows() const { return rows_; }

 private:
  std::FILE* f_ = nullptr;
  std::string path_;
  std::string line_;
  uint64_t rows_ = 0;
};

inline constexpr std::string_view kPeopleHeader = "person_id,birth_year,gender,region";
inline constexpr std::string_view kBankAccountsHeader = "ts,account_id,person_id,bank_id,branch_id,kind";
inline constexpr std::string_view kTransfersHeader = "ts,txn_id,kind,from_account,to_account,amount,channel,device_id";
inline constexpr std::string_view kLabelAccountsHeader = "account_id,role,gang_id";
inline constexpr std::string_view kCasesHeader =
    "case_id,victim_person_id,victim_msisdn,victim_account_id,fraud_type,gang_id,first_contact_ts,first_loss_ts,"
    "loss_amount";
inline constexpr std::string_view kCaseTransfersHeader = "case_id,txn_id,hop";

// Creates OUT_DIR and OUT_DIR/labels.
Status MakeOutputDirs(const std::string& out_dir);

// A source amount in yuan as fen. Exact for at most two decimals; more
// decimals are rounded on the decimal digits (half up); a number with an
// exponent (as Java and Python may print) goes through a double and is rounded
// to the nearest fen. Fails (false) on anything not a finite
// number, on <= 0 and on over 10^12 yuan.
bool SourceAmountToFen(std::string_view s, Money* fen, std::string* why);

// A source step: a non-negative decimal integer below 10^9.
bool ParseStep(std::string_view s, int64_t* step);

// Seconds into a step of length `step_s` for the k-th (0-based) of n rows of
// that step: floor(k * step_s / n). Rows keep their order and spread evenly.
// k < n < 2^40 and step_s <= 86400 keep the product inside 64 bits.
inline Ts SpreadInStep(uint64_t k, uint64_t n, Ts step_s) {
  return static_cast<Ts>(k * static_cast<uint64_t>(step_s) / n);
}

}  // namespace interdict::importers
