#include "respond/emitter.h"

#include <fmt/format.h>

namespace interdict {

bool ActionEmitter::IsFlag(ActionType type) {
  switch (type) {
    case ActionType::kFlagNumber:
    case ActionType::kFlagAccount:
    case ActionType::kFlagDevice:
    case ActionType::kFlagOutlet:
    case ActionType::kFlagPerson:
    case ActionType::kReverifySim:
    case ActionType::kReverifyAccount:
      return true;
    default:
      return false;
  }
}

bool ActionEmitter::Admit(ActionType type, std::string_view target) {
  if (!IsFlag(type)) return true;
  key_.clear();
  fmt::format_to(std::back_inserter(key_), "{}|{}", static_cast<int>(type), target);
  return flagged_.insert(key_).second;
}

void ActionEmitter::Send(Action& a) {
  a.action_id.clear();
  fmt::format_to(std::back_inserter(a.action_id), "{}{}", prefix_, next_++);
  ++counts_[static_cast<int>(a.type)];
  for (const Sink& o : observers_) o(a);
  sink_(a);
}

void ActionEmitter::Emit(Ts ts, ActionType type, TargetKind kind, std::string target, double score,
                         std::string reason, Money amount, std::string case_id) {
  if (!Admit(type, target)) return;
  Action a;
  a.ts = ts;
  a.type = type;
  a.target_kind = kind;
  a.target = std::move(target);
  a.amount = amount;
  a.score = score;
  a.reason = std::move(reason);
  a.case_id = std::move(case_id);
  Send(a);
}

size_t ActionEmitter::state_bytes() const {
  size_t b = flagged_.capacity() * (sizeof(std::string) + 1);
  for (const std::string& k : flagged_) b += k.capacity() > 15 ? k.capacity() + 1 : 0;
  return b;
}

}  // namespace interdict
