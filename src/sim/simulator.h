// The simulated province: `RunSimulation` builds a world of people, SIMs,
// bank accounts, businesses and fraud gangs from a Scenario and a seed, then
// generates its calls, SMS, transfers and victims' reports day by day and
// writes a labelled data set in the interchange format
// (shared/spec/events.md) under `out_dir`. docs/simulator.md describes the
// model and every parameter.
//
// Determinism: the same options (seed, persons, days, start, scenario) give
// the same bytes; all randomness comes from sim::Rng and all iteration is over
// index order, never over pointer values or hash order.
// Memory does not grow with days: a day's events are generated into buffers,
// sorted, handed to a writer thread and dropped; only events that a day
// schedules into a later day (a callback after midnight, a mule hop at dawn)
// are carried over.
#pragma once
#include <cstdint>
#include <string>

#include "base/money.h"
#include "base/status.h"
#include "base/time.h"
#include "sim/scenario.h"

namespace interdict::sim {

struct SimOptions {
  uint64_t persons = 10000;
  int days = 7;
  uint64_t seed = 1;
  Ts start = 0;             // first second of the simulated window (local midnight)
  std::string out_dir;
  Scenario scenario;
  TimeZone zone;            // output offset (+08:00)
  bool writer_thread = true;  // format and write on a second thread while the next day is generated
};

// How much of each realism feature (docs/simulator.md, "Realism") the world
// holds: the tests check each is present at its knob's rate and absent at 0.
struct RealismCounts {
  // hard negatives
  uint64_t shared_handsets = 0;     // handsets holding SIMs of two or more family members
  uint64_t young_sim_people = 0;    // people whose SIMs are all under 6 months old
  uint64_t offnet_contacts = 0;     // people with an off-net relative or friend
  uint64_t offnet_businesses = 0;
  uint64_t riders = 0, collections = 0;
  uint64_t new_heavy_lines = 0;     // heavy work numbers opened within 90 days
  uint64_t gateway_sims = 0, iot_sims = 0;
  uint64_t personal_merchants = 0;
  uint64_t large_new_payee = 0;     // payments made
  // adaptive gangs
  uint64_t low_volume_numbers = 0;
  uint64_t farm_phones = 0;         // ordinary phones doing a SIM box's work
  uint64_t mobile_simbox_imeis = 0; // IMEIs of SIM boxes that move
  uint64_t paying_decided = 0;      // cases whose victim decides to pay (some pay after the window)
  uint64_t delayed_cases = 0, short_landing_cases = 0, slow_cases = 0;  // delayed, slow: of paying_decided
  uint64_t platform_payments = 0;
  uint64_t rented_mules = 0;
  uint64_t small_batch_sellers = 0;
};

struct SimSummary {
  uint64_t people = 0;
  uint64_t sims = 0;
  uint64_t accounts = 0;
  uint64_t calls = 0;
  uint64_t sms = 0;
  uint64_t transfers = 0;
  uint64_t reports = 0;
  uint64_t gangs = 0;
  uint64_t cases = 0;
  uint64_t paying_cases = 0;
  Money losses = 0;  // sum of hop-1 amounts
  uint64_t mule_accounts = 0;  // labelled mule_l1/l2/l3 + cashout
  uint64_t fraud_numbers = 0;  // labelled fraud_caller + simbox_sim
  uint64_t fraud_calls = 0;
  uint64_t normal_heavy = 0;
  uint64_t normal_other = 0;   // labelled normal_gateway, normal_iot, normal_offnet numbers
  RealismCounts realism;
  uint64_t bytes = 0;
  double seconds = 0;
};

// Builds and writes the world. Errors: an output file that cannot be created
// or written, bad options (persons 0, days outside 1..3660).
Status RunSimulation(const SimOptions& opt, SimSummary* summary);

}  // namespace interdict::sim
