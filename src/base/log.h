// Minimal leveled logging to stderr. Fraud data is personal data: at the
// default level (info) log lines carry counts, file names and reasons, never
// ids, numbers, names or amounts of individuals. Row contents go to the rejects
// file under the run's output directory, not to the log.
#pragma once
#include <fmt/format.h>

#include <string_view>

namespace interdict {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kQuiet = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void LogLine(LogLevel level, std::string_view msg);

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (level < GetLogLevel()) return;
  LogLine(level, fmt::format(f, std::forward<Args>(args)...));
}
#define INTERDICT_LOG_DEBUG(...) ::interdict::Log(::interdict::LogLevel::kDebug, __VA_ARGS__)
#define INTERDICT_LOG_INFO(...) ::interdict::Log(::interdict::LogLevel::kInfo, __VA_ARGS__)
#define INTERDICT_LOG_WARN(...) ::interdict::Log(::interdict::LogLevel::kWarn, __VA_ARGS__)
#define INTERDICT_LOG_ERROR(...) ::interdict::Log(::interdict::LogLevel::kError, __VA_ARGS__)

}  // namespace interdict
