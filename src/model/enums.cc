#include "model/enums.h"

#include <array>
#include <utility>

namespace interdict {

namespace {
template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<std::string_view, E>, N>& table, std::string_view s) {
  for (const auto& [name, v] : table)
    if (name == s) return v;
  return std::nullopt;
}
template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<std::string_view, E>, N>& table, E v) {
  for (const auto& [name, e] : table)
    if (e == v) return name;
  return "";
}

constexpr std::array<std::pair<std::string_view, Gender>, 3> kGender{
    {{"m", Gender::kMale}, {"f", Gender::kFemale}, {"u", Gender::kUnspecified}}};
constexpr std::array<std::pair<std::string_view, Plan>, 3> kPlan{
    {{"prepaid", Plan::kPrepaid}, {"postpaid", Plan::kPostpaid}, {"iot", Plan::kIot}}};
constexpr std::array<std::pair<std::string_view, AccountKind>, 2> kAccountKind{
    {{"personal", AccountKind::kPersonal}, {"business", AccountKind::kBusiness}}};
constexpr std::array<std::pair<std::string_view, TransferKind>, 3> kTransferKind{
    {{"transfer", TransferKind::kTransfer}, {"withdrawal", TransferKind::kWithdrawal},
     {"deposit", TransferKind::kDeposit}}};
constexpr std::array<std::pair<std::string_view, Channel>, 6> kChannel{
    {{"app", Channel::kApp}, {"online", Channel::kOnline}, {"counter", Channel::kCounter},
     {"atm", Channel::kAtm}, {"pos", Channel::kPos}, {"third_party", Channel::kThirdParty}}};
}  // namespace

std::optional<Gender> ParseGender(std::string_view s) { return Lookup(kGender, s); }
std::optional<Plan> ParsePlan(std::string_view s) { return Lookup(kPlan, s); }
std::optional<AccountKind> ParseAccountKind(std::string_view s) { return Lookup(kAccountKind, s); }
std::optional<TransferKind> ParseTransferKind(std::string_view s) { return Lookup(kTransferKind, s); }
std::optional<Channel> ParseChannel(std::string_view s) { return Lookup(kChannel, s); }

std::string_view ToString(Gender v) { return Name(kGender, v); }
std::string_view ToString(Plan v) { return Name(kPlan, v); }
std::string_view ToString(AccountKind v) { return Name(kAccountKind, v); }
std::string_view ToString(TransferKind v) { return Name(kTransferKind, v); }
std::string_view ToString(Channel v) { return Name(kChannel, v); }

}  // namespace interdict

#include "model/events.h"

namespace interdict {
const char* EventFileName(EventKind k) {
  static const char* kNames[] = {"sim_cards.csv", "bank_accounts.csv", "calls.csv",
                                 "sms.csv",       "transfers.csv",     "reports.csv"};
  return kNames[static_cast<int>(k)];
}
}  // namespace interdict
