// Who may do what through the API, and the record of what they did.
//
// Tokens. `interdict token create --role R [--scope S]` mints
// "idt_<id>_<secret>": <id> 8 hex digits names the token (it appears in the
// audit log and `token list`), <secret> 32 random bytes (libsodium's
// randombytes) in hex. Only BLAKE2b-256 of the secret is stored (serve.db,
// table tokens): the secret is shown once. A fast hash is right here: the
// secret is 256 random bits, not a password, so there is nothing to slow a
// guesser down on, and every request checks it (a password hash such as
// Argon2 would cost milliseconds per request). Comparison is constant-time.
// A token's role and scope are cached for one second: a revocation takes
// effect within a second, even in a running server.
//
// Roles: admin (everything), analyst (cases, entities, statistics, feeds),
// call_agent and officer (the warning queues and the cases of their work),
// bank (only its own bank's accounts and transfers: scope = bank id),
// operator (only its own numbers: scope = operator id), auditor (read-only,
// masked, plus the audit log).
//
// Audit log (serve.db, table audit): append-only and hash-chained. Entry n
// carries the hash of entry n-1 and its own hash = BLAKE2b-256 over its
// fields and that previous hash, so editing or removing any entry breaks
// the chain at that point: `interdict audit verify` recomputes it. Entries
// are written by a group commit (at most `flush_ms` after they are made) so
// that a decision endpoint answering thousands of requests a second does not
// wait for a commit each.
//
// Thread safety: Auth is safe to call from any thread (one mutex for the
// token cache and the database, one for the audit queue).
#pragma once
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"

namespace interdict {

enum class Role : uint8_t { kAdmin, kAnalyst, kCallAgent, kOfficer, kBank, kOperator, kAuditor };
inline constexpr int kNumRoles = 7;
std::string_view ToString(Role r);
std::optional<Role> ParseRole(std::string_view s);

struct Principal {
  std::string token_id;
  Role role = Role::kAuditor;
  std::string scope;  // bank id for kBank, operator id for kOperator, else empty
};

struct TokenInfo {
  std::string id, role, scope, label, created, revoked;  // revoked empty while valid
};

struct AuditEntry {
  int64_t seq = 0;
  std::string ts;  // UTC, ISO 8601 with milliseconds
  std::string token_id, role, action, target, detail;
  std::string prev, hash;  // hex
};

class Auth {
 public:
  // Opens (creating if needed) DIR/serve.db. `flush_ms`: the audit group commit.
  static Status Open(const std::string& dir, std::unique_ptr<Auth>* out, int flush_ms = 20);
  ~Auth();
  Auth(const Auth&) = delete;
  Auth& operator=(const Auth&) = delete;

  // Token administration (the CLI).
  Status CreateToken(Role role, const std::string& scope, const std::string& label, std::string* token,
                     std::string* id);
  Status RevokeToken(const std::string& id);
  Status ListTokens(std::vector<TokenInfo>* out);

  // The principal a bearer token names, or nullopt (unknown, malformed, revoked).
  std::optional<Principal> Authenticate(std::string_view bearer);

  // Appends an entry (chained at once, written by the group commit).
  void Audit(const Principal& who, std::string_view action, std::string_view target, std::string_view detail);
  // Writes every entry made so far. Called by the flusher and at shutdown.
  Status FlushAudit();
  // Entries with seq > after, at most `limit`; with `action_prefix`, only
  // those whose action starts with it ("actions.read" ...).
  Status ReadAudit(int64_t after, int limit, std::vector<AuditEntry>* out, const std::string& action_prefix = "");
  uint64_t audit_count() const { return audit_seq_.load(); }

  // Recomputes the chain of DIR/serve.db: OK, or the first entry that was
  // edited, removed or inserted.
  static Status VerifyAudit(const std::string& dir, uint64_t* entries);

 private:
  Auth() = default;
  void FlushLoop();

  sqlite3* db_ = nullptr;
  std::mutex db_mu_;
  struct Cached {
    Principal who;
    std::string hash;  // hex of BLAKE2b(secret)
    bool revoked = false;
    std::chrono::steady_clock::time_point fetched;
  };
  std::map<std::string, Cached> cache_;  // by token id; guarded by db_mu_

  sqlite3* audit_db_ = nullptr;  // FlushAudit, ReadAudit
  std::mutex audit_db_mu_;
  std::mutex audit_mu_;
  std::condition_variable audit_cv_;
  std::vector<AuditEntry> pending_;  // chained, not yet written
  std::string last_hash_;
  std::atomic<int64_t> audit_seq_{0};
  bool stop_ = false;
  int flush_ms_ = 20;
  std::thread flusher_;
};

// Masking of personal data in API answers: the first and last digits stay,
// so that an analyst can match a number a victim reads out, the rest is '*'.
// "13812345678" -> "138****5678", "6217991384937823" -> "6217********7823",
// "P0052897" -> "P00***97". Ids of 4 characters or fewer become "****".
std::string Mask(std::string_view id);

}  // namespace interdict
