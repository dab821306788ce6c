#include "base/money.h"

#include <gtest/gtest.h>

namespace interdict {
namespace {

Money Ok(std::string_view s) {
  Money m = -7;
  EXPECT_EQ(ParseMoney(s, &m), MoneyError::kOk) << s;
  return m;
}
MoneyError Err(std::string_view s) {
  Money m = -7;
  MoneyError e = ParseMoney(s, &m);
  EXPECT_EQ(m, -7) << "output touched on error: " << s;
  return e;
}

TEST(Money, Valid) {
  EXPECT_EQ(Ok("0.01"), 1);
  EXPECT_EQ(Ok("0"), 0);
  EXPECT_EQ(Ok("1250"), 125000);
  EXPECT_EQ(Ok("1250.5"), 125050);
  EXPECT_EQ(Ok("1250.05"), 125005);
  EXPECT_EQ(Ok("007.10"), 710);
  EXPECT_EQ(Ok("1000000000000"), kMaxMoney);  // exactly 10^12 yuan is allowed
}

TEST(Money, Invalid) {
  EXPECT_EQ(Err("1e12"), MoneyError::kSyntax);
  EXPECT_EQ(Err("1.234"), MoneyError::kTooManyDecimals);
  EXPECT_EQ(Err("0.001"), MoneyError::kTooManyDecimals);
  EXPECT_EQ(Err("-5"), MoneyError::kSign);
  EXPECT_EQ(Err("+5"), MoneyError::kSign);
  EXPECT_EQ(Err(" 5"), MoneyError::kSyntax);
  EXPECT_EQ(Err("5 "), MoneyError::kSyntax);
  EXPECT_EQ(Err("1 000"), MoneyError::kSyntax);
  EXPECT_EQ(Err("1,000"), MoneyError::kSyntax);
  EXPECT_EQ(Err(""), MoneyError::kEmpty);
  EXPECT_EQ(Err("."), MoneyError::kSyntax);
  EXPECT_EQ(Err(".5"), MoneyError::kSyntax);
  EXPECT_EQ(Err("5."), MoneyError::kSyntax);
  EXPECT_EQ(Err("1000000000000.01"), MoneyError::kTooLarge);
  EXPECT_EQ(Err("99999999999999999999999"), MoneyError::kTooLarge);
  EXPECT_EQ(Err("NaN"), MoneyError::kSyntax);
  EXPECT_EQ(Err("１００"), MoneyError::kSyntax);  // full-width digits
}

TEST(Money, Format) {
  EXPECT_EQ(FormatMoney(1), "0.01");
  EXPECT_EQ(FormatMoney(10), "0.1");
  EXPECT_EQ(FormatMoney(125000), "1250");
  EXPECT_EQ(FormatMoney(125050), "1250.5");
  EXPECT_EQ(FormatMoney(125005), "1250.05");
  EXPECT_EQ(FormatMoney(kMaxMoney), "1000000000000");
  for (Money m : {Money{0}, Money{1}, Money{99}, Money{100}, Money{123456789}, kMaxMoney}) EXPECT_EQ(Ok(FormatMoney(m)), m);
}

}  // namespace
}  // namespace interdict
