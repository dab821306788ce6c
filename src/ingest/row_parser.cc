#include "ingest/row_parser.h"

#include <cstring>

#include <fmt/format.h>

namespace interdict {

namespace {
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;
inline uint64_t HasZeroByte(uint64_t v) { return (v - kOnes) & ~v & kHighs; }
// Nonzero if any of the 8 bytes of x is not allowed in an id: < 0x21 (space,
// controls), >= 0x7f (DEL, any non-ASCII byte), '"' or ','.
inline uint64_t BadIdBytes(uint64_t x) {
  uint64_t below = (x - kOnes * 0x21) & ~x;  // high bit where a byte < 0x21 (valid for bytes < 0x80)
  uint64_t above = (x + kOnes * 0x01) | x;   // high bit where a byte >= 0x7f
  return ((below | above) & kHighs) | HasZeroByte(x ^ (kOnes * '"')) | HasZeroByte(x ^ (kOnes * ','));
}
inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace

bool IsValidId(std::string_view s) {
  // Word-at-a-time (why: id checks were a third of validate's time). Loads
  // overlap at the end instead of reading past the field.
  const size_t n = s.size();
  const char* p = s.data();
  if (n >= 8) {
    if (n > 128) return false;
    uint64_t bad = BadIdBytes(Load8(p + n - 8));
    for (size_t i = 0; i + 8 <= n; i += 8) bad |= BadIdBytes(Load8(p + i));
    return bad == 0;
  }
  if (n >= 4) return BadIdBytes(Load4(p) | (Load4(p + n - 4) << 32)) == 0;
  if (n == 0) return false;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x21 || c > 0x7e || c == '"' || c == ',') return false;
  }
  return true;
}

RowParser::RowParser(const FileSpec& spec, Dictionaries* dicts, const TimeZone& tz)
    : spec_(spec), dicts_(dicts), ts_parser_(tz), index_(spec.columns.size(), -1), seen_(spec.columns.size()),
      no_intern_(spec.columns.size(), 0) {}

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
  // A clean record (see CsvRecord::clean) has only allowed bytes: just the length.
  if (r.clean ? v.size() > 128 : !IsValidId(v)) {
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

void RowParser::AddId(PendingRow* p, int c, Interner& in, std::string_view v) const {
  PendingRow::Id& id = p->ids[p->num_ids++];
  id.interner = no_intern_[c] ? nullptr : &in;
  id.text = v;
  id.column = static_cast<int8_t>(c);
  id.candidate = kNoId;
  if (!v.empty()) {
    id.hash = HashBytes(v);
    if (id.interner) in.Prefetch(id.hash);
  } else {
    id.hash = 0;
  }
}

uint32_t RowParser::InternPending(const PendingRow::Id& id, bool* inserted) {
  if (id.text.empty()) return kNoId;
  if (!id.interner) {
    Sketch(id);
    return kNoId;
  }
  uint32_t v = id.interner->InternCandidate(id.text, id.hash, id.candidate, inserted);
  CountDistinct(id, v);
  return v;
}

void RowParser::Sketch(const PendingRow::Id& id) {
  // The interner's hash is a 64-bit mix (base/hash.h): fit for the sketch.
  AllocateSketches();
  sketched_ = true;
  sketch_[id.column].Add(id.hash);
}

void RowParser::CountDistinct(const PendingRow::Id& id, uint32_t v) {
  if (exact_distinct_) {
    MarkSeen(id.column, v);
  } else {
    Sketch(id);
  }
}

bool RowParser::ParseEvent(const CsvRecord& r, Event* e, RejectInfo* rej) {
  PendingRow p;
  if (!Prepare(r, &p, rej)) return false;
  Resolve(&p);
  return Finish(&p, e, rej);
}

bool RowParser::Prepare(const CsvRecord& r, PendingRow* p, RejectInfo* rej) {
  p->num_ids = 0;
  Event* e = &p->event;
  if (!CheckCount(r, rej)) return false;
  if (!GetTs(r, 0, &e->ts, rej)) return false;
  e->kind = spec_.kind;
  Dictionaries& d = *dicts_;
  // Ids are added in the order Finish() assigns them.
  switch (spec_.kind) {
    case EventKind::kSimCard: {
      using namespace col;
      std::string_view msisdn, person, op, outlet;
      if (!GetId(r, kSimMsisdn, &msisdn, rej) || !GetId(r, kSimPerson, &person, rej) ||
          !GetId(r, kSimOperator, &op, rej) || !GetId(r, kSimOutlet, &outlet, rej) ||
          !GetEnum(r, kSimPlan, ParsePlan, &e->sim.plan, rej))
        return false;
      AddId(p, kSimMsisdn, d.msisdn, msisdn);
      AddId(p, kSimPerson, d.person, person);
      AddId(p, kSimOperator, d.op, op);
      AddId(p, kSimOutlet, d.outlet, outlet);
      return true;
    }
    case EventKind::kBankAccount: {
      using namespace col;
      std::string_view account, person, bank, branch;
      if (!GetId(r, kAccAccount, &account, rej) || !GetId(r, kAccPerson, &person, rej) ||
          !GetId(r, kAccBank, &bank, rej) || !GetId(r, kAccBranch, &branch, rej) ||
          !GetEnum(r, kAccKind, ParseAccountKind, &e->account.kind, rej))
        return false;
      AddId(p, kAccAccount, d.account, account);
      AddId(p, kAccPerson, d.person, person);
      AddId(p, kAccBank, d.bank, bank);
      AddId(p, kAccBranch, d.outlet, branch);
      return true;
    }
    case EventKind::kCall: {
      using namespace col;
      std::string_view caller, callee, imei, ccell, rcell;
      if (!GetId(r, kCallCaller, &caller, rej) || !GetId(r, kCallCallee, &callee, rej) ||
          !GetCount(r, kCallDuration, &e->call.duration_s, rej) || !GetId(r, kCallImei, &imei, rej) ||
          !GetId(r, kCallCallerCell, &ccell, rej) || !GetId(r, kCallCalleeCell, &rcell, rej))
        return false;
      AddId(p, kCallCaller, d.msisdn, caller);
      AddId(p, kCallCallee, d.msisdn, callee);
      AddId(p, kCallImei, d.device, imei);
      AddId(p, kCallCallerCell, d.cell, ccell);
      AddId(p, kCallCalleeCell, d.cell, rcell);
      return true;
    }
    case EventKind::kSms: {
      using namespace col;
      std::string_view sender, receiver, tmpl;
      if (!GetId(r, kSmsSender, &sender, rej) || !GetId(r, kSmsReceiver, &receiver, rej) ||
          !GetFlag(r, kSmsHasUrl, &e->sms.has_url, rej) || !GetId(r, kSmsTemplate, &tmpl, rej))
        return false;
      AddId(p, kSmsSender, d.msisdn, sender);
      AddId(p, kSmsReceiver, d.msisdn, receiver);
      AddId(p, kSmsTemplate, d.tmpl, tmpl);
      return true;
    }
    case EventKind::kTransfer: {
      using namespace col;
      std::string_view txn, from, to, device;
      Transfer& t = e->transfer;
      if (!GetId(r, kTxId, &txn, rej) || !GetEnum(r, kTxKind, ParseTransferKind, &t.kind, rej) ||
          !GetId(r, kTxFrom, &from, rej) || !GetId(r, kTxTo, &to, rej) || !GetMoney(r, kTxAmount, &t.amount, rej) ||
          !GetEnum(r, kTxChannel, ParseChannel, &t.channel, rej) || !GetId(r, kTxDevice, &device, rej))
        return false;
      if (t.amount <= 0) {
        Reject(rej, RejectReason::kNonPositiveAmount, kTxAmount, "amount must be > 0");
        return false;
      }
      // Direction by kind: a transfer has both sides, a withdrawal no receiver,
      // a deposit no sender.
      bool need_from = t.kind != TransferKind::kDeposit, need_to = t.kind != TransferKind::kWithdrawal;
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
      AddId(p, kTxId, d.txn, txn);
      AddId(p, kTxFrom, d.account, from);
      AddId(p, kTxTo, d.account, to);
      AddId(p, kTxDevice, d.device, device);
      return true;
    }
    case EventKind::kReport: {
      using namespace col;
      std::string_view report, person, msisdn, account, ftype, suspect;
      if (!GetId(r, kRepId, &report, rej) || !GetId(r, kRepPerson, &person, rej) ||
          !GetId(r, kRepMsisdn, &msisdn, rej) || !GetId(r, kRepAccount, &account, rej) ||
          !GetMoney(r, kRepAmount, &e->report.amount, rej) || !GetId(r, kRepFraudType, &ftype, rej) ||
          !GetId(r, kRepSuspect, &suspect, rej))
        return false;
      AddId(p, kRepId, d.report, report);
      AddId(p, kRepPerson, d.person, person);
      AddId(p, kRepMsisdn, d.msisdn, msisdn);
      AddId(p, kRepAccount, d.account, account);
      AddId(p, kRepFraudType, d.fraud_type, ftype);
      AddId(p, kRepSuspect, d.msisdn, suspect);
      return true;
    }
  }
  return false;
}

bool RowParser::Finish(PendingRow* p, Event* e, RejectInfo* rej) {
  *e = p->event;
  const PendingRow::Id* id = p->ids;
  switch (spec_.kind) {
    case EventKind::kSimCard:
      e->sim.msisdn = InternPending(id[0]);
      e->sim.person = InternPending(id[1]);
      e->sim.op = InternPending(id[2]);
      e->sim.outlet = InternPending(id[3]);
      return true;
    case EventKind::kBankAccount:
      e->account.account = InternPending(id[0]);
      e->account.person = InternPending(id[1]);
      e->account.bank = InternPending(id[2]);
      e->account.branch = InternPending(id[3]);
      return true;
    case EventKind::kCall:
      e->call.caller = InternPending(id[0]);
      e->call.callee = InternPending(id[1]);
      e->call.caller_imei = InternPending(id[2]);
      e->call.caller_cell = InternPending(id[3]);
      e->call.callee_cell = InternPending(id[4]);
      return true;
    case EventKind::kSms:
      e->sms.sender = InternPending(id[0]);
      e->sms.receiver = InternPending(id[1]);
      e->sms.template_id = InternPending(id[2]);
      e->sms.template_hash = id[2].text.empty() ? 0 : FoldTemplateHash(id[2].hash);
      return true;
    case EventKind::kTransfer: {
      // The duplicate check comes first and alone: a rejected row must leave
      // no ids behind.
      bool inserted = false;
      uint32_t txn = id[0].interner->InternCandidate(id[0].text, id[0].hash, id[0].candidate, &inserted);
      if (!inserted) {
        Reject(rej, RejectReason::kDuplicateTxn, col::kTxId, "txn_id seen before in this data set");
        return false;
      }
      CountDistinct(id[0], txn);
      e->transfer.txn = txn;
      e->transfer.from = InternPending(id[1]);
      e->transfer.to = InternPending(id[2]);
      e->transfer.device = InternPending(id[3]);
      return true;
    }
    case EventKind::kReport:
      e->report.report = InternPending(id[0]);
      e->report.person = InternPending(id[1]);
      e->report.msisdn = InternPending(id[2]);
      e->report.account = InternPending(id[3]);
      e->report.fraud_type = InternPending(id[4]);
      e->report.suspect = InternPending(id[5]);
      return true;
  }
  return false;
}

bool RowParser::Check(const CsvRecord& r, Ts* ts, RejectInfo* rej) {
  PendingRow* p = &check_row_;
  if (!Prepare(r, p, rej)) return false;
  *ts = p->event.ts;
  if (exact_distinct_) {
    Event e;
    Resolve(p);
    return Finish(p, &e, rej);
  }
  AllocateSketches();
  sketched_ = true;
  for (int i = 0; i < p->num_ids; ++i) {
    const PendingRow::Id& id = p->ids[i];
    if (id.text.empty()) continue;
    if (!spec_.is_registry && spec_.kind == EventKind::kTransfer && id.column == col::kTxId) {
      if (!InternNewTxn(id.text, id.hash)) {
        Reject(rej, RejectReason::kDuplicateTxn, col::kTxId, "txn_id seen before in this data set");
        return false;
      }
      continue;
    }
    sketch_[id.column].Add(SketchHash(id.text.data(), id.text.size()));
  }
  return true;
}

bool RowParser::InternNewTxn(std::string_view txn, uint64_t hash) {
  bool inserted = false;
  uint32_t v = dicts_->txn.InternHashed(txn, hash, &inserted);
  if (inserted) MarkSeen(col::kTxId, v);
  return inserted;
}

void AddReject(FileStats* s, RejectSink* sink, const CsvRecord& r, const RejectInfo& rej) {
  ++s->rejected;
  ++s->by_reason[static_cast<int>(rej.reason)];
  sink->Add(s->file, r.line, rej, r.raw);
}

void RowParser::FinishStats() {
  stats_.distinct.clear();
  for (size_t c = 0; c < spec_.columns.size(); ++c) {
    if (spec_.columns[c].type != ColType::kId || index_[c] < 0) continue;
    uint64_t n = 0;
    for (uint64_t w : seen_[c]) n += static_cast<uint64_t>(__builtin_popcountll(w));
    bool approx = sketched_ && n == 0;
    if (approx) n = sketch_[c].Estimate();
    stats_.distinct.push_back({std::string(spec_.columns[c].name), n, approx});
  }
}

}  // namespace interdict
