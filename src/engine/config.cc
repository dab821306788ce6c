#include "engine/config.h"

#include <functional>

#include <fmt/format.h>

#include <toml++/toml.h>

namespace interdict {

namespace {
template <typename T>
bool Get(const toml::table& t, const char* key, T* out, std::string* err) {
  const toml::node* n = t.get(key);
  if (!n) return true;
  if constexpr (std::is_floating_point_v<T>) {
    if (auto v = n->value<double>()) {
      *out = static_cast<T>(*v);
      return true;
    }
  } else {
    if (auto v = n->value<int64_t>()) {
      if (*v < 0) {
        *err = fmt::format("'{}' must not be negative", key);
        return false;
      }
      *out = static_cast<T>(*v);
      return true;
    }
  }
  *err = fmt::format("'{}' has the wrong type", key);
  return false;
}
}  // namespace

Status EngineConfig::Load(const std::string& path, EngineConfig* c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::Invalid(fmt::format("{}: {}", path, e.description()));
  }
  std::string err;
#define F(k) {#k, [&] { return Get(t, #k, &c->k, &err); }}
  const std::pair<const char*, std::function<bool()>> fields[] = {
      F(min_calls), F(min_distinct_callees), F(min_outgoing_share), F(answer_rate_suspect),
      F(answer_rate_normal), F(new_card_s), F(dormant_after_s), F(flag_threshold), F(window_s), F(simbox_min_sims),
      F(simbox_min_outgoing), F(simbox_max_answer_rate), F(simbox_min_ended_calls), F(contact_memory_s), F(warn_sms_min_answered_s), F(warn_call_min_answered_s),
      F(vulnerable_age_min), F(vulnerable_age_max), F(exposure_min_answered_s), F(exposure_hold_s), F(hold_min_amount), F(call_capacity_per_10k_day),
      F(visit_capacity_per_10k_day), F(warning_expiry_s), F(trace_lookback_s), F(trace_min_amount),
      F(trace_max_depth), F(own_use_window_s), F(own_use_max_payment), F(stop_min_tainted_share), F(freeze_after_s), F(case_close_s), F(governance),
      F(rings), F(live_tracing)};
#undef F
  for (auto& [key, get] : fields)
    if (!get()) return Status::Invalid(fmt::format("{}: {}", path, err));
  for (auto&& [k, v] : t) {
    (void)v;
    bool known = false;
    for (auto& [key, get] : fields) known |= k.str() == key;
    if (!known) return Status::Invalid(fmt::format("{}: unknown key '{}'", path, k.str()));
  }
  return Status::Ok();
}

}  // namespace interdict
