#include "base/time.h"

#include <cstring>

#include <fmt/format.h>

namespace interdict {

namespace {

inline bool Digit(char c) { return c >= '0' && c <= '9'; }
inline int D(char c) { return c - '0'; }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Parses "+HH:MM" / "+HHMM" / "+HH" / "Z" at s (the whole rest of the field).
bool ParseOffset(std::string_view s, int32_t* offset_s) {
  if (s == "Z" || s == "z") {
    *offset_s = 0;
    return true;
  }
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  if (!Digit(s[1]) || !Digit(s[2])) return false;
  int hh = D(s[1]) * 10 + D(s[2]);
  int mm = 0;
  if (s.size() == 6 && s[3] == ':' && Digit(s[4]) && Digit(s[5])) {
    mm = D(s[4]) * 10 + D(s[5]);
  } else if (s.size() == 5 && Digit(s[3]) && Digit(s[4])) {
    mm = D(s[3]) * 10 + D(s[4]);
  } else if (s.size() != 3) {
    return false;
  }
  if (hh > 18 || mm > 59) return false;
  int32_t v = hh * 3600 + mm * 60;
  *offset_s = s[0] == '-' ? -v : v;
  return true;
}

// Parses the time-of-day tail after "YYYY-MM-DDTHH:MM" : ":SS[.fff][zone]".
// Returns seconds-of-minute and the zone offset.
bool ParseTail(std::string_view s, const TimeZone& local, int* sec, int32_t* offset) {
  if (s.size() < 3 || s[0] != ':' || !Digit(s[1]) || !Digit(s[2])) return false;
  *sec = D(s[1]) * 10 + D(s[2]);
  if (*sec > 60) return false;  // 60: a leap second, counted into the next minute
  size_t i = 3;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t start = i;
    while (i < s.size() && Digit(s[i])) ++i;
    if (i == start || i - start > 9) return false;
  }
  if (i == s.size()) {
    *offset = local.offset_s;
    return true;
  }
  return ParseOffset(s.substr(i), offset);
}

bool ParseUnix(std::string_view s, Ts* out) {
  if (s.empty() || s.size() > 12) return false;
  Ts v = 0;
  for (char c : s) {
    if (!Digit(c)) return false;
    v = v * 10 + D(c);
  }
  // Same 1900..2999 window as the civil forms (non-negative: 1970 on).
  if (v > 32503680000LL) return false;
  *out = v;
  return true;
}

// Parses "YYYY-MM-DDTHH:MM" (16 chars) into Unix seconds of that minute as if UTC.
bool ParseMinute(const char* p, Ts* out) {
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15})
    if (!Digit(p[i])) return false;
  if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ' && p[10] != 't') || p[13] != ':')
    return false;
  int64_t y = D(p[0]) * 1000 + D(p[1]) * 100 + D(p[2]) * 10 + D(p[3]);
  unsigned mo = D(p[5]) * 10 + D(p[6]);
  unsigned d = D(p[8]) * 10 + D(p[9]);
  int hh = D(p[11]) * 10 + D(p[12]);
  int mi = D(p[14]) * 10 + D(p[15]);
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || hh > 23 || mi > 59)
    return false;
  *out = DaysFromCivil(y, mo, d) * 86400 + hh * 3600 + mi * 60;
  return true;
}

}  // namespace

bool TimeZone::Parse(std::string_view s, TimeZone* out) {
  if (s == "UTC" || s == "utc") {
    out->offset_s = 0;
    return true;
  }
  int32_t off;
  if (!ParseOffset(s, &off)) return false;
  out->offset_s = off;
  return true;
}

std::string TimeZone::ToString() const {
  int32_t v = offset_s < 0 ? -offset_s : offset_s;
  return fmt::format("{}{:02d}:{:02d}", offset_s < 0 ? '-' : '+', v / 3600, (v / 60) % 60);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool ParseTs(std::string_view s, const TimeZone& local, Ts* out) {
  if (s.size() < 19) return ParseUnix(s, out);
  Ts minute;
  if (!ParseMinute(s.data(), &minute)) return false;
  int sec;
  int32_t off;
  if (!ParseTail(s.substr(16), local, &sec, &off)) return false;
  *out = minute + sec - off;
  return true;
}

bool TsParser::ParseSlow(std::string_view s, Ts* out) {
  if (s.size() < 19) return ParseUnix(s, out);
  if (!have_prefix_ || std::memcmp(prefix_, s.data(), 16) != 0) {
    Ts minute;
    if (!ParseMinute(s.data(), &minute)) return false;
    std::memcpy(prefix_, s.data(), 16);
    prefix_base_ = minute;
    have_prefix_ = true;
  }
  int sec;
  int32_t off;
  if (!ParseTail(s.substr(16), local_, &sec, &off)) return false;
  *out = prefix_base_ + sec - off;
  // Remember the zone for the fast path unless the seconds had a fraction
  // (then the suffix varies row to row). A valid zone is at most 6 bytes
  // ("+08:00"), so it lies within the field's last 8.
  const size_t zone_len = s.size() - 19;
  if (zone_len <= 6 && (zone_len == 0 || (s[19] != '.' && s[19] != ','))) {
    size_ = s.size();
    std::memcpy(&zone_word_, s.data() + s.size() - 8, 8);
    zone_mask_ = zone_len == 0 ? 0 : ~uint64_t{0} << (8 * (8 - zone_len));
    zone_off_ = off;
  }
  return true;
}

void AppendTs(Ts ts, const TimeZone& zone, std::string* out) {
  const Ts local = ts + zone.offset_s;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];
  int32_t off = zone.offset_s < 0 ? -zone.offset_s : zone.offset_s;
  auto r = fmt::format_to_n(buf, sizeof buf, "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{:02d}:{:02d}", y, m,
                            d, secs / 3600, (secs / 60) % 60, secs % 60, zone.offset_s < 0 ? '-' : '+',
                            off / 3600, (off / 60) % 60);
  out->append(buf, r.size);
}

std::string FormatTs(Ts ts, const TimeZone& zone) {
  std::string s;
  AppendTs(ts, zone, &s);
  return s;
}

}  // namespace interdict
