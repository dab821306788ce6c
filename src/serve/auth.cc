#include "serve/auth.h"

#include <sodium.h>

#include <fmt/format.h>

#include "serve/serve_db.h"

namespace interdict {
namespace {

constexpr std::string_view kRoleNames[kNumRoles] = {"admin", "analyst", "call_agent", "officer",
                                                     "bank",  "operator", "auditor"};

std::string Hex(const unsigned char* p, size_t n) {
  std::string s(n * 2, '0');
  sodium_bin2hex(s.data(), s.size() + 1, p, n);
  return s;
}

std::string HashHex(std::string_view data) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return Hex(h, sizeof h);
}

// What an entry's hash covers: every field and the previous hash, separated
// by a byte no field holds (0x1f, the unit separator).
std::string EntryHash(const AuditEntry& e) {
  std::string s = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", e.prev, e.seq, e.ts, e.token_id,
                              e.role, e.action, e.target, e.detail);
  return HashHex(s);
}

// An audit row as selected by "SELECT seq, ts, token_id, role, action, target, detail, prev, hash".
AuditEntry RowEntry(sqlite3_stmt* st) {
  AuditEntry e;
  e.seq = sqlite3_column_int64(st, 0);
  e.ts = ColumnText(st, 1);
  e.token_id = ColumnText(st, 2);
  e.role = ColumnText(st, 3);
  e.action = ColumnText(st, 4);
  e.target = ColumnText(st, 5);
  e.detail = ColumnText(st, 6);
  e.prev = ColumnText(st, 7);
  e.hash = ColumnText(st, 8);
  return e;
}

Status OpenDb(const std::string& dir, sqlite3** db, bool create) {
  return OpenServeDb(dir, create,
                     "CREATE TABLE IF NOT EXISTS tokens(id TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT NOT NULL,"
                     " label TEXT NOT NULL, hash TEXT NOT NULL, created TEXT NOT NULL,"
                     " revoked TEXT NOT NULL DEFAULT '');"
                     "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, ts TEXT NOT NULL,"
                     " token_id TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,"
                     " detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);",
                     db);
}

}  // namespace

std::string_view ToString(Role r) { return kRoleNames[static_cast<int>(r)]; }

std::optional<Role> ParseRole(std::string_view s) {
  for (int i = 0; i < kNumRoles; ++i)
    if (kRoleNames[i] == s) return static_cast<Role>(i);
  return std::nullopt;
}

std::string Mask(std::string_view id) {
  if (id.size() <= 4) return "****";
  size_t head = id.size() >= 11 ? 3 : 2, tail = id.size() >= 11 ? 4 : 2;
  if (id.size() >= 16) head = 4;
  if (id[0] == '+') ++head;  // keep the country code visible
  if (head + tail >= id.size()) head = tail = 1;
  std::string s(id.substr(0, head));
  s.append(id.size() - head - tail, '*');
  s.append(id.substr(id.size() - tail));
  return s;
}

Status Auth::Open(const std::string& dir, std::unique_ptr<Auth>* out, int flush_ms) {
  if (sodium_init() < 0) return Status::Io("libsodium could not be initialised");
  std::unique_ptr<Auth> a(new Auth());
  a->flush_ms_ = flush_ms;
  if (Status s = OpenDb(dir, &a->db_, true); !s.ok()) return s;
  // The audit log has its own connection: a group commit must not hold up
  // the token checks of every request.
  if (Status s = OpenDb(dir, &a->audit_db_, false); !s.ok()) return s;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(a->db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &st, nullptr);
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    a->audit_seq_ = sqlite3_column_int64(st, 0);
    a->last_hash_ = ColumnText(st, 1);
  }
  sqlite3_finalize(st);
  a->flusher_ = std::thread([p = a.get()] { p->FlushLoop(); });
  *out = std::move(a);
  return Status::Ok();
}

Auth::~Auth() {
  {
    std::lock_guard<std::mutex> l(audit_mu_);
    stop_ = true;
  }
  audit_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  FlushAudit();
  sqlite3_close(audit_db_);
  sqlite3_close(db_);
}

Status Auth::CreateToken(Role role, const std::string& scope, const std::string& label, std::string* token,
                         std::string* id) {
  if ((role == Role::kBank || role == Role::kOperator) && scope.empty())
    return Status::Invalid(fmt::format("a {} token needs --scope (its {} id)", ToString(role),
                                       role == Role::kBank ? "bank" : "operator"));
  if (role != Role::kBank && role != Role::kOperator && !scope.empty())
    return Status::Invalid(fmt::format("--scope is for bank and operator tokens, not {}", ToString(role)));
  unsigned char idb[4], secret[32];
  randombytes_buf(idb, sizeof idb);
  randombytes_buf(secret, sizeof secret);
  *id = Hex(idb, sizeof idb);
  const std::string sec = Hex(secret, sizeof secret);
  *token = fmt::format("idt_{}_{}", *id, sec);
  std::lock_guard<std::mutex> l(db_mu_);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT INTO tokens(id, role, scope, label, hash, created) VALUES(?,?,?,?,?,?)", -1, &st,
                     nullptr);
  const std::string r(ToString(role)), h = HashHex(sec), now = UtcNow(true);
  sqlite3_bind_text(st, 1, id->c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, r.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, scope.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, label.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, h.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 6, now.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return Status::Io(fmt::format("serve.db: {}", sqlite3_errmsg(db_)));
  return Status::Ok();
}

Status Auth::RevokeToken(const std::string& id) {
  std::lock_guard<std::mutex> l(db_mu_);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "UPDATE tokens SET revoked=? WHERE id=? AND revoked=''", -1, &st, nullptr);
  const std::string now = UtcNow(true);
  sqlite3_bind_text(st, 1, now.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, id.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return Status::Io(fmt::format("serve.db: {}", sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) == 0) return Status::NotFound(fmt::format("no valid token with id {}", id));
  cache_.erase(id);
  return Status::Ok();
}

Status Auth::ListTokens(std::vector<TokenInfo>* out) {
  std::lock_guard<std::mutex> l(db_mu_);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT id, role, scope, label, created, revoked FROM tokens ORDER BY created", -1, &st,
                     nullptr);
  while (st && sqlite3_step(st) == SQLITE_ROW)
    out->push_back({ColumnText(st, 0), ColumnText(st, 1), ColumnText(st, 2), ColumnText(st, 3), ColumnText(st, 4), ColumnText(st, 5)});
  sqlite3_finalize(st);
  return Status::Ok();
}

std::optional<Principal> Auth::Authenticate(std::string_view bearer) {
  // idt_<8 hex>_<64 hex>
  if (bearer.size() != 4 + 8 + 1 + 64 || !bearer.starts_with("idt_") || bearer[12] != '_') return std::nullopt;
  const std::string id(bearer.substr(4, 8));
  const std::string_view secret = bearer.substr(13);
  const std::string h = HashHex(secret);
  std::lock_guard<std::mutex> l(db_mu_);
  const auto now = std::chrono::steady_clock::now();
  auto it = cache_.find(id);
  if (it == cache_.end() || now - it->second.fetched > std::chrono::seconds(1)) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT role, scope, hash, revoked FROM tokens WHERE id=?", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
      sqlite3_finalize(st);
      cache_.erase(id);
      return std::nullopt;
    }
    Cached c;
    c.who.token_id = id;
    c.who.role = ParseRole(ColumnText(st, 0)).value_or(Role::kAuditor);
    c.who.scope = ColumnText(st, 1);
    c.hash = ColumnText(st, 2);
    c.revoked = !ColumnText(st, 3).empty();
    c.fetched = now;
    sqlite3_finalize(st);
    it = cache_.insert_or_assign(id, std::move(c)).first;
  }
  const Cached& c = it->second;
  if (c.revoked || c.hash.size() != h.size() || sodium_memcmp(c.hash.data(), h.data(), h.size()) != 0)
    return std::nullopt;
  return c.who;
}

void Auth::Audit(const Principal& who, std::string_view action, std::string_view target, std::string_view detail) {
  AuditEntry e;
  e.ts = UtcNow(true);
  e.token_id = who.token_id;
  e.role = ToString(who.role);
  e.action = action;
  e.target = target;
  e.detail = detail;
  {
    std::lock_guard<std::mutex> l(audit_mu_);
    e.seq = ++audit_seq_;
    e.prev = last_hash_;
    e.hash = EntryHash(e);
    last_hash_ = e.hash;
    pending_.push_back(std::move(e));
  }
}

void Auth::FlushLoop() {
  std::unique_lock<std::mutex> l(audit_mu_);
  while (!stop_) {
    audit_cv_.wait_for(l, std::chrono::milliseconds(flush_ms_));
    if (pending_.empty()) continue;
    l.unlock();
    FlushAudit();
    l.lock();
  }
}

Status Auth::FlushAudit() {
  std::vector<AuditEntry> batch;
  std::lock_guard<std::mutex> dl(audit_db_mu_);  // one writer at a time, in seq order
  {
    std::lock_guard<std::mutex> l(audit_mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return Status::Ok();
  ExecSql(audit_db_, "BEGIN");
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(audit_db_,
                     "INSERT INTO audit(seq, ts, token_id, role, action, target, detail, prev, hash)"
                     " VALUES(?,?,?,?,?,?,?,?,?)",
                     -1, &st, nullptr);
  Status status;
  for (const AuditEntry& e : batch) {
    sqlite3_bind_int64(st, 1, e.seq);
    const std::string* f[] = {&e.ts, &e.token_id, &e.role, &e.action, &e.target, &e.detail, &e.prev, &e.hash};
    for (int i = 0; i < 8; ++i) sqlite3_bind_text(st, i + 2, f[i]->c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE && status.ok())
      status = Status::Io(fmt::format("serve.db audit: {}", sqlite3_errmsg(audit_db_)));
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (Status s = ExecSql(audit_db_, "COMMIT"); !s.ok() && status.ok()) status = s;
  return status;
}

Status Auth::ReadAudit(int64_t after, int limit, std::vector<AuditEntry>* out, const std::string& action_prefix) {
  FlushAudit();
  std::lock_guard<std::mutex> l(audit_db_mu_);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(audit_db_,
                     "SELECT seq, ts, token_id, role, action, target, detail, prev, hash FROM audit WHERE seq > ?"
                     " AND substr(action, 1, length(?2)) = ?2 ORDER BY seq LIMIT ?3",
                     -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, after);
  sqlite3_bind_text(st, 2, action_prefix.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 3, limit);
  while (st && sqlite3_step(st) == SQLITE_ROW) out->push_back(RowEntry(st));
  sqlite3_finalize(st);
  return Status::Ok();
}

Status Auth::VerifyAudit(const std::string& dir, uint64_t* entries) {
  if (sodium_init() < 0) return Status::Io("libsodium could not be initialised");
  sqlite3* db = nullptr;
  if (Status s = OpenDb(dir, &db, false); !s.ok()) return s;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT seq, ts, token_id, role, action, target, detail, prev, hash FROM audit ORDER BY seq",
                     -1, &st, nullptr);
  std::string prev;
  int64_t expect = 1;
  Status result;
  *entries = 0;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    const AuditEntry e = RowEntry(st);
    if (e.seq != expect) {
      result = Status::Invalid(fmt::format("audit entry {} is missing (the next entry is {})", expect, e.seq));
      break;
    }
    if (e.prev != prev) {
      result = Status::Invalid(fmt::format("audit entry {}: its previous hash does not match entry {}", e.seq, e.seq - 1));
      break;
    }
    if (EntryHash(e) != e.hash) {
      result = Status::Invalid(fmt::format("audit entry {} was edited: its hash does not match its content", e.seq));
      break;
    }
    prev = e.hash;
    ++expect;
    ++*entries;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return result;
}

}  // namespace interdict
