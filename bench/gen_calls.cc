// gen_calls: writes a synthetic calls.csv for ingest benchmarks.
//   gen_calls ROWS OUT_DIR [SUBSCRIBERS]
// Realistic shape rather than realistic behaviour: 11-digit msisdns with
// skewed popularity (a few heavy callers, a long tail), 15-digit IMEIs, a few
// thousand cells, ISO timestamps at +08:00 ascending over one day, with a
// little jitter so the reorder buffer does real work. Deterministic.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>

#include "base/time.h"

namespace {
uint64_t g_state = 0x9e3779b97f4a7c15ull;
uint64_t Next() {  // splitmix64
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
// Skewed pick in [0, n): squaring a uniform favours low indices (popular numbers).
uint64_t Skewed(uint64_t n) {
  double u = static_cast<double>(Next() >> 11) / 9007199254740992.0;
  return static_cast<uint64_t>(u * u * static_cast<double>(n)) % n;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gen_calls ROWS OUT_DIR [SUBSCRIBERS]\n");
    return 2;
  }
  const uint64_t rows = std::strtoull(argv[1], nullptr, 10);
  const std::string dir = argv[2];
  const uint64_t subs = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000000;
  ::mkdir(dir.c_str(), 0755);
  std::string path = dir + "/calls.csv";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return 1;
  }
  static char buf[1 << 20];
  std::setvbuf(f, buf, _IOFBF, sizeof buf);
  std::fputs("ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell\n", f);
  const interdict::Ts start = 1709222400;  // 2024-03-01T00:00:00+08:00
  std::string line;
  for (uint64_t i = 0; i < rows; ++i) {
    interdict::Ts ts = start + static_cast<interdict::Ts>(i * 86400 / rows);
    if (Next() % 50 == 0) ts -= static_cast<interdict::Ts>(Next() % 120);  // 2% up to 2 min early
    uint64_t caller = Skewed(subs), callee = Skewed(subs);
    uint64_t dur = Next() % 5 == 0 ? 0 : Next() % 900;
    line.clear();
    interdict::AppendTs(ts, interdict::TimeZone{}, &line);
    char rest[160];
    int n = std::snprintf(rest, sizeof rest, ",138%08llu,139%08llu,%llu,86%013llu,C%04llu,C%04llu\n",
                          static_cast<unsigned long long>(caller), static_cast<unsigned long long>(callee),
                          static_cast<unsigned long long>(dur),
                          static_cast<unsigned long long>(caller * 7919 % 10000000000000ull),
                          static_cast<unsigned long long>(caller % 5000),
                          static_cast<unsigned long long>(callee % 5000));
    line.append(rest, static_cast<size_t>(n));
    std::fwrite(line.data(), 1, line.size(), f);
  }
  std::fclose(f);
  std::printf("%s: %llu rows\n", path.c_str(), static_cast<unsigned long long>(rows));
  return 0;
}
