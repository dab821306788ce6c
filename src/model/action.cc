#include "model/action.h"

#include <array>

#include <fmt/format.h>


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

Status ActionWriter::Open(const std::string& path, const TimeZone& zone, Env* env) {
  Status s = env->NewWritableFile(path, &f_);
  if (!s.ok()) return s;
  path_ = path;
  zone_ = zone;
  error_ = f_->Append("ts,action_id,action,target_kind,target,amount,score,reason,case_id\n");
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
  if (error_.ok()) error_ = f_->Append(line_);
  ++count_;
}

Status ActionWriter::Flush() {
  if (f_ && error_.ok()) error_ = f_->Flush();
  return error_;
}

Status ActionWriter::Close() {
  if (!f_) return error_;
  Status s = f_->Close();
  f_.reset();
  return error_.ok() ? s : error_;
}

}  // namespace interdict
