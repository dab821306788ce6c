#include "serve/serve_db.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace interdict {

Status ExecSql(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status s = Status::Io(fmt::format("serve.db: {}", err ? err : "error"));
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

Status OpenServeDb(const std::string& dir, bool create, const char* schema, sqlite3** db) {
  if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Io(fmt::format("{}: cannot create the data directory: {}", dir, std::strerror(errno)));
  const std::string path = dir + "/serve.db";
  if (sqlite3_open_v2(path.c_str(), db,
                      SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Status s = Status::Io(fmt::format("{}: cannot open: {}", path, *db ? sqlite3_errmsg(*db) : "out of memory"));
    sqlite3_close(*db);
    *db = nullptr;
    return s;
  }
  sqlite3_busy_timeout(*db, 5000);
  Status s = ExecSql(*db, "PRAGMA journal_mode=WAL;");
  if (s.ok()) s = ExecSql(*db, schema);
  if (!s.ok()) {
    sqlite3_close(*db);
    *db = nullptr;
  }
  return s;
}

std::string ColumnText(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

std::string UtcNow(bool millis) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  std::string s = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (millis) s += fmt::format(".{:03}", ts.tv_nsec / 1000000);
  s.push_back('Z');
  return s;
}

}  // namespace interdict
