#include <cstdio>

#include "cli/command.h"

namespace interdict::cli {
namespace {

const bool kRegistered = RegisterCommand(90, [](CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("version", "Print the version and exit");
  cmd->callback([exit_code] {
    std::printf("interdict %s\n", INTERDICT_VERSION);
    *exit_code = kExitOk;
  });
});

}  // namespace
}  // namespace interdict::cli
