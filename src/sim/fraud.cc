// The fraud: gangs with their calling infrastructure (SIM boxes, fraud phones
// cycling bought SIMs, overseas and VoIP numbers), the cards they buy (card
// sellers, insider outlets, dormant cards), their mule accounts (account
// sellers, mule phones, layers, cash-out), and each day's attempts, victims,
// payments, layering and reports. Ground truth is recorded as it happens:
// a number, device or account is labelled only once it was really used.
#include <algorithm>
#include <cmath>

#include "base/hash.h"
#include "model/enums.h"
#include "sim/world.h"

namespace interdict::sim {

namespace {
// Country codes of the call centres that target China (Cambodia, Philippines,
// Myanmar, Malaysia, Thailand, Laos, Vietnam).
constexpr uint64_t kOverseasCc[] = {855, 63, 95, 60, 66, 856, 84};
constexpr uint8_t kT = static_cast<uint8_t>(TransferKind::kTransfer);
}  // namespace

uint64_t Generator::NewOutsideAccount() {
  // Accounts at banks outside the data set (no bank_accounts row): rural and city banks of other provinces.
  const uint64_t bins[4] = {623059, 621483, 622909, 625995};
  uint64_t c = ++outside_counter_;
  return bins[c % 4] * 10000000000ull + (c * 3333333331ull + 987654321ull) % 10000000000ull;
}

uint64_t Generator::NewPlatformAccount() {
  // Merchant accounts at a payment platform (16 digits from 2088): outside accounts. Victims of
  // some gangs pay into one; ordinary people pay large sums to such merchants too.
  return 2088000000000000ull + (++outside_counter_ * 7777777ull + 1234567ull) % 1000000000000ull;
}

uint32_t Generator::NewFraudDevice(DeviceRole role, uint32_t g, uint32_t cell) {
  fdevices_.push_back({NewImei(), role, g, cell, false});
  return static_cast<uint32_t>(fdevices_.size() - 1);
}

uint32_t Generator::BuySim(uint32_t g, Ts first_use) {
  const auto& f = sc_.fraud;
  auto fresh_person = [&](int lo, int hi) {
    uint32_t p = RandomAdult(lo, hi);
    for (int i = 0; i < 64 && person_flag_[p]; ++i) p = RandomAdult(lo, hi);
    person_flag_[p] = 1;
    return p;
  };
  double u = rng_.Uniform();
  if (u < f.card_seller_share) {
    // A card seller opens a batch over a few days, across operators and outlets, weeks before use.
    if (card_seller_left_ <= 0 || card_batch_ts_ >= first_use) {
      card_seller_ = fresh_person(18, 40);
      person_labels_.push_back({card_seller_, 0, g});
      if (f.small_batch_seller_share > 0 && rng_.Chance(f.small_batch_seller_share)) {
        // A seller who knows the rules: 2-4 cards over weeks, at one outlet and one operator.
        ++stats_.realism.small_batch_sellers;
        card_seller_left_ = static_cast<int>(rng_.Between(2, 4));
        card_batch_span_ = static_cast<Ts>(rng_.Between(8, 28)) * 86400;
        card_seller_outlet_ = RandomOutlet(persons_[card_seller_].county);
        card_seller_op_ = static_cast<int>(rng_.Below(3));
      } else {
        card_seller_left_ = static_cast<int>(rng_.Between(std::max(1, f.sims_per_card_seller / 2),
                                                          std::max(1, f.sims_per_card_seller * 3 / 2)));
        card_batch_span_ = 3 * 86400;
        card_seller_outlet_ = kNone;
        card_seller_op_ = -1;
      }
      card_batch_ts_ = first_use - card_batch_span_ + 3 * 86400 - static_cast<Ts>(rng_.Between(3, 30)) * 86400;
    }
    --card_seller_left_;
    Ts opened = std::min(card_batch_ts_ + static_cast<Ts>(rng_.Below(static_cast<uint64_t>(card_batch_span_))),
                         first_use - 3600);
    const uint32_t outlet =
        card_seller_outlet_ != kNone ? card_seller_outlet_ : RandomOutlet(persons_[card_seller_].county);
    return NewSim(card_seller_, opened, outlet, 1, card_seller_op_);
  }
  if (u < f.card_seller_share + f.insider_share && !insider_outlets_.empty()) {
    // An outlet with a complicit insider opens cards in other people's names.
    uint32_t outlet = insider_outlets_[g % insider_outlets_.size()];
    uint32_t holder = RandomAdult(18, 80);
    Ts opened = first_use - static_cast<Ts>(rng_.Between(1, 20)) * 86400 - static_cast<Ts>(rng_.Below(8 * 3600));
    return NewSim(holder, opened, outlet, FraudCardPlan());
  }
  // A dormant card: opened months ago by someone who sold it, silent until the gang wakes it.
  uint32_t holder = fresh_person(18, 60);
  person_labels_.push_back({holder, 0, g});
  Ts opened = start_ - static_cast<Ts>(rng_.Between(90, 365)) * 86400 - static_cast<Ts>(rng_.Below(86400));
  return NewSim(holder, opened, RandomOutlet(persons_[holder].county), FraudCardPlan());
}

uint8_t Generator::FraudCardPlan() {
  // Cards opened in a real person's name (by an insider, or sold by their
  // holder and woken later) can be postpaid contracts, which the engine does
  // not count as a risky new card: worlds must show what that costs. A card
  // seller's batch is prepaid (nobody signs contracts by the dozen).
  const double share = sc_.fraud.postpaid_card_share;
  return share > 0 && rng_.Chance(share) ? 2 : 1;
}

void Generator::AddNumbers(uint32_t g, Channel5 ch, double daily_calls, double per_number, bool farm) {
  if (daily_calls <= 0) return;
  const auto& f = sc_.fraud;
  Gang& gang = gangs_[g];
  // Slots at the channel's usual volume, and (SIM boxes, phones) a share of the
  // attempts spread thin over low-volume numbers; shuffled so that both kinds
  // share boxes and phones.
  const bool on_net = ch == Channel5::kSimbox || ch == Channel5::kPhone;
  const double lv = on_net ? f.low_volume_share : 0;
  const double low = std::min(per_number, f.low_volume_calls_per_sim_day);
  std::vector<double> slot_volume;
  if (lv < 1)
    slot_volume.assign(static_cast<size_t>(std::ceil(daily_calls * (1 - lv) / per_number)), per_number);
  if (lv > 0) slot_volume.insert(slot_volume.end(), static_cast<size_t>(std::ceil(daily_calls * lv / low)), low);
  for (size_t i = slot_volume.size(); lv > 0 && i > 1; --i) std::swap(slot_volume[i - 1], slot_volume[rng_.Below(i)]);
  const int slots = static_cast<int>(slot_volume.size());
  const int rot = f.rotation_days;
  const int days = opt_.days;
  std::vector<uint32_t> devs;
  std::vector<std::vector<uint32_t>> box_modules;  // per SIM box: its modules' device indices
  if (ch == Channel5::kSimbox) {
    for (int b = 0; b < (slots + 127) / 128; ++b) {
      const uint32_t cell = b == 0 ? gang.den_cell : RandomCellInCounty(gang.county);
      std::vector<uint32_t> modules;
      // Stratified over the world's boxes (random phase): the share holds to within one box even
      // in a world of three boxes.
      if (box_phase_ < 0) box_phase_ = rng_.Uniform();
      const double ms = f.mobile_simbox_share;
      const bool mobile = std::floor((boxes_made_ + 1) * ms + box_phase_) > std::floor(boxes_made_ * ms + box_phase_);
      ++boxes_made_;
      if (mobile) {
        // A box in a car: 2-4 modules, each with its own IMEI, that SIMs move
        // between, parked in a different cell every day.
        const int k = static_cast<int>(rng_.Between(2, 4));
        for (int m = 0; m < k; ++m) {
          modules.push_back(NewFraudDevice(DeviceRole::kSimbox, g, cell));
          fdevices_[modules.back()].moving = true;
          fdevices_[modules.back()].box = modules.front();
        }
        stats_.realism.mobile_simbox_imeis += k;
      } else {
        modules.push_back(NewFraudDevice(DeviceRole::kSimbox, g, cell));
      }
      box_modules.push_back(std::move(modules));
    }
  } else if (ch == Channel5::kPhone && farm) {
    // Ordinary phones doing a SIM box's work: one SIM each, carried around the county.
    for (int b = 0; b < slots; ++b) {
      devs.push_back(NewFraudDevice(DeviceRole::kFraudPhone, g, gang.den_cell));
      fdevices_[devs.back()].moving = true;
    }
    stats_.realism.farm_phones += slots;
  } else if (ch == Channel5::kPhone) {
    for (int b = 0; b < (slots + 1) / 2; ++b) devs.push_back(NewFraudDevice(DeviceRole::kFraudPhone, g, gang.den_cell));
  }
  for (int s = 0; s < slots; ++s) {
    int phase = static_cast<int>(rng_.Below(rot));
    for (int from0 = -phase; from0 < days; from0 += rot) {
      int from = std::max(0, from0), to = std::min(days, from0 + rot);
      if (from >= to) continue;
      FraudNumber fn;
      fn.channel = ch;
      fn.day_from = static_cast<int16_t>(from);
      fn.day_to = static_cast<int16_t>(to);
      // Weight = expected daily calls (/ 100): one channel's pick mixes usual,
      // low-volume and farm numbers in proportion to their volumes.
      fn.weight = static_cast<float>(rng_.LogNormal(1, f.volume_sigma) * slot_volume[static_cast<size_t>(s)] / 100);
      stats_.realism.low_volume_numbers += slot_volume[static_cast<size_t>(s)] < per_number;
      if (ch == Channel5::kSimbox || ch == Channel5::kPhone) {
        fn.sim = BuySim(g, DayStart(from));
        fn.number = sims_[fn.sim].msisdn;
        if (ch == Channel5::kSimbox) {
          const std::vector<uint32_t>& modules = box_modules[static_cast<size_t>(s) / 128];
          fn.dev = modules[static_cast<size_t>(s) % modules.size()];
          if (modules.size() > 1 && to - from >= 2) {  // the box re-seats the SIM in another module
            fn.dev2 = modules[(static_cast<size_t>(s) + 1) % modules.size()];
            fn.switch_day = static_cast<int16_t>(from + (to - from) / 2);
          }
        } else if (farm) {
          // One SIM per phone at a time; like other fraud SIMs it may move to a second phone.
          fn.dev = devs[static_cast<size_t>(s)];
          if (devs.size() > 1 && to - from >= 2 && rng_.Chance(f.sim_second_phone_prob)) {
            fn.dev2 = devs[(static_cast<size_t>(s) + 1) % devs.size()];
            fn.switch_day = static_cast<int16_t>(from + (to - from) / 2);
          }
        } else {
          fn.dev = devs[static_cast<size_t>(s) / 2];
          // Sichuan: fraud numbers median 2 handsets. The SIM moves to a second phone half-way.
          if (devs.size() > 1 && to - from >= 2 && rng_.Chance(f.sim_second_phone_prob)) {
            fn.dev2 = devs[(static_cast<size_t>(s) / 2 + 1) % devs.size()];
            fn.switch_day = static_cast<int16_t>(from + (to - from) / 2);
          }
        }
      } else if (ch == Channel5::kOverseas) {
        uint64_t cc = kOverseasCc[rng_.Below(sizeof(kOverseasCc) / sizeof(kOverseasCc[0]))];
        fn.number = kPlus | (cc * 1000000000ull + (++outside_counter_ * 387420489ull + 1000000ull) % 1000000000ull);
      } else {
        // Virtual-operator (170/171) numbers reached through VoIP gateways: off-net here.
        fn.number = 17000000000ull + (++outside_counter_ * 43046721ull + 7654321ull) % 100000000ull;
      }
      fnumbers_.push_back(fn);
      gang.numbers.push_back(static_cast<uint32_t>(fnumbers_.size() - 1));
    }
  }
}

void Generator::BuildFraud() {
  const auto& f = sc_.fraud;
  const double expected = n_ * f.gangs_per_million / 1e6;
  uint32_t n_gangs = static_cast<uint32_t>(std::llround(expected));
  double scale = 1;
  if (n_gangs == 0 && expected > 0) {
    // A world too small for one whole gang gets one working at reduced volume,
    // so that fraud stays a realistic share of its traffic.
    n_gangs = 1;
    scale = expected;
  }
  uint32_t n_insider = std::max<uint32_t>(n_gangs > 0 ? 1 : 0,
                                          static_cast<uint32_t>(std::llround(n_ * f.insider_outlets_per_million / 1e6)));
  if (f.insider_outlets_per_million <= 0) n_insider = 0;
  for (uint32_t i = 0; i < n_insider; ++i) {
    uint32_t county = persons_[rng_.Below(n_)].county;
    insider_outlets_.push_back(RandomOutlet(county));
  }
  std::sort(insider_outlets_.begin(), insider_outlets_.end());
  insider_outlets_.erase(std::unique(insider_outlets_.begin(), insider_outlets_.end()), insider_outlets_.end());
  auto fresh_person = [&](int lo, int hi) {
    uint32_t p = RandomAdult(lo, hi);
    for (int i = 0; i < 64 && person_flag_[p]; ++i) p = RandomAdult(lo, hi);
    person_flag_[p] = 1;
    return p;
  };
  for (uint32_t g = 0; g < n_gangs; ++g) {
    Gang gang;
    gang.type = static_cast<FraudType>(PickCumulative(type_cum_, rng_.Uniform()));
    gang.county = persons_[rng_.Below(n_)].county;
    gang.den_cell = RandomCellInCounty(gang.county);
    gang.scale = scale;
    gang.has_simbox = rng_.Chance(f.simbox_gang_share);
    gang.layers = rng_.Chance(f.three_layer_share) ? 3 : 2;
    gang.chat_template = HashU64(opt_.seed ^ 0xc4a7 ^ (static_cast<uint64_t>(g) << 20));
    gangs_.push_back(gang);
    card_seller_left_ = 0;
    const double daily = f.attempts_per_gang_day * scale;
    const double sb = gangs_[g].has_simbox ? f.simbox_share : 0;
    const double farm = sb * f.box_on_phones_share;  // the box's work on ordinary phones
    gangs_[g].box_share = sb - farm;
    AddNumbers(g, Channel5::kSimbox, daily * (sb - farm), f.simbox_calls_per_sim_day);
    AddNumbers(g, Channel5::kPhone, daily * (1 - sb - f.overseas_share - f.voip_share), f.phone_calls_per_sim_day);
    AddNumbers(g, Channel5::kPhone, daily * farm, f.simbox_calls_per_sim_day, /*farm=*/true);
    AddNumbers(g, Channel5::kOverseas, daily * f.overseas_share, f.offnet_calls_per_number_day);
    AddNumbers(g, Channel5::kVoip, daily * f.voip_share, f.offnet_calls_per_number_day);

    // Mule accounts, bought from account sellers who open a few at different banks within days.
    Gang& gr = gangs_[g];
    const int need = f.mules_l1 + f.mules_l2 + (gr.layers == 3 ? f.mules_l3 : 0) + f.cashout_accounts;
    std::vector<uint32_t> accts;
    // A branch with a complicit insider opens part of them (with borrowed or forged papers).
    uint32_t insider_branch = kNone;
    if (f.insider_branch_share > 0) {
      insider_branch = RandomBranch(gr.county, static_cast<uint8_t>(rng_.Below(kNumBanks)));
      insider_branches_.push_back(insider_branch);
    }
    // Rented accounts: a draw per seller, weighted so that rented_mule_share of the accounts are rented.
    const double k_acc = f.accounts_per_account_seller;
    const double rent_p = f.rented_mule_share * k_acc / (1 + (k_acc - 1) * f.rented_mule_share);
    while (static_cast<int>(accts.size()) < need) {
      if (f.rented_mule_share > 0 && rng_.Chance(rent_p)) {
        // Someone rents out the card they live on: wages, shopping and rent keep
        // flowing through it, the gang's money mixed in.
        uint32_t holder = fresh_person(18, 45);
        person_labels_.push_back({holder, 1, g});
        gr.account_sellers.push_back(holder);
        accts.push_back(persons_[holder].first_account);
        accounts_[accts.back()].rented = 1;
        ++stats_.realism.rented_mules;
        continue;
      }
      uint32_t seller = fresh_person(18, 30);
      person_labels_.push_back({seller, 1, g});
      gr.account_sellers.push_back(seller);
      Ts batch = start_ - static_cast<Ts>(rng_.Between(7, 180)) * 86400;
      uint8_t used = 0;
      for (int i = 0; i < f.accounts_per_account_seller && static_cast<int>(accts.size()) < need; ++i) {
        uint8_t b = static_cast<uint8_t>(rng_.Below(kNumBanks));
        for (int t = 0; t < 8 && (used >> b & 1); ++t) b = static_cast<uint8_t>(rng_.Below(kNumBanks));
        const bool at_insider = insider_branch != kNone && rng_.Chance(f.insider_branch_share);
        if (at_insider) b = outlets_[insider_branch].bank;
        used |= static_cast<uint8_t>(1u << b);
        accts.push_back(NewAccount(seller, batch + static_cast<Ts>(rng_.Below(4 * 86400)), b, false));
        if (at_insider) accounts_[accts.back()].branch = insider_branch;
      }
    }
    // Shuffle so that one seller's accounts land in different layers.
    for (size_t i = accts.size(); i > 1; --i) std::swap(accts[i - 1], accts[rng_.Below(i)]);
    size_t k = 0;
    for (int i = 0; i < f.mules_l1; ++i) gr.l1.push_back(accts[k++]);
    for (int i = 0; i < f.mules_l2; ++i) gr.l2.push_back(accts[k++]);
    if (gr.layers == 3)
      for (int i = 0; i < f.mules_l3; ++i) gr.l3.push_back(accts[k++]);
    for (int i = 0; i < f.cashout_accounts; ++i) gr.cashout.push_back(accts[k++]);
    uint32_t phone = kNone;
    for (size_t i = 0; i < accts.size(); ++i) {
      if (i % static_cast<size_t>(f.accounts_per_mule_phone) == 0)
        phone = NewFraudDevice(DeviceRole::kMulePhone, g, gr.den_cell);
      accounts_[accts[i]].mule_dev = phone;
    }
    for (int i = 0; i < f.collectors; ++i) gr.collectors.push_back(NewOutsideAccount());
    for (int i = 0; i < 2; ++i) gr.platforms.push_back(NewPlatformAccount());
    for (int i = 0; i < f.recruiters_per_gang; ++i) {
      uint32_t r = fresh_person(25, 45);
      person_labels_.push_back({r, 2, g});
      gr.recruiters.push_back(r);
    }
  }
  stats_.gangs = gangs_.size();
}

uint32_t Generator::PickTarget(const FraudTypeParams& t) {
  const double wmax = std::max(1.0, t.target_female_weight);
  uint32_t p = 0;
  for (int i = 0; i < 40; ++i) {
    p = static_cast<uint32_t>(rng_.Below(n_));
    int a = Age(p);
    double w = (a >= t.target_age_min && a <= t.target_age_max) ? 1 : t.off_profile_weight;
    if (persons_[p].gender == 1) w *= t.target_female_weight;
    if (rng_.Uniform() * wmax < w) return p;
  }
  return p;
}

uint64_t Generator::FraudImei(const FraudNumber& fn, int d) const {
  if (fn.dev == kNone) return 0;
  uint32_t dev = (fn.dev2 != kNone && d >= fn.switch_day) ? fn.dev2 : fn.dev;
  return fdevices_[dev].imei;
}

uint32_t Generator::FraudCell(const FraudNumber& fn, int d) {
  if (fn.dev == kNone) return kNone;
  uint32_t dev = (fn.dev2 != kNone && d >= fn.switch_day) ? fn.dev2 : fn.dev;
  const FraudDevice& fd = fdevices_[dev];
  if (fd.moving) {
    // Parked in today's cell most of the time, on the road the rest.
    const FraudDevice& lead = fdevices_[fd.box == kNone ? dev : fd.box];
    if (lead.cell_today != kNone && rng_.Chance(0.7)) return lead.cell_today;
    return RandomCellInCounty(cell_county_[fd.cell]);
  }
  if (fd.role == DeviceRole::kSimbox || rng_.Chance(0.85)) return fd.cell;
  return RandomCellInCounty(cell_county_[fd.cell]);
}

bool Generator::EmitFraudCall(Ts ts, uint32_t num_idx, int d, uint64_t callee, uint32_t callee_cell, uint32_t dur) {
  FraudNumber& fn = fnumbers_[num_idx];
  CallRow row{ts, fn.number, callee, FraudImei(fn, d), FraudCell(fn, d), callee_cell, dur};
  if (!Emit(row)) return false;
  fn.used = true;
  if (fn.dev != kNone) fdevices_[(fn.dev2 != kNone && d >= fn.switch_day) ? fn.dev2 : fn.dev].used = true;
  ++stats_.fraud_calls;
  return true;
}

uint32_t Generator::PickActiveNumber(uint32_t g, int d, Channel5 ch) {
  // Small lists (tens to hundreds of numbers): a linear weighted pick.
  double total = 0;
  for (uint32_t i : gangs_[g].numbers) {
    const FraudNumber& fn = fnumbers_[i];
    if (fn.channel == ch && fn.day_from <= d && d < fn.day_to) total += fn.weight;
  }
  if (total <= 0) return kNone;
  double x = rng_.Uniform() * total;
  uint32_t last = kNone;
  for (uint32_t i : gangs_[g].numbers) {
    const FraudNumber& fn = fnumbers_[i];
    if (fn.channel == ch && fn.day_from <= d && d < fn.day_to) {
      last = i;
      if ((x -= fn.weight) < 0) return i;
    }
  }
  return last;
}

void Generator::LabelAccount(uint32_t account, uint8_t role, uint32_t gang) {
  AccountRec& a = accounts_[account];
  if (a.role != kRoleNone) return;
  a.role = role;
  a.gang = gang;
  labelled_accounts_.push_back(account);
}

void Generator::LabelOutside(uint64_t account, uint8_t role, uint32_t gang) {
  if (std::find(labelled_collectors_.begin(), labelled_collectors_.end(), account) != labelled_collectors_.end()) return;
  labelled_collectors_.push_back(account);
  collector_gang_.push_back(gang);
  collector_role_.push_back(role);
}

Ts Generator::HopDelay(uint32_t case_no) {
  const auto& f = sc_.fraud;
  if (cases_[case_no].slow) return 1800 + static_cast<Ts>(rng_.LogNormal(f.slow_hop_delay_median_h * 3600, 0.8));
  return 30 + static_cast<Ts>(rng_.LogNormal(f.hop_delay_median_min * 60, 0.8));
}

void Generator::FraudDay(int d) {
  const auto& f = sc_.fraud;
  // Moving boxes and farm phones park somewhere new each day.
  for (uint32_t i = 0; i < fdevices_.size(); ++i) {
    FraudDevice& fd = fdevices_[i];
    if (fd.moving && (fd.box == kNone || fd.box == i)) fd.cell_today = RandomCellInCounty(cell_county_[fd.cell]);
  }
  const int wday = static_cast<int>((DayStart(d) + opt_.zone.offset_s) / 86400 + 4) % 7;
  for (uint32_t g = 0; g < gangs_.size(); ++g) {
    const Gang& gang = gangs_[g];
    const FraudTypeParams& tp = f.types[static_cast<int>(gang.type)];
    // Per-channel numbers active today, with cumulative weights for fast picks.
    std::vector<uint32_t> act[4];
    std::vector<double> cum[4];
    for (uint32_t i : gang.numbers) {
      const FraudNumber& fn = fnumbers_[i];
      if (fn.day_from <= d && d < fn.day_to) {
        int c = static_cast<int>(fn.channel);
        act[c].push_back(i);
        cum[c].push_back((cum[c].empty() ? 0 : cum[c].back()) + fn.weight);
      }
    }
    const double sb = gang.box_share;
    const double shares[4] = {sb, 1 - sb - f.overseas_share - f.voip_share, f.overseas_share, f.voip_share};
    uint32_t attempts = rng_.Poisson(f.attempts_per_gang_day * gang.scale * (wday == 0 || wday == 6 ? 0.8 : 1.0));
    for (uint32_t i = 0; i < attempts; ++i) {
      double u = rng_.Uniform();
      int c = 0;
      while (c < 3 && u >= shares[c]) u -= shares[c++];
      if (act[c].empty()) c = 1;
      if (act[c].empty()) continue;
      uint32_t num = act[c][PickCumulative(cum[c], rng_.Uniform())];
      Ts ts = DayStart(d) + static_cast<Ts>(PickCumulative(fraud_hour_cum_, rng_.Uniform())) * 3600 +
              static_cast<Ts>(rng_.Below(3600));
      Attempt(g, d, ts, num, PickTarget(tp), false);
    }
    // Mass SMS with a link, one template per campaign, from SIMs that also call.
    if (rng_.Chance(f.sms_campaign_prob)) {
      std::vector<uint32_t> senders;
      for (int c = 0; c < 2; ++c)
        for (uint32_t i : act[c])
          if (fnumbers_[i].used) senders.push_back(i);
      if (!senders.empty()) {
        const uint64_t tmpl = HashU64(opt_.seed ^ 0x5e4d ^ (static_cast<uint64_t>(g) << 32) ^ (static_cast<uint64_t>(d) << 12));
        uint32_t size = static_cast<uint32_t>(rng_.LogNormal(f.sms_campaign_size * gang.scale, 0.5)) + 1;
        Ts t0 = RandomTimeIn(d, 10, 19);
        double span = rng_.Uniform(1800, 7200);
        for (uint32_t i = 0; i < size; ++i) {
          uint32_t num = senders[rng_.Below(senders.size())];
          uint32_t target = PickTarget(tp);
          Ts ts = t0 + static_cast<Ts>(span * i / size);
          if (!Emit(SmsRow{ts, fnumbers_[num].number, PrimaryNumber(target), tmpl, 1})) continue;
          if (rng_.Chance(f.sms_hook_prob)) StartCase(g, target, ts, num, ts + 600 + static_cast<Ts>(rng_.Below(7200)));
        }
      }
    }
    // Recruiters call their account sellers and pay the monthly "rent" for the accounts.
    for (size_t r = 0; r < gang.recruiters.size(); ++r) {
      if (static_cast<int>((g + r * 3) % static_cast<size_t>(opt_.days)) != d) continue;
      uint32_t rec = gang.recruiters[r];
      for (size_t s = r; s < gang.account_sellers.size(); s += gang.recruiters.size()) {
        uint32_t seller = gang.account_sellers[s];
        Ts t = RandomTimeIn(d, 10, 21);
        Emit(CallRow{t, PrimaryNumber(rec), PrimaryNumber(seller), persons_[rec].imei, CellAt(rec, t), CellAt(seller, t),
                     static_cast<uint32_t>(rng_.Between(40, 400))});
        const AccountRec& to = accounts_[persons_[seller].first_account];
        Transfer(t + 600 + static_cast<Ts>(rng_.Below(3600)), accounts_[persons_[rec].first_account].id, to.id,
                 static_cast<Money>(rng_.Between(3, 15)) * 10000, kT, static_cast<uint8_t>(Channel::kApp),
                 persons_[rec].imei, seller, to.bank);
      }
    }
  }
}

void Generator::Attempt(uint32_t g, int d, Ts ts, uint32_t num, uint32_t target, bool) {
  const Gang& gang = gangs_[g];
  const FraudTypeParams& tp = sc_.fraud.types[static_cast<int>(gang.type)];
  const FraudNumber& fn = fnumbers_[num];
  double answer = tp.answer_prob * (fn.channel == Channel5::kPhone ? 1.0 : 0.7) * (Age(target) >= 60 ? 1.2 : 1.0);
  bool answered = rng_.Chance(std::min(1.0, answer));
  uint32_t dur = answered ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(18, 0.8), 2.0, 300.0)) : 0;
  if (!EmitFraudCall(ts, num, d, PrimaryNumber(target), CellAt(target, ts), dur)) return;
  int a = Age(target);
  double w = (a >= tp.target_age_min && a <= tp.target_age_max) ? 1 : tp.off_profile_weight;
  if (persons_[target].gender == 1) w *= tp.target_female_weight;
  if (answered && rng_.Chance(std::min(1.0, tp.hook_prob / std::max(1e-9, answer) * w))) {
    StartCase(g, target, ts, num, ts + dur + 60);
  } else if (rng_.Chance(sc_.fraud.callback_prob)) {
    // Curious or worried people call unknown numbers back; few do.
    Ts t = ts + 60 + static_cast<Ts>(rng_.Exponential(3 * 3600));
    Emit(CallRow{t, PrimaryNumber(target), fn.number, persons_[target].imei, CellAt(target, t),
                 fn.sim == kNone ? kNone : fdevices_[fn.dev].cell,
                 rng_.Chance(0.5) ? static_cast<uint32_t>(rng_.Between(5, 60)) : 0u});
  }
}

void Generator::StartCase(uint32_t g, uint32_t victim, Ts first_contact, uint32_t num, Ts t) {
  const auto& f = sc_.fraud;
  const Gang& gang = gangs_[g];
  const FraudTypeParams& tp = f.types[static_cast<int>(gang.type)];
  const uint32_t case_no = static_cast<uint32_t>(cases_.size());
  CaseRec c;
  c.victim = victim;
  c.victim_sim = persons_[victim].first_sim;
  c.victim_account = persons_[victim].first_account;
  c.type = gang.type;
  c.gang = g;
  c.first_contact = first_contact;
  c.slow = f.slow_layering_share > 0 && rng_.Chance(f.slow_layering_share);
  cases_.push_back(c);
  const uint64_t vnum = PrimaryNumber(victim);
  auto day_of = [&](Ts ts) { return static_cast<int>((ts - start_) / 86400); };
  auto other_number = [&](Ts ts, Channel5 ch) {
    uint32_t n2 = PickActiveNumber(g, std::min(opt_.days - 1, day_of(ts)), ch);
    return n2 == kNone ? num : n2;
  };
  // Short or unanswered calls before the one that lands.
  uint32_t k = rng_.Poisson(f.followup_calls_mean);
  for (uint32_t i = 0; i < k; ++i) {
    t += 60 + static_cast<Ts>(rng_.LogNormal(1200, 1.0));
    uint32_t n = rng_.Chance(0.6) ? num : other_number(t, Channel5::kPhone);
    uint32_t dur = rng_.Chance(0.7) ? 0 : static_cast<uint32_t>(rng_.Between(5, 40));
    EmitFraudCall(t, n, day_of(t), vnum, CellAt(victim, t), dur);
  }
  // The call that lands: long and answered. Impersonators hand over to a second "officer".
  t += 60 + static_cast<Ts>(rng_.LogNormal(900, 1.0));
  uint32_t land = (gang.type == FraudType::kOfficial && rng_.Chance(0.7)) ? other_number(t, Channel5::kPhone) : num;
  // Some gangs keep the call short and have the victim pay after hanging up.
  const bool short_landing = f.short_landing_share > 0 && rng_.Chance(f.short_landing_share);
  uint32_t dur = short_landing
                     ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(300, 0.5), 90.0, 599.0))
                     : static_cast<uint32_t>(std::clamp(rng_.LogNormal(f.landing_median_s, 0.5), 600.0, 3600.0));
  if (!EmitFraudCall(t, land, day_of(t), vnum, CellAt(victim, t), dur)) return;
  cases_[case_no].landing_number = fnumbers_[land].number;
  stats_.realism.short_landing_cases += short_landing;
  Ts pay_t = short_landing ? t + dur + 60 + static_cast<Ts>(rng_.Exponential(1200))
                           : t + static_cast<Ts>(dur * rng_.Uniform(0.4, 0.95));
  // Grooming (investment/romance, brushing tasks): calls and chat SMS over days.
  if (tp.groom_days > 0) {
    double gd = rng_.LogNormal(tp.groom_days, 0.4);
    int whole = static_cast<int>(gd);
    for (int j = 1; j <= whole; ++j) {
      Ts day_t = t + static_cast<Ts>(j) * 86400 + static_cast<Ts>(rng_.Between(-3 * 3600, 3 * 3600));
      uint32_t n = other_number(day_t, Channel5::kPhone);
      EmitFraudCall(day_t, n, day_of(day_t), vnum, CellAt(victim, day_t),
                    static_cast<uint32_t>(rng_.Between(300, 1800)));
      int sms = static_cast<int>(rng_.Between(2, 5));
      for (int s = 0; s < sms; ++s)
        Emit(SmsRow{day_t + 1800 + static_cast<Ts>(rng_.Below(6 * 3600)), fnumbers_[n].number, vnum,
                    HashU64(gang.chat_template ^ (++template_counter_ << 8)), static_cast<uint8_t>(j == whole && s == 0)});
    }
    pay_t = t + static_cast<Ts>(gd * 86400);
  }
  if (!rng_.Chance(tp.pay_prob)) return;
  ++stats_.realism.paying_decided;
  if (f.delayed_payment_share > 0 && rng_.Chance(f.delayed_payment_share)) {
    // The victim pays later: when the bank opens, after fetching money, the next day.
    pay_t = std::max(pay_t, t + static_cast<Ts>(dur)) +
            static_cast<Ts>(std::clamp(rng_.LogNormal(6 * 3600, 1.0), 3600.0, 4 * 86400.0));
    ++stats_.realism.delayed_cases;
  }
  stats_.realism.slow_cases += cases_[case_no].slow;
  // Payments: escalating amounts, from the victim's own account to first-layer mules.
  const int np = static_cast<int>(rng_.Between(tp.payments_min, tp.payments_max));
  const double total = std::min(5e6, rng_.LogNormal(tp.loss_median, tp.loss_sigma));
  std::vector<double> w(np);
  double ws = 0;
  for (int i = 0; i < np; ++i) ws += w[i] = std::pow(1.6, i) * rng_.Uniform(0.6, 1.4);
  const PersonRec& vp = persons_[victim];
  const AccountRec& va = accounts_[c.victim_account];
  std::vector<std::pair<Ts, Money>> paid;
  for (int i = 0; i < np; ++i) {
    Money amount = std::max<Money>(100, static_cast<Money>(std::llround(total * w[i] / ws)) * 100);
    uint32_t to = gang.l1[rng_.Below(gang.l1.size())];
    uint8_t channel = static_cast<uint8_t>(Channel::kApp);
    uint64_t device = vp.imei;
    const int hour = static_cast<int>((pay_t + opt_.zone.offset_s) % 86400 / 3600);
    if (Age(victim) >= 60 && hour >= 9 && hour < 17 && rng_.Chance(0.4)) {  // counters keep bank hours
      channel = static_cast<uint8_t>(Channel::kCounter);
      device = 0;
    } else if (rng_.Chance(0.1)) {
      channel = static_cast<uint8_t>(Channel::kOnline);
      device = 0;
    }
    // Or into the gang's merchant account at a payment platform (outside).
    const bool platform = f.platform_payment_share > 0 && rng_.Chance(f.platform_payment_share);
    const uint64_t plat = platform ? gang.platforms[rng_.Below(gang.platforms.size())] : 0;
    if (platform) {
      channel = static_cast<uint8_t>(Channel::kThirdParty);
      device = vp.imei;
    }
    const uint64_t txn = next_txn_;
    Transfer(pay_t, va.id, platform ? plat : accounts_[to].id, amount, kT, channel, device, victim, va.bank);
    if (next_txn_ == txn) break;  // past the end of the window
    case_transfers_.push_back({case_no, txn, 1});
    CaseRec& cr = cases_[case_no];
    if (cr.first_loss == kNoTs) cr.first_loss = pay_t;
    cr.last_loss = pay_t;
    cr.loss += amount;
    paid.push_back({pay_t, amount});
    if (platform) {
      // The platform settles into a second-layer mule hours later, less its fee.
      LabelOutside(plat, kRoleL1, g);
      ++stats_.realism.platform_payments;
      const uint32_t l2 = gang.l2[rng_.Below(gang.l2.size())];
      const Money settled = amount - amount * 6 / 1000;
      const Ts st = pay_t + HopDelay(case_no) + static_cast<Ts>(rng_.Between(3600, 12 * 3600));
      const uint64_t txn2 = next_txn_;
      Transfer(st, plat, accounts_[l2].id, settled, kT, static_cast<uint8_t>(Channel::kThirdParty), 0, kNone, 0);
      if (next_txn_ != txn2) {
        case_transfers_.push_back({case_no, txn2, 2});
        LabelAccount(l2, kRoleL2, g);
        Layer(case_no, g, l2, 2, settled, st);
      }
    } else {
      LabelAccount(to, kRoleL1, g);
      Layer(case_no, g, to, 1, amount, pay_t);
    }
    pay_t += 120 + static_cast<Ts>(rng_.LogNormal(tp.payment_gap_h * 3600, 0.6));
  }
  if (paid.empty() || !rng_.Chance(f.report_prob)) return;
  Ts rt = paid.back().first + 600 + static_cast<Ts>(rng_.LogNormal(f.report_delay_median_h * 3600, 1.0));
  Money stated = 0;
  for (const auto& [ts, a] : paid)
    if (ts <= rt) stated += a;
  ReportRow rep{rt, ++report_counter_, victim, vnum, va.id,
                rng_.Chance(f.suspect_named_prob) ? cases_[case_no].landing_number : 0, stated, gang.type};
  if (!Emit(rep)) --report_counter_;
}

void Generator::Layer(uint32_t case_no, uint32_t g, uint32_t account, int layer, Money amount, Ts t) {
  const auto& f = sc_.fraud;
  const Gang& gang = gangs_[g];
  const AccountRec& from = accounts_[account];
  FraudDevice& phone = fdevices_[from.mule_dev];
  const Money fwd = amount - static_cast<Money>(amount * f.mule_fee);  // the mule's cut stays behind
  if (fwd <= 0) return;
  auto send = [&](Ts ts, uint64_t to, Money a, uint8_t channel) {
    const uint64_t txn = next_txn_;
    Transfer(ts, from.id, to, a, kT, channel, phone.imei, kNone, 0);
    if (next_txn_ == txn) return false;
    phone.used = true;
    case_transfers_.push_back({case_no, txn, static_cast<uint8_t>(layer + 1)});
    return true;
  };
  auto delay = [&] { return HopDelay(case_no); };
  if (layer < gang.layers) {
    const std::vector<uint32_t>& pool = layer == 1 ? gang.l2 : gang.l3;
    int parts = static_cast<int>(layer == 1 ? rng_.Between(2, 3) : rng_.Between(1, 2));
    Money left = fwd;
    for (int i = 0; i < parts && left > 0; ++i) {
      Money part = i == parts - 1 ? left : std::max<Money>(100, static_cast<Money>(left * rng_.Uniform(0.3, 0.7)));
      part = std::min(part, left);
      left -= part;
      uint32_t to = pool[rng_.Below(pool.size())];
      Ts ts = t + delay();
      if (!send(ts, accounts_[to].id, part, static_cast<uint8_t>(Channel::kApp))) continue;
      LabelAccount(to, layer == 1 ? kRoleL2 : kRoleL3, g);
      Layer(case_no, g, to, layer + 1, part, ts);
    }
    return;
  }
  // The last layer: to a cash-out account whose holder's card empties it at ATMs
  // (at most 20,000 yuan a withdrawal), or to the gang's collector account outside.
  Ts ts = t + delay();
  if (fwd <= 20000000 && rng_.Chance(f.cashout_share)) {
    uint32_t co = gang.cashout[rng_.Below(gang.cashout.size())];
    const uint64_t txn0 = next_txn_;
    if (!send(ts, accounts_[co].id, fwd, static_cast<uint8_t>(Channel::kApp))) return;
    (void)txn0;
    LabelAccount(co, kRoleCashout, g);
    const AccountRec& ca = accounts_[co];
    Money left = fwd - static_cast<Money>(fwd * f.mule_fee);
    const uint32_t county = gang.county;
    while (left >= 10000) {
      Money chunk = std::min<Money>(left, 2000000) / 10000 * 10000;
      ts += 60 + static_cast<Ts>(rng_.LogNormal(1800, 0.8));
      const uint64_t txn = next_txn_;
      Transfer(ts, ca.id, 0, chunk, static_cast<uint8_t>(TransferKind::kWithdrawal), static_cast<uint8_t>(Channel::kAtm),
               kDevAtm | (counties_[county].code * 100 + rng_.Below(20)), kNone, 0);
      if (next_txn_ == txn) break;
      case_transfers_.push_back({case_no, txn, static_cast<uint8_t>(layer + 2)});
      left -= chunk;
    }
    return;
  }
  size_t ci = rng_.Below(gang.collectors.size());
  if (send(ts, gang.collectors[ci], fwd, static_cast<uint8_t>(Channel::kOnline)))
    LabelOutside(gang.collectors[ci], kRoleCollector, g);
}

}  // namespace interdict::sim
