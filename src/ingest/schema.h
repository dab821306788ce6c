// The columns of every file of the interchange format (shared/spec/events.md):
// name, type and whether required. The single source of truth for the reader,
// `validate`, and the writers' headers.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "model/events.h"

namespace interdict {

enum class ColType : uint8_t { kTs, kId, kMoney, kCount, kFlag, kEnum, kInt };

struct ColumnSpec {
  std::string_view name;
  ColType type;
  bool required;
};

// A data set file. `kind` is the event kind; people.csv has is_registry set.
struct FileSpec {
  std::string_view stem;  // "calls" -> calls.csv / calls.csv.gz
  bool is_registry;
  EventKind kind;
  std::span<const ColumnSpec> columns;
};

// people.csv, then the event files in the spec's (tie-break) order.
std::span<const FileSpec> AllFileSpecs();
const FileSpec& PeopleSpec();
const FileSpec& EventFileSpec(EventKind kind);
// By stem ("calls") or file name ("calls.csv"); nullptr if not a spec file.
const FileSpec* FindFileSpec(std::string_view name);

// Column indices within each FileSpec's column list (kept in sync with schema.cc).
namespace col {
enum People { kPersonId, kBirthYear, kGender, kRegion };
enum SimCards { kSimTs, kSimMsisdn, kSimPerson, kSimOperator, kSimOutlet, kSimPlan };
enum BankAccounts { kAccTs, kAccAccount, kAccPerson, kAccBank, kAccBranch, kAccKind };
enum Calls { kCallTs, kCallCaller, kCallCallee, kCallDuration, kCallImei, kCallCallerCell, kCallCalleeCell };
enum Sms { kSmsTs, kSmsSender, kSmsReceiver, kSmsHasUrl, kSmsTemplate };
enum Transfers { kTxTs, kTxId, kTxKind, kTxFrom, kTxTo, kTxAmount, kTxChannel, kTxDevice };
enum Reports { kRepTs, kRepId, kRepPerson, kRepMsisdn, kRepAccount, kRepAmount, kRepFraudType, kRepSuspect };
}  // namespace col

}  // namespace interdict
