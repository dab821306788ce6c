#include "cli/report_util.h"

#include <cstdio>

#include <fmt/format.h>

namespace interdict::cli {

std::string Thousands(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

void PrintFileStats(const FileStats& f, const TimeZone& tz) {
  std::printf("%s\n", f.file.c_str());
  std::printf("  rows %s, accepted %s, rejected %s, late %s", Thousands(f.rows).c_str(),
              Thousands(f.accepted).c_str(), Thousands(f.rejected).c_str(), Thousands(f.late).c_str());
  if (f.blank_lines) std::printf(", blank lines %s", Thousands(f.blank_lines).c_str());
  std::printf("\n");
  if (f.rejected) {
    std::string by;
    for (int r = 0; r < kNumRejectReasons; ++r)
      if (f.by_reason[r])
        by += fmt::format("{}{} {}", by.empty() ? "" : ", ", ToString(static_cast<RejectReason>(r)),
                          Thousands(f.by_reason[r]));
    std::printf("  rejects: %s\n", by.c_str());
  }
  if (f.min_ts != kNoTs)
    std::printf("  span: %s .. %s\n", FormatTs(f.min_ts, tz).c_str(), FormatTs(f.max_ts, tz).c_str());
  if (!f.distinct.empty()) {
    std::string d;
    bool approx = false;
    for (const auto& c : f.distinct) {
      d += fmt::format("{}{} {}{}", d.empty() ? "" : ", ", c.column, c.approximate ? "~" : "", Thousands(c.distinct));
      approx |= c.approximate;
    }
    std::printf("  distinct: %s%s\n", d.c_str(), approx ? "  (~ estimate, +-1 %; --exact-distinct for exact)" : "");
  }
  if (!f.unknown_columns.empty()) {
    std::string u;
    for (const auto& c : f.unknown_columns) u += (u.empty() ? "" : ", ") + c;
    std::printf("  unknown columns (ignored): %s\n", u.c_str());
  }
}

}  // namespace interdict::cli
