#include "ingest/row_parser.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

// The word-at-a-time IsValidId must agree with the byte rule on every length
// and every byte value at every position.
bool ByteRule(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e || c == '"' || c == ',') return false;
  return true;
}

TEST(IdValidation, AgreesWithByteRuleEverywhere) {
  for (size_t len = 1; len <= 40; ++len) {
    std::string base(len, 'a');
    ASSERT_TRUE(IsValidId(base));
    for (size_t pos = 0; pos < len; ++pos) {
      for (int c = 0; c < 256; ++c) {
        std::string s = base;
        s[pos] = static_cast<char>(c);
        ASSERT_EQ(IsValidId(s), ByteRule(s)) << "len " << len << " pos " << pos << " byte " << c;
      }
    }
  }
  EXPECT_TRUE(IsValidId(std::string(128, '7')));
  EXPECT_FALSE(IsValidId(std::string(129, '7')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_TRUE(IsValidId("+85512345678"));
  EXPECT_FALSE(IsValidId("账户"));
}

}  // namespace
}  // namespace interdict
