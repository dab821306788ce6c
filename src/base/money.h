// Money is integer fen (1/100 yuan) in an int64: no floating point anywhere
// money is counted, so sums and FIFO attributions are exact.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace interdict {

using Money = int64_t;  // fen
inline constexpr Money kNoMoney = -1;
// Largest accepted value: 10^12 yuan (spec: "over 10^12 yuan is a bad value").
inline constexpr Money kMaxMoney = 100'000'000'000'000LL;

enum class MoneyError { kOk, kEmpty, kSyntax, kTooManyDecimals, kSign, kTooLarge };

// Parses decimal yuan: digits, optionally '.' and one or two digits ("0.01",
// "1250", "1250.5"). No sign, exponent, spaces or thousands separators.
MoneyError ParseMoney(std::string_view s, Money* fen);
const char* MoneyErrorText(MoneyError e);

// Shortest exact decimal-yuan form: 125000 -> "1250", 125050 -> "1250.5".
void AppendMoney(Money fen, std::string* out);
std::string FormatMoney(Money fen);

}  // namespace interdict
