#include "model/action.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/file_util.h"

namespace interdict {

namespace {
constexpr std::array<std::string_view, kNumActionTypes> kActionNames = {
    "flag_number", "warn_sms",     "warn_call",   "warn_visit",  "hold_transfer", "stop_payment",  "freeze",
    "flag_account", "flag_device", "flag_outlet", "flag_person", "reverify_sim",  "reverify_account"};
constexpr std::array<std::string_view, 6> kTargetNames = {"msisdn", "person", "txn", "account", "imei", "outlet"};
}  // namespace

std::string_view ToString(ActionType a) { return kActionNames[static_cast<int>(a)]; }
std::string_view ToString(TargetKind k) { return kTargetNames[static_cast<int>(k)]; }

std::optional<ActionType> ParseActionType(std::string_view s) {
  for (size_t i = 0; i < kActionNames.size(); ++i)
    if (kActionNames[i] == s) return static_cast<ActionType>(i);
  return std::nullopt;
}
std::optional<TargetKind> ParseTargetKind(std::string_view s) {
  for (size_t i = 0; i < kTargetNames.size(); ++i)
    if (kTargetNames[i] == s) return static_cast<TargetKind>(i);
  return std::nullopt;
}

ActionWriter::~ActionWriter() { (void)Close(); }

Status ActionWriter::Open(const std::string& path, const TimeZone& zone) {
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return Status::Io(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  path_ = path;
  zone_ = zone;
  std::fputs("ts,action_id,action,target_kind,target,amount,score,reason,case_id\n", f_);
  return Status::Ok();
}

void ActionWriter::Write(const Action& a) {
  line_.clear();
  AppendTs(a.ts, zone_, &line_);
  line_ += ',';
  line_ += a.action_id;
  line_ += ',';
  line_ += ToString(a.type);
  line_ += ',';
  line_ += ToString(a.target_kind);
  line_ += ',';
  line_ += a.target;
  line_ += ',';
  if (a.amount != kNoMoney) AppendMoney(a.amount, &line_);
  line_ += ',';
  fmt::format_to(std::back_inserter(line_), "{:.4f}", a.score < 0 ? 0.0 : (a.score > 1 ? 1.0 : a.score));
  line_ += ',';
  line_ += a.reason;
  line_ += ',';
  line_ += a.case_id;
  line_ += '\n';
  std::fwrite(line_.data(), 1, line_.size(), f_);
  ++count_;
}

Status ActionWriter::Close() {
  return CloseChecked(&f_, path_);
}

}  // namespace interdict
