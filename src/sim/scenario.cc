#include "sim/scenario.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>
#include <toml++/toml.h>

namespace interdict::sim {

const char* FraudTypeName(FraudType t) {
  switch (t) {
    case FraudType::kOfficial: return "official";
    case FraudType::kRefund: return "refund";
    case FraudType::kInvestment: return "investment";
    case FraudType::kLoan: return "loan";
    case FraudType::kBrushing: return "brushing";
  }
  return "?";
}

std::array<FraudTypeParams, kNumFraudTypes> Scenario::DefaultTypes() {
  std::array<FraudTypeParams, kNumFraudTypes> t;
  // Impersonating police, prosecutors or officials ("your account is linked to
  // a money-laundering case"): the elderly, long calls, large "safe account" transfers.
  t[0] = {0.25, 55, 90, 1.2, 0.15, 0.35, 0.012, 0.55, 50000, 1.3, 1, 3, 0.5, 0};
  // Fake customer service refunds (online shoppers): quick, smaller amounts.
  t[1] = {0.25, 20, 50, 1.1, 0.3, 0.30, 0.020, 0.60, 8000, 1.2, 1, 3, 0.4, 0};
  // Investment / romance ("pig butchering"): days of grooming, then growing payments.
  t[2] = {0.15, 28, 58, 1.0, 0.25, 0.25, 0.008, 0.70, 100000, 1.4, 2, 5, 24, 5};
  // Fake loans: fees for "deposit", "insurance", "unfreezing".
  t[3] = {0.15, 20, 40, 1.0, 0.2, 0.30, 0.020, 0.50, 6000, 1.0, 2, 4, 3, 0};
  // Part-time order brushing: young people, women more, escalating "tasks".
  t[4] = {0.20, 18, 35, 1.5, 0.2, 0.30, 0.015, 0.60, 12000, 1.2, 2, 5, 1, 0.3};
  return t;
}

namespace {

// One bindable key: its dotted path and how to set it from a TOML node.
struct Key {
  std::string path;
  std::function<std::string(const toml::node&)> set;  // "" on success, else the reason
  std::function<std::string()> get;                    // the current value as TOML
};

Key Num(std::string path, double* p, double lo, double hi) {
  return {path, [p, lo, hi](const toml::node& n) -> std::string {
            if (!n.is_number()) return "must be a number";
            double v = n.value<double>().value_or(0);
            if (!std::isfinite(v) || v < lo || v > hi) return fmt::format("must be between {} and {}", lo, hi);
            *p = v;
            return "";
          },
          [p] { return fmt::format("{}", *p); }};
}

Key Int(std::string path, int* p, int lo, int hi) {
  return {path, [p, lo, hi](const toml::node& n) -> std::string {
            if (!n.is_integer()) return "must be an integer";
            int64_t v = n.value<int64_t>().value_or(0);
            if (v < lo || v > hi) return fmt::format("must be between {} and {}", lo, hi);
            *p = static_cast<int>(v);
            return "";
          },
          [p] { return fmt::format("{}", *p); }};
}

Key Arr(std::string path, std::vector<double>* p, size_t len_lo, size_t len_hi) {
  return {path, [p, len_lo, len_hi](const toml::node& n) -> std::string {
            const toml::array* a = n.as_array();
            if (!a) return "must be an array of numbers";
            if (a->size() < len_lo || a->size() > len_hi)
              return len_lo == len_hi ? fmt::format("must have {} numbers", len_lo)
                                      : fmt::format("must have {} to {} numbers", len_lo, len_hi);
            std::vector<double> v;
            double sum = 0;
            for (const toml::node& e : *a) {
              if (!e.is_number()) return "must be an array of numbers";
              double x = e.value<double>().value_or(-1);
              if (!std::isfinite(x) || x < 0) return "must hold non-negative numbers";
              sum += x;
              v.push_back(x);
            }
            if (sum <= 0) return "must have a positive sum";
            *p = std::move(v);
            return "";
          },
          [p] { return fmt::format("[{}]", fmt::join(*p, ", ")); }};
}

std::vector<Key> Keys(Scenario* s) {
  std::vector<Key> k;
  auto& w = s->world;
  k.push_back(Int("world.cities", &w.cities, 1, 21));
  k.push_back(Int("world.counties_min", &w.counties_min, 1, 30));
  k.push_back(Int("world.counties_max", &w.counties_max, 1, 30));
  k.push_back(Num("world.persons_per_cell", &w.persons_per_cell, 10, 1e6));
  k.push_back(Num("world.two_sims_share", &w.two_sims_share, 0, 1));
  k.push_back(Num("world.three_sims_share", &w.three_sims_share, 0, 1));
  k.push_back(Arr("world.accounts_weights", &w.accounts_weights, 4, 4));
  k.push_back(Num("world.contacts_xmin", &w.contacts_xmin, 1, 200));
  k.push_back(Num("world.contacts_alpha", &w.contacts_alpha, 1.05, 10));
  k.push_back(Int("world.contacts_max", &w.contacts_max, 2, 5000));
  k.push_back(Num("world.employers_per_1000", &w.employers_per_1000, 0.01, 1000));
  k.push_back(Num("world.merchants_per_1000", &w.merchants_per_1000, 0.01, 1000));
  k.push_back(Num("world.employed_share", &w.employed_share, 0, 1));
  k.push_back(Num("world.handset_change_per_day", &w.handset_change_per_day, 0, 1));
  k.push_back(Num("world.card_age_mean_years", &w.card_age_mean_years, 0.01, 30));
  k.push_back(Num("world.shared_handset_share", &w.shared_handset_share, 0, 1));
  k.push_back(Num("world.young_sim_share", &w.young_sim_share, 0, 1));
  auto& c = s->calls;
  k.push_back(Num("calls.per_person_day", &c.per_person_day, 0, 200));
  k.push_back(Num("calls.activity_sigma", &c.activity_sigma, 0, 3));
  k.push_back(Num("calls.unanswered_share", &c.unanswered_share, 0, 1));
  k.push_back(Num("calls.duration_median_s", &c.duration_median_s, 1, 7200));
  k.push_back(Num("calls.duration_sigma", &c.duration_sigma, 0, 4));
  k.push_back(Num("calls.callback_prob", &c.callback_prob, 0, 1));
  k.push_back(Num("calls.stranger_share", &c.stranger_share, 0, 1));
  k.push_back(Num("calls.service_share", &c.service_share, 0, 1));
  k.push_back(Num("calls.second_sim_share", &c.second_sim_share, 0, 1));
  k.push_back(Num("calls.offnet_contact_share", &c.offnet_contact_share, 0, 1));
  k.push_back(Arr("calls.hour_weights", &c.hour_weights, 24, 24));
  auto& m = s->sms;
  k.push_back(Num("sms.p2p_per_person_day", &m.p2p_per_person_day, 0, 200));
  k.push_back(Num("sms.service_per_person_day", &m.service_per_person_day, 0, 200));
  k.push_back(Num("sms.bank_notice_prob", &m.bank_notice_prob, 0, 1));
  k.push_back(Num("sms.marketing_campaigns_per_million_day", &m.marketing_campaigns_per_million_day, 0, 1e5));
  k.push_back(Num("sms.marketing_campaign_size", &m.marketing_campaign_size, 1, 1e7));
  auto& y = s->money;
  k.push_back(Num("money.shopping_per_person_day", &y.shopping_per_person_day, 0, 100));
  k.push_back(Num("money.shopping_median", &y.shopping_median, 0.01, 1e7));
  k.push_back(Num("money.app_payment_per_person_day", &y.app_payment_per_person_day, 0, 100));
  k.push_back(Num("money.app_payment_median", &y.app_payment_median, 0.01, 1e7));
  k.push_back(Num("money.family_per_person_day", &y.family_per_person_day, 0, 100));
  k.push_back(Num("money.family_median", &y.family_median, 0.01, 1e7));
  k.push_back(Num("money.atm_per_person_day", &y.atm_per_person_day, 0, 100));
  k.push_back(Num("money.atm_median", &y.atm_median, 100, 1e6));
  k.push_back(Num("money.deposit_per_person_day", &y.deposit_per_person_day, 0, 100));
  k.push_back(Num("money.deposit_median", &y.deposit_median, 0.01, 1e7));
  k.push_back(Num("money.rent_share", &y.rent_share, 0, 1));
  k.push_back(Num("money.rent_median", &y.rent_median, 0.01, 1e7));
  k.push_back(Num("money.salary_median", &y.salary_median, 0.01, 1e7));
  k.push_back(Num("money.personal_merchants_per_1000", &y.personal_merchants_per_1000, 0, 100));
  k.push_back(Num("money.large_new_payee_per_million_day", &y.large_new_payee_per_million_day, 0, 1e5));
  auto& h = s->heavy;
  k.push_back(Num("heavy.couriers_per_1000", &h.couriers_per_1000, 0, 100));
  k.push_back(Num("heavy.telemarketers_per_1000", &h.telemarketers_per_1000, 0, 100));
  k.push_back(Num("heavy.drivers_per_1000", &h.drivers_per_1000, 0, 100));
  k.push_back(Num("heavy.clinics_per_1000", &h.clinics_per_1000, 0, 100));
  k.push_back(Num("heavy.agents_per_1000", &h.agents_per_1000, 0, 100));
  k.push_back(Num("heavy.riders_per_1000", &h.riders_per_1000, 0, 100));
  k.push_back(Num("heavy.collections_per_1000", &h.collections_per_1000, 0, 100));
  k.push_back(Num("heavy.new_line_share", &h.new_line_share, 0, 1));
  k.push_back(Num("heavy.gateways_per_million", &h.gateways_per_million, 0, 1e4));
  k.push_back(Num("heavy.iot_fleets_per_million", &h.iot_fleets_per_million, 0, 1e4));
  k.push_back(Num("heavy.offnet_businesses_per_million", &h.offnet_businesses_per_million, 0, 1e4));
  auto& f = s->fraud;
  k.push_back(Num("fraud.gangs_per_million", &f.gangs_per_million, 0, 10000));
  k.push_back(Num("fraud.attempts_per_gang_day", &f.attempts_per_gang_day, 0, 1e6));
  k.push_back(Num("fraud.simbox_share", &f.simbox_share, 0, 1));
  k.push_back(Num("fraud.simbox_gang_share", &f.simbox_gang_share, 0, 1));
  k.push_back(Num("fraud.overseas_share", &f.overseas_share, 0, 1));
  k.push_back(Num("fraud.voip_share", &f.voip_share, 0, 1));
  k.push_back(Num("fraud.simbox_calls_per_sim_day", &f.simbox_calls_per_sim_day, 1, 10000));
  k.push_back(Num("fraud.phone_calls_per_sim_day", &f.phone_calls_per_sim_day, 1, 10000));
  k.push_back(Num("fraud.offnet_calls_per_number_day", &f.offnet_calls_per_number_day, 1, 10000));
  k.push_back(Num("fraud.volume_sigma", &f.volume_sigma, 0, 3));
  k.push_back(Int("fraud.rotation_days", &f.rotation_days, 1, 365));
  k.push_back(Num("fraud.sim_second_phone_prob", &f.sim_second_phone_prob, 0, 1));
  k.push_back(Num("fraud.followup_calls_mean", &f.followup_calls_mean, 0, 50));
  k.push_back(Num("fraud.landing_median_s", &f.landing_median_s, 60, 36000));
  k.push_back(Num("fraud.callback_prob", &f.callback_prob, 0, 1));
  k.push_back(Num("fraud.sms_campaign_prob", &f.sms_campaign_prob, 0, 1));
  k.push_back(Num("fraud.sms_campaign_size", &f.sms_campaign_size, 1, 1e7));
  k.push_back(Num("fraud.sms_hook_prob", &f.sms_hook_prob, 0, 1));
  k.push_back(Int("fraud.mules_l1", &f.mules_l1, 1, 10000));
  k.push_back(Int("fraud.mules_l2", &f.mules_l2, 1, 10000));
  k.push_back(Int("fraud.mules_l3", &f.mules_l3, 1, 10000));
  k.push_back(Int("fraud.cashout_accounts", &f.cashout_accounts, 1, 10000));
  k.push_back(Int("fraud.collectors", &f.collectors, 1, 10000));
  k.push_back(Num("fraud.three_layer_share", &f.three_layer_share, 0, 1));
  k.push_back(Num("fraud.cashout_share", &f.cashout_share, 0, 1));
  k.push_back(Num("fraud.hop_delay_median_min", &f.hop_delay_median_min, 0.1, 10000));
  k.push_back(Num("fraud.mule_fee", &f.mule_fee, 0, 0.5));
  k.push_back(Int("fraud.accounts_per_mule_phone", &f.accounts_per_mule_phone, 1, 1000));
  k.push_back(Num("fraud.card_seller_share", &f.card_seller_share, 0, 1));
  k.push_back(Num("fraud.insider_share", &f.insider_share, 0, 1));
  k.push_back(Int("fraud.sims_per_card_seller", &f.sims_per_card_seller, 1, 1000));
  k.push_back(Num("fraud.insider_outlets_per_million", &f.insider_outlets_per_million, 0, 10000));
  k.push_back(Int("fraud.accounts_per_account_seller", &f.accounts_per_account_seller, 1, 100));
  k.push_back(Num("fraud.insider_branch_share", &f.insider_branch_share, 0, 1));
  k.push_back(Int("fraud.recruiters_per_gang", &f.recruiters_per_gang, 0, 100));
  k.push_back(Num("fraud.report_prob", &f.report_prob, 0, 1));
  k.push_back(Num("fraud.report_delay_median_h", &f.report_delay_median_h, 0.01, 10000));
  k.push_back(Num("fraud.suspect_named_prob", &f.suspect_named_prob, 0, 1));
  k.push_back(Num("fraud.low_volume_share", &f.low_volume_share, 0, 1));
  k.push_back(Num("fraud.low_volume_calls_per_sim_day", &f.low_volume_calls_per_sim_day, 1, 10000));
  k.push_back(Num("fraud.box_on_phones_share", &f.box_on_phones_share, 0, 1));
  k.push_back(Num("fraud.mobile_simbox_share", &f.mobile_simbox_share, 0, 1));
  k.push_back(Num("fraud.delayed_payment_share", &f.delayed_payment_share, 0, 1));
  k.push_back(Num("fraud.platform_payment_share", &f.platform_payment_share, 0, 1));
  k.push_back(Num("fraud.rented_mule_share", &f.rented_mule_share, 0, 1));
  k.push_back(Num("fraud.slow_layering_share", &f.slow_layering_share, 0, 1));
  k.push_back(Num("fraud.slow_hop_delay_median_h", &f.slow_hop_delay_median_h, 0.1, 1000));
  k.push_back(Num("fraud.small_batch_seller_share", &f.small_batch_seller_share, 0, 1));
  k.push_back(Num("fraud.postpaid_card_share", &f.postpaid_card_share, 0, 1));
  k.push_back(Num("fraud.short_landing_share", &f.short_landing_share, 0, 1));
  for (int i = 0; i < kNumFraudTypes; ++i) {
    std::string p = fmt::format("fraud.{}.", FraudTypeName(static_cast<FraudType>(i)));
    FraudTypeParams& t = f.types[i];
    k.push_back(Num(p + "weight", &t.weight, 0, 1e6));
    k.push_back(Int(p + "target_age_min", &t.target_age_min, 16, 90));
    k.push_back(Int(p + "target_age_max", &t.target_age_max, 16, 90));
    k.push_back(Num(p + "target_female_weight", &t.target_female_weight, 0, 100));
    k.push_back(Num(p + "off_profile_weight", &t.off_profile_weight, 0, 1));
    k.push_back(Num(p + "answer_prob", &t.answer_prob, 0, 1));
    k.push_back(Num(p + "hook_prob", &t.hook_prob, 0, 1));
    k.push_back(Num(p + "pay_prob", &t.pay_prob, 0, 1));
    k.push_back(Num(p + "loss_median", &t.loss_median, 1, 1e8));
    k.push_back(Num(p + "loss_sigma", &t.loss_sigma, 0, 4));
    k.push_back(Int(p + "payments_min", &t.payments_min, 1, 50));
    k.push_back(Int(p + "payments_max", &t.payments_max, 1, 50));
    k.push_back(Num(p + "payment_gap_h", &t.payment_gap_h, 0.01, 1000));
    k.push_back(Num(p + "groom_days", &t.groom_days, 0, 365));
  }
  return k;
}

// Walks the TOML tree; every leaf must be a known key, every table a known prefix.
Status Apply(const toml::table& tbl, const std::string& prefix, const std::vector<Key>& keys,
             const std::string& name) {
  for (auto&& [k, v] : tbl) {
    std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (v.is_table()) {
      bool known_prefix = false;
      for (const Key& key : keys)
        if (key.path.size() > path.size() && key.path.compare(0, path.size(), path) == 0 &&
            key.path[path.size()] == '.')
          known_prefix = true;
      if (!known_prefix) return Status::Invalid(fmt::format("{}: unknown table '{}'", name, path));
      Status s = Apply(*v.as_table(), path, keys, name);
      if (!s.ok()) return s;
      continue;
    }
    const Key* found = nullptr;
    for (const Key& key : keys)
      if (key.path == path) found = &key;
    if (!found) return Status::Invalid(fmt::format("{}: unknown key '{}'", name, path));
    std::string err = found->set(v);
    if (!err.empty()) return Status::Invalid(fmt::format("{}: key '{}' {}", name, path, err));
  }
  return Status::Ok();
}

}  // namespace

Status LoadScenarioText(const std::string& text, const std::string& name, Scenario* sc) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, std::string_view(name));
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return Status::Invalid(fmt::format("{}:{}:{}: {}", name, b.line, b.column, e.description()));
  }
  Scenario tmp = *sc;
  Status s = Apply(tbl, "", Keys(&tmp), name);
  if (!s.ok()) return s;
  s = ValidateScenario(tmp);
  if (!s.ok()) return Status::Invalid(fmt::format("{}: {}", name, s.message()));
  *sc = tmp;
  return Status::Ok();
}

std::string DumpScenario(const Scenario& sc) {
  Scenario copy = sc;
  std::string out;
  for (const Key& k : Keys(&copy)) out += k.path + " = " + k.get() + "\n";
  return out;
}

Status LoadScenarioFile(const std::string& path, Scenario* sc) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound(fmt::format("{}: cannot open scenario file", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return LoadScenarioText(ss.str(), path, sc);
}

Status ValidateScenario(const Scenario& sc) {
  if (sc.world.counties_min > sc.world.counties_max)
    return Status::Invalid("key 'world.counties_min' must not exceed 'world.counties_max'");
  if (sc.world.two_sims_share + sc.world.three_sims_share > 1)
    return Status::Invalid("keys 'world.two_sims_share' + 'world.three_sims_share' must not exceed 1");
  if (sc.calls.stranger_share + sc.calls.service_share > 1)
    return Status::Invalid("keys 'calls.stranger_share' + 'calls.service_share' must not exceed 1");
  if (sc.fraud.overseas_share + sc.fraud.voip_share + sc.fraud.simbox_share > 1)
    return Status::Invalid(
        "keys 'fraud.simbox_share' + 'fraud.overseas_share' + 'fraud.voip_share' must not exceed 1");
  if (sc.fraud.card_seller_share + sc.fraud.insider_share > 1)
    return Status::Invalid("keys 'fraud.card_seller_share' + 'fraud.insider_share' must not exceed 1");
  double wsum = 0;
  for (int i = 0; i < kNumFraudTypes; ++i) {
    const FraudTypeParams& t = sc.fraud.types[i];
    const char* n = FraudTypeName(static_cast<FraudType>(i));
    if (t.target_age_min > t.target_age_max)
      return Status::Invalid(fmt::format("key 'fraud.{}.target_age_min' must not exceed 'target_age_max'", n));
    if (t.payments_min > t.payments_max)
      return Status::Invalid(fmt::format("key 'fraud.{}.payments_min' must not exceed 'payments_max'", n));
    wsum += t.weight;
  }
  if (sc.fraud.gangs_per_million > 0 && wsum <= 0)
    return Status::Invalid("keys 'fraud.<type>.weight' must not all be 0");
  return Status::Ok();
}

}  // namespace interdict::sim
