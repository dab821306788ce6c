#include "engine/config.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include <toml++/toml.h>

namespace interdict {

namespace {

// One key of the file: its table ("" for the top level), its name, and how to
// read and print the field it sets. Every field of EngineConfig,
// GovernanceConfig and RingWatchConfig that some code reads has one entry in
// Fields(): a new field needs a line there, in config/engine-default.toml and
// in docs/config.md (config_test.cc checks the last two against this table).
struct Field {
  const char* table;
  const char* key;
  // name: the key as errors show it ("governance.seller_sims_batch").
  std::function<bool(const toml::node&, EngineConfig*, const std::string& name, std::string* err)> read;
  std::function<std::string(const EngineConfig&)> print;
};

// Integers must be TOML integers, non-negative and within the field's range;
// floating-point fields also take an integer (`call_capacity_per_10k_day = 4`);
// switches of type bool take true or false only.
template <typename T>
bool ReadValue(const toml::node& n, const std::string& name, T* out, std::string* err) {
  if constexpr (std::is_same_v<T, bool>) {
    if (auto v = n.value_exact<bool>()) {
      *out = *v;
      return true;
    }
    *err = fmt::format("'{}' has the wrong type (expected true or false)", name);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (n.is_floating_point() || n.is_integer()) {
      *out = static_cast<T>(*n.value<double>());
      return true;
    }
    *err = fmt::format("'{}' has the wrong type (expected a number)", name);
  } else {
    if (auto v = n.value_exact<int64_t>()) {
      if (*v < 0) {
        *err = fmt::format("'{}' must not be negative", name);
        return false;
      }
      if (static_cast<uint64_t>(*v) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
        *err = fmt::format("'{}' is too large (at most {})", name, std::numeric_limits<T>::max());
        return false;
      }
      *out = static_cast<T>(*v);
      return true;
    }
    *err = fmt::format("'{}' has the wrong type (expected an integer)", name);
  }
  return false;
}

// TOML text that reads back as exactly `v`: fmt's shortest round-trip form,
// with ".0" added where it would otherwise read as an integer.
template <typename T>
std::string PrintValue(T v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    std::string s = fmt::format("{}", v);
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 'n': inf, nan
    return s;
  } else {
    return fmt::format("{}", v);
  }
}

// get: a generic lambda returning a reference to the field in an
// EngineConfig (const or not).
template <typename Get>
Field MakeField(const char* table, const char* key, Get get) {
  return Field{
      table, key,
      [get](const toml::node& n, EngineConfig* c, const std::string& name, std::string* err) {
        return ReadValue(n, name, &get(*c), err);
      },
      [get](const EngineConfig& c) { return PrintValue(get(c)); }};
}

#define E(k) MakeField("", #k, [](auto& c) -> auto& { return c.k; })
#define G(k) MakeField("governance", #k, [](auto& c) -> auto& { return c.governance_config.k; })
#define R(k) MakeField("rings", #k, [](auto& c) -> auto& { return c.rings_config.k; })

// In the order of ToToml and config/engine-default.toml. Tables come after
// every top-level key (TOML's rule).
const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = {
      // fraud numbers
      E(min_calls), E(min_distinct_callees), E(min_outgoing_share), E(answer_rate_suspect), E(answer_rate_normal),
      E(new_card_s), E(dormant_after_s), E(flag_threshold), E(public_line_min_strangers), E(window_s),
      // SMS blasters
      E(sms_blast_min_links),
      // exposure and warnings
      E(contact_memory_s), E(warn_sms_min_answered_s), E(warn_call_min_answered_s), E(vulnerable_age_min),
      E(vulnerable_age_max), E(exposure_min_answered_s), E(exposure_hold_s), E(hold_min_amount),
      // capacity
      E(call_capacity_per_10k_day), E(visit_capacity_per_10k_day), E(warning_expiry_s),
      // response
      E(trace_lookback_s), E(trace_min_amount), E(trace_max_depth), E(own_use_window_s), E(own_use_max_payment),
      E(stop_min_tainted_share), E(freeze_after_s), E(case_close_s),
      // live tracing
      E(live_tracing),
      // [governance]: the switch, then GovernanceConfig in its declaration
      // order. Not a key: den_min_flagged, which no code reads (export's
      // --den-min-devices decides what a den is).
      MakeField("governance", "enabled", [](auto& c) -> auto& { return c.governance; }),
      G(batch_window_s), G(seller_sims_batch), G(seller_batch_spread), G(seller_sims_per_operator),
      G(seller_weak_sims), G(seller_accounts_batch), G(dormant_min_s),
      G(simbox_min_sims), G(simbox_max_cells), G(simbox_min_out_share), G(simbox_max_answer_rate),
      G(simbox_min_ended_calls), G(simbox_window_s), G(simbox_window_min_sims), G(simbox_window_min_out_share),
      G(phone_min_sims), G(phone_min_calls), G(phone_min_out_share), G(phone_min_flagged_sims),
      G(mule_phone_min_accounts), G(mule_phone_min_holders), G(mule_phone_min_flagged),
      G(mule_phone_strong_accounts), G(mule_phone_strong_holders),
      G(mule_window_s), G(mule_min_in), G(mule_pass_share), G(own_money_slack), G(probe_max),
      G(probe_new_pair_weight), G(probe_weight), G(probe_alpha), G(new_account_s), G(mule_flag_score), G(fanin_min_senders),
      G(shop_min_payments), G(shop_max_payment), G(shop_small_share), G(collector_min_mules),
      G(collector_min_share), G(flow_window_s), G(flow_max_cut), G(flow_slack), G(flow_cycle_min_len),
      G(ring_min_links), G(ring_alpha),
      G(insider_alpha), G(insider_min_bad), G(insider_min_ratio), G(insider_min_total_bad),
      G(flag_device_sims), G(flag_mule_holders),
      // [rings]: the switch, then RingWatchConfig in its declaration order.
      MakeField("rings", "enabled", [](auto& c) -> auto& { return c.rings; }),
      R(period_s), R(rings_per_graph), R(money), R(calls), R(money_min_ratio), R(calls_min_ratio), R(min_size),
      R(max_size), R(min_graph_edges), R(read_min_growth), R(min_flagged_members), R(call_min_out),
      R(call_min_out_share), R(flag_members)};
  return fields;
}

#undef E
#undef G
#undef R

const Field* FindField(std::string_view table, std::string_view key) {
  for (const Field& f : Fields())
    if (table == f.table && key == f.key) return &f;
  return nullptr;
}

bool IsTableName(std::string_view k) { return k == "governance" || k == "rings"; }

// Reads every key of a parsed file into *c.
Status Apply(const toml::table& t, const std::string& origin, EngineConfig* c) {
  std::string err;
  auto fail = [&](const std::string& msg) { return Status::Invalid(fmt::format("{}: {}", origin, msg)); };
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    if (IsTableName(key) && v.is_table()) {
      for (auto&& [k2, v2] : *v.as_table()) {
        const std::string name = fmt::format("{}.{}", key, k2.str());
        const Field* f = FindField(key, k2.str());
        if (!f) return fail(fmt::format("unknown key '{}'", name));
        if (!f->read(v2, c, name, &err)) return fail(err);
      }
    } else if (IsTableName(key)) {
      // The older switches at the top level (`rings = 0`), as before the
      // tables existed: files written then still mean the same.
      uint32_t& on = key == "governance" ? c->governance : c->rings;
      if (!ReadValue(v, key, &on, &err)) return fail(err);
    } else {
      const Field* f = FindField("", key);
      if (!f && key.rfind("simbox_", 0) == 0)
        return fail(fmt::format("'{}' is no longer a key: SIM boxes are judged once, by governance "
                                "([governance] simbox_*, docs/config.md)", key));
      if (!f) return fail(fmt::format("unknown key '{}'", key));
      if (!f->read(v, c, key, &err)) return fail(err);
    }
  }
  return Status::Ok();
}

std::string ParseErrorMessage(const std::string& origin, const toml::parse_error& e) {
  // Line 0: no position (a file that cannot be opened).
  if (e.source().begin.line == 0) return fmt::format("{}: {}", origin, e.description());
  return fmt::format("{}:{}: {}", origin, e.source().begin.line, e.description());
}

}  // namespace

Status EngineConfig::Load(const std::string& path, EngineConfig* c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::Invalid(ParseErrorMessage(path, e));
  }
  return Apply(t, path, c);
}

Status EngineConfig::Parse(std::string_view text, const std::string& origin, EngineConfig* c) {
  toml::table t;
  try {
    t = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Status::Invalid(ParseErrorMessage(origin, e));
  }
  return Apply(t, origin, c);
}

std::string EngineConfig::ToToml() const {
  std::string out =
      "# Interdict's effective configuration (interdict config --print): every key of every stage.\n"
      "# docs/config.md explains each; config/engine-default.toml has the defaults. Times in seconds, money in fen.\n";
  std::string_view table;
  for (const Field& f : Fields()) {
    if (table != f.table) {
      table = f.table;
      out += fmt::format("\n[{}]\n", table);
    }
    out += fmt::format("{} = {}\n", f.key, f.print(*this));
  }
  return out;
}

std::vector<std::string> EngineConfig::Keys() {
  std::vector<std::string> keys;
  for (const Field& f : Fields())
    keys.push_back(*f.table ? fmt::format("{}.{}", f.table, f.key) : std::string(f.key));
  return keys;
}

}  // namespace interdict
