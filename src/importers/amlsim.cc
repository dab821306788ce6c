// AMLSim -> interchange format. See docs/importers.md for the mapping.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/intern.h"
#include "base/log.h"
#include "importers/importers.h"
#include "importers/output.h"
#include "ingest/dataset.h"
#include "ingest/row_parser.h"

namespace interdict {

namespace {

using importers::CsvOut;

constexpr Ts kDay = 86400;
constexpr Ts kOpeningLead = 30 * kDay;  // accounts open 30 days before the first transfer

// Spellings of the AMLSim columns across its published layouts.
constexpr std::string_view kAccountId = "nodeid|ACCOUNT_ID|acct_id|account_id|id";
constexpr std::string_view kAccountFraud = "isFraud|IS_FRAUD|IS_SAR|is_sar|isSAR";
constexpr std::string_view kTxFrom = "sourceNodeId|SENDER_ACCOUNT_ID|orig_acct|nameOrig|source";
constexpr std::string_view kTxTo = "targetNodeId|RECEIVER_ACCOUNT_ID|bene_acct|nameDest|target";
constexpr std::string_view kTxAmount = "value|TX_AMOUNT|base_amt|amount";
constexpr std::string_view kTxTime = "time|TIMESTAMP|step|tran_timestamp";
constexpr std::string_view kTxSar = "IS_SAR|is_sar|isSAR|IS_FRAUD|isFraud";
constexpr std::string_view kTxAlert = "ALERT_ID|alert_id|alertID";

// A flag as AMLSim writes it: 0/1 or true/false in any case.
bool ParseFlagWord(std::string_view s, bool* v) {
  if (s == "1" || s == "true" || s == "True" || s == "TRUE") return *v = true, true;
  if (s == "0" || s == "false" || s == "False" || s == "FALSE") return *v = false, true;
  return false;
}

// "YYYY-MM-DD": the start of that day in `tz`.
bool ParseDate(std::string_view s, const TimeZone& tz, Ts* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  std::string full = fmt::format("{}T00:00:00", s);
  return ParseTs(full, tz, out);
}

struct TxRow {
  Ts start;       // start of the row's step, or its absolute ts
  bool absolute;  // the source gave a timestamp rather than a step
  uint64_t line;
  uint32_t from, to;  // ids in `accounts`
  Money amount;
  Ts ts = 0;  // final event time
};

}  // namespace

Status ImportAmlsim(const std::string& src_dir, const std::string& out_dir, const ImportOptions& opt,
                    ImportSummary* sum) {
  *sum = ImportSummary{};
  std::string warning;
  std::string acc_path = FindDatasetFile(src_dir, "nodes", &warning);
  if (acc_path.empty()) acc_path = FindDatasetFile(src_dir, "accounts", &warning);
  if (acc_path.empty())
    return Status::NotFound(fmt::format("{}: no nodes.csv or accounts.csv (the AMLSim accounts table)", src_dir));
  std::string tx_path = FindDatasetFile(src_dir, "transactions", &warning);
  if (tx_path.empty()) return Status::NotFound(fmt::format("{}: no transactions.csv", src_dir));
  Status s = importers::MakeOutputDirs(out_dir);
  if (!s.ok()) return s;
  RejectSink rejects;
  sum->rejects_path = opt.rejects_path.empty() ? out_dir + "/import_rejects.csv" : opt.rejects_path;
  if (!(s = rejects.Open(sum->rejects_path)).ok()) return s;

  // Accounts table: one person and one account per row.
  Interner accounts;
  std::vector<uint8_t> in_table, fraud;  // by account id
  std::vector<std::string> gang;         // by account id: alert id of its first SAR transaction
  std::vector<uint32_t> table_order;     // account ids in table order
  auto grow = [&](uint32_t id) {
    if (id >= in_table.size()) {
      in_table.resize(id + 1, 0);
      fraud.resize(id + 1, 0);
      gang.resize(id + 1);
    }
  };
  {
    std::string name = acc_path.substr(acc_path.find_last_of('/') + 1);
    NamedCsv f(name, &rejects);
    if (!(s = f.Open(acc_path, {kAccountId}, {kAccountFraud})).ok()) return s;
    if (!f.Has(1))
      sum->notes.push_back(fmt::format("{}: no fraud/SAR column: accounts are labelled from SAR transactions only", name));
    while (f.Next()) {
      std::string_view id = f.Get(0);
      if (!IsValidId(id) || id.size() > 127) {
        f.Reject(id.empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, 0,
                 "not a valid id (1..127 bytes: the person id is 'p' + it)");
        continue;
      }
      bool is_fraud = false;
      if (f.Has(1) && !ParseFlagWord(f.Get(1), &is_fraud)) {
        f.Reject(RejectReason::kBadFlag, 1, "fraud flag must be 0/1 or true/false");
        continue;
      }
      bool inserted = false;
      uint32_t a = accounts.Intern(id, &inserted);
      grow(a);
      if (!inserted) {
        f.Reject(RejectReason::kBadId, 0, "account listed before");
        continue;
      }
      f.Accept();
      in_table[a] = 1;
      fraud[a] = is_fraud;
      table_order.push_back(a);
    }
    if (!(s = f.Finish()).ok()) return s;
    sum->inputs.push_back(f.stats());
  }

  // AMLSim's alert_accounts.csv, when present: every account of an alert
  // that is a SAR is labelled, its gang the alert id.
  std::string alert_path = FindDatasetFile(src_dir, "alert_accounts", &warning);
  if (!alert_path.empty()) {
    NamedCsv f("alert_accounts.csv", &rejects);
    if (!(s = f.Open(alert_path, {"alert_id|ALERT_ID", "acct_id|ACCOUNT_ID|account_id"}, {"is_sar|IS_SAR|isSAR"})).ok())
      return s;
    while (f.Next()) {
      std::string_view alert = f.Get(0), id = f.Get(1);
      if (!IsValidId(alert) || !IsValidId(id)) {
        int c = IsValidId(alert) ? 1 : 0;
        f.Reject(f.Get(c).empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, c, "not a valid id");
        continue;
      }
      bool sar = true;  // alert_accounts lists SAR alerts unless it says otherwise
      if (f.Has(2) && !f.Get(2).empty() && !ParseFlagWord(f.Get(2), &sar)) {
        f.Reject(RejectReason::kBadFlag, 2, "SAR flag must be 0/1 or true/false");
        continue;
      }
      f.Accept();
      if (!sar) continue;
      uint32_t a = accounts.Intern(id);
      grow(a);
      fraud[a] = 1;
      if (gang[a].empty()) gang[a] = std::string(alert);
    }
    if (!(s = f.Finish()).ok()) return s;
    sum->inputs.push_back(f.stats());
  }

  // Transactions.
  std::vector<TxRow> rows;
  uint64_t outside = 0;
  {
    NamedCsv f("transactions.csv", &rejects);
    if (!(s = f.Open(tx_path, {kTxFrom, kTxTo, kTxAmount, kTxTime}, {kTxSar, kTxAlert})).ok()) return s;
    enum { kFrom, kTo, kAmount, kTime, kSar, kAlert };
    TsParser ts_parser(opt.tz);
    std::string why;
    while (f.Next()) {
      std::string_view from = f.Get(kFrom), to = f.Get(kTo);
      if (!IsValidId(from) || !IsValidId(to)) {
        int c = IsValidId(from) ? kTo : kFrom;
        f.Reject(f.Get(c).empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, c, "not a valid id");
        continue;
      }
      TxRow row{};
      if (!importers::SourceAmountToFen(f.Get(kAmount), &row.amount, &why)) {
        f.Reject(RejectReason::kBadMoney, kAmount, why);
        continue;
      }
      int64_t step = 0;
      if (importers::ParseStep(f.Get(kTime), &step)) {
        row.start = opt.base + (step - 1) * kDay;
      } else if (ParseDate(f.Get(kTime), opt.tz, &row.start)) {
        // A calendar date is a day step: spread over that local day.
      } else if (ts_parser.Parse(f.Get(kTime), &row.start)) {
        row.absolute = true;
      } else {
        f.Reject(RejectReason::kBadTs, kTime, "neither a step (non-negative integer), a date nor a timestamp");
        continue;
      }
      bool sar = false;
      if (f.Has(kSar) && !f.Get(kSar).empty() && !ParseFlagWord(f.Get(kSar), &sar)) {
        f.Reject(RejectReason::kBadFlag, kSar, "SAR flag must be 0/1 or true/false");
        continue;
      }
      std::string_view alert = f.Get(kAlert);
      if (!alert.empty() && !IsValidId(alert)) {
        f.Reject(RejectReason::kBadId, kAlert, "not a valid id");
        continue;
      }
      f.Accept();
      row.line = f.line();
      row.from = accounts.Intern(from);
      row.to = accounts.Intern(to);
      grow(std::max(row.from, row.to));
      if (sar) {
        for (uint32_t a : {row.from, row.to}) {
          fraud[a] = 1;
          if (gang[a].empty() && !alert.empty() && alert != "-1") gang[a] = std::string(alert);
        }
      }
      rows.push_back(row);
    }
    if (!(s = f.Finish()).ok()) return s;
    sum->inputs.push_back(f.stats());
  }
  for (uint32_t a = 0; a < in_table.size(); ++a) outside += !in_table[a];
  if (outside)
    sum->notes.push_back(fmt::format("{} accounts appear only in transactions: written as outside accounts (no "
                                     "bank_accounts row)", outside));

  // Event times: each step's rows spread evenly over its day in row order.
  std::stable_sort(rows.begin(), rows.end(), [](const TxRow& a, const TxRow& b) { return a.start < b.start; });
  for (size_t i = 0; i < rows.size();) {
    size_t j = i;
    while (j < rows.size() && rows[j].start == rows[i].start && rows[j].absolute == rows[i].absolute) ++j;
    for (size_t k = i; k < j; ++k)
      rows[k].ts = rows[k].start + (rows[k].absolute ? 0 : importers::SpreadInStep(k - i, j - i, kDay));
    i = j;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const TxRow& a, const TxRow& b) { return a.ts < b.ts; });
  Ts first = rows.empty() ? opt.base : std::min(opt.base, rows.front().ts);
  Ts opened = first - kOpeningLead;

  // Output.
  CsvOut people, banks, transfers, labels;
  if (!(s = people.Open(out_dir + "/people.csv", importers::kPeopleHeader)).ok()) return s;
  if (!(s = banks.Open(out_dir + "/bank_accounts.csv", importers::kBankAccountsHeader)).ok()) return s;
  if (!(s = transfers.Open(out_dir + "/transfers.csv", importers::kTransfersHeader)).ok()) return s;
  if (!(s = labels.Open(out_dir + "/labels/accounts.csv", importers::kLabelAccountsHeader)).ok()) return s;
  std::string ts_text = FormatTs(opened, opt.tz), person;
  for (uint32_t a : table_order) {
    person = "p";
    person += accounts.Name(a);
    people.Row({person, "", "", ""});
    banks.Row({ts_text, accounts.Name(a), person, "amlsim", "", "personal"});
  }
  std::string txn, amount;
  for (const TxRow& r : rows) {
    ts_text.clear();
    AppendTs(r.ts, opt.tz, &ts_text);
    txn = fmt::format("t{}", r.line);
    amount = FormatMoney(r.amount);
    transfers.Row({ts_text, txn, "transfer", accounts.Name(r.from), accounts.Name(r.to), amount, "online", ""});
  }
  // Every labelled account, table accounts in table order, then any others.
  for (uint32_t a : table_order)
    if (fraud[a]) labels.Row({accounts.Name(a), "mule_l1", gang[a]});
  for (uint32_t a = 0; a < in_table.size(); ++a)
    if (!in_table[a] && fraud[a]) labels.Row({accounts.Name(a), "mule_l1", gang[a]});

  sum->transfers = transfers.rows();
  sum->people = people.rows();
  sum->accounts = banks.rows();
  sum->labelled_accounts = labels.rows();
  if (!rows.empty()) {
    sum->first_ts = rows.front().ts;
    sum->last_ts = rows.back().ts;
  }
  for (CsvOut* o : {&people, &banks, &transfers, &labels})
    if (!(s = o->Close()).ok()) return s;
  for (const InputFileStats& f : sum->inputs) {
    sum->rows_in += f.rows;
    sum->rejected += f.rejected;
  }
  return rejects.Close();
}

}  // namespace interdict
