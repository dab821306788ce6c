#include "engine/config.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace interdict {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The lines that carry meaning: comments, trailing blanks and empty lines removed.
std::vector<std::string> MeaningfulLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

Status ParseText(const std::string& text, EngineConfig* c) { return EngineConfig::Parse(text, "test.toml", c); }

// config/engine-default.toml is the built-in configuration, key for key and
// in ToToml's order: no key is missing from it and no default differs.
TEST(ConfigFile, DefaultFileIsEveryKeyWithTheBuiltInDefaults) {
  const std::string path = std::string(INTERDICT_SOURCE_DIR) + "/config/engine-default.toml";
  EngineConfig file;
  Status s = EngineConfig::Load(path, &file);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(file == EngineConfig{});
  EXPECT_EQ(MeaningfulLines(ReadText(path)), MeaningfulLines(EngineConfig{}.ToToml()));
}

// Each key, changed alone, changes the configuration, and printing then
// parsing gives back the same configuration and text: every key reads and
// prints one field, no two keys share a field.
TEST(ConfigFile, EveryKeyRoundTrips) {
  const EngineConfig defaults;
  const std::string base = defaults.ToToml();
  std::vector<std::string> lines;
  {
    std::istringstream in(base);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  size_t keys = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t eq = lines[i].find(" = ");
    if (lines[i].empty() || lines[i][0] == '#' || lines[i][0] == '[' || eq == std::string::npos) continue;
    ++keys;
    const std::string key = lines[i].substr(0, eq), value = lines[i].substr(eq + 3);
    std::string changed;
    if (value == "true") {
      changed = "false";
    } else if (value == "false") {
      changed = "true";
    } else if (value.find('.') != std::string::npos) {
      changed = fmt::format("{}", std::stod(value) + 0.125);
      if (changed.find('.') == std::string::npos) changed += ".0";
    } else {
      changed = std::to_string(std::stoll(value) + 3);
    }
    std::string text;
    for (size_t j = 0; j < lines.size(); ++j) text += (j == i ? key + " = " + changed : lines[j]) + "\n";
    EngineConfig c;
    Status s = ParseText(text, &c);
    ASSERT_TRUE(s.ok()) << key << ": " << s.message();
    EXPECT_FALSE(c == defaults) << key << " changed nothing";
    EXPECT_EQ(c.ToToml(), text) << key;
    EngineConfig back;
    ASSERT_TRUE(ParseText(c.ToToml(), &back).ok());
    EXPECT_TRUE(back == c) << key;
  }
  EXPECT_EQ(keys, EngineConfig::Keys().size());
}

TEST(ConfigFile, TablesSetTheDetectorsConfigurations) {
  EngineConfig c;
  ASSERT_TRUE(ParseText("min_calls = 12\n[governance]\nseller_sims_batch = 7\nring_alpha = 1e-6\n"
                        "flag_device_sims = false\n[rings]\nenabled = 0\nperiod_s = 7200\nmoney_min_ratio = 4\n",
                        &c)
                  .ok());
  EXPECT_EQ(c.min_calls, 12u);
  EXPECT_EQ(c.governance_config.seller_sims_batch, 7);
  EXPECT_DOUBLE_EQ(c.governance_config.ring_alpha, 1e-6);
  EXPECT_FALSE(c.governance_config.flag_device_sims);
  EXPECT_EQ(c.governance, 1u);
  EXPECT_EQ(c.rings, 0u);
  EXPECT_EQ(c.rings_config.period_s, 7200);
  EXPECT_DOUBLE_EQ(c.rings_config.money_min_ratio, 4.0);  // an integer is a number
}

// Files written before the tables existed switch the detectors at the top level.
TEST(ConfigFile, OlderTopLevelSwitchesStillRead) {
  EngineConfig c;
  ASSERT_TRUE(ParseText("governance = 0\nrings = 0\n", &c).ok());
  EXPECT_EQ(c.governance, 0u);
  EXPECT_EQ(c.rings, 0u);
  EXPECT_NE(c.ToToml().find("[governance]\nenabled = 0\n"), std::string::npos);
}

TEST(ConfigFile, ErrorsNameTheFileAndTheKey) {
  struct Case {
    const char* text;
    const char* needle;
  } cases[] = {
      {"min_callz = 20\n", "unknown key 'min_callz'"},
      {"[governance]\nseller_simz = 2\n", "unknown key 'governance.seller_simz'"},
      {"[rings]\n[rings.inner]\nx = 1\n", "unknown key 'rings.inner'"},
      {"[respond]\nx = 1\n", "unknown key 'respond'"},
      {"min_calls = \"many\"\n", "'min_calls' has the wrong type"},
      {"min_calls = 10.5\n", "'min_calls' has the wrong type"},
      {"[rings]\nmoney = 1\n", "'rings.money' has the wrong type"},
      {"[governance]\nmule_flag_score = true\n", "'governance.mule_flag_score' has the wrong type"},
      {"[governance]\nprobe_max = -5\n", "'governance.probe_max' must not be negative"},
      {"min_calls = 5000000000\n", "'min_calls' is too large"},
      {"governance = \"off\"\n", "'governance' has the wrong type"},
      {"min_calls = \n", "test.toml:1:"},
  };
  for (const Case& k : cases) {
    EngineConfig c;
    Status s = ParseText(k.text, &c);
    ASSERT_FALSE(s.ok()) << k.text;
    EXPECT_EQ(s.message().rfind("test.toml:", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(k.needle), std::string::npos) << s.message();
  }
  EngineConfig c;
  Status s = EngineConfig::Load("/nonexistent/engine.toml", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("/nonexistent/engine.toml: ", 0), 0u) << s.message();
}

// docs/config.md documents every key.
TEST(ConfigFile, EveryKeyIsDocumented) {
  const std::string doc = ReadText(std::string(INTERDICT_SOURCE_DIR) + "/docs/config.md");
  ASSERT_FALSE(doc.empty());
  for (const std::string& key : EngineConfig::Keys()) {
    const std::string bare = key.substr(key.find('.') + 1);  // whole key when there is no '.'
    EXPECT_NE(doc.find("`" + bare + "`"), std::string::npos) << key << " is not in docs/config.md";
  }
}

}  // namespace
}  // namespace interdict
