// Importers: public data sets (IBM AMLSim, PaySim) converted into the
// interchange format (shared/spec/events.md) with labels/. docs/importers.md
// gives each mapping; in short:
//   AMLSim: one person and one personal account per account row; each
//     transaction a transfer on day `step` (spread over the day by row order);
//     SAR/fraud accounts -> labels/accounts.csv.
//   PaySim: each row a transfer, deposit or withdrawal at hour `step`; each
//     fraud TRANSFER a case (victim = sender) with its hop-1 transfer; its
//     receiver a mule_l1; the sender of a fraud CASH_OUT a cashout.
//
// Operation:
//   ImportOptions opt; ImportSummary sum;
//   Status s = ImportAmlsim("amlsim-fanin200", "out/amlsim", opt, &sum);
// Bad source rows never stop an import: each is written to
// OUT_DIR/import_rejects.csv with its source line and reason, counted in the
// summary, and the first few are logged (file, line, reason; never values).
// Errors (Status): a missing or unreadable source, a header without a needed
// column, an output that cannot be written. Single-threaded; memory is a few
// dozen bytes per source row (rows are sorted by time before writing).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "ingest/named_csv.h"

namespace interdict {

struct ImportOptions {
  // The start of step 1 (AMLSim: day 1; PaySim: hour 1). Default
  // 2024-01-01T00:00:00+08:00.
  Ts base = 1704038400;
  TimeZone tz;  // zone of the output timestamps and of any offset-less source ts
  // Where bad source rows go; empty = OUT_DIR/import_rejects.csv.
  std::string rejects_path;
};

struct ImportSummary {
  std::vector<InputFileStats> inputs;  // rows in, accepted, rejected, per source file
  uint64_t rows_in = 0;
  uint64_t rejected = 0;
  uint64_t transfers = 0;  // rows written to transfers.csv
  uint64_t people = 0;
  uint64_t accounts = 0;   // bank_accounts.csv rows
  uint64_t labelled_accounts = 0;
  uint64_t cases = 0;
  uint64_t case_transfers = 0;
  Ts first_ts = kNoTs, last_ts = kNoTs;
  std::string rejects_path;
  std::vector<std::string> notes;  // things the user should know (columns used, ignored rows)
};

// SRC_DIR holds an accounts table (nodes.csv or accounts.csv) and
// transactions.csv, in one of the AMLSim layouts docs/importers.md lists.
Status ImportAmlsim(const std::string& src_dir, const std::string& out_dir, const ImportOptions& opt,
                    ImportSummary* summary);
// SRC_CSV is PaySim's single table (step,type,amount,nameOrig,...,isFraud).
Status ImportPaysim(const std::string& src_csv, const std::string& out_dir, const ImportOptions& opt,
                    ImportSummary* summary);

}  // namespace interdict
