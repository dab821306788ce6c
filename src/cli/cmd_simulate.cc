// interdict simulate: writes a labelled simulated province (src/sim,
// docs/simulator.md) as an interchange-format data set.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/report_util.h"
#include "sim/simulator.h"

namespace interdict::cli {
namespace {

struct SimulateOptions {
  uint64_t persons = 100000;
  int days = 7;
  uint64_t seed = 1;
  std::string out;
  std::string scenario;
  std::string start = "2024-03-01";
  bool single_thread = false;
};

int RunSimulate(const SimulateOptions& o) {
  sim::SimOptions opt;
  opt.persons = o.persons;
  opt.days = o.days;
  opt.seed = o.seed;
  opt.out_dir = o.out;
  opt.zone = Globals().tz;
  opt.writer_thread = !o.single_thread;
  Ts start;
  // A date only: days run from local midnight (the daily rhythm is laid out from there).
  if (o.start.size() != 10 || !ParseTs(o.start + "T00:00:00", Globals().tz, &start))
    return Fail(kExitUsage, fmt::format("--start: expected a date like 2024-03-01, got '{}'", o.start));
  opt.start = start;
  if (!o.scenario.empty()) {
    Status s = sim::LoadScenarioFile(o.scenario, &opt.scenario);
    if (!s.ok()) return Fail(s.code() == Status::Code::kNotFound ? kExitInput : kExitUsage, s.message());
  }
  sim::SimSummary sum;
  Status s = sim::RunSimulation(opt, &sum);
  if (!s.ok()) return Fail(s.code() == Status::Code::kIoError ? kExitOutput : kExitUsage, s.message());
  std::printf("people:     %s\n", Thousands(sum.people).c_str());
  std::printf("SIMs:       %s\n", Thousands(sum.sims).c_str());
  std::printf("accounts:   %s\n", Thousands(sum.accounts).c_str());
  std::printf("calls:      %s (fraud %s)\n", Thousands(sum.calls).c_str(), Thousands(sum.fraud_calls).c_str());
  std::printf("SMS:        %s\n", Thousands(sum.sms).c_str());
  std::printf("transfers:  %s\n", Thousands(sum.transfers).c_str());
  std::printf("reports:    %s\n", Thousands(sum.reports).c_str());
  std::printf("gangs:      %s\n", Thousands(sum.gangs).c_str());
  std::printf("cases:      %s (%s with a loss)\n", Thousands(sum.cases).c_str(), Thousands(sum.paying_cases).c_str());
  std::printf("losses:     %s yuan\n", FormatMoney(sum.losses).c_str());
  std::printf("mules:      %s accounts\n", Thousands(sum.mule_accounts).c_str());
  std::printf("fraud nums: %s (normal_heavy %s, other negatives %s)\n", Thousands(sum.fraud_numbers).c_str(),
              Thousands(sum.normal_heavy).c_str(), Thousands(sum.normal_other).c_str());
  const sim::RealismCounts& r = sum.realism;
  std::printf("negatives:  %s gateway + %s IoT SIMs, %s shared handsets, %s young-SIM people, %s new heavy lines,\n"
              "            %s off-net contacts + %s businesses, %s personal merchants, %s large first payments\n",
              Thousands(r.gateway_sims).c_str(), Thousands(r.iot_sims).c_str(), Thousands(r.shared_handsets).c_str(),
              Thousands(r.young_sim_people).c_str(), Thousands(r.new_heavy_lines).c_str(),
              Thousands(r.offnet_contacts).c_str(), Thousands(r.offnet_businesses).c_str(),
              Thousands(r.personal_merchants).c_str(), Thousands(r.large_new_payee).c_str());
  std::printf("adaptive:   %s low-volume numbers, %s farm phones, %s moving box IMEIs, %s rented mules,\n"
              "            %s small-batch sellers; cases: %s delayed, %s short landing, %s slow layering;"
              " %s platform payments\n",
              Thousands(r.low_volume_numbers).c_str(), Thousands(r.farm_phones).c_str(),
              Thousands(r.mobile_simbox_imeis).c_str(), Thousands(r.rented_mules).c_str(),
              Thousands(r.small_batch_sellers).c_str(), Thousands(r.delayed_cases).c_str(),
              Thousands(r.short_landing_cases).c_str(), Thousands(r.slow_cases).c_str(),
              Thousands(r.platform_payments).c_str());
  std::printf("written:    %.1f MB in %.1f s -> %s\n", sum.bytes / 1e6, sum.seconds, o.out.c_str());
  return kExitOk;
}

const bool kRegistered = RegisterCommand(20, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand("simulate", "Generate a labelled simulated province (calls, SMS, transfers, fraud)");
  cmd->add_option("--persons", o->persons, "number of people")->capture_default_str();
  cmd->add_option("--days", o->days, "days of events from --start")->capture_default_str();
  cmd->add_option("--seed", o->seed, "random seed: same seed and options, same bytes")->capture_default_str();
  cmd->add_option("--out", o->out, "output directory (created)")->required();
  cmd->add_option("--scenario", o->scenario, "TOML scenario file (see config/scenario-default.toml)");
  cmd->add_option("--start", o->start, "first day, local time")->capture_default_str();
  cmd->add_flag("--single-thread", o->single_thread, "format and write on the generating thread");
  cmd->callback([o, exit_code] { *exit_code = RunSimulate(*o); });
});

}  // namespace
}  // namespace interdict::cli
