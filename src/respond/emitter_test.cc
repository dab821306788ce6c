#include "respond/emitter.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

Action Make(ActionType type, const std::string& target) {
  Action a;
  a.type = type;
  a.target = target;
  return a;
}

TEST(ActionEmitter, MintsIdsInSendOrderAndDropsRepeatedFlags) {
  std::vector<std::string> seen;
  std::vector<std::string> observed;
  ActionEmitter out("A", [&](const Action& a) { seen.push_back(a.action_id + " " + a.target); });
  out.AddObserver([&](const Action& a) {
    observed.push_back(a.action_id);
    EXPECT_EQ(seen.size() + 1, observed.size());  // observers before the sink
  });
  auto emit = [&](ActionType t, const std::string& target) {
    Action a = Make(t, target);
    if (out.Admit(a.type, a.target)) out.Send(a);
  };
  emit(ActionType::kFlagNumber, "13800000001");
  emit(ActionType::kFlagNumber, "13800000001");   // a second finder: nothing new for partners
  emit(ActionType::kReverifySim, "13800000001");  // another kind on the same entity: passes
  emit(ActionType::kWarnSms, "P-1");
  emit(ActionType::kWarnSms, "P-1");                // warnings are not flags: each passes
  emit(ActionType::kStopPayment, "ACC-1");
  emit(ActionType::kFlagAccount, "ACC-1");
  emit(ActionType::kFlagAccount, "ACC-1");
  EXPECT_EQ(seen, (std::vector<std::string>{"A1 13800000001", "A2 13800000001", "A3 P-1", "A4 P-1", "A5 ACC-1",
                                            "A6 ACC-1"}));
  EXPECT_EQ(observed, (std::vector<std::string>{"A1", "A2", "A3", "A4", "A5", "A6"}));
  EXPECT_EQ(out.sent(), 6u);
  EXPECT_EQ(out.count(ActionType::kWarnSms), 2u);
  EXPECT_EQ(out.count(ActionType::kFlagNumber), 1u);
  EXPECT_EQ(out.count(ActionType::kFlagAccount), 1u);
  EXPECT_EQ(out.count(ActionType::kWarnVisit), 0u);
  EXPECT_GT(out.state_bytes(), 0u);
}

TEST(ActionEmitter, PrefixNamesTheRun) {
  std::string id;
  ActionEmitter out("gov-", [&](const Action& a) { id = a.action_id; });
  Action a = Make(ActionType::kFlagOutlet, "O-1");
  a.action_id = "set-by-a-detector";  // overwritten: only the emitter mints
  ASSERT_TRUE(out.Admit(a.type, a.target));
  out.Send(a);
  EXPECT_EQ(id, "gov-1");
  EXPECT_EQ(a.action_id, "gov-1");
}

}  // namespace
}  // namespace interdict
