// interdict serve --data DIR: the live service (serve/service.h).
// interdict token create|list|revoke --data DIR: API tokens.
// interdict audit verify --data DIR: the audit log's hash chain.
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/command.h"
#include "engine/config.h"
#include "serve/service.h"

namespace interdict::cli {
namespace {

struct ServeCliOptions {
  std::string data;
  std::string config;
  std::string listen = "127.0.0.1:8080";
  int threads = 128;
  size_t max_body_mb = 64;
};

int RunServe(const ServeCliOptions& o) {
  ServeOptions so;
  so.data_dir = o.data;
  so.tz = Globals().tz;
  so.lateness_s = Globals().lateness_s;
  so.http_threads = o.threads;
  so.max_body_bytes = o.max_body_mb << 20;
  if (!o.config.empty()) {
    Status s = EngineConfig::Load(o.config, &so.config);
    if (!s.ok()) return Fail(kExitUsage, s.message());
  }
  const size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Fail(kExitUsage, fmt::format("--listen {}: write HOST:PORT, e.g. 127.0.0.1:8080", o.listen));
  so.host = o.listen.substr(0, colon);
  try {
    so.port = std::stoi(o.listen.substr(colon + 1));
  } catch (...) {
    so.port = -1;
  }
  if (so.port < 0 || so.port > 65535) return Fail(kExitUsage, fmt::format("--listen {}: bad port", o.listen));

  // Signals are taken by one thread (sigwait), never by a handler that would
  // have to be async-signal-safe: block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::unique_ptr<Service> svc;
  Status s = Service::Create(so, &svc);
  if (!s.ok()) return Fail(kExitOutput, s.message());
  int port = 0;
  s = svc->Start(&port);
  if (!s.ok()) return Fail(kExitOutput, s.message());
  std::printf("interdict serve: listening on http://%s:%d (data %s); SIGTERM or Ctrl-C stops\n", so.host.c_str(),
              port, o.data.c_str());
  std::fflush(stdout);
  std::thread watcher([&svc, set] {
    int sig = 0;
    sigwait(&set, &sig);
    svc->Stop();
  });
  s = svc->Wait();
  // The watcher is still in sigwait if Stop came from elsewhere: wake it.
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  if (!s.ok()) return Fail(kExitOutput, s.message());
  std::printf("interdict serve: stopped; outputs in %s/out\n", o.data.c_str());
  return kExitOk;
}

const bool kServe = RegisterCommand(62, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ServeCliOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the live service: HTTP API, the engine on live events, cases");
  cmd->add_option("--data", o->data, "data directory (inbox, outputs, tokens and audit log; created if missing)")
      ->required();
  cmd->add_option("--config", o->config, "engine configuration (TOML, docs/config.md)");
  cmd->add_option("--listen", o->listen, "HOST:PORT to serve on (default 127.0.0.1:8080; port 0: any free port)");
  cmd->add_option("--threads", o->threads, "HTTP worker threads: keep-alive connections served at once (128)")
      ->check(CLI::Range(2, 4096));
  cmd->add_option("--max-body-mb", o->max_body_mb, "largest request body accepted, MiB (64); larger: HTTP 413")
      ->check(CLI::Range(1, 4096));
  cmd->callback([o, exit_code] { *exit_code = RunServe(*o); });
});

struct TokenCliOptions {
  std::string data, role, scope, label, id;
};

const bool kToken = RegisterCommand(63, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<TokenCliOptions>();
  auto* cmd = app.add_subcommand("token", "API tokens of `interdict serve`: create, list, revoke");
  cmd->require_subcommand(1);
  auto* create = cmd->add_subcommand("create", "Mint a token (printed once; only its hash is kept)");
  create->add_option("--data", o->data, "the service's data directory")->required();
  create->add_option("--role", o->role, "admin, analyst, call_agent, officer, bank, operator or auditor")->required();
  create->add_option("--scope", o->scope, "for bank: the bank id; for operator: the operator id");
  create->add_option("--label", o->label, "who holds it (shown by list)");
  create->callback([o, exit_code] {
    auto role = ParseRole(o->role);
    if (!role) {
      *exit_code = Fail(kExitUsage, fmt::format("--role {}: not one of admin, analyst, call_agent, officer, bank, "
                                                "operator, auditor", o->role));
      return;
    }
    std::unique_ptr<Auth> auth;
    Status s = Auth::Open(o->data, &auth);
    std::string token, id;
    if (s.ok()) s = auth->CreateToken(*role, o->scope, o->label, &token, &id);
    if (!s.ok()) {
      *exit_code = Fail(s.code() == Status::Code::kInvalidInput ? kExitUsage : kExitOutput, s.message());
      return;
    }
    std::printf("%s\n", token.c_str());
    std::fprintf(stderr, "token %s (%s%s%s) created; it is shown only now\n", id.c_str(), o->role.c_str(),
                 o->scope.empty() ? "" : " of ", o->scope.c_str());
    *exit_code = kExitOk;
  });
  auto* list = cmd->add_subcommand("list", "List tokens (ids, roles, scopes; never secrets)");
  list->add_option("--data", o->data, "the service's data directory")->required();
  list->callback([o, exit_code] {
    std::unique_ptr<Auth> auth;
    std::vector<TokenInfo> tokens;
    Status s = Auth::Open(o->data, &auth);
    if (s.ok()) s = auth->ListTokens(&tokens);
    if (!s.ok()) {
      *exit_code = Fail(kExitOutput, s.message());
      return;
    }
    std::printf("%-8s  %-10s  %-8s  %-24s  %-24s  %s\n", "id", "role", "scope", "created", "revoked", "label");
    for (const TokenInfo& t : tokens)
      std::printf("%-8s  %-10s  %-8s  %-24s  %-24s  %s\n", t.id.c_str(), t.role.c_str(), t.scope.c_str(),
                  t.created.c_str(), t.revoked.empty() ? "-" : t.revoked.c_str(), t.label.c_str());
    *exit_code = kExitOk;
  });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a token (takes effect within a second in a running server)");
  revoke->add_option("--data", o->data, "the service's data directory")->required();
  revoke->add_option("ID", o->id, "the token's id (8 hex digits)")->required();
  revoke->callback([o, exit_code] {
    std::unique_ptr<Auth> auth;
    Status s = Auth::Open(o->data, &auth);
    if (s.ok()) s = auth->RevokeToken(o->id);
    if (!s.ok()) {
      *exit_code = Fail(s.code() == Status::Code::kNotFound ? kExitUsage : kExitOutput, s.message());
      return;
    }
    std::printf("token %s revoked\n", o->id.c_str());
    *exit_code = kExitOk;
  });
});

const bool kAudit = RegisterCommand(64, [](CLI::App& app, int* exit_code) {
  auto data = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("audit", "The service's audit log");
  cmd->require_subcommand(1);
  auto* verify = cmd->add_subcommand("verify", "Recompute the hash chain: exit 1 at the first edited, removed or "
                                               "inserted entry");
  verify->add_option("--data", *data, "the service's data directory")->required();
  verify->callback([data, exit_code] {
    uint64_t n = 0;
    Status s = Auth::VerifyAudit(*data, &n);
    if (!s.ok()) {
      *exit_code = Fail(kExitFailure, fmt::format("audit log broken after {} good entries: {}", n, s.message()));
      return;
    }
    std::printf("audit log intact: %llu entries\n", static_cast<unsigned long long>(n));
    *exit_code = kExitOk;
  });
});

}  // namespace
}  // namespace interdict::cli
