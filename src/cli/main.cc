// interdict: the command-line shell. See `interdict --help`.
#include <algorithm>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "base/log.h"
#include "cli/command.h"

namespace interdict::cli {

GlobalOptions& Globals() {
  static GlobalOptions g;
  return g;
}

std::vector<CommandEntry>& Registry() {
  static std::vector<CommandEntry> r;
  return r;
}

bool RegisterCommand(int order, CommandSetup setup) {
  Registry().push_back({order, std::move(setup)});
  return true;
}

int Fail(int code, const std::string& msg) {
  std::fprintf(stderr, "interdict: error: %s\n", msg.c_str());
  return code;
}

}  // namespace interdict::cli

namespace {
constexpr const char* kFooter = R"(Exit codes:
  0  success (bad rows, if any, are counted and written to the rejects file)
  1  unexpected internal failure
  2  bad command line
  3  bad input: a missing or unreadable file, a header without a required column
  4  an output could not be written

Run 'interdict COMMAND --help' for a command's options. Documentation: docs/.)";
}

int main(int argc, char** argv) {
  using namespace interdict;
  using namespace interdict::cli;
  CLI::App app{"Interdict: detects and interdicts telecom and online fraud from call, SMS and transfer records.",
               "interdict"};
  app.footer(kFooter);
  app.require_subcommand(1);
  std::string tz = "+08:00";
  app.add_option("--tz", tz, "UTC offset of timestamps without one, and of output timestamps")
      ->capture_default_str();
  app.add_option("--lateness", Globals().lateness_s,
                 "seconds an event may arrive out of order before it counts as late")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--log-level", Globals().log_level, "quiet, error, warning, info or debug")
      ->capture_default_str()
      ->check(CLI::IsMember({"quiet", "error", "warning", "info", "debug"}));
  app.parse_complete_callback([&] {
    if (!TimeZone::Parse(tz, &Globals().tz))
      throw CLI::ValidationError("--tz", "expected an offset like +08:00, -05:30 or Z");
    const std::string& l = Globals().log_level;
    SetLogLevel(l == "quiet"     ? LogLevel::kQuiet
                : l == "error"   ? LogLevel::kError
                : l == "warning" ? LogLevel::kWarn
                : l == "debug"   ? LogLevel::kDebug
                                 : LogLevel::kInfo);
  });

  int exit_code = kExitOk;
  auto entries = Registry();
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  for (auto& e : entries) e.setup(app, &exit_code);

  // The first word that is not a global option (or its value) must name a
  // command, also when --help follows it: CLI11 would print the main help and
  // exit 0 for `interdict nosuchcommand --help`, which a script takes for success.
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--tz" || a == "--lateness" || a == "--log-level") {
      ++i;
      continue;
    }
    if (a.starts_with("-")) continue;
    const auto commands = app.get_subcommands([&](const CLI::App* c) { return c->get_name() == a; });
    if (commands.empty())
      return Fail(kExitUsage, fmt::format("unknown command '{}'; 'interdict --help' lists them", a));
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    return Fail(kExitFailure, "out of memory");
  } catch (const std::exception& e) {
    return Fail(kExitFailure, fmt::format("unexpected failure: {}", e.what()));
  }
  return exit_code;
}
