#include "base/money.h"

#include <fmt/format.h>

namespace interdict {

MoneyError ParseMoney(std::string_view s, Money* fen) {
  if (s.empty()) return MoneyError::kEmpty;
  if (s[0] == '-' || s[0] == '+') return MoneyError::kSign;
  size_t i = 0;
  Money yuan = 0;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (int_digits >= 14) return MoneyError::kTooLarge;  // > 10^13 yuan: stop before overflow
    yuan = yuan * 10 + (s[i] - '0');
    ++i;
    ++int_digits;
  }
  Money frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    size_t n = i - start;
    if (i != s.size()) return MoneyError::kSyntax;
    if (n == 0) return MoneyError::kSyntax;  // "12." is not a decimal
    if (n > 2) return MoneyError::kTooManyDecimals;
    frac = (s[start] - '0') * 10 + (n == 2 ? s[start + 1] - '0' : 0);
  }
  if (i != s.size() || int_digits == 0) return MoneyError::kSyntax;
  Money v = yuan * 100 + frac;
  if (v > kMaxMoney) return MoneyError::kTooLarge;
  *fen = v;
  return MoneyError::kOk;
}

const char* MoneyErrorText(MoneyError e) {
  switch (e) {
    case MoneyError::kOk: return "ok";
    case MoneyError::kEmpty: return "empty";
    case MoneyError::kSyntax: return "not a decimal yuan amount";
    case MoneyError::kTooManyDecimals: return "more than 2 fraction digits";
    case MoneyError::kSign: return "signed amount";
    case MoneyError::kTooLarge: return "over 10^12 yuan";
  }
  return "?";
}

void AppendMoney(Money fen, std::string* out) {
  if (fen < 0) {
    out->push_back('-');
    fen = -fen;
  }
  char buf[32];
  auto r = fmt::format_to_n(buf, sizeof buf, "{}", fen / 100);
  out->append(buf, r.size);
  int f = static_cast<int>(fen % 100);
  if (f == 0) return;
  out->push_back('.');
  out->push_back(static_cast<char>('0' + f / 10));
  if (f % 10) out->push_back(static_cast<char>('0' + f % 10));
}

std::string FormatMoney(Money fen) {
  std::string s;
  AppendMoney(fen, &s);
  return s;
}

}  // namespace interdict
