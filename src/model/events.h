// The events of a data set (shared/spec/events.md), as small value types over
// dense ids. An Event is a tagged union: cheap to copy through the reorder
// buffer and the engine, no allocation per event.
#pragma once
#include <cstdint>
#include <string_view>

#include "base/hash.h"
#include "base/money.h"
#include "base/time.h"
#include "model/enums.h"
#include "model/ids.h"

namespace interdict {

// The event files in tie-break order: equal ts merge in this order, then by
// row order (events.md "Event time").
enum class EventKind : uint8_t { kSimCard = 0, kBankAccount, kCall, kSms, kTransfer, kReport };
inline constexpr int kNumEventKinds = 6;

inline constexpr uint32_t kNoCount = 0xffffffffu;  // absent count/seconds
inline constexpr uint8_t kNoFlag = 0xff;           // absent flag

// people.csv: a registry row, not an event.
struct Person {
  PersonId id = kNoId;
  int32_t birth_year = 0;  // 0 = absent
  Gender gender = Gender::kUnknown;
  RegionId region = kNoId;
};

struct SimCardOpen {
  MsisdnId msisdn;
  PersonId person;
  OperatorId op;
  OutletId outlet;
  Plan plan;
};

struct BankAccountOpen {
  AccountId account;
  PersonId person;
  BankId bank;
  OutletId branch;
  AccountKind kind;
};

struct Call {
  MsisdnId caller;
  MsisdnId callee;
  uint32_t duration_s;  // 0 = not answered; kNoCount = absent
  DeviceId caller_imei;
  CellId caller_cell;
  CellId callee_cell;
};

// An SMS template's text as 32 bits, 0 for none: what the engine compares
// (equal text, equal hash), whether or not the reader interned template ids.
inline uint32_t FoldTemplateHash(uint64_t text_hash) {
  const uint32_t h = static_cast<uint32_t>(text_hash ^ (text_hash >> 32));
  return h == 0 ? 1 : h;
}
inline uint32_t TemplateHash(std::string_view text) { return text.empty() ? 0 : FoldTemplateHash(HashBytes(text)); }

struct Sms {
  MsisdnId sender;
  MsisdnId receiver;
  uint8_t has_url;  // 0, 1 or kNoFlag
  TemplateId template_id;  // dense id, kNoId when the reader does not intern templates (ReadOptions)
  uint32_t template_hash;  // TemplateHash of the template_id text, always set (0: none)
};

struct Transfer {
  TxnId txn;
  TransferKind kind;
  Channel channel;
  AccountId from;  // kNoId for a deposit
  AccountId to;    // kNoId for a withdrawal
  Money amount;    // fen, > 0
  DeviceId device;
};

struct Report {
  ReportId report;
  PersonId person;
  MsisdnId msisdn;
  AccountId account;
  Money amount;  // kNoMoney if absent
  FraudTypeId fraud_type;
  MsisdnId suspect;
};

struct Event {
  Ts ts = 0;
  uint64_t seq = 0;  // row order within its file (tie-break; also "where" in messages)
  EventKind kind = EventKind::kCall;
  union {
    SimCardOpen sim;
    BankAccountOpen account;
    Call call;
    Sms sms;
    Transfer transfer;
    Report report;
  };
  Event() : call{} {}
};

const char* EventFileName(EventKind k);  // "calls.csv"

}  // namespace interdict
