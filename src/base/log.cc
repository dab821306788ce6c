#include "base/log.h"

#include <atomic>
#include <cstdio>

namespace interdict {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
}

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }

void LogLine(LogLevel level, std::string_view msg) {
  static const char* kNames[] = {"debug", "info", "warning", "error", ""};
  std::fprintf(stderr, "interdict: %s: %.*s\n", kNames[static_cast<int>(level)], static_cast<int>(msg.size()),
               msg.data());
}

}  // namespace interdict
