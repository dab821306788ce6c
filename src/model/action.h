// Actions: what a detection engine decides (events.md, "actions.csv"), and the
// writer of actions.csv. Targets are held as strings because an action names
// whatever its target kind is (a msisdn, a txn, an outlet ...) exactly as the
// data set spelled it.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/money.h"
#include "base/status.h"
#include "base/time.h"

namespace interdict {

enum class ActionType : uint8_t {
  kFlagNumber,
  kWarnSms,
  kWarnCall,
  kWarnVisit,
  kHoldTransfer,
  kStopPayment,
  kFreeze,
  kFlagAccount,
  kFlagDevice,
  kFlagOutlet,
  kFlagPerson,
  kReverifySim,
  kReverifyAccount,
};
inline constexpr int kNumActionTypes = 13;

enum class TargetKind : uint8_t { kMsisdn, kPerson, kTxn, kAccount, kImei, kOutlet };

std::string_view ToString(ActionType a);
std::string_view ToString(TargetKind k);
std::optional<ActionType> ParseActionType(std::string_view s);
std::optional<TargetKind> ParseTargetKind(std::string_view s);

struct Action {
  Ts ts = 0;
  std::string action_id;
  ActionType type = ActionType::kFlagNumber;
  TargetKind target_kind = TargetKind::kMsisdn;
  std::string target;
  Money amount = kNoMoney;  // stop_payment, hold_transfer
  double score = 0;         // 0..1
  std::string reason;       // short codes joined by '+'
  std::string case_id;      // optional
};

// Writes actions.csv with the spec's header. Not thread-safe. Buffered; Close()
// (or the destructor) flushes. The writer quotes nothing: every field is an id,
// a number, a ts or a reason code, none of which may hold a comma or quote.
class ActionWriter {
 public:
  ActionWriter() = default;
  ~ActionWriter();
  ActionWriter(const ActionWriter&) = delete;
  ActionWriter& operator=(const ActionWriter&) = delete;

  // The file is written through `env` (base/env.h; the default: the disk).
  Status Open(const std::string& path, const TimeZone& zone = TimeZone{}, Env* env = Env::Default());
  // Writes one line. A write error is kept and returned by Flush / Close.
  void Write(const Action& a);
  Status Flush();  // hands written lines to the file system (a live reader sees them)
  Status Close();
  uint64_t count() const { return count_; }

 private:
  std::unique_ptr<WritableFile> f_;
  Status error_;
  std::string path_;
  TimeZone zone_;
  std::string line_;
  uint64_t count_ = 0;
};

}  // namespace interdict
