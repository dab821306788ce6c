#include "ingest/schema.h"

namespace interdict {

namespace {
using C = ColumnSpec;
using T = ColType;
constexpr C kPeople[] = {{"person_id", T::kId, true},
                         {"birth_year", T::kInt, false},
                         {"gender", T::kEnum, false},
                         {"region", T::kId, false}};
constexpr C kSimCards[] = {{"ts", T::kTs, true},        {"msisdn", T::kId, true},    {"person_id", T::kId, true},
                           {"operator", T::kId, false}, {"outlet_id", T::kId, false}, {"plan", T::kEnum, false}};
constexpr C kBankAccounts[] = {{"ts", T::kTs, true},       {"account_id", T::kId, true}, {"person_id", T::kId, true},
                               {"bank_id", T::kId, false}, {"branch_id", T::kId, false}, {"kind", T::kEnum, false}};
constexpr C kCalls[] = {{"ts", T::kTs, true},           {"caller", T::kId, true},       {"callee", T::kId, true},
                        {"duration_s", T::kCount, false}, {"caller_imei", T::kId, false}, {"caller_cell", T::kId, false},
                        {"callee_cell", T::kId, false}};
constexpr C kSms[] = {{"ts", T::kTs, true},
                      {"sender", T::kId, true},
                      {"receiver", T::kId, true},
                      {"has_url", T::kFlag, false},
                      {"template_id", T::kId, false}};
constexpr C kTransfers[] = {{"ts", T::kTs, true},          {"txn_id", T::kId, true},    {"kind", T::kEnum, true},
                            {"from_account", T::kId, false}, {"to_account", T::kId, false}, {"amount", T::kMoney, true},
                            {"channel", T::kEnum, false},    {"device_id", T::kId, false}};
constexpr C kReports[] = {{"ts", T::kTs, true},          {"report_id", T::kId, true},  {"person_id", T::kId, false},
                          {"msisdn", T::kId, false},     {"account_id", T::kId, false}, {"amount", T::kMoney, false},
                          {"fraud_type", T::kId, false}, {"suspect_msisdn", T::kId, false}};

const FileSpec kFiles[] = {
    {"people", true, EventKind::kSimCard, kPeople},
    {"sim_cards", false, EventKind::kSimCard, kSimCards},
    {"bank_accounts", false, EventKind::kBankAccount, kBankAccounts},
    {"calls", false, EventKind::kCall, kCalls},
    {"sms", false, EventKind::kSms, kSms},
    {"transfers", false, EventKind::kTransfer, kTransfers},
    {"reports", false, EventKind::kReport, kReports},
};
}  // namespace

std::span<const FileSpec> AllFileSpecs() { return kFiles; }
const FileSpec& PeopleSpec() { return kFiles[0]; }
const FileSpec& EventFileSpec(EventKind kind) { return kFiles[1 + static_cast<int>(kind)]; }

const FileSpec* FindFileSpec(std::string_view name) {
  if (name.ends_with(".gz")) name.remove_suffix(3);
  if (name.ends_with(".csv")) name.remove_suffix(4);
  for (const FileSpec& f : kFiles)
    if (f.stem == name) return &f;
  return nullptr;
}

}  // namespace interdict
