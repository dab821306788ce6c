// PaySim -> interchange format. See docs/importers.md for the mapping.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/intern.h"
#include "importers/importers.h"
#include "importers/output.h"
#include "ingest/row_parser.h"

namespace interdict {

namespace {

using importers::CsvOut;

constexpr Ts kHour = 3600;
constexpr Ts kOpeningLead = 30 * 86400;

enum class PayType : uint8_t { kPayment, kTransfer, kCashOut, kCashIn, kDebit };
constexpr std::array<std::string_view, 5> kTypeNames = {"PAYMENT", "TRANSFER", "CASH_OUT", "CASH_IN", "DEBIT"};

struct PayRow {
  int64_t step;
  uint64_t line;
  uint32_t orig, dest;  // ids in `names`
  Money amount;
  PayType type;
  bool fraud;
  Ts ts = 0;
};

}  // namespace

Status ImportPaysim(const std::string& src_csv, const std::string& out_dir, const ImportOptions& opt,
                    ImportSummary* sum) {
  *sum = ImportSummary{};
  Status s = importers::MakeOutputDirs(out_dir);
  if (!s.ok()) return s;
  RejectSink rejects;
  sum->rejects_path = opt.rejects_path.empty() ? out_dir + "/import_rejects.csv" : opt.rejects_path;
  if (!(s = rejects.Open(sum->rejects_path)).ok()) return s;

  Interner names;
  std::vector<PayRow> rows;
  {
    std::string display = src_csv.substr(src_csv.find_last_of('/') + 1);
    NamedCsv f(display, &rejects);
    enum { kStep, kType, kAmount, kOrig, kDest, kFraud };
    if (!(s = f.Open(src_csv, {"step", "type", "amount", "nameOrig", "nameDest", "isFraud"},
                     {})).ok())
      return s;
    std::string why;
    while (f.Next()) {
      PayRow r{};
      if (!importers::ParseStep(f.Get(kStep), &r.step)) {
        f.Reject(f.Get(kStep).empty() ? RejectReason::kMissingRequired : RejectReason::kBadInt, kStep,
                 "step must be a non-negative integer (hours)");
        continue;
      }
      auto t = std::find(kTypeNames.begin(), kTypeNames.end(), f.Get(kType));
      if (t == kTypeNames.end()) {
        f.Reject(RejectReason::kBadEnum, kType, "not PAYMENT, TRANSFER, CASH_OUT, CASH_IN or DEBIT");
        continue;
      }
      r.type = static_cast<PayType>(t - kTypeNames.begin());
      if (!importers::SourceAmountToFen(f.Get(kAmount), &r.amount, &why)) {
        f.Reject(RejectReason::kBadMoney, kAmount, why);
        continue;
      }
      if (!IsValidId(f.Get(kOrig)) || !IsValidId(f.Get(kDest)) || f.Get(kOrig).size() > 127) {
        int c = IsValidId(f.Get(kOrig)) && f.Get(kOrig).size() <= 127 ? kDest : kOrig;
        f.Reject(f.Get(c).empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, c, "not a valid id");
        continue;
      }
      std::string_view fl = f.Get(kFraud);
      if (fl != "0" && fl != "1") {
        f.Reject(fl.empty() ? RejectReason::kMissingRequired : RejectReason::kBadFlag, kFraud, "isFraud must be 0 or 1");
        continue;
      }
      f.Accept();
      r.fraud = fl == "1";
      r.line = f.line();
      r.orig = names.Intern(f.Get(kOrig));
      r.dest = names.Intern(f.Get(kDest));
      rows.push_back(r);
    }
    if (!(s = f.Finish()).ok()) return s;
    sum->inputs.push_back(f.stats());
  }

  // Event times: each hour's rows spread evenly over the hour in row order.
  std::stable_sort(rows.begin(), rows.end(), [](const PayRow& a, const PayRow& b) { return a.step < b.step; });
  for (size_t i = 0; i < rows.size();) {
    size_t j = i;
    while (j < rows.size() && rows[j].step == rows[i].step) ++j;
    for (size_t k = i; k < j; ++k)
      rows[k].ts = opt.base + (rows[k].step - 1) * kHour + importers::SpreadInStep(k - i, j - i, kHour);
    i = j;
  }

  CsvOut people, banks, transfers, labels, cases, case_tx;
  if (!(s = people.Open(out_dir + "/people.csv", importers::kPeopleHeader)).ok()) return s;
  if (!(s = banks.Open(out_dir + "/bank_accounts.csv", importers::kBankAccountsHeader)).ok()) return s;
  if (!(s = transfers.Open(out_dir + "/transfers.csv", importers::kTransfersHeader)).ok()) return s;
  if (!(s = labels.Open(out_dir + "/labels/accounts.csv", importers::kLabelAccountsHeader)).ok()) return s;
  if (!(s = cases.Open(out_dir + "/labels/cases.csv", importers::kCasesHeader)).ok()) return s;
  if (!(s = case_tx.Open(out_dir + "/labels/case_transfers.csv", importers::kCaseTransfersHeader)).ok()) return s;

  // Customers ('C' names) get a person and a personal account; merchants ('M')
  // stay outside accounts. Ids in order of first appearance in time order.
  Ts first = rows.empty() ? opt.base : std::min(opt.base, rows.front().ts);
  std::string ts_text = FormatTs(first - kOpeningLead, opt.tz), person;
  std::vector<uint8_t> opened(names.size(), 0);
  for (const PayRow& r : rows) {
    for (uint32_t a : {r.orig, r.dest}) {
      std::string_view n = names.Name(a);
      if (opened[a] || n.empty() || n[0] != 'C' || n.size() > 127) continue;
      opened[a] = 1;
      person = "p";
      person += n;
      people.Row({person, "", "", ""});
      banks.Row({ts_text, n, person, "paysim", "", "personal"});
    }
  }

  std::vector<uint8_t> labelled(names.size(), 0);
  std::string txn, amount, case_id;
  uint64_t other_fraud = 0;
  for (const PayRow& r : rows) {
    ts_text.clear();
    AppendTs(r.ts, opt.tz, &ts_text);
    txn = fmt::format("t{}", r.line);
    amount = FormatMoney(r.amount);
    std::string_view orig = names.Name(r.orig), dest = names.Name(r.dest);
    switch (r.type) {
      case PayType::kPayment:
        transfers.Row({ts_text, txn, "transfer", orig, dest, amount, "app", ""});
        break;
      case PayType::kTransfer:
        transfers.Row({ts_text, txn, "transfer", orig, dest, amount, "app", ""});
        break;
      case PayType::kCashOut:  // cash handed out by an agent: the money leaves the system
        transfers.Row({ts_text, txn, "withdrawal", orig, "", amount, "counter", ""});
        break;
      case PayType::kCashIn:  // cash paid in at an agent
        transfers.Row({ts_text, txn, "deposit", "", orig, amount, "counter", ""});
        break;
      case PayType::kDebit:  // mobile money sent out to a bank account
        transfers.Row({ts_text, txn, "withdrawal", orig, "", amount, "app", ""});
        break;
    }
    if (!r.fraud) continue;
    if (r.type == PayType::kTransfer) {
      case_id = fmt::format("c{}", r.line);
      person = "p";
      person += orig;
      cases.Row({case_id, orig[0] == 'C' ? std::string_view(person) : std::string_view(), "", orig,
                 "account_takeover", "", "", ts_text, amount});
      case_tx.Row({case_id, txn, "1"});
      if (!labelled[r.dest]) {
        labelled[r.dest] = 1;
        labels.Row({dest, "mule_l1", ""});
      }
    } else if (r.type == PayType::kCashOut) {
      if (!labelled[r.orig]) {
        labelled[r.orig] = 1;
        labels.Row({orig, "cashout", ""});
      }
    } else {
      ++other_fraud;
    }
  }
  if (other_fraud)
    sum->notes.push_back(fmt::format("{} fraud rows of type PAYMENT, CASH_IN or DEBIT: written, not labelled",
                                     other_fraud));

  sum->transfers = transfers.rows();
  sum->people = people.rows();
  sum->accounts = banks.rows();
  sum->labelled_accounts = labels.rows();
  sum->cases = cases.rows();
  sum->case_transfers = case_tx.rows();
  if (!rows.empty()) {
    sum->first_ts = rows.front().ts;
    sum->last_ts = rows.back().ts;
  }
  for (CsvOut* o : {&people, &banks, &transfers, &labels, &cases, &case_tx})
    if (!(s = o->Close()).ok()) return s;
  for (const InputFileStats& f : sum->inputs) {
    sum->rows_in += f.rows;
    sum->rejected += f.rejected;
  }
  return rejects.Close();
}

}  // namespace interdict
