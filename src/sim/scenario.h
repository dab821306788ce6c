// Scenario: every rate of the simulated province. The defaults here equal
// config/scenario-default.toml (a test checks it); docs/simulator.md gives the
// source or reasoning of each. A scenario file (TOML) overrides any subset;
// an unknown key, a value of the wrong type or out of range is an error that
// names the key.
//
// Plain value type; copy freely.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace interdict::sim {

// The fraud types a gang can run (one per gang), in a fixed order.
enum class FraudType : uint8_t { kOfficial = 0, kRefund, kInvestment, kLoan, kBrushing };
inline constexpr int kNumFraudTypes = 5;
// Lower-case names: TOML table names and the fraud_type written to labels and reports.
const char* FraudTypeName(FraudType t);

struct FraudTypeParams {
  double weight = 1;             // share of gangs running this type
  int target_age_min = 16;       // the profile the gang seeks; others are
  int target_age_max = 90;       //   accepted with off_profile_weight
  double target_female_weight = 1;  // relative weight of women (men = 1)
  double off_profile_weight = 0.2;
  double answer_prob = 0.3;      // an attempt is answered
  double hook_prob = 0.015;      // an attempt on an in-profile person becomes a case
  double pay_prob = 0.6;         // a case pays at least once
  double loss_median = 20000;    // yuan, total per paying case (log-normal)
  double loss_sigma = 1.3;
  int payments_min = 1;
  int payments_max = 3;
  double payment_gap_h = 0.7;    // median hours between payments
  double groom_days = 0;         // median days of grooming before the first payment (0 = none)
};

struct Scenario {
  struct World {
    int cities = 20;
    int counties_min = 3;
    int counties_max = 8;
    double persons_per_cell = 800;
    double two_sims_share = 0.18;
    double three_sims_share = 0.04;
    std::vector<double> accounts_weights = {0.30, 0.35, 0.22, 0.13};  // 1..4 accounts
    double contacts_xmin = 5;       // Pareto scale of non-family contacts initiated
    double contacts_alpha = 1.8;    // Pareto tail index
    int contacts_max = 400;
    double employers_per_1000 = 8;
    double merchants_per_1000 = 12;
    double employed_share = 0.62;
    double handset_change_per_day = 0.0015;
    double card_age_mean_years = 4;
    // Hard negatives (docs/simulator.md, "Realism"): on by default so that
    // rules cannot fit a world where only fraud looks unusual.
    double shared_handset_share = 0.04;  // of households of 2+: members' SIMs in one handset
    double young_sim_share = 0.1;        // people whose SIMs were all opened in the last 6 months
  } world;

  struct Calls {
    double per_person_day = 3.4;
    double activity_sigma = 0.7;
    double unanswered_share = 0.2;
    double duration_median_s = 70;
    double duration_sigma = 1.1;
    double callback_prob = 0.45;
    double stranger_share = 0.05;
    double service_share = 0.03;
    double second_sim_share = 0.15;
    double offnet_contact_share = 0.2;  // people with a relative or friend on an off-net number
    std::vector<double> hour_weights = {0.4, 0.2, 0.1, 0.1, 0.1, 0.3, 1.0, 2.5, 4.5, 6.5, 7.0, 7.0,
                                        5.5, 5.5, 6.5, 7.0, 7.0, 7.0, 7.0, 7.0, 6.0, 4.5, 2.5, 1.2};
  } calls;

  struct Sms {
    double p2p_per_person_day = 0.8;
    double service_per_person_day = 0.3;
    double bank_notice_prob = 0.8;
    double marketing_campaigns_per_million_day = 120;
    double marketing_campaign_size = 3000;
  } sms;

  struct Money {
    double shopping_per_person_day = 0.55;
    double shopping_median = 45;
    double app_payment_per_person_day = 0.35;
    double app_payment_median = 60;
    double family_per_person_day = 0.06;
    double family_median = 500;
    double atm_per_person_day = 0.04;
    double atm_median = 700;
    double deposit_per_person_day = 0.03;
    double deposit_median = 2500;
    double rent_share = 0.22;
    double rent_median = 1800;
    double salary_median = 6200;
    double personal_merchants_per_1000 = 2;       // shops taking payments into a personal account
    double large_new_payee_per_million_day = 800;  // deposits, cars, tuition: a large first payment
  } money;

  struct Heavy {
    double couriers_per_1000 = 1.0;
    double telemarketers_per_1000 = 0.3;
    double drivers_per_1000 = 1.5;
    double clinics_per_1000 = 0.2;
    double agents_per_1000 = 0.5;
    double riders_per_1000 = 1.5;       // delivery riders: many very short calls
    double collections_per_1000 = 0.2;  // debt collection and cold sales: mostly unanswered
    double new_line_share = 0.3;        // heavy work numbers opened within 90 days (riders: twice)
    double gateways_per_million = 30;   // enterprise call gateways / SIM banks (8-32 SIMs, one device)
    double iot_fleets_per_million = 40; // IoT and fleet SIM groups (plan iot)
    double offnet_businesses_per_million = 20;  // outbound callers with no sim_cards row
  } heavy;

  struct Fraud {
    double gangs_per_million = 6;
    double attempts_per_gang_day = 3000;
    double simbox_share = 0.45;     // of attempts, for gangs that have a SIM box
    double simbox_gang_share = 0.6; // gangs that run a SIM box
    double overseas_share = 0.12;
    double voip_share = 0.08;       // the rest comes from fraud phones
    double simbox_calls_per_sim_day = 45;
    double phone_calls_per_sim_day = 90;
    double offnet_calls_per_number_day = 110;
    double volume_sigma = 0.6;      // spread of per-number daily volume
    int rotation_days = 4;          // a number is used for about this many days
    double sim_second_phone_prob = 0.7;  // a phone SIM moves to a second handset
    double followup_calls_mean = 2.5;    // short/unanswered calls before the one that lands
    double landing_median_s = 1500;
    double callback_prob = 0.02;    // a contacted person calls the number back
    double sms_campaign_prob = 0.5; // per gang per day
    double sms_campaign_size = 800;
    double sms_hook_prob = 0.001;
    int mules_l1 = 12;
    int mules_l2 = 8;
    int mules_l3 = 5;
    int cashout_accounts = 3;
    int collectors = 2;
    double three_layer_share = 0.5;
    double cashout_share = 0.6;
    double hop_delay_median_min = 12;
    double mule_fee = 0.01;
    int accounts_per_mule_phone = 5;
    double card_seller_share = 0.5;  // of a gang's SIMs; insider_share and the rest dormant
    double insider_share = 0.3;
    int sims_per_card_seller = 8;
    double insider_outlets_per_million = 3;
    int accounts_per_account_seller = 3;
    double insider_branch_share = 0.3;  // of a gang's mule accounts, opened at one complicit bank branch
    int recruiters_per_gang = 1;
    double report_prob = 0.4;
    double report_delay_median_h = 20;
    double suspect_named_prob = 0.7;
    // Gangs that adapt to the rules (docs/simulator.md, "Realism").
    double low_volume_share = 0.3;          // of SIM-box and phone attempts, on low-volume numbers
    double low_volume_calls_per_sim_day = 12;
    double box_on_phones_share = 0.3;       // of a SIM-box gang's box volume, on ordinary phones instead
    double mobile_simbox_share = 0.4;       // SIM boxes with 2-4 IMEIs that move between cells
    double delayed_payment_share = 0.3;     // paying cases: first payment hours to days after the call
    double platform_payment_share = 0.15;   // victims' payments to a payment-platform (outside) account
    double rented_mule_share = 0.4;         // mule accounts rented from people who use them normally
    double slow_layering_share = 0.3;       // cases whose money moves on hours to days per hop
    double slow_hop_delay_median_h = 8;
    double small_batch_seller_share = 0.4;  // card sellers opening 2-4 cards over weeks at one outlet
    double short_landing_share = 0.3;       // cases whose landing call is under 600 s
    double postpaid_card_share = 0.1;       // insider-opened and dormant fraud cards that are postpaid contracts
    std::array<FraudTypeParams, kNumFraudTypes> types = DefaultTypes();
  } fraud;

  static std::array<FraudTypeParams, kNumFraudTypes> DefaultTypes();
};

// Applies a TOML scenario file over `*sc` (which holds defaults). Errors name
// the file and the key: "scenario.toml: unknown key 'calls.per_persn_day'".
Status LoadScenarioFile(const std::string& path, Scenario* sc);
// Same, from TOML text (tests; `name` is used in messages).
Status LoadScenarioText(const std::string& text, const std::string& name, Scenario* sc);
// Every key with its value, one "dotted.key = value" line each, in a fixed
// order (tests compare scenarios with it; handy to print the effective rates).
std::string DumpScenario(const Scenario& sc);
// Cross-field checks (shares that must not sum over 1 ...).
Status ValidateScenario(const Scenario& sc);

}  // namespace interdict::sim
