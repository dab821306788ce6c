// Enumerations of the interchange format (shared/spec/events.md) and their
// lower-case spellings. kUnknown is "absent" for an optional enum column.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace interdict {

enum class Gender : uint8_t { kUnknown, kMale, kFemale, kUnspecified };  // '', m, f, u
enum class Plan : uint8_t { kUnknown, kPrepaid, kPostpaid, kIot };
enum class AccountKind : uint8_t { kUnknown, kPersonal, kBusiness };
enum class TransferKind : uint8_t { kTransfer, kWithdrawal, kDeposit };
enum class Channel : uint8_t { kUnknown, kApp, kOnline, kCounter, kAtm, kPos, kThirdParty };

// Parse the spec's word; nullopt when it is not one of the listed words.
std::optional<Gender> ParseGender(std::string_view s);
std::optional<Plan> ParsePlan(std::string_view s);
std::optional<AccountKind> ParseAccountKind(std::string_view s);
std::optional<TransferKind> ParseTransferKind(std::string_view s);
std::optional<Channel> ParseChannel(std::string_view s);

std::string_view ToString(Gender v);
std::string_view ToString(Plan v);
std::string_view ToString(AccountKind v);
std::string_view ToString(TransferKind v);
std::string_view ToString(Channel v);

}  // namespace interdict
