// One simulated day of normal life: calls with a daily rhythm and callbacks,
// the heavy legitimate callers, person-to-person / service / marketing SMS,
// and money (salaries, rent, shopping, app payments, family transfers, ATM
// withdrawals, deposits) with bank SMS notices. Then the gangs (fraud.cc),
// then the day's rows are sorted by ts.
#include <algorithm>
#include <cmath>

#include "base/hash.h"
#include "model/enums.h"
#include "sim/world.h"

namespace interdict::sim {

namespace {

// Stable counting sort of one day's rows by second of day: O(n), and ties
// keep generation order, so the output order is a pure function of the seed.
template <typename T>
void SortDay(std::vector<T>* v, Ts base, std::vector<uint32_t>* cnt) {
  cnt->assign(86401, 0);
  for (const T& r : *v) (*cnt)[static_cast<size_t>(r.ts - base) + 1]++;
  for (size_t i = 1; i <= 86400; ++i) (*cnt)[i] += (*cnt)[i - 1];
  std::vector<T> out(v->size());
  for (const T& r : *v) out[(*cnt)[static_cast<size_t>(r.ts - base)]++] = r;
  v->swap(out);
}

template <typename T>
void TakeDue(std::vector<T>* carry, std::vector<T>* day, Ts day_end) {
  size_t keep = 0;
  for (size_t i = 0; i < carry->size(); ++i) {
    if ((*carry)[i].ts < day_end)
      day->push_back((*carry)[i]);
    else
      (*carry)[keep++] = (*carry)[i];
  }
  carry->resize(keep);
}

constexpr uint64_t kOperatorService[3] = {10086, 10010, 10000};

struct HeavyProfile {
  int lo, hi;            // distinct callees per working day
  int h_from, h_to;      // working hours
  double answer;         // answered share
  double dur_median;     // seconds
  double callback;       // a missed callee calls back
  bool city_wide;        // callees across the city (else own county)
  bool moving;           // calls from changing cells (else one office cell)
  bool weekends;         // works Saturday and Sunday
};
// Couriers and telemarketers exceed 50 distinct callees a day, like fraud
// numbers; they differ in hours, answer rates, callbacks, locality and age.
constexpr HeavyProfile kHeavy[kNumHeavyKinds] = {
    {60, 120, 9, 19, 0.75, 35, 0.30, false, true, true},    // courier
    {70, 180, 9, 18, 0.35, 45, 0.03, true, false, false},   // telemarketer
    {15, 45, 6, 24, 0.85, 25, 0.20, true, true, true},      // ride-hailing driver
    {25, 70, 8, 17, 0.70, 60, 0.20, false, false, true},    // clinic
    {20, 60, 9, 20, 0.60, 90, 0.25, true, true, true},      // estate agent
    {30, 90, 10, 22, 0.90, 15, 0.30, false, true, true},    // delivery rider: "your order is downstairs"
    {60, 200, 9, 20, 0.20, 50, 0.04, true, false, false},   // debt collection, cold sales: few answer
};

}  // namespace

bool Generator::Emit(const CallRow& r) {
  if (r.ts >= end_) return false;
  (r.ts < day_end_ ? day_->calls : carry_.calls).push_back(r);
  return true;
}
bool Generator::Emit(const SmsRow& r) {
  if (r.ts >= end_) return false;
  (r.ts < day_end_ ? day_->sms : carry_.sms).push_back(r);
  return true;
}
bool Generator::Emit(const TransferRow& r) {
  if (r.ts >= end_) return false;
  (r.ts < day_end_ ? day_->transfers : carry_.transfers).push_back(r);
  return true;
}
bool Generator::Emit(const ReportRow& r) {
  if (r.ts >= end_) return false;
  (r.ts < day_end_ ? day_->reports : carry_.reports).push_back(r);
  return true;
}

void Generator::GenerateDay(int d, DayBatch* out) {
  day_ = out;
  out->clear();
  day_end_ = DayStart(d + 1);
  TakeDue(&carry_.calls, &out->calls, day_end_);
  TakeDue(&carry_.sms, &out->sms, day_end_);
  TakeDue(&carry_.transfers, &out->transfers, day_end_);
  TakeDue(&carry_.reports, &out->reports, day_end_);
  // Handset changes: the number keeps its SIM, caller_imei changes from today.
  uint32_t changes = rng_.Poisson(n_ * sc_.world.handset_change_per_day);
  for (uint32_t i = 0; i < changes; ++i) persons_[rng_.Below(n_)].imei = NewImei();

  if (sim_used_.size() != sims_.size()) sim_used_.resize(sims_.size(), 0);
  NormalCalls(d);
  HeavyCalls(d);
  NegativeCalls(d);
  NormalSms(d);
  NormalMoney(d);
  NegativeMoney(d);
  FraudDay(d);

  std::vector<uint32_t> cnt;
  const Ts base = DayStart(d);
  SortDay(&out->calls, base, &cnt);
  SortDay(&out->sms, base, &cnt);
  SortDay(&out->transfers, base, &cnt);
  SortDay(&out->reports, base, &cnt);
  day_ = nullptr;
}

Ts Generator::RandomTimeOfDay(int d) {
  size_t h = PickCumulative(hour_cum_, rng_.Uniform());
  return DayStart(d) + static_cast<Ts>(h) * 3600 + static_cast<Ts>(rng_.Below(3600));
}

Ts Generator::RandomTimeIn(int d, int h_from, int h_to) {
  return DayStart(d) + h_from * 3600 + static_cast<Ts>(rng_.Below(static_cast<uint64_t>(h_to - h_from) * 3600));
}

uint32_t Generator::PickContact(uint32_t p) {
  uint32_t b = contact_off_[p], deg = contact_off_[p + 1] - b;
  if (deg == 0) return kNone;
  double u = rng_.Uniform();
  return contacts_[b + static_cast<uint32_t>(deg * u * u)];  // the front of the list: strong ties
}

Money Generator::Amount(double median, double sigma, bool whole_yuan) {
  double v = std::min(1e8, rng_.LogNormal(median, sigma));
  Money fen = whole_yuan ? static_cast<Money>(std::llround(v)) * 100 : static_cast<Money>(std::llround(v * 100));
  return std::max<Money>(whole_yuan ? 100 : 1, fen);
}

void Generator::NormalCalls(int d) {
  const auto& c = sc_.calls;
  for (uint32_t p = 0; p < n_; ++p) {
    const PersonRec& r = persons_[p];
    uint32_t k = rng_.Poisson(c.per_person_day * r.activity);
    for (uint32_t i = 0; i < k; ++i) {
      CallRow row;
      row.ts = RandomTimeOfDay(d);
      uint32_t sim = r.first_sim;
      if (r.n_sims > 1 && rng_.Chance(c.second_sim_share)) sim += 1 + static_cast<uint32_t>(rng_.Below(r.n_sims - 1));
      row.caller = sims_[sim].msisdn;
      row.imei = r.imei;
      row.caller_cell = CellAt(p, row.ts);
      double u = rng_.Uniform();
      uint32_t q = kNone;
      if (u < c.service_share) {
        // A bank's or the operator's hotline: off-net, long IVR waits.
        row.callee = rng_.Chance(0.5) ? kBanks[rng_.Below(kNumBanks)].service : kOperatorService[sims_[sim].op];
        row.callee_cell = kNone;
        row.dur = static_cast<uint32_t>(std::clamp(rng_.LogNormal(150, 0.7), 10.0, 3600.0));
        Emit(row);
        continue;
      }
      if (u >= c.service_share + c.stranger_share) q = PickContact(p);
      if (q == kNone) q = RandomPersonInCity(counties_[r.county].city);
      if (q == p) continue;
      const PersonRec& rq = persons_[q];
      uint32_t qsim = rq.first_sim + (rq.n_sims > 1 && rng_.Chance(0.1) ? 1 : 0);
      row.callee = sims_[qsim].msisdn;
      row.callee_cell = CellAt(q, row.ts);
      bool answered = !rng_.Chance(c.unanswered_share);
      row.dur = answered ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(c.duration_median_s, c.duration_sigma), 1.0,
                                                            7200.0))
                         : 0;
      Emit(row);
      if (!answered && rng_.Chance(c.callback_prob)) {
        CallRow back;
        back.ts = row.ts + 20 + static_cast<Ts>(rng_.Exponential(900));
        back.caller = row.callee;
        back.callee = row.caller;
        back.imei = rq.imei;
        back.caller_cell = CellAt(q, back.ts);
        back.callee_cell = CellAt(p, back.ts);
        back.dur = rng_.Chance(0.9)
                       ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(c.duration_median_s, c.duration_sigma), 1.0,
                                                          7200.0))
                       : 0;
        Emit(back);
      }
    }
  }
}

void Generator::HeavyCalls(int d) {
  const int wday = static_cast<int>((DayStart(d) + opt_.zone.offset_s) / 86400 + 4) % 7;
  const bool weekend = wday == 0 || wday == 6;
  for (const HeavyCaller& h : heavy_) {
    const HeavyProfile& hp = kHeavy[static_cast<int>(h.kind) - 1];
    if ((weekend && !hp.weekends) || d < h.first_day) continue;
    sim_used_[h.sim] = 1;
    const PersonRec& owner = persons_[h.person];
    const uint64_t number = sims_[h.sim].msisdn;
    int k = static_cast<int>(rng_.Between(hp.lo, hp.hi));
    if (weekend) k = k * 2 / 3;
    uint32_t cell = h.office_cell;
    for (int i = 0; i < k; ++i) {
      CallRow row;
      row.ts = RandomTimeIn(d, hp.h_from, hp.h_to);
      uint32_t q = hp.city_wide ? RandomPersonInCity(counties_[owner.county].city) : RandomPersonInCounty(owner.county);
      row.caller = number;
      row.callee = PrimaryNumber(q);
      row.imei = h.imei;
      if (hp.moving) cell = RandomCellInCounty(owner.county);
      row.caller_cell = cell;
      row.callee_cell = CellAt(q, row.ts);
      bool answered = rng_.Chance(hp.answer);
      row.dur = answered ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(hp.dur_median, 0.8), 2.0, 1800.0)) : 0;
      Emit(row);
      if (h.kind == Occupation::kCourier && rng_.Chance(0.4)) {
        // "Your parcel is at the locker, code ____": one text per courier, no link.
        Emit(SmsRow{row.ts + 30 + static_cast<Ts>(rng_.Below(600)), number, row.callee,
                    HashU64(0xc0c0 ^ (static_cast<uint64_t>(h.sim) << 16)), 0});
      }
      if (!answered && rng_.Chance(hp.callback)) {
        CallRow back;
        back.ts = row.ts + 60 + static_cast<Ts>(rng_.Exponential(1200));
        back.caller = row.callee;
        back.callee = number;
        back.imei = persons_[q].imei;
        back.caller_cell = CellAt(q, back.ts);
        back.callee_cell = cell;
        back.dur = static_cast<uint32_t>(std::clamp(rng_.LogNormal(hp.dur_median, 0.6), 2.0, 1800.0));
        Emit(back);
      }
    }
  }
}

void Generator::NormalSms(int d) {
  const auto& s = sc_.sms;
  for (uint32_t p = 0; p < n_; ++p) {
    const PersonRec& r = persons_[p];
    uint32_t k = rng_.Poisson(s.p2p_per_person_day * r.activity);
    for (uint32_t i = 0; i < k; ++i) {
      uint32_t q = PickContact(p);
      if (q == kNone || q == p) continue;
      SmsRow row;
      row.ts = RandomTimeOfDay(d);
      row.sender = PrimaryNumber(p);
      row.receiver = PrimaryNumber(q);
      row.has_url = rng_.Chance(0.03) ? 1 : 0;
      row.tmpl = HashU64(opt_.seed ^ (++template_counter_ << 8));  // personal text: its own template
      Emit(row);
      if (rng_.Chance(0.4)) {
        SmsRow reply{row.ts + 10 + static_cast<Ts>(rng_.Exponential(300)), row.receiver, row.sender,
                     HashU64(opt_.seed ^ (++template_counter_ << 8)), 0};
        Emit(reply);
      }
    }
  }
  // Operator service notices (balance, data use, bills): a few dozen templates.
  uint32_t k = rng_.Poisson(n_ * s.service_per_person_day);
  for (uint32_t i = 0; i < k; ++i) {
    uint32_t p = static_cast<uint32_t>(rng_.Below(n_));
    const SimRec& sim = sims_[persons_[p].first_sim];
    uint32_t t = static_cast<uint32_t>(rng_.Below(24));
    Emit(SmsRow{RandomTimeIn(d, 8, 22), kOperatorService[sim.op], sim.msisdn, HashU64(0x5e7 + sim.op * 100 + t),
                static_cast<uint8_t>(t % 6 == 0 ? 1 : 0)});
  }
  // Legal marketing campaigns: one 106 sender and one template per campaign, all with a link.
  uint32_t campaigns = rng_.Poisson(n_ * s.marketing_campaigns_per_million_day / 1e6);
  for (uint32_t cpg = 0; cpg < campaigns; ++cpg) {
    const uint64_t id = ++template_counter_;
    const uint64_t sender = 10690000000ull + HashU64(opt_.seed ^ id) % 10000000ull;
    const uint64_t tmpl = HashU64(opt_.seed ^ (id << 8) ^ 0x6a7);
    uint32_t size = static_cast<uint32_t>(std::min<double>(n_ / 4.0, rng_.LogNormal(s.marketing_campaign_size, 0.8)));
    Ts t0 = RandomTimeIn(d, 9, 19);
    double span = rng_.Uniform(1800, 3 * 3600);
    for (uint32_t i = 0; i < size; ++i) {
      uint32_t p = static_cast<uint32_t>(rng_.Below(n_));
      Emit(SmsRow{t0 + static_cast<Ts>(span * i / std::max<uint32_t>(1, size)), sender, PrimaryNumber(p), tmpl, 1});
    }
  }
}

void Generator::Transfer(Ts ts, uint64_t from, uint64_t to, Money amount, uint8_t kind, uint8_t channel,
                         uint64_t device, uint32_t notify_person, uint8_t notify_bank) {
  TransferRow row{ts, next_txn_, from, to, device, amount, kind, channel};
  if (!Emit(row)) return;
  ++next_txn_;
  if (notify_person != kNone && rng_.Chance(sc_.sms.bank_notice_prob)) {
    Emit(SmsRow{ts + 2 + static_cast<Ts>(rng_.Below(30)), kBanks[notify_bank].service, PrimaryNumber(notify_person),
                HashU64(0xba4c + notify_bank * 64 + kind * 8 + channel), 0});
  }
}

void Generator::NormalMoney(int d) {
  const auto& m = sc_.money;
  int64_t y;
  unsigned mon, dom;
  CivilFromDays((DayStart(d) + opt_.zone.offset_s) / 86400, &y, &mon, &dom);
  const uint8_t kT = static_cast<uint8_t>(TransferKind::kTransfer);
  // Share of shop payments going to personal merchants: each takes ~25 a day.
  const double pm_share = m.shopping_per_person_day > 0
                              ? std::min(0.5, pmerchants_.size() * 25.0 / (n_ * m.shopping_per_person_day))
                              : 0.0;
  // Salaries: each employer on its payday, in the morning, by online banking.
  for (uint32_t i = payday_off_[dom]; i < payday_off_[dom + 1]; ++i) {
    const Business& b = businesses_[payday_list_[i]];
    Ts t = RandomTimeIn(d, 9, 11);
    for (uint32_t e = employee_off_[payday_list_[i]]; e < employee_off_[payday_list_[i] + 1]; ++e) {
      uint32_t p = employees_[e];
      const AccountRec& to = accounts_[persons_[p].first_account];
      Transfer(t + static_cast<Ts>(rng_.Below(600)), accounts_[b.account].id, to.id,
               static_cast<Money>(persons_[p].salary_yuan) * 100 + 100, kT, static_cast<uint8_t>(Channel::kOnline), 0,
               p, to.bank);
    }
  }
  for (uint32_t p = 0; p < n_; ++p) {
    const PersonRec& r = persons_[p];
    const AccountRec& own = accounts_[r.first_account + rng_.Below(r.n_accounts)];
    if (r.rent_day == dom && r.landlord != kNone) {
      const AccountRec& l = accounts_[persons_[r.landlord].first_account];
      Transfer(RandomTimeIn(d, 8, 22), own.id, l.id, static_cast<Money>(r.rent_yuan) * 100, kT,
               static_cast<uint8_t>(Channel::kApp), r.imei, p, own.bank);
    }
    uint32_t k = rng_.Poisson(m.shopping_per_person_day);
    for (uint32_t i = 0; i < k; ++i) {
      uint32_t ci = r.county;
      const uint32_t plo = county_pmerchant_off_[ci], phi = county_pmerchant_off_[ci + 1];
      if (phi > plo && rng_.Chance(pm_share)) {
        // A small shop's QR code paying into the owner's personal account.
        const uint32_t j = plo + static_cast<uint32_t>(rng_.Below(phi - plo));
        const AccountRec& to = accounts_[pmerchants_[j]];
        const Money a = Amount(30, 0.9, false);
        const uint64_t txn = next_txn_;
        Transfer(RandomTimeIn(d, 8, 22), own.id, to.id, a, kT, static_cast<uint8_t>(Channel::kApp), r.imei, p, own.bank);
        if (next_txn_ != txn) pm_takings_[j] += a;
        continue;
      }
      if (rng_.Chance(0.1)) {
        const City& city = cities_[counties_[ci].city];
        ci = city.first_county + static_cast<uint32_t>(rng_.Below(city.n_counties));
      }
      uint32_t lo = county_merchant_off_[ci], hi = county_merchant_off_[ci + 1];
      const Merchant& mc = merchants_[lo + rng_.Below(hi - lo)];
      Transfer(RandomTimeIn(d, 8, 22), own.id, accounts_[mc.account].id, Amount(m.shopping_median, 1.0, false), kT,
               static_cast<uint8_t>(Channel::kPos), mc.pos, p, own.bank);
    }
    k = rng_.Poisson(m.app_payment_per_person_day);
    for (uint32_t i = 0; i < k; ++i) {
      // Payment platforms' settlement accounts: outside accounts (no bank_accounts row).
      uint64_t platform = 9558800000000000ull + 11 + rng_.Below(6);
      Transfer(RandomTimeOfDay(d), own.id, platform, Amount(m.app_payment_median, 1.1, false), kT,
               static_cast<uint8_t>(Channel::kThirdParty), r.imei, kNone, 0);
    }
    k = rng_.Poisson(m.family_per_person_day);
    for (uint32_t i = 0; i < k; ++i) {
      uint32_t q = PickContact(p);
      if (q == kNone) continue;
      Money a = Amount(m.family_median, 0.9, true);
      if (rng_.Chance(0.5)) a = std::max<Money>(10000, a / 10000 * 10000);
      const AccountRec& to = accounts_[persons_[q].first_account];
      Transfer(RandomTimeOfDay(d), own.id, to.id, a, kT, static_cast<uint8_t>(Channel::kApp), r.imei, q, to.bank);
    }
    k = rng_.Poisson(m.atm_per_person_day);
    for (uint32_t i = 0; i < k; ++i) {
      Money a = std::max<Money>(10000, Amount(m.atm_median, 0.7, true) / 10000 * 10000);
      Transfer(RandomTimeIn(d, 7, 23), own.id, 0, a, static_cast<uint8_t>(TransferKind::kWithdrawal),
               static_cast<uint8_t>(Channel::kAtm), kDevAtm | (counties_[r.county].code * 100 + rng_.Below(20)), p,
               own.bank);
    }
    k = rng_.Poisson(m.deposit_per_person_day);
    for (uint32_t i = 0; i < k; ++i)
      Transfer(RandomTimeIn(d, 9, 17), 0, own.id, Amount(m.deposit_median, 0.9, true),
               static_cast<uint8_t>(TransferKind::kDeposit), static_cast<uint8_t>(Channel::kCounter), 0, p, own.bank);
  }
}

void Generator::NegativeCalls(int d) {
  const int wday = static_cast<int>((DayStart(d) + opt_.zone.offset_s) / 86400 + 4) % 7;
  const bool weekend = wday == 0 || wday == 6;
  // Call gateways: each SIM 20-60 outgoing calls to the business's customers
  // in office hours, answered like business calls; a few customers call back.
  for (const Gateway& gw : gateways_) {
    const uint16_t county = persons_[gw.owner].county;
    const uint32_t city = counties_[county].city;
    for (uint32_t k = 0; k < gw.n_sims; ++k) {
      const uint32_t sim = gw.first_sim + k;
      int calls = static_cast<int>(rng_.Between(20, 60));
      if (weekend) calls = rng_.Chance(0.3) ? calls / 3 : 0;
      if (calls > 0) sim_used_[sim] = 1;
      for (int i = 0; i < calls; ++i) {
        CallRow row;
        row.ts = RandomTimeIn(d, 9, 18);
        const uint32_t q = RandomPersonInCity(city);
        row.caller = sims_[sim].msisdn;
        row.callee = PrimaryNumber(q);
        row.imei = gw.module_imeis[k / 16];
        row.caller_cell = gw.cell;
        row.callee_cell = CellAt(q, row.ts);
        const bool answered = rng_.Chance(0.65);
        row.dur = answered ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(75, 0.8), 5.0, 1800.0)) : 0;
        Emit(row);
        if (!answered && rng_.Chance(0.05)) {
          const Ts t = row.ts + 60 + static_cast<Ts>(rng_.Exponential(1800));
          Emit(CallRow{t, row.callee, row.caller, persons_[q].imei, CellAt(q, t), gw.cell,
                       static_cast<uint32_t>(std::clamp(rng_.LogNormal(60, 0.6), 5.0, 900.0))});
        }
      }
    }
  }
  // IoT SIMs: heartbeat texts and a few short calls to the platform number
  // round the clock, a few commands back.
  for (const IotFleet& f : iot_) {
    const uint16_t county = persons_[f.owner].county;
    for (uint32_t k = 0; k < f.n_sims; ++k) {
      const uint32_t sim = f.first_sim + k;
      const uint64_t number = sims_[sim].msisdn;
      const uint64_t imei = f.imeis[f.shared_device ? k / 8 : k];
      uint32_t n_sms = rng_.Poisson(2.0), n_calls = rng_.Poisson(0.15), n_cmd = rng_.Poisson(0.3);
      if (n_sms + n_calls + n_cmd > 0) sim_used_[sim] = 1;
      for (uint32_t i = 0; i < n_sms; ++i)
        Emit(SmsRow{DayStart(d) + static_cast<Ts>(rng_.Below(86400)), number, f.platform, f.tmpl, 0});
      for (uint32_t i = 0; i < n_cmd; ++i)
        Emit(SmsRow{DayStart(d) + static_cast<Ts>(rng_.Below(86400)), f.platform, number, f.tmpl ^ 1, 0});
      for (uint32_t i = 0; i < n_calls; ++i) {
        const Ts t = DayStart(d) + static_cast<Ts>(rng_.Below(86400));
        Emit(CallRow{t, number, f.platform, imei, f.moving ? RandomCellInCounty(county) : f.cells[k], kNone,
                     rng_.Chance(0.9) ? static_cast<uint32_t>(rng_.Between(8, 40)) : 0u});
      }
    }
  }
  // Off-net relatives and friends: long calls both ways.
  for (const OffnetContact& oc : offnet_contacts_) {
    const PersonRec& r = persons_[oc.person];
    uint32_t in = rng_.Poisson(0.25), out = rng_.Poisson(0.1);
    for (uint32_t i = 0; i < in + out; ++i) {
      const Ts t = RandomTimeOfDay(d);
      const bool answered = rng_.Chance(0.85);
      const uint32_t dur =
          answered ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(240, 1.0), 5.0, 7200.0)) : 0;
      if (i < in)
        Emit(CallRow{t, oc.number, PrimaryNumber(oc.person), 0, kNone, CellAt(oc.person, t), dur});
      else
        Emit(CallRow{t, PrimaryNumber(oc.person), oc.number, r.imei, CellAt(oc.person, t), kNone, dur});
    }
  }
  // Off-net business lines: tens to hundreds of outgoing calls a working day
  // across their city, half answered, a few returned.
  for (OffnetBusiness& b : offnet_biz_) {
    if (wday == 0) continue;
    int calls = static_cast<int>(rng_.Between(b.lo, b.hi));
    if (wday == 6) calls /= 2;
    if (calls > 0) b.used = true;
    for (int i = 0; i < calls; ++i) {
      const Ts t = RandomTimeIn(d, 9, 20);
      const uint32_t q = RandomPersonInCity(b.city);
      const bool answered = rng_.Chance(0.45);
      const uint32_t dur = answered ? static_cast<uint32_t>(std::clamp(rng_.LogNormal(60, 0.9), 3.0, 1800.0)) : 0;
      Emit(CallRow{t, b.number, PrimaryNumber(q), 0, kNone, CellAt(q, t), dur});
      if (!answered && rng_.Chance(0.03)) {
        const Ts tb = t + 120 + static_cast<Ts>(rng_.Exponential(3600));
        Emit(CallRow{tb, PrimaryNumber(q), b.number, persons_[q].imei, CellAt(q, tb), kNone,
                     static_cast<uint32_t>(std::clamp(rng_.LogNormal(150, 0.7), 10.0, 1800.0))});
      }
    }
  }
}

void Generator::NegativeMoney(int d) {
  const uint8_t kT = static_cast<uint8_t>(TransferKind::kTransfer);
  // Personal merchants move the day's takings on in the evening: to another
  // own account, or to a wholesaler (money in from many, out in one go).
  for (size_t j = 0; j < pmerchants_.size(); ++j) {
    const Money takings = pm_takings_[j];
    pm_takings_[j] = 0;
    if (takings < 10000 || !rng_.Chance(0.6)) continue;
    const AccountRec& from = accounts_[pmerchants_[j]];
    const PersonRec& owner = persons_[from.person];
    uint64_t to;
    if (owner.n_accounts > 1) {
      to = accounts_[owner.first_account + 1 + rng_.Below(owner.n_accounts - 1)].id;
    } else {
      const uint32_t lo = county_merchant_off_[owner.county], hi = county_merchant_off_[owner.county + 1];
      to = accounts_[merchants_[lo + rng_.Below(hi - lo)].account].id;
    }
    const Money a = std::max<Money>(100, static_cast<Money>(takings * rng_.Uniform(0.7, 1.0)) / 100 * 100);
    Transfer(RandomTimeIn(d, 22, 24), from.id, to, a, kT, static_cast<uint8_t>(Channel::kApp), owner.imei, from.person,
             from.bank);
  }
  // Large first payments to a new payee: a flat's deposit to a landlord, a
  // car to a dealer, tuition to a school (some outside banks), often right
  // after a long call with the payee or an estate agent.
  const uint32_t k = rng_.Poisson(n_ * sc_.money.large_new_payee_per_million_day / 1e6);
  std::vector<uint32_t> agents;
  for (uint32_t i = 0; k > 0 && i < heavy_.size(); ++i)
    if (heavy_[i].kind == Occupation::kAgent && heavy_[i].first_day <= d) agents.push_back(i);
  for (uint32_t i = 0; i < k; ++i) {
    const uint32_t p = RandomAdult(22, 65);
    const PersonRec& r = persons_[p];
    const AccountRec& own = accounts_[r.first_account];
    const double u = rng_.Uniform();
    uint64_t to;
    uint32_t payee = kNone;  // the person on the phone, if any
    uint64_t caller_number = 0;
    if (u < 0.4) {
      payee = RandomPersonInCounty(r.county);
      if (payee == p) continue;
      to = accounts_[persons_[payee].first_account].id;
    } else if (u < 0.75) {
      const Business& b = businesses_[rng_.Below(businesses_.size())];
      to = accounts_[b.account].id;
      payee = b.owner;
    } else {
      to = NewPlatformAccount();  // a dealer's, school's or escrow's merchant account, like gangs' platform accounts
      if (!agents.empty()) {
        const uint32_t sim = heavy_[agents[rng_.Below(agents.size())]].sim;
        caller_number = sims_[sim].msisdn;
        sim_used_[sim] = 1;
      }
    }
    if (payee != kNone) caller_number = PrimaryNumber(payee);
    Money amount = std::min<Money>(80000000, std::max<Money>(200000, Amount(15000, 0.9, true) / 10000 * 10000));
    Ts pay_t = RandomTimeIn(d, 8, 22);
    if (caller_number != 0 && rng_.Chance(0.4)) {
      const Ts t = RandomTimeIn(d, 9, 20);
      const uint32_t dur = static_cast<uint32_t>(std::clamp(rng_.LogNormal(1100, 0.5), 600.0, 3600.0));
      const uint64_t imei = payee != kNone ? persons_[payee].imei : 0;
      const uint32_t cell = payee != kNone ? CellAt(payee, t) : kNone;
      Emit(CallRow{t, caller_number, PrimaryNumber(p), imei, cell, CellAt(p, t), dur});
      pay_t = rng_.Chance(0.4) ? t + static_cast<Ts>(dur * rng_.Uniform(0.4, 0.95))
                               : t + dur + 120 + static_cast<Ts>(rng_.Exponential(3 * 3600));
    }
    const int hour = static_cast<int>((pay_t + opt_.zone.offset_s) % 86400 / 3600);
    uint8_t channel = static_cast<uint8_t>(Channel::kApp);
    uint64_t device = r.imei;
    if (hour >= 9 && hour < 17 && rng_.Chance(0.15)) {
      channel = static_cast<uint8_t>(Channel::kCounter);
      device = 0;
    } else if (rng_.Chance(0.15)) {
      channel = static_cast<uint8_t>(Channel::kOnline);
      device = 0;
    }
    const uint64_t txn = next_txn_;
    Transfer(pay_t, own.id, to, amount, kT, channel, device, p, own.bank);
    stats_.realism.large_new_payee += next_txn_ != txn;
  }
}

}  // namespace interdict::sim
