#include "respond/warnings.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

constexpr Ts kT0 = 1709251200;

// A province of 10,000 registered persons: capacities per 10,000 are per province here.
class WarningDeskTest : public ::testing::Test {
 protected:
  WarningDeskTest() {
    for (int i = 0; i < 10000; ++i) {
      const PersonId p = dicts_.person.Intern("P" + std::to_string(i));
      dicts_.people.resize(p + 1);
      dicts_.people[p] = Person{p, 1970, Gender::kFemale, kNoId};
    }
  }
  MsisdnId N(const std::string& m) { return dicts_.msisdn.Intern(m); }
  std::vector<std::string> Sent(ActionType t) const {
    std::vector<std::string> v;
    for (const Action& a : sent_)
      if (a.type == t) v.push_back(a.target);
    return v;
  }

  Dictionaries dicts_;
  std::vector<Action> sent_;
  ActionEmitter out_{"A", [this](const Action& a) { sent_.push_back(a); }};
};

TEST_F(WarningDeskTest, CallsWithinCapacityHighestExpectedLossFirstTheRestExpire) {
  // 4 calls a day: one unit every 6 hours; a request waits at most 6 hours.
  WarningDesk desk(&dicts_, WarningConfig{4.0, 0.25, 6 * 3600}, &out_);
  desk.Request(N("first"), kTierCall, 1.0, "long_answered_call", kT0);  // the first need not wait
  desk.Request(N("low"), kTierCall, 2.0, "long_answered_call", kT0 + 60);
  desk.Request(N("high"), kTierCall, 3.0, "long_answered_call", kT0 + 120);
  desk.Request(N("high"), kTierCall, 9.0, "repeated_contact", kT0 + 180);  // waits already: no second request
  EXPECT_EQ(Sent(ActionType::kWarnCall), (std::vector<std::string>{"first"}));
  desk.Serve(kT0 + 3 * 3600);  // half a unit
  EXPECT_EQ(Sent(ActionType::kWarnCall).size(), 1u);
  desk.Serve(kT0 + 6 * 3600);  // a unit: the higher expected loss
  EXPECT_EQ(Sent(ActionType::kWarnCall), (std::vector<std::string>{"first", "high"}));
  desk.Serve(kT0 + 6 * 3600 + 61);  // "low" waited more than 6 hours
  desk.Finish(kT0 + 2 * 86400);
  EXPECT_EQ(Sent(ActionType::kWarnCall).size(), 2u);
  EXPECT_EQ(desk.unserved_calls(), 1u);
  EXPECT_EQ(desk.Exposed(N("high")).sent, kTierCall);
  EXPECT_EQ(desk.Exposed(N("low")).queued, kTierNone);  // expired: it may be asked for again
  EXPECT_NE(desk.Exposed(N("high")).call_warned_at, kNoTs);
}

TEST_F(WarningDeskTest, SmsAtOnceAndNeverBelowATierSent) {
  WarningDesk desk(&dicts_, WarningConfig{4.0, 0.25, 6 * 3600}, &out_);
  desk.Request(N("a"), kTierSms, 0.7, "talked_to_flagged", kT0);
  desk.Request(N("a"), kTierSms, 0.9, "talked_to_flagged", kT0 + 1);  // sent already
  desk.Request(N("b"), kTierCall, 1.5, "long_answered_call", kT0 + 2);
  desk.Request(N("b"), kTierSms, 0.8, "talked_to_flagged", kT0 + 3);   // a call went: no SMS after it
  EXPECT_EQ(Sent(ActionType::kWarnSms), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Sent(ActionType::kWarnCall), (std::vector<std::string>{"b"}));
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].ts, kT0);
  EXPECT_DOUBLE_EQ(sent_[0].score, 0.7);
  EXPECT_DOUBLE_EQ(sent_[1].score, 1.0);  // priority above 1: the score is capped
  EXPECT_EQ(sent_[1].action_id, "A2");
}

TEST_F(WarningDeskTest, NoCapacityNoCallsButEverySmsGoes) {
  WarningDesk desk(&dicts_, WarningConfig{0.0, 0.0, 6 * 3600}, &out_);
  desk.Request(N("a"), kTierCall, 1.0, "long_answered_call", kT0);
  desk.Request(N("b"), kTierVisit, 1.0, "calls_after_warning", kT0);
  desk.Request(N("c"), kTierSms, 1.0, "talked_to_flagged", kT0);
  desk.Finish(kT0 + 86400);
  EXPECT_TRUE(Sent(ActionType::kWarnCall).empty());
  EXPECT_TRUE(Sent(ActionType::kWarnVisit).empty());
  EXPECT_EQ(Sent(ActionType::kWarnSms).size(), 1u);
  EXPECT_EQ(desk.unserved_calls() + desk.unserved_visits(), 2u);
}

}  // namespace
}  // namespace interdict
