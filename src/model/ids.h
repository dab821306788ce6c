// Dense integer ids, one namespace per kind of entity. Strings are interned
// once at ingestion (model/dictionary.h); everything after speaks these.
// kNoId marks an absent optional value.
#pragma once
#include <cstdint>

#include "base/intern.h"

namespace interdict {

using PersonId = uint32_t;
using MsisdnId = uint32_t;
using AccountId = uint32_t;
using DeviceId = uint32_t;    // IMEIs and transfer device_ids: one namespace (evaluation.md 1)
using CellId = uint32_t;
using OutletId = uint32_t;    // SIM outlet_id and bank branch_id: one namespace (evaluation.md 1)
using BankId = uint32_t;
using OperatorId = uint32_t;
using RegionId = uint32_t;
using TxnId = uint32_t;
using TemplateId = uint32_t;
using ReportId = uint32_t;
using FraudTypeId = uint32_t;

}  // namespace interdict
