#include "base/time.h"

#include <gtest/gtest.h>

#include <random>

namespace interdict {
namespace {

constexpr Ts kT = 1709255702;  // 2024-03-01T01:15:02Z

Ts P(std::string_view s, TimeZone tz = TimeZone{}) {
  Ts t = kNoTs;
  EXPECT_TRUE(ParseTs(s, tz, &t)) << s;
  TsParser cached(tz);
  Ts t2 = kNoTs;
  EXPECT_TRUE(cached.Parse(s, &t2)) << s;
  EXPECT_EQ(t, t2) << s;
  return t;
}

bool Bad(std::string_view s) {
  Ts t;
  TsParser cached(TimeZone{});
  return !ParseTs(s, TimeZone{}, &t) && !cached.Parse(s, &t);
}

TEST(Time, AllSpecForms) {
  EXPECT_EQ(P("2024-03-01T09:15:02+08:00"), kT);
  EXPECT_EQ(P("2024-03-01T01:15:02Z"), kT);
  EXPECT_EQ(P("2024-03-01T01:15:02z"), kT);
  EXPECT_EQ(P("2024-03-01T09:15:02.999+08:00"), kT);  // fraction truncated
  EXPECT_EQ(P("2024-03-01T01:15:02.5Z"), kT);
  EXPECT_EQ(P("2024-03-01 09:15:02"), kT);            // local, default +08:00
  EXPECT_EQ(P("2024-03-01T09:15:02"), kT);
  EXPECT_EQ(P("1709255702"), kT);
  EXPECT_EQ(P("0"), 0);
}

TEST(Time, OtherZones) {
  EXPECT_EQ(P("2024-03-01T03:15:02+02:00"), kT);
  EXPECT_EQ(P("2024-02-29T20:15:02-05:00"), kT);  // crosses the date line back
  EXPECT_EQ(P("2024-03-01T06:45:02+0530"), kT);
  EXPECT_EQ(P("2024-03-01T09:15:02+08"), kT);
  TimeZone utc{0};
  EXPECT_EQ(P("2024-03-01 01:15:02", utc), kT);  // configurable local zone
  TimeZone ny;
  ASSERT_TRUE(TimeZone::Parse("-05:00", &ny));
  EXPECT_EQ(P("2024-02-29 20:15:02", ny), kT);
}

TEST(Time, CalendarEdges) {
  EXPECT_EQ(P("2024-02-29T00:00:00Z"), 1709164800);  // leap day
  EXPECT_TRUE(Bad("2023-02-29T00:00:00Z"));          // not a leap year
  EXPECT_TRUE(Bad("2100-02-29T00:00:00Z"));
  EXPECT_EQ(P("2000-02-29T00:00:00Z"), 951782400);
  EXPECT_EQ(P("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(P("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(P("2024-12-31T23:59:60Z"), P("2025-01-01T00:00:00Z"));  // leap second
}

TEST(Time, Rejects) {
  for (const char* s : {"", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-04-31T00:00:00Z",
                        "2024-03-01T24:00:00Z", "2024-03-01T23:60:00Z", "2024-03-01T23:00:61Z",
                        "2024-03-01T09:15:02+08:00 ", " 2024-03-01T09:15:02+08:00", "2024/03/01 09:15:02",
                        "2024-03-01T09:15:02+25:00", "2024-03-01T09:15:02+08:0", "2024-03-01T09:15:02.Z",
                        "2024-03-01T09:15", "-5", "12a", "1e9", "99999999999999", "abcdefghijklmnopqrstuvwxyz",
                        "1899-12-31T00:00:00Z", "２０２４-03-01T09:15:02Z"})
    EXPECT_TRUE(Bad(s)) << s;
}

TEST(Time, CachedParserFollowsPrefixChanges) {
  TsParser p(TimeZone{});
  Ts a, b, c;
  ASSERT_TRUE(p.Parse("2024-03-01T09:15:02+08:00", &a));
  ASSERT_TRUE(p.Parse("2024-03-01T09:15:59+08:00", &b));
  ASSERT_TRUE(p.Parse("2024-03-01T09:16:00Z", &c));
  EXPECT_EQ(b - a, 57);
  EXPECT_EQ(c, P("2024-03-01T09:16:00Z"));
  Ts bad = 7;
  EXPECT_FALSE(p.Parse("2024-03-01T09:16:0xZ", &bad));
  EXPECT_EQ(bad, 7);
}

// The cached parser's inline path (same minute, same zone suffix) must give
// ParseTs's answer on every form, whatever was parsed before.
TEST(Time, CachedFastPathAgreesOnEveryForm) {
  const std::vector<std::string> forms = {
      "2024-03-01T09:15:02+08:00", "2024-03-01T09:15:59+08:00", "2024-03-01T09:15:60+08:00",
      "2024-03-01T09:15:61+08:00", "2024-03-01T09:15:0x+08:00", "2024-03-01T09:15:02+08:01",
      "2024-03-01T09:15:02-08:00", "2024-03-01T09:15:02+0800",  "2024-03-01T09:15:02+08",
      "2024-03-01T09:15:02Z",      "2024-03-01T09:15:02z",      "2024-03-01T09:15:02",
      "2024-03-01 09:15:02",       "2024-03-01t09:15:02",       "2024-03-01T09:15:02.5+08:00",
      "2024-03-01T09:15:02,5Z",    "2024-03-01T09:15:02.123456789Z", "2024-03-01T09:15:02.+08:00",
      "2024-03-01T09:15:02+08:00x", "2024-03-01T09:15:02 +08:00", "2024-03-01T09:15+08:00:00",
      "2024-03-01T09:15:02+18:00", "2024-03-01T09:15:02+19:00", "2024-03-01T09:15:02+08:60",
      "2024-03-01T09:15;02+08:00", "1709255702",                "2024-03-01T09:16:00+08:00",
      "2024-03-01T09:15:0"};
  for (const TimeZone tz : {TimeZone{}, TimeZone{0}, TimeZone{-19800}}) {
    for (const std::string& first : forms) {
      for (const std::string& second : forms) {
        TsParser p(tz);
        Ts a = kNoTs, b = kNoTs, want = kNoTs;
        const bool ok_first = p.Parse(first, &a);
        const bool ok = p.Parse(second, &b);
        EXPECT_EQ(ok_first, ParseTs(first, tz, &want)) << first;
        if (ok_first) {
          EXPECT_EQ(a, want) << first;
        }
        want = kNoTs;
        ASSERT_EQ(ok, ParseTs(second, tz, &want)) << first << " then " << second;
        if (ok) {
          EXPECT_EQ(b, want) << first << " then " << second;
        }
      }
    }
  }
}

// Long random runs of near-valid timestamps through one cached parser.
TEST(Time, CachedParserAgreesOnRandomRuns) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "0123456789:+-.,ZzT t";
  TsParser p(TimeZone{});
  Ts t = 1709255702;
  for (int i = 0; i < 200000; ++i) {
    t += static_cast<Ts>(rng() % 3) - (rng() % 20 == 0 ? 100 : 0);
    std::string s = FormatTs(t, TimeZone{static_cast<int32_t>(rng() % 3) * 1800});
    switch (rng() % 6) {
      case 0: s = s.substr(0, 19); break;
      case 1: s = s.substr(0, 19) + "Z"; break;
      case 2: s.erase(22, 1); break;
      default: break;
    }
    if (rng() % 4 == 0) s[rng() % s.size()] = alphabet[rng() % alphabet.size()];
    if (rng() % 20 == 0) s.insert(rng() % (s.size() + 1), 1, alphabet[rng() % alphabet.size()]);
    if (rng() % 20 == 0) s.erase(rng() % s.size(), 1);
    Ts got = 1, want = 2;
    const bool ok = p.Parse(s, &got);
    ASSERT_EQ(ok, ParseTs(s, TimeZone{}, &want)) << s;
    if (ok) {
      ASSERT_EQ(got, want) << s;
    }
  }
}

TEST(Time, FormatRoundTrip) {
  EXPECT_EQ(FormatTs(kT), "2024-03-01T09:15:02+08:00");
  EXPECT_EQ(FormatTs(kT, TimeZone{0}), "2024-03-01T01:15:02+00:00");
  EXPECT_EQ(FormatTs(kT, TimeZone{-5 * 3600 - 1800}), "2024-02-29T19:45:02-05:30");
  for (Ts t : {Ts{0}, Ts{-1}, kT, Ts{4102444799}, Ts{951782400}}) EXPECT_EQ(P(FormatTs(t)), t);
}

TEST(Time, ZoneParse) {
  TimeZone z;
  EXPECT_TRUE(TimeZone::Parse("Z", &z));
  EXPECT_EQ(z.offset_s, 0);
  EXPECT_TRUE(TimeZone::Parse("+09:30", &z));
  EXPECT_EQ(z.offset_s, 9 * 3600 + 1800);
  EXPECT_EQ(z.ToString(), "+09:30");
  EXPECT_FALSE(TimeZone::Parse("Asia/Shanghai", &z));
}

}  // namespace
}  // namespace interdict
