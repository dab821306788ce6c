// Building the normal world: regions and cells, people, their SIMs and bank
// accounts, the social graph, employers, merchants, landlords, and the
// legitimate heavy callers (couriers, telemarketers, drivers, clinics, agents).
#include <algorithm>
#include <cmath>

#include "base/hash.h"
#include "sim/csv_out.h"
#include "sim/world.h"

namespace interdict::sim {

// The big state banks (they issue most cards), their card BIN prefixes and SMS
// service numbers; weights roughly follow their share of personal accounts.
const BankInfo kBanks[kNumBanks] = {
    {"icbc", 622202, 95588, 0.20}, {"ccb", 621700, 95533, 0.17},  {"abc", 622848, 95599, 0.17},
    {"boc", 621661, 95566, 0.12},  {"bocom", 622260, 95559, 0.07}, {"cmb", 622588, 95555, 0.08},
    {"psbc", 621799, 95580, 0.14}, {"gdrcu", 623058, 96138, 0.05},
};

namespace {

// Guangdong's prefecture-level cities (administrative division codes): a real
// province's layout, so that region codes look like what operators report.
constexpr uint32_t kCityCodes[21] = {4401, 4403, 4406, 4419, 4413, 4420, 4407, 4408, 4409, 4452, 4405,
                                     4412, 4418, 4414, 4451, 4402, 4416, 4404, 4415, 4417, 4453};

struct Prefix {
  uint16_t p;
  uint8_t op;
};
// Mobile prefixes by operator (0 China Mobile, 1 China Unicom, 2 China Telecom).
constexpr Prefix kPrefixes[] = {{134, 0}, {135, 0}, {136, 0}, {137, 0}, {138, 0}, {139, 0}, {150, 0}, {151, 0},
                                {152, 0}, {157, 0}, {158, 0}, {159, 0}, {182, 0}, {183, 0}, {187, 0}, {188, 0},
                                {130, 1}, {131, 1}, {132, 1}, {155, 1}, {156, 1}, {185, 1}, {133, 2}, {153, 2},
                                {180, 2}, {181, 2}, {189, 2}, {199, 2}};
constexpr int kNumPrefixes = sizeof(kPrefixes) / sizeof(kPrefixes[0]);

// Age bands of the adult-and-teen population (16..90), shares after China's
// 2020 census pyramid, coarsened.
constexpr int kAgeLo[] = {16, 25, 35, 45, 55, 65, 75};
constexpr int kAgeHi[] = {24, 34, 44, 54, 64, 74, 90};
constexpr double kAgeW[] = {0.12, 0.17, 0.16, 0.19, 0.17, 0.12, 0.07};

// Largest-remainder split of `total` by `w`.
std::vector<uint32_t> Split(uint64_t total, const std::vector<double>& w) {
  double sum = 0;
  for (double x : w) sum += x;
  std::vector<uint32_t> out(w.size());
  std::vector<std::pair<double, size_t>> rem;
  uint64_t used = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    double exact = total * w[i] / sum;
    out[i] = static_cast<uint32_t>(exact);
    used += out[i];
    rem.push_back({exact - out[i], i});
  }
  std::stable_sort(rem.begin(), rem.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; used < total; ++i, ++used) out[rem[i % rem.size()].second]++;
  return out;
}

uint8_t PickBank(Rng& rng) {
  double u = rng.Uniform(), c = 0;
  for (int i = 0; i < kNumBanks; ++i) {
    c += kBanks[i].weight;
    if (u < c) return static_cast<uint8_t>(i);
  }
  return 0;
}

uint64_t Luhn14(uint64_t body) {
  // Appends the Luhn check digit to a 14-digit IMEI body.
  int sum = 0;
  uint64_t x = body;
  for (int i = 0; i < 14; ++i) {
    int d = static_cast<int>(x % 10);
    x /= 10;
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body * 10 + static_cast<uint64_t>((10 - sum % 10) % 10);
}

}  // namespace

Generator::Generator(const SimOptions& opt)
    : opt_(opt), sc_(opt.scenario), rng_(opt.seed), n_(static_cast<uint32_t>(opt.persons)), start_(opt.start),
      end_(opt.start + static_cast<Ts>(opt.days) * 86400) {
  int64_t y;
  unsigned m, d;
  CivilFromDays((start_ + opt_.zone.offset_s) / 86400, &y, &m, &d);
  start_year_ = static_cast<int>(y);
  double c = 0;
  for (double w : sc_.calls.hour_weights) hour_cum_.push_back(c += w);
  // Call centres work shifts: office hours with a lunch break and a little in
  // the evening (Sichuan: fraud numbers active in 11 distinct hours vs 18).
  const double fh[24] = {0, 0, 0, 0, 0, 0, 0, 0, 0.2, 3, 4, 4, 1, 1, 4, 4, 4, 3, 1, 0.6, 0.3, 0, 0, 0};
  c = 0;
  for (double w : fh) fraud_hour_cum_.push_back(c += w);
  c = 0;
  for (int i = 0; i < kNumFraudTypes; ++i) type_cum_[i] = c += sc_.fraud.types[i].weight;
}

int Generator::Age(uint32_t p) const { return start_year_ - persons_[p].birth_year; }

uint64_t Generator::NewImei() {
  uint64_t c = ++imei_counter_;
  uint64_t body = 86'0000'0000'0000ull + (c * 889782588491ull + 3141592653ull) % 1'0000'0000'0000ull;
  return kDevImei | Luhn14(body);
}

uint64_t Generator::NewMsisdn(uint8_t* op, int want_op) {
  // Operator shares of mobile subscriptions (MIIT 2023): CMCC ~58%, CU ~20%, CT ~22%.
  double u = rng_.Uniform();
  uint8_t want = want_op >= 0 ? static_cast<uint8_t>(want_op) : u < 0.58 ? 0 : u < 0.78 ? 1 : 2;
  int idx;
  do idx = static_cast<int>(rng_.Below(kNumPrefixes));
  while (kPrefixes[idx].op != want);
  *op = want;
  uint64_t c = ++msisdn_counter_;
  uint64_t suffix = (c * 73939133ull + 12345678ull) % 100000000ull;
  return kPrefixes[idx].p * 100000000ull + suffix;
}

Ts Generator::OldOpening(uint32_t p) {
  double max_years = std::max(0.1, std::min(15.0, Age(p) - 16.0));
  double years = std::min(rng_.Exponential(sc_.world.card_age_mean_years), max_years);
  return start_ - 86400 - static_cast<Ts>(years * 365.25 * 86400) - static_cast<Ts>(rng_.Below(86400));
}

Ts Generator::RecentOpening(int days_lo, int days_hi) {
  return start_ - static_cast<Ts>(rng_.Between(days_lo, days_hi)) * 86400 - static_cast<Ts>(rng_.Below(86400));
}

uint32_t Generator::NewSim(uint32_t person, Ts opened, uint32_t outlet, uint8_t plan, int want_op) {
  SimRec s;
  s.msisdn = NewMsisdn(&s.op, want_op);
  s.opened = opened;
  s.person = person;
  s.outlet = outlet;
  s.plan = plan;
  sims_.push_back(s);
  return static_cast<uint32_t>(sims_.size() - 1);
}

uint32_t Generator::NewAccount(uint32_t person, Ts opened, uint8_t bank, bool business) {
  AccountRec a;
  uint64_t c = ++account_counter_;
  a.id = kBanks[bank].bin * 10000000000ull + (c * 6364136223ull + 1442695041ull) % 10000000000ull;
  a.opened = opened;
  a.person = person;
  a.branch = RandomBranch(persons_[person].county, bank);
  a.bank = bank;
  a.business = business ? 1 : 0;
  accounts_.push_back(a);
  return static_cast<uint32_t>(accounts_.size() - 1);
}

uint32_t Generator::RandomOutlet(uint32_t county) {
  const County& c = counties_[county];
  return c.first_outlet + static_cast<uint32_t>(rng_.Below(c.n_outlets));
}

uint32_t Generator::RandomBranch(uint32_t county, uint8_t bank) {
  const County& c = counties_[county];
  return c.first_branch + bank * c.n_branch_per_bank + static_cast<uint32_t>(rng_.Below(c.n_branch_per_bank));
}

uint32_t Generator::RandomPersonInCounty(uint32_t county) {
  const County& c = counties_[county];
  if (c.n_persons == 0) return static_cast<uint32_t>(rng_.Below(n_));
  return c.first_person + static_cast<uint32_t>(rng_.Below(c.n_persons));
}

uint32_t Generator::RandomPersonInCity(uint32_t city) {
  const City& c = cities_[city];
  if (c.n_persons == 0) return static_cast<uint32_t>(rng_.Below(n_));
  return c.first_person + static_cast<uint32_t>(rng_.Below(c.n_persons));
}

uint32_t Generator::RandomCellInCounty(uint32_t county) {
  const County& c = counties_[county];
  return c.first_cell + static_cast<uint32_t>(rng_.Below(c.n_cells));
}

uint32_t Generator::RandomAdult(int min_age, int max_age) {
  for (int i = 0; i < 64; ++i) {
    uint32_t p = static_cast<uint32_t>(rng_.Below(n_));
    int a = Age(p);
    if (a >= min_age && a <= max_age) return p;
  }
  return static_cast<uint32_t>(rng_.Below(n_));
}

uint32_t Generator::CellAt(uint32_t p, Ts ts) const {
  // Work cell in office hours on weekdays, home cell otherwise.
  const Ts local = ts + opt_.zone.offset_s;
  const int hour = static_cast<int>(local % 86400 / 3600);
  const int wday = static_cast<int>((local / 86400 + 4) % 7);  // 0 = Sunday
  const PersonRec& r = persons_[p];
  return (wday != 0 && wday != 6 && hour >= 9 && hour < 18) ? r.work_cell : r.home_cell;
}

void Generator::BuildWorld() {
  BuildRegions();
  BuildPersons();
  BuildContacts();
  BuildEconomy();
  BuildHeavy();
  BuildNegatives();
}

void Generator::BuildRegions() {
  const auto& w = sc_.world;
  int nc = w.cities;
  std::vector<double> cw;
  for (int c = 0; c < nc; ++c) cw.push_back(1.0 / std::pow(c + 1.0, 0.8));  // Zipf-like city sizes
  std::vector<uint32_t> city_n = Split(n_, cw);
  uint32_t person = 0, cell = 0;
  for (int c = 0; c < nc; ++c) {
    City city{kCityCodes[c], static_cast<uint32_t>(counties_.size()), 0, person, city_n[c]};
    int k = static_cast<int>(rng_.Between(w.counties_min, w.counties_max));
    std::vector<double> kw;
    for (int i = 0; i < k; ++i) kw.push_back(rng_.Uniform(0.4, 1.6));
    std::vector<uint32_t> county_n = Split(city_n[c], kw);
    for (int i = 0; i < k; ++i) {
      County ct{};
      ct.code = kCityCodes[c] * 100 + 2 + static_cast<uint32_t>(i);
      ct.city = static_cast<uint16_t>(c);
      ct.first_person = person;
      ct.n_persons = county_n[i];
      person += county_n[i];
      ct.n_cells = std::max<uint32_t>(3, static_cast<uint32_t>(std::ceil(county_n[i] / w.persons_per_cell)));
      ct.first_cell = cell;
      for (uint32_t j = 0; j < ct.n_cells; ++j) {
        cell_county_.push_back(static_cast<uint32_t>(counties_.size()));
        cell_local_.push_back(static_cast<uint16_t>(j + 1));
      }
      cell += ct.n_cells;
      // One SIM outlet per ~4,000 people, one branch per bank per ~20,000.
      ct.n_outlets = std::max<uint32_t>(2, county_n[i] / 4000);
      ct.first_outlet = static_cast<uint32_t>(outlets_.size());
      for (uint32_t j = 0; j < ct.n_outlets; ++j)
        outlets_.push_back({static_cast<uint32_t>(counties_.size()), static_cast<uint16_t>(j + 1), 0xff});
      ct.n_branch_per_bank = std::max<uint32_t>(1, county_n[i] / 20000);
      ct.first_branch = static_cast<uint32_t>(outlets_.size());
      for (int b = 0; b < kNumBanks; ++b)
        for (uint32_t j = 0; j < ct.n_branch_per_bank; ++j)
          outlets_.push_back(
              {static_cast<uint32_t>(counties_.size()), static_cast<uint16_t>(j + 1), static_cast<uint8_t>(b)});
      counties_.push_back(ct);
    }
    city.n_counties = static_cast<uint32_t>(k);
    cities_.push_back(city);
  }
}

void Generator::BuildPersons() {
  const auto& w = sc_.world;
  int64_t y;
  unsigned m, dd;
  CivilFromDays((start_ + opt_.zone.offset_s) / 86400, &y, &m, &dd);
  persons_.resize(n_);
  person_flag_.assign(n_, 0);
  const double act_mu = -0.5 * sc_.calls.activity_sigma * sc_.calls.activity_sigma;  // mean 1
  for (uint32_t ci = 0; ci < counties_.size(); ++ci) {
    const County& c = counties_[ci];
    for (uint32_t p = c.first_person; p < c.first_person + c.n_persons; ++p) {
      PersonRec& r = persons_[p];
      double u = rng_.Uniform(), acc = 0;
      int band = 6;
      for (int b = 0; b < 7; ++b)
        if (u < (acc += kAgeW[b])) {
          band = b;
          break;
        }
      r.birth_year = static_cast<int16_t>(y - rng_.Between(kAgeLo[band], kAgeHi[band]));
      double g = rng_.Uniform();
      r.gender = g < 0.51 ? 0 : g < 0.995 ? 1 : 2;
      r.county = static_cast<uint16_t>(ci);
      r.home_cell = RandomCellInCounty(ci);
      if (rng_.Chance(0.7)) {
        r.work_cell = RandomCellInCounty(ci);
      } else {
        const City& city = cities_[c.city];
        r.work_cell = RandomCellInCounty(city.first_county + static_cast<uint32_t>(rng_.Below(city.n_counties)));
      }
      r.activity = static_cast<float>(std::exp(act_mu + sc_.calls.activity_sigma * rng_.Normal()));
      r.employer = kNone;
      r.landlord = kNone;
      r.payday = 0;
      r.rent_day = 0;
      r.salary_yuan = 0;
      r.rent_yuan = 0;
      r.imei = NewImei();
      double s = rng_.Uniform();
      r.n_sims = s < w.three_sims_share ? 3 : s < w.three_sims_share + w.two_sims_share ? 2 : 1;
      r.first_sim = static_cast<uint32_t>(sims_.size());
      // Newcomers, operator switchers, first phones: every card under 6 months old.
      const bool young = w.young_sim_share > 0 && rng_.Chance(w.young_sim_share);
      stats_.realism.young_sim_people += young;
      for (int i = 0; i < r.n_sims; ++i)
        NewSim(p, young ? RecentOpening(1, 180) : OldOpening(p), RandomOutlet(ci), rng_.Chance(0.55) ? 1 : 2);
      double a = rng_.Uniform() * (w.accounts_weights[0] + w.accounts_weights[1] + w.accounts_weights[2] +
                                   w.accounts_weights[3]);
      int na = 1;
      for (double cum = w.accounts_weights[0]; na < 4 && a >= cum; cum += w.accounts_weights[na], ++na) {
      }
      r.n_accounts = static_cast<uint8_t>(na);
      r.first_account = static_cast<uint32_t>(accounts_.size());
      uint8_t used = 0;
      for (int i = 0; i < na; ++i) {
        uint8_t b = PickBank(rng_);
        for (int t = 0; t < 8 && (used >> b & 1); ++t) b = PickBank(rng_);
        used |= static_cast<uint8_t>(1u << b);
        NewAccount(p, OldOpening(p), b, false);
      }
    }
  }
}

void Generator::BuildContacts() {
  const auto& w = sc_.world;
  std::vector<uint64_t> edges;  // u << 32 | v, one direction
  edges.reserve(static_cast<size_t>(n_) * 14);
  auto add = [&](uint32_t a, uint32_t b) {
    if (a != b) edges.push_back(static_cast<uint64_t>(a) << 32 | b);
  };
  // Households: consecutive people of a county (sizes after the 2020 census: mean ~2.6).
  const double hh_w[] = {0.25, 0.30, 0.22, 0.15, 0.08};
  for (const County& c : counties_) {
    uint32_t p = c.first_person, end = c.first_person + c.n_persons;
    while (p < end) {
      double u = rng_.Uniform(), acc = 0;
      uint32_t size = 5;
      for (uint32_t s = 0; s < 5; ++s)
        if (u < (acc += hh_w[s])) {
          size = s + 1;
          break;
        }
      size = std::min(size, end - p);
      for (uint32_t i = 0; i < size; ++i)
        for (uint32_t j = i + 1; j < size; ++j) add(p + i, p + j);
      if (size >= 2 && w.shared_handset_share > 0 && rng_.Chance(w.shared_handset_share)) ShareHandsets(p, size);
      p += size;
    }
  }
  for (uint32_t p = 0; p < n_; ++p) {
    const PersonRec& r = persons_[p];
    const County& c = counties_[r.county];
    if (rng_.Chance(0.6)) add(p, RandomPersonInCity(c.city));  // relatives elsewhere in the city
    // Friends and colleagues: heavy-tailed count (Pareto), mostly local.
    double k = std::min<double>(w.contacts_max, std::floor(rng_.Pareto(w.contacts_xmin, w.contacts_alpha)));
    for (int i = 0; i < static_cast<int>(k); ++i) {
      double u = rng_.Uniform();
      uint32_t v = u < 0.55 ? RandomPersonInCounty(r.county)
                   : u < 0.85 ? RandomPersonInCity(c.city)
                              : static_cast<uint32_t>(rng_.Below(n_));
      add(p, v);
    }
  }
  contact_off_.assign(n_ + 1, 0);
  for (uint64_t e : edges) {
    contact_off_[(e >> 32) + 1]++;
    contact_off_[(e & 0xffffffffu) + 1]++;
  }
  for (uint32_t p = 0; p < n_; ++p) contact_off_[p + 1] += contact_off_[p];
  contacts_.resize(contact_off_[n_]);
  std::vector<uint32_t> fill(contact_off_.begin(), contact_off_.end() - 1);
  for (uint64_t e : edges) {
    uint32_t a = static_cast<uint32_t>(e >> 32), b = static_cast<uint32_t>(e & 0xffffffffu);
    contacts_[fill[a]++] = b;
    contacts_[fill[b]++] = a;
  }
  std::vector<uint64_t>().swap(edges);
  std::vector<uint32_t>().swap(fill);
  // Dedupe each list, then shuffle it: the first entries become the person's
  // strongest ties (PickContact favours the front).
  uint32_t out = 0;
  for (uint32_t p = 0; p < n_; ++p) {
    uint32_t b = contact_off_[p], e = contact_off_[p + 1];
    std::sort(contacts_.begin() + b, contacts_.begin() + e);
    uint32_t start = out;
    for (uint32_t i = b; i < e; ++i)
      if (i == b || contacts_[i] != contacts_[i - 1]) contacts_[out++] = contacts_[i];
    for (uint32_t i = out - start; i > 1; --i) std::swap(contacts_[start + i - 1], contacts_[start + rng_.Below(i)]);
    contact_off_[p] = start;
  }
  contact_off_[n_] = out;
  contacts_.resize(out);
  contacts_.shrink_to_fit();
}

void Generator::ShareHandsets(uint32_t first, uint32_t size) {
  // A child's or a grandparent's card in a parent's dual-SIM phone, or the
  // family's one smartphone: 2-4 SIMs of the household behind one IMEI (and
  // so one device initiating several holders' app transfers).
  uint32_t sims = persons_[first].n_sims, shared = 0;
  for (uint32_t q = first + 1; q < first + size; ++q) {
    if (sims + persons_[q].n_sims > 4) continue;
    sims += persons_[q].n_sims;
    persons_[q].imei = persons_[first].imei;
    ++shared;
  }
  stats_.realism.shared_handsets += shared > 0;
}

void Generator::BuildEconomy() {
  const auto& w = sc_.world;
  const auto& mo = sc_.money;
  // Employers, by city.
  uint32_t n_emp = std::max<uint32_t>(1, static_cast<uint32_t>(n_ * w.employers_per_1000 / 1000));
  std::vector<std::vector<uint32_t>> city_emp(cities_.size());
  for (uint32_t i = 0; i < n_emp; ++i) {
    uint32_t owner = RandomAdult(30, 65);
    Business b{owner, NewAccount(owner, OldOpening(owner), PickBank(rng_), true), persons_[owner].county,
               static_cast<uint8_t>(rng_.Chance(0.5) ? (rng_.Chance(0.5) ? 10 : 15) : rng_.Between(1, 28))};
    city_emp[counties_[b.county].city].push_back(i);
    businesses_.push_back(b);
  }
  std::vector<uint32_t> emp_count(n_emp + 1, 0);
  for (uint32_t p = 0; p < n_; ++p) {
    PersonRec& r = persons_[p];
    int a = Age(p);
    if (a < 20 || a > 60 || !rng_.Chance(w.employed_share)) continue;
    const auto& list = city_emp[counties_[r.county].city];
    uint32_t e = list.empty() ? static_cast<uint32_t>(rng_.Below(n_emp)) : list[rng_.Below(list.size())];
    r.employer = e;
    r.payday = businesses_[e].payday;
    r.salary_yuan = static_cast<uint32_t>(std::min(200000.0, rng_.LogNormal(mo.salary_median, 0.5)));
    emp_count[e + 1]++;
  }
  employee_off_.assign(n_emp + 1, 0);
  for (uint32_t e = 0; e < n_emp; ++e) employee_off_[e + 1] = employee_off_[e] + emp_count[e + 1];
  employees_.resize(employee_off_[n_emp]);
  std::vector<uint32_t> fill(employee_off_.begin(), employee_off_.end() - 1);
  for (uint32_t p = 0; p < n_; ++p)
    if (persons_[p].employer != kNone) employees_[fill[persons_[p].employer]++] = p;
  payday_off_.assign(33, 0);
  for (const Business& b : businesses_) payday_off_[b.payday + 1]++;
  for (int d = 0; d < 32; ++d) payday_off_[d + 1] += payday_off_[d];
  payday_list_.resize(businesses_.size());
  std::vector<uint32_t> pf(payday_off_.begin(), payday_off_.end() - 1);
  for (uint32_t i = 0; i < businesses_.size(); ++i) payday_list_[pf[businesses_[i].payday]++] = i;

  // Merchants, grouped by county.
  county_merchant_off_.assign(counties_.size() + 1, 0);
  uint64_t pos_counter = 0;
  for (uint32_t ci = 0; ci < counties_.size(); ++ci) {
    uint32_t k = std::max<uint32_t>(1, static_cast<uint32_t>(counties_[ci].n_persons * w.merchants_per_1000 / 1000));
    for (uint32_t i = 0; i < k; ++i) {
      uint32_t owner = RandomPersonInCounty(ci);
      merchants_.push_back({NewAccount(owner, OldOpening(owner), PickBank(rng_), true), kDevPos | ++pos_counter});
    }
    county_merchant_off_[ci + 1] = static_cast<uint32_t>(merchants_.size());
  }
  // Renters pay a landlord of their county each month.
  for (uint32_t p = 0; p < n_; ++p) {
    int a = Age(p);
    if (a < 20 || a > 60 || !rng_.Chance(mo.rent_share)) continue;
    uint32_t l = RandomPersonInCounty(persons_[p].county);
    if (l == p || Age(l) < 35) continue;
    persons_[p].landlord = l;
    persons_[p].rent_day = static_cast<uint8_t>(rng_.Between(1, 28));
    persons_[p].rent_yuan = static_cast<uint32_t>(std::round(rng_.LogNormal(mo.rent_median, 0.4) / 10) * 10 + 10);
  }
}

void Generator::BuildHeavy() {
  const auto& h = sc_.heavy;
  const double rates[kNumHeavyKinds] = {h.couriers_per_1000, h.telemarketers_per_1000, h.drivers_per_1000,
                                        h.clinics_per_1000,  h.agents_per_1000,        h.riders_per_1000,
                                        h.collections_per_1000};
  for (int k = 0; k < kNumHeavyKinds; ++k) {
    uint32_t count = static_cast<uint32_t>(std::round(n_ * rates[k] / 1000));
    const Occupation kind = static_cast<Occupation>(k + 1);
    // Gig workers churn: riders start on brand-new numbers twice as often.
    const double new_share = std::min(1.0, h.new_line_share * (kind == Occupation::kRider ? 2 : 1));
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t p = RandomAdult(kind == Occupation::kRider ? 18 : 22, 55);
      Ts opened;
      uint8_t plan = 2;
      int16_t first_day = 0;
      if (new_share > 0 && rng_.Chance(new_share)) {
        // A new job, a new business, a new number: opened within 90 days, a
        // quarter of them inside the window (the line calls from the next day on).
        ++stats_.realism.new_heavy_lines;
        plan = rng_.Chance(0.5) ? 1 : 2;
        if (opt_.days > 1 && rng_.Chance(0.25)) {
          first_day = static_cast<int16_t>(rng_.Between(1, opt_.days - 1));
          opened = DayStart(first_day) - static_cast<Ts>(rng_.Between(3600, 12 * 3600));
        } else {
          opened = RecentOpening(1, 90);
        }
      } else {
        opened = std::min(OldOpening(p), start_ - 90 * 86400);
      }
      uint32_t sim = NewSim(p, opened, RandomOutlet(persons_[p].county), plan);
      heavy_.push_back({p, sim, kind, NewImei(), RandomCellInCounty(persons_[p].county), first_day});
      stats_.realism.riders += kind == Occupation::kRider;
      stats_.realism.collections += kind == Occupation::kCollections;
    }
  }
  stats_.normal_heavy = heavy_.size();
}

namespace {
// Count for a per-million rate: at least one when the rate is positive, so
// that small test worlds hold every kind of hard negative.
uint32_t AtLeastOne(double expected) {
  return expected <= 0 ? 0 : std::max<uint32_t>(1, static_cast<uint32_t>(std::llround(expected)));
}
// Countries with many Chinese emigrants, students and workers (weights rough).
constexpr uint64_t kRelativeCc[] = {852, 853, 886, 1, 44, 61, 65, 60, 81, 82, 66, 63, 855, 64, 49, 39};
}  // namespace

void Generator::BuildNegatives() {
  const auto& h = sc_.heavy;
  // Enterprise call gateways: a business's SIM bank, opened in one batch at
  // one outlet and operator (half of them recently), at its office cell.
  const uint32_t n_gw = AtLeastOne(n_ * h.gateways_per_million / 1e6);
  for (uint32_t i = 0; i < n_gw; ++i) {
    Gateway gw;
    gw.owner = RandomAdult(28, 60);
    gw.n_sims = static_cast<uint32_t>(rng_.Between(8, 32));
    const Ts batch = rng_.Chance(0.5) ? RecentOpening(7, 180) : std::min(OldOpening(gw.owner), start_ - 30 * 86400);
    const uint32_t outlet = RandomOutlet(persons_[gw.owner].county);
    const int op = static_cast<int>(rng_.Below(3));
    gw.first_sim = static_cast<uint32_t>(sims_.size());
    for (uint32_t k = 0; k < gw.n_sims; ++k)
      NewSim(gw.owner, batch + static_cast<Ts>(rng_.Below(4 * 3600)), outlet, 2, op);
    for (uint32_t k = 0; k < (gw.n_sims + 15) / 16; ++k) gw.module_imeis.push_back(NewImei());
    gw.cell = RandomCellInCounty(persons_[gw.owner].county);
    stats_.realism.gateway_sims += gw.n_sims;
    gateways_.push_back(std::move(gw));
  }
  // IoT and fleet SIMs: a company's batch (plan iot); trackers move, meters
  // and alarm panels sit; some fleets put their SIMs in 8-SIM routers.
  const uint32_t n_iot = AtLeastOne(n_ * h.iot_fleets_per_million / 1e6);
  for (uint32_t i = 0; i < n_iot; ++i) {
    IotFleet f;
    f.owner = RandomAdult(28, 60);
    f.n_sims = static_cast<uint32_t>(rng_.Between(10, 80));
    const Ts batch = rng_.Chance(0.3) ? RecentOpening(1, 180) : OldOpening(f.owner);
    const uint32_t outlet = RandomOutlet(persons_[f.owner].county);
    const int op = static_cast<int>(rng_.Below(3));
    f.first_sim = static_cast<uint32_t>(sims_.size());
    for (uint32_t k = 0; k < f.n_sims; ++k) NewSim(f.owner, batch + static_cast<Ts>(rng_.Below(8 * 3600)), outlet, 3, op);
    f.platform = 10655000000ull + i;  // the company's SMS platform / monitoring centre (service number)
    f.tmpl = HashU64(opt_.seed ^ 0x107 ^ (static_cast<uint64_t>(i) << 24));
    f.shared_device = rng_.Chance(0.3);
    f.moving = rng_.Chance(0.5);
    for (uint32_t k = 0; k < (f.shared_device ? (f.n_sims + 7) / 8 : f.n_sims); ++k) f.imeis.push_back(NewImei());
    for (uint32_t k = 0; k < f.n_sims; ++k) f.cells.push_back(RandomCellInCounty(persons_[f.owner].county));
    stats_.realism.iot_sims += f.n_sims;
    iot_.push_back(std::move(f));
  }
  // Relatives and friends in other provinces (11-digit numbers of other
  // networks: no sim_cards row) or abroad, who call now and then.
  const double oc = sc_.calls.offnet_contact_share;
  for (uint32_t p = 0; oc > 0 && p < n_; ++p) {
    if (!rng_.Chance(oc)) continue;
    uint64_t number;
    if (rng_.Chance(0.7)) {
      uint8_t op;
      number = NewMsisdn(&op);
    } else {
      uint64_t cc = kRelativeCc[rng_.Below(sizeof(kRelativeCc) / sizeof(kRelativeCc[0]))];
      number = kPlus | (cc * 1000000000ull + (++outside_counter_ * 387420489ull + 1000000ull) % 1000000000ull);
    }
    offnet_contacts_.push_back({p, number});
  }
  stats_.realism.offnet_contacts = offnet_contacts_.size();
  // Outbound business lines without a sim_cards row: card centres, insurers
  // and airlines on long service numbers, firms abroad.
  const uint32_t n_ob = AtLeastOne(n_ * h.offnet_businesses_per_million / 1e6);
  for (uint32_t i = 0; i < n_ob; ++i) {
    OffnetBusiness b;
    if (rng_.Chance(0.6)) {
      b.number = 950100000000ull + HashU64(opt_.seed ^ 0x95 ^ (static_cast<uint64_t>(i) << 16)) % 100000000ull;
    } else {
      constexpr uint64_t kBizCc[] = {852, 853, 65, 1, 44, 81};
      uint64_t cc = kBizCc[rng_.Below(6)];
      b.number = kPlus | (cc * 1000000000ull + (++outside_counter_ * 387420489ull + 1000000ull) % 1000000000ull);
    }
    b.city = static_cast<uint16_t>(rng_.Below(cities_.size()));
    b.lo = static_cast<int>(rng_.Between(30, 80));
    b.hi = b.lo + static_cast<int>(rng_.Between(20, 120));
    offnet_biz_.push_back(b);
  }
  stats_.realism.offnet_businesses = offnet_biz_.size();
  // Small shops paid by app into the owner's personal account, grouped by county.
  const uint32_t n_pm = AtLeastOne(n_ * sc_.money.personal_merchants_per_1000 / 1000);
  std::vector<std::pair<uint32_t, uint32_t>> pm;  // (county, account)
  for (uint32_t i = 0; i < n_pm; ++i) {
    uint32_t owner = RandomAdult(25, 65);
    pm.push_back({persons_[owner].county, persons_[owner].first_account});
  }
  std::stable_sort(pm.begin(), pm.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  county_pmerchant_off_.assign(counties_.size() + 1, 0);
  for (const auto& [c, a] : pm) {
    county_pmerchant_off_[c + 1]++;
    pmerchants_.push_back(a);
  }
  for (size_t c = 0; c < counties_.size(); ++c) county_pmerchant_off_[c + 1] += county_pmerchant_off_[c];
  pm_takings_.assign(pmerchants_.size(), 0);
  stats_.realism.personal_merchants = pmerchants_.size();
}

void Generator::AppendPerson(uint32_t p, std::string* out) const {
  out->push_back('P');
  AppendPadded(p + 1, 7, out);
}

void Generator::AppendCell(uint32_t c, std::string* out) const {
  out->push_back('C');
  AppendU64(counties_[cell_county_[c]].code, out);
  out->push_back('-');
  AppendPadded(cell_local_[c], 4, out);
}

void Generator::AppendOutlet(uint32_t o, std::string* out) const {
  const Outlet& x = outlets_[o];
  if (x.bank == 0xff) {
    out->push_back('O');
    AppendU64(counties_[x.county].code, out);
    out->push_back('-');
    AppendPadded(x.k, 3, out);
  } else {
    out->push_back('B');
    out->append(kBanks[x.bank].code);
    out->push_back('-');
    AppendU64(counties_[x.county].code, out);
    out->push_back('-');
    AppendPadded(x.k, 2, out);
  }
}

void Generator::AppendNumber(uint64_t n, std::string* out) {
  if (n & kPlus) out->push_back('+');
  AppendU64(n & ~kPlus, out);
}

void Generator::AppendDevice(uint64_t d, std::string* out) {
  const uint64_t tag = d & ~kDevDigits, v = d & kDevDigits;
  if (tag == kDevImei) {
    AppendPadded(v, 15, out);
  } else if (tag == kDevAtm) {
    out->append("ATM");
    AppendPadded(v, 9, out);
  } else {
    out->append("POS");
    AppendPadded(v, 8, out);
  }
}

}  // namespace interdict::sim
