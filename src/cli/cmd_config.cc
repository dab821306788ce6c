// interdict config [--config FILE] [--print]: checks a configuration file and
// prints the effective configuration (the built-in defaults with FILE's keys
// over them) as TOML with every key of every stage. `run --config` and
// `train --config` read the same file; feeding the printed text back as
// --config gives the same configuration (docs/config.md).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "engine/config.h"

namespace interdict::cli {
namespace {

struct ConfigOptions {
  std::string config;
  bool print = false;
};

int RunConfig(const ConfigOptions& o) {
  EngineConfig cfg;
  if (!o.config.empty()) {
    Status s = EngineConfig::Load(o.config, &cfg);
    if (!s.ok()) return Fail(kExitUsage, s.message());  // as run --config
  }
  if (o.print) {
    const std::string text = cfg.ToToml();
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    std::printf("%s: valid (%zu keys; --print shows them all)\n",
                o.config.empty() ? "built-in defaults" : o.config.c_str(), EngineConfig::Keys().size());
  }
  return kExitOk;
}

const bool kRegistered = RegisterCommand(87, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ConfigOptions>();
  auto* cmd = app.add_subcommand(
      "config", "Check a configuration file; --print: the effective configuration with every key, as TOML");
  cmd->add_option("--config", o->config,
                  "configuration (TOML) over the built-in defaults, as for run (default: the defaults alone)");
  cmd->add_flag("--print", o->print, "print the effective configuration (every key; reads back as the same)");
  cmd->callback([o, exit_code] { *exit_code = RunConfig(*o); });
});

}  // namespace
}  // namespace interdict::cli
