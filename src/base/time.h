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
#include <cstring>
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
// parsed, and its zone suffix: consecutive rows of a sorted file share both,
// so most rows check 16 bytes against the cached minute, two second digits
// and the zone bytes, all inline. Same results as ParseTs on every input.
class TsParser {
 public:
  explicit TsParser(const TimeZone& local) : local_(local) {}
  bool Parse(std::string_view s, Ts* out) {
    // Fast path: "<cached minute>:SS<cached zone>", no fraction. size_ is
    // kNone (no string is that long) until a parse has filled both caches, so
    // a match implies have_prefix_ and at least 19 readable bytes.
    if (s.size() == size_ && std::memcmp(s.data(), prefix_, 16) == 0) {
      const char* p = s.data();
      const unsigned d1 = static_cast<unsigned char>(p[17]) - '0';
      const unsigned d2 = static_cast<unsigned char>(p[18]) - '0';
      uint64_t tail;  // the last 8 bytes; the zone is the top zone_mask_ bytes
      std::memcpy(&tail, p + s.size() - 8, 8);
      const unsigned sec = d1 * 10 + d2;
      if (p[16] == ':' && d1 < 10 && d2 < 10 && sec <= 60 && ((tail ^ zone_word_) & zone_mask_) == 0) {
        *out = prefix_base_ + sec - zone_off_;
        return true;
      }
    }
    return ParseSlow(s, out);
  }

 private:
  bool ParseSlow(std::string_view s, Ts* out);

  TimeZone local_;
  char prefix_[16] = {};  // "YYYY-MM-DDTHH:MM" of the cached minute
  bool have_prefix_ = false;
  Ts prefix_base_ = 0;    // Unix seconds of that minute, before the zone offset
  // The zone suffix of the last fraction-free parse: its length + 19 (kNone =
  // none yet), its bytes as the top bytes of the field's last 8, its offset.
  static constexpr size_t kNone = ~size_t{0};
  size_t size_ = kNone;
  uint64_t zone_word_ = 0;
  uint64_t zone_mask_ = 0;
  int32_t zone_off_ = 0;
};

}  // namespace interdict
