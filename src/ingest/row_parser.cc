#include "ingest/row_parser.h"

#include <fmt/format.h>

namespace interdict {

bool IsValidId(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e || c == '"' || c == ',') return false;
  return true;
}

RowParser::RowParser(const FileSpec& spec, Dictionaries* dicts, const TimeZone& tz)
    : spec_(spec), dicts_(dicts), ts_parser_(tz), index_(spec.columns.size(), -1), seen_(spec.columns.size()) {}

Status RowParser::BindHeader(const CsvRecord& header, std::string_view file_name) {
  stats_.file = std::string(file_name);
  if (header.error != CsvError::kNone)
    return Status::Invalid(fmt::format("{}: line 1: header is not valid CSV", file_name));
  header_fields_ = header.fields.size();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string_view name = header.fields[i];
    bool known = false;
    for (size_t c = 0; c < spec_.columns.size(); ++c) {
      if (spec_.columns[c].name == name) {
        if (index_[c] >= 0)
          return Status::Invalid(fmt::format("{}: header names column '{}' twice", file_name, name));
        index_[c] = static_cast<int>(i);
        known = true;
      }
    }
    if (!known) stats_.unknown_columns.emplace_back(name);
  }
  std::string missing;
  for (size_t c = 0; c < spec_.columns.size(); ++c) {
    if (spec_.columns[c].required && index_[c] < 0) {
      if (!missing.empty()) missing += ", ";
      missing += spec_.columns[c].name;
    }
  }
  if (!missing.empty())
    return Status::Invalid(fmt::format("{}: header lacks required column(s): {}", file_name, missing));
  for (size_t c = 0; c < spec_.columns.size(); ++c)
    if (spec_.columns[c].type == ColType::kId && index_[c] >= 0) seen_[c].reserve(1024);
  return Status::Ok();
}

void RowParser::Reject(RejectInfo* rej, RejectReason reason, int c, std::string detail) const {
  rej->reason = reason;
  rej->column = c >= 0 ? spec_.columns[c].name : std::string_view{};
  rej->detail = std::move(detail);
}

void RowParser::CsvErrorToReject(const CsvRecord& r, RejectInfo* rej) const {
  switch (r.error) {
    case CsvError::kUnterminatedQuote:
      Reject(rej, RejectReason::kUnterminatedQuote, -1, "quoted field not closed; line taken alone");
      break;
    case CsvError::kBadQuote:
      Reject(rej, RejectReason::kBadQuote, -1, "text after a closing quote");
      break;
    case CsvError::kRecordTooLong:
      Reject(rej, RejectReason::kRecordTooLong, -1, "record over 64 MiB; first KiB kept");
      break;
    case CsvError::kNone:
      break;
  }
}

bool RowParser::CheckCount(const CsvRecord& r, RejectInfo* rej) const {
  if (r.error != CsvError::kNone) {
    CsvErrorToReject(r, rej);
    return false;
  }
  if (r.fields.size() != header_fields_) {
    Reject(rej, RejectReason::kFieldCount, -1,
           fmt::format("expected {} fields, got {}", header_fields_, r.fields.size()));
    return false;
  }
  return true;
}

bool RowParser::GetTs(const CsvRecord& r, int c, Ts* out, RejectInfo* rej) {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    Reject(rej, RejectReason::kMissingRequired, c, "empty ts");
    return false;
  }
  if (!ts_parser_.Parse(v, out)) {
    Reject(rej, RejectReason::kBadTs, c, "not a timestamp of a form events.md allows");
    return false;
  }
  return true;
}

bool RowParser::GetId(const CsvRecord& r, int c, std::string_view* out, RejectInfo* rej) const {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    if (spec_.columns[c].required) {
      Reject(rej, RejectReason::kMissingRequired, c, "required value is empty");
      return false;
    }
    *out = {};
    return true;
  }
  if (!IsValidId(v)) {
    Reject(rej, RejectReason::kBadId, c,
           v.size() > 128 ? fmt::format("id of {} bytes (max 128)", v.size())
                          : std::string("id has a byte that is not printable ASCII, or a space, comma or quote"));
    return false;
  }
  *out = v;
  return true;
}

bool RowParser::GetMoney(const CsvRecord& r, int c, Money* out, RejectInfo* rej) const {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    if (spec_.columns[c].required) {
      Reject(rej, RejectReason::kMissingRequired, c, "required value is empty");
      return false;
    }
    *out = kNoMoney;
    return true;
  }
  MoneyError e = ParseMoney(v, out);
  if (e != MoneyError::kOk) {
    Reject(rej, RejectReason::kBadMoney, c, MoneyErrorText(e));
    return false;
  }
  return true;
}

bool RowParser::GetCount(const CsvRecord& r, int c, uint32_t* out, RejectInfo* rej) const {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    *out = kNoCount;
    return true;
  }
  uint64_t x = 0;
  if (v.size() > 10) {
    Reject(rej, RejectReason::kBadCount, c, "count too large");
    return false;
  }
  for (char ch : v) {
    if (ch < '0' || ch > '9') {
      Reject(rej, RejectReason::kBadCount, c, "not a non-negative decimal integer");
      return false;
    }
    x = x * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (x >= kNoCount) {
    Reject(rej, RejectReason::kBadCount, c, "count too large");
    return false;
  }
  *out = static_cast<uint32_t>(x);
  return true;
}

bool RowParser::GetFlag(const CsvRecord& r, int c, uint8_t* out, RejectInfo* rej) const {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    *out = kNoFlag;
    return true;
  }
  if (v == "0" || v == "1") {
    *out = static_cast<uint8_t>(v[0] - '0');
    return true;
  }
  Reject(rej, RejectReason::kBadFlag, c, "flag must be 0 or 1");
  return false;
}

bool RowParser::GetInt(const CsvRecord& r, int c, int32_t* out, RejectInfo* rej) const {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    *out = 0;
    return true;
  }
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size() || v.size() - i > 9) {
    Reject(rej, RejectReason::kBadInt, c, "not an integer");
    return false;
  }
  int32_t x = 0;
  for (; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') {
      Reject(rej, RejectReason::kBadInt, c, "not an integer");
      return false;
    }
    x = x * 10 + (v[i] - '0');
  }
  *out = v[0] == '-' ? -x : x;
  return true;
}

template <typename E, typename P>
bool RowParser::GetEnum(const CsvRecord& r, int c, P parse, E* out, RejectInfo* rej) const {
  std::string_view v = Field(r, c);
  if (v.empty()) {
    if (spec_.columns[c].required) {
      Reject(rej, RejectReason::kMissingRequired, c, "required value is empty");
      return false;
    }
    *out = E{};
    return true;
  }
  auto e = parse(v);
  if (!e) {
    Reject(rej, RejectReason::kBadEnum, c, "not one of the listed words");
    return false;
  }
  *out = *e;
  return true;
}

uint32_t RowParser::Intern(int c, Interner& in, std::string_view v) {
  if (v.empty()) return kNoId;
  uint32_t id = in.Intern(v);
  MarkSeen(c, id);
  return id;
}

void RowParser::MarkSeen(int c, uint32_t id) {
  std::vector<uint64_t>& bits = seen_[c];
  size_t w = id >> 6;
  if (w >= bits.size()) bits.resize(std::max(w + 1, bits.size() * 2), 0);
  bits[w] |= uint64_t{1} << (id & 63);
}

bool RowParser::ParsePerson(const CsvRecord& r, Person* p, RejectInfo* rej) {
  using namespace col;
  std::string_view pid, region;
  if (!CheckCount(r, rej) || !GetId(r, kPersonId, &pid, rej) || !GetInt(r, kBirthYear, &p->birth_year, rej) ||
      !GetEnum(r, kGender, ParseGender, &p->gender, rej) || !GetId(r, kRegion, &region, rej))
    return false;
  PersonId id = dicts_->person.Intern(pid);
  if (id < dicts_->people.size() && dicts_->people[id].id != kNoId) {
    Reject(rej, RejectReason::kDuplicatePerson, kPersonId, "person_id listed before in people.csv");
    return false;
  }
  MarkSeen(kPersonId, id);
  p->id = id;
  p->region = Intern(kRegion, dicts_->region, region);
  return true;
}

bool RowParser::ParseEvent(const CsvRecord& r, Event* e, RejectInfo* rej) {
  if (!CheckCount(r, rej)) return false;
  if (!GetTs(r, 0, &e->ts, rej)) return false;
  e->kind = spec_.kind;
  Dictionaries& d = *dicts_;
  switch (spec_.kind) {
    case EventKind::kSimCard: {
      using namespace col;
      std::string_view msisdn, person, op, outlet;
      Plan plan;
      if (!GetId(r, kSimMsisdn, &msisdn, rej) || !GetId(r, kSimPerson, &person, rej) ||
          !GetId(r, kSimOperator, &op, rej) || !GetId(r, kSimOutlet, &outlet, rej) ||
          !GetEnum(r, kSimPlan, ParsePlan, &plan, rej))
        return false;
      e->sim = SimCardOpen{Intern(kSimMsisdn, d.msisdn, msisdn), Intern(kSimPerson, d.person, person),
                           Intern(kSimOperator, d.op, op), Intern(kSimOutlet, d.outlet, outlet), plan};
      return true;
    }
    case EventKind::kBankAccount: {
      using namespace col;
      std::string_view account, person, bank, branch;
      AccountKind kind;
      if (!GetId(r, kAccAccount, &account, rej) || !GetId(r, kAccPerson, &person, rej) ||
          !GetId(r, kAccBank, &bank, rej) || !GetId(r, kAccBranch, &branch, rej) ||
          !GetEnum(r, kAccKind, ParseAccountKind, &kind, rej))
        return false;
      e->account = BankAccountOpen{Intern(kAccAccount, d.account, account), Intern(kAccPerson, d.person, person),
                                   Intern(kAccBank, d.bank, bank), Intern(kAccBranch, d.outlet, branch), kind};
      return true;
    }
    case EventKind::kCall: {
      using namespace col;
      std::string_view caller, callee, imei, ccell, rcell;
      uint32_t dur;
      if (!GetId(r, kCallCaller, &caller, rej) || !GetId(r, kCallCallee, &callee, rej) ||
          !GetCount(r, kCallDuration, &dur, rej) || !GetId(r, kCallImei, &imei, rej) ||
          !GetId(r, kCallCallerCell, &ccell, rej) || !GetId(r, kCallCalleeCell, &rcell, rej))
        return false;
      e->call = Call{Intern(kCallCaller, d.msisdn, caller), Intern(kCallCallee, d.msisdn, callee), dur,
                     Intern(kCallImei, d.device, imei),     Intern(kCallCallerCell, d.cell, ccell),
                     Intern(kCallCalleeCell, d.cell, rcell)};
      return true;
    }
    case EventKind::kSms: {
      using namespace col;
      std::string_view sender, receiver, tmpl;
      uint8_t url;
      if (!GetId(r, kSmsSender, &sender, rej) || !GetId(r, kSmsReceiver, &receiver, rej) ||
          !GetFlag(r, kSmsHasUrl, &url, rej) || !GetId(r, kSmsTemplate, &tmpl, rej))
        return false;
      e->sms = interdict::Sms{Intern(kSmsSender, d.msisdn, sender), Intern(kSmsReceiver, d.msisdn, receiver), url,
                   Intern(kSmsTemplate, d.tmpl, tmpl)};
      return true;
    }
    case EventKind::kTransfer: {
      using namespace col;
      std::string_view txn, from, to, device;
      TransferKind kind;
      Money amount;
      Channel channel;
      if (!GetId(r, kTxId, &txn, rej) || !GetEnum(r, kTxKind, ParseTransferKind, &kind, rej) ||
          !GetId(r, kTxFrom, &from, rej) || !GetId(r, kTxTo, &to, rej) || !GetMoney(r, kTxAmount, &amount, rej) ||
          !GetEnum(r, kTxChannel, ParseChannel, &channel, rej) || !GetId(r, kTxDevice, &device, rej))
        return false;
      if (amount <= 0) {
        Reject(rej, RejectReason::kNonPositiveAmount, kTxAmount, "amount must be > 0");
        return false;
      }
      // Direction by kind: a transfer has both sides, a withdrawal no receiver,
      // a deposit no sender.
      bool need_from = kind != TransferKind::kDeposit, need_to = kind != TransferKind::kWithdrawal;
      if (need_from != !from.empty()) {
        Reject(rej, need_from ? RejectReason::kMissingRequired : RejectReason::kKindMismatch, kTxFrom,
               need_from ? "a transfer or withdrawal needs from_account" : "a deposit has no from_account");
        return false;
      }
      if (need_to != !to.empty()) {
        Reject(rej, need_to ? RejectReason::kMissingRequired : RejectReason::kKindMismatch, kTxTo,
               need_to ? "a transfer or deposit needs to_account" : "a withdrawal has no to_account");
        return false;
      }
      bool inserted = false;
      TxnId tid = d.txn.Intern(txn, &inserted);
      if (!inserted) {
        Reject(rej, RejectReason::kDuplicateTxn, kTxId, "txn_id seen before in this data set");
        return false;
      }
      MarkSeen(kTxId, tid);
      e->transfer = Transfer{tid,    kind, channel, Intern(kTxFrom, d.account, from), Intern(kTxTo, d.account, to),
                             amount, Intern(kTxDevice, d.device, device)};
      return true;
    }
    case EventKind::kReport: {
      using namespace col;
      std::string_view report, person, msisdn, account, ftype, suspect;
      Money amount;
      if (!GetId(r, kRepId, &report, rej) || !GetId(r, kRepPerson, &person, rej) ||
          !GetId(r, kRepMsisdn, &msisdn, rej) || !GetId(r, kRepAccount, &account, rej) ||
          !GetMoney(r, kRepAmount, &amount, rej) || !GetId(r, kRepFraudType, &ftype, rej) ||
          !GetId(r, kRepSuspect, &suspect, rej))
        return false;
      e->report = Report{Intern(kRepId, d.report, report),       Intern(kRepPerson, d.person, person),
                         Intern(kRepMsisdn, d.msisdn, msisdn),     Intern(kRepAccount, d.account, account),
                         amount,                                   Intern(kRepFraudType, d.fraud_type, ftype),
                         Intern(kRepSuspect, d.msisdn, suspect)};
      return true;
    }
  }
  return false;
}

void RowParser::FinishStats() {
  stats_.distinct.clear();
  for (size_t c = 0; c < spec_.columns.size(); ++c) {
    if (spec_.columns[c].type != ColType::kId || index_[c] < 0) continue;
    uint64_t n = 0;
    for (uint64_t w : seen_[c]) n += static_cast<uint64_t>(__builtin_popcountll(w));
    stats_.distinct.push_back({std::string(spec_.columns[c].name), n});
  }
}

}  // namespace interdict
