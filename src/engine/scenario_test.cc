// The scenario driver: one test per tests/scenarios/*.test file (named by its
// stem), each parsed and run by engine/scenario.h; slow ones
// (tests/scenarios/slow/*.test) are listed as SlowScenario/... and skipped
// unless INTERDICT_SLOW_SCENARIOS=1 (`scripts/test.sh --slow`). The format's
// own tests (parse errors name file and line, never a crash) follow.
#include "engine/scenario.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace interdict {
namespace {

std::vector<std::string> ScenarioFiles(const std::string& sub) {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(INTERDICT_SOURCE_DIR) / "tests" / "scenarios" / sub;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".test") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string StemName(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = std::filesystem::path(info.param).stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

void RunFile(const std::string& path) {
  interdict::Scenario s;
  Status st = LoadScenario(path, &s);
  ASSERT_TRUE(st.ok()) << st.message();
  SCOPED_TRACE(s.story);
  for (const std::string& f : RunScenario(s)) ADD_FAILURE() << f;
}

class ScenarioFile : public ::testing::TestWithParam<std::string> {};
TEST_P(ScenarioFile, Run) { RunFile(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Scenario, ScenarioFile, ::testing::ValuesIn(ScenarioFiles("")), StemName);

class SlowScenarioFile : public ::testing::TestWithParam<std::string> {};
TEST_P(SlowScenarioFile, Run) {
  const char* on = std::getenv("INTERDICT_SLOW_SCENARIOS");
  if (!on || std::string(on) != "1") GTEST_SKIP() << "slow scenario: INTERDICT_SLOW_SCENARIOS=1 (scripts/test.sh --slow)";
  RunFile(GetParam());
}
INSTANTIATE_TEST_SUITE_P(SlowScenario, SlowScenarioFile, ::testing::ValuesIn(ScenarioFiles("slow")), StemName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SlowScenarioFile);

TEST(ScenarioFormat, TheScenarioDirectoryHasStories) { EXPECT_GE(ScenarioFiles("").size(), 12u); }

Status ParseText(const std::string& text, interdict::Scenario* s) { return ParseScenario(text, "x.test", s); }

TEST(ScenarioFormat, RepeatsExpandWithCountersAndTimes) {
  interdict::Scenario s;
  Status st = ParseText(
      "# a story\n# on two lines\n\n"
      "person P born 1990\n"
      "at -7d sim 17000000001 holder P\n"
      "repeat 8 every 90s from +1h: call 17000000001 -> 139{10000000+i} dur {i%4==0 ? 75 : 0} imei x\n"
      "repeat 2 every 5m from day 2 09:00 as s: repeat 3 every 10s as j when {j != 1}: call 1{s} -> 2{s*10+j}\n"
      "advance to +2h\n"
      "repeat 3 when {i % 2 == 0}: expect no warn_sms 139{10000000+i}\n"
      "expect 1 flag_number 17000000001 reason contains new_card at time of flag_number +0s\n",
      &s);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(s.story, "a story on two lines");
  ASSERT_EQ(s.steps.size(), 1u + 8 + 4 + 1);
  EXPECT_EQ(s.steps[0].ts, s.start - 7 * 86400);
  EXPECT_EQ(s.steps[1].b, "13910000000");
  EXPECT_EQ(s.steps[1].duration_s, 75u);
  EXPECT_EQ(s.steps[2].duration_s, 0u);
  EXPECT_EQ(s.steps[2].ts, s.start + 3600 + 90);
  EXPECT_EQ(s.steps[9].ts, s.start + 86400 + 3600);  // day 2 09:00, start 08:00 on day 1
  EXPECT_EQ(s.steps[10].b, "22");                     // j == 1 skipped
  EXPECT_EQ(s.steps[10].ts, s.start + 86400 + 3600 + 20);
  EXPECT_EQ(s.steps[11].a, "11");
  EXPECT_EQ(s.steps[11].ts, s.start + 86400 + 3600 + 300);
  ASSERT_EQ(s.expects.size(), 3u);
  EXPECT_EQ(s.expects[1].target, "13910000002");
  EXPECT_EQ(s.expects[0].count, 0);
  EXPECT_EQ(s.config.call_capacity_per_10k_day, 1e7);
}

TEST(ScenarioFormat, ConfigLinesUseTheEngineKeys) {
  interdict::Scenario s;
  ASSERT_TRUE(ParseText("config min_calls = 20\nconfig governance.enabled = 0\nexpect no any\n", &s).ok());
  EXPECT_EQ(s.config.min_calls, 20u);
  Status st = ParseText("expect no any\nconfig min_callz = 20\n", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("x.test:2"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("min_callz"), std::string::npos) << st.message();
}

// Bad files: an error naming the file and line, never a crash or a throw.
TEST(ScenarioFormat, BadLinesAreErrorsWithFileAndLine) {
  const std::pair<const char*, const char*> bad[] = {
      {"at +1h call 1 2", "->"},
      {"at soon call 1 -> 2", "not a time"},
      {"at +1x call 1 -> 2", "not a time"},
      {"at day 0 09:00 call 1 -> 2", "day"},
      {"at day 1 25:00 call 1 -> 2", "HH:MM"},
      {"call 1 -> 2", "needs its time"},
      {"at +1h call 1 -> 2 dur long", "dur"},
      {"at +1h call 1 -> 2 colour red", "unexpected 'colour'"},
      {"at +1h sim 1 holder nobody", "not declared"},
      {"at +1h pay T a -> b -5", "yuan"},
      {"at +1h pay T a -> b 5 channel pigeon", "channel"},
      {"repeat 3 from +0s call 1 -> 2", "': '"},
      {"repeat many from +0s: call 1 -> 2", "count"},
      {"repeat 3: call 1 -> 2", "from"},
      {"repeat 3 from +0s: call 1 -> {k}", "unknown variable 'k'"},
      {"repeat 3 from +0s: call 1 -> {i/0}", "division by zero"},
      {"repeat 3 from +0s: call 1 -> {i+}", "ends early"},
      {"repeat 3 from +0s: call 1 -> {9223372036854775807 + 1}", "too large"},
      {"repeat 3 from +0s: call 1 -> {-9223372036854775807 - 2}", "too large"},
      {"repeat 3 from +0s: call 1 -> {4611686018427387904 * 4}", "too large"},
      {"at +999999999d999999999d call 1 -> 2", "not a time"},
      {"repeat 3 from +0s: call 1 -> {(i}", "')'"},
      {"repeat 3 from +0s: call 1 -> {i", "'{' without '}'"},
      {"repeat 3 from +0s when i: call 1 -> 2", "braces"},
      {"repeat 2 from +0s: repeat 2: call {i} -> 2", "already used"},
      {"repeat 99999999 from +0s: call 1 -> 2", "count"},
      {"expect flag_numbr 1", "unknown action"},
      {"expect flag_number 1 reason has x", "reason contains"},
      {"expect stat nothing = 1", "unknown stat"},
      {"expect stat events 1", "= N"},
      {"expect flag_number 1 at time of", "time of ACTION"},
      {"person P born soon", "born YEAR"},
      {"config min_calls", "config KEY = VALUE"},
      {"config min_calls = \"many\"", "min_calls"},
      {"sing 1 -> 2", "unknown line 'sing'"},
      {"at +1h sms 1 -> 2 template \"unterminated", "unterminated"},
      {"repeat 10 when {i >= 0}: repeat 1000000 as j when {0}: expect no any", "more than 5000000"},
      {"repeat 200000 when {i >= 0}: expect no any", "more than 100000 expectations"},
  };
  for (const auto& [line, why] : bad) {
    interdict::Scenario s;
    Status st = ParseText(std::string("# story\n\nexpect no any\n") + line + "\n", &s);
    ASSERT_FALSE(st.ok()) << line;
    EXPECT_NE(st.message().find("x.test:4: "), std::string::npos) << line << " -> " << st.message();
    EXPECT_NE(st.message().find(why), std::string::npos) << line << " -> " << st.message();
  }
  {
    interdict::Scenario s;
    const std::string deep = "repeat 1 from +0s: call 1 -> {" + std::string(100000, '(') + "1" + std::string(100000, ')') + "}";
    Status st = ParseText("expect no any\n" + deep + "\n", &s);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("too deep"), std::string::npos) << st.message().substr(0, 200);
  }
  interdict::Scenario s;
  Status st = ParseText("expect no any\nperson P born 1990\nperson P born 1991\n", &s);
  EXPECT_NE(st.message().find("x.test:3: person P declared twice"), std::string::npos) << st.message();
  EXPECT_FALSE(ParseText("person P born 1990\n", &s).ok());  // nothing checked
  EXPECT_FALSE(LoadScenario("/nonexistent/x.test", &s).ok());
}

// A failing expectation says where it is and what the engine did instead.
TEST(ScenarioFormat, FailuresNameTheLineAndListTheActions) {
  interdict::Scenario s;
  ASSERT_TRUE(ParseText("person P born 1990\n"
                        "at -3d sim 17000000001 holder P\n"
                        "repeat 40 every 90s from t0: call 17000000001 -> 139{10000000+i} dur {i%4==0 ? 75 : 0}\n"
                        "expect no flag_number 17000000001\n"
                        "expect flag_number 17000000001 reason = nonsense\n"
                        "expect warn_sms 1 at time of flag_device\n",
                        &s)
                  .ok());
  std::vector<std::string> f = RunScenario(s);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NE(f[0].find("x.test:4: expect no flag_number"), std::string::npos) << f[0];
  EXPECT_NE(f[0].find("found 1"), std::string::npos) << f[0];
  EXPECT_NE(f[0].find("new_card"), std::string::npos) << f[0];
  EXPECT_NE(f[1].find("x.test:5"), std::string::npos) << f[1];
  EXPECT_NE(f[2].find("no flag_device"), std::string::npos) << f[2];
}

}  // namespace
}  // namespace interdict
