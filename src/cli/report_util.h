// Shared printing helpers for the CLI's human and JSON reports.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "base/time.h"
#include "detect/ring_watch.h"
#include "ingest/row_parser.h"
#include "store/case_store.h"

namespace interdict::cli {

std::string Thousands(uint64_t v);  // 1234567 -> "1,234,567"
nlohmann::json FileStatsJson(const FileStats& f, const TimeZone& tz);
void PrintFileStats(const FileStats& f, const TimeZone& tz);
// Stores every gang of a ring watch (run, govern) in the case database.
Status SaveGangs(CaseStore* store, const std::vector<GangRecord>& gangs);

}  // namespace interdict::cli
