// Shared printing helpers for the CLI's human and JSON reports.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "base/time.h"
#include "ingest/row_parser.h"
#include "runtime/pipeline.h"  // FileStatsJson, SaveGangs

namespace interdict::cli {

std::string Thousands(uint64_t v);  // 1234567 -> "1,234,567"
void PrintFileStats(const FileStats& f, const TimeZone& tz);

}  // namespace interdict::cli
