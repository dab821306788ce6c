// serve.db, the service's own SQLite file (tokens, the audit log, the warning
// queues' claims): opening it and the small helpers its users share.
// Thread safety: as SQLite's (connections are opened in serialized mode);
// callers guard their statements with their own locks.
#pragma once
#include <sqlite3.h>

#include <string>

#include "base/status.h"

namespace interdict {

// Opens DIR/serve.db in WAL mode (creating DIR and the file when `create`)
// and runs `schema` (CREATE TABLE IF NOT EXISTS ...). On error *db is null.
Status OpenServeDb(const std::string& dir, bool create, const char* schema, sqlite3** db);
// Runs statements without results; errors name serve.db.
Status ExecSql(sqlite3* db, const char* sql);
// A text column of the current row ("" for NULL).
std::string ColumnText(sqlite3_stmt* st, int i);
// Wall-clock time, UTC, ISO 8601: "2026-12-08T04:33:17Z", or with
// milliseconds ("...17.042Z") for the audit log's order of events.
std::string UtcNow(bool millis);

}  // namespace interdict
