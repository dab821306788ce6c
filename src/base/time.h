// Event time: whole Unix seconds (int64). Detection runs on event time only,
// never the wall clock, so that a replay gives the same output.
//
// Accepted forms (shared/spec/events.md, "Field types"):
//   2024-03-01T09:15:02+08:00   offset as +HH:MM, +HHMM or +HH; Z for UTC
//   2024-03-01T09:15:02.123Z    fractional seconds, truncated toward the second
//   2024-03-01 09:15:02         no offset: local time of the data set (TimeZone)
//   1709255702                  integer Unix seconds
// 'T' or one space separates date and time in every form. Output is always the
// first form in the configured zone (default +08:00).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace interdict {

using Ts = int64_t;
inline constexpr Ts kNoTs = INT64_MIN;

// A fixed UTC offset in seconds; China has no daylight saving, so a fixed
// offset is the data set's whole notion of local time.
struct TimeZone {
  int32_t offset_s = 8 * 3600;
  // Parses "+08:00", "-05:30", "+0800", "Z", "UTC". False on anything else.
  static bool Parse(std::string_view s, TimeZone* out);
  std::string ToString() const;  // "+08:00"
};

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

// Parses one timestamp. False (out untouched) on anything malformed or out of
// range (month 13, Feb 30, hour 24 ...). Years 1900..2999 only: a ts outside
// that range in fraud data is a corrupt field, not history.
bool ParseTs(std::string_view s, const TimeZone& local, Ts* out);

// "2024-03-01T09:15:02+08:00". Appends to `out` (hot path: no allocation when
// `out` has capacity).
void AppendTs(Ts ts, const TimeZone& zone, std::string* out);
std::string FormatTs(Ts ts, const TimeZone& zone = TimeZone{});

// Caches the civil-time prefix (date, hour, minute) of the last timestamp it
// parsed: consecutive rows of a sorted file share it, so most rows parse only
// their seconds and zone. Same results as ParseTs.
class TsParser {
 public:
  explicit TsParser(const TimeZone& local) : local_(local) {}
  bool Parse(std::string_view s, Ts* out);

 private:
  TimeZone local_;
  char prefix_[16] = {};  // "YYYY-MM-DDTHH:MM" of the cached minute
  bool have_prefix_ = false;
  Ts prefix_base_ = 0;    // Unix seconds of that minute, before the zone offset
};

}  // namespace interdict
