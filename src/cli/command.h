// The CLI is a thin shell over the libraries. Each subcommand lives in its own
// cmd_*.cc and registers itself here; main.cc builds the CLI11 app from the
// registry, so adding a command touches no shared file.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/time.h"

namespace interdict::cli {

// Exit codes, documented in `interdict --help` (keep in sync with main.cc).
inline constexpr int kExitOk = 0;        // success (bad rows, if any, are in the rejects file)
inline constexpr int kExitFailure = 1;   // an unexpected internal failure
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitInput = 3;     // a missing/unreadable input, a header without a required column
inline constexpr int kExitOutput = 4;    // an output could not be written

// Options every subcommand shares (set on the top-level app).
struct GlobalOptions {
  TimeZone tz;                // --tz: local time of timestamps without offset, and of output
  int64_t lateness_s = 300;   // --lateness
  std::string log_level = "info";
};
GlobalOptions& Globals();

// A command's setup adds its subcommand to `app`; its callback stores the
// command's exit code in *exit_code.
using CommandSetup = std::function<void(CLI::App& app, int* exit_code)>;
struct CommandEntry {
  int order;  // position in --help
  CommandSetup setup;
};
std::vector<CommandEntry>& Registry();
bool RegisterCommand(int order, CommandSetup setup);

// Prints "interdict: error: <msg>" to stderr and returns `code`.
int Fail(int code, const std::string& msg);

}  // namespace interdict::cli
