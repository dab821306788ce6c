// Internal to src/sim: the world's tables and the generator that fills and
// drives them. Everything is indexed by dense uint32 positions in creation
// order, so iteration order (and so the output) depends only on the seed.
//
// Identifiers are held as integers and spelled only when written:
//   phone numbers  uint64 digits; kPlus set = international, written "+<digits>"
//   accounts       uint64 digits (16-digit card numbers)
//   devices        tag << 56 | digits: IMEI (15 digits), ATM / POS terminals
//   cells          index into World::cells, written "C<county>-<nnnn>"
//   persons        index i, written "P<i+1 padded to 7>"
// Generator owns the world and the day buffers; single-threaded except for
// the writer thread, which reads only the immutable tables (cells, counties,
// outlets) and the day batch it was handed.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/time.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace interdict::sim {

inline constexpr uint32_t kNone = 0xffffffffu;
inline constexpr uint64_t kPlus = 1ull << 63;
inline constexpr uint64_t kDevImei = 1ull << 56;
inline constexpr uint64_t kDevAtm = 2ull << 56;
inline constexpr uint64_t kDevPos = 3ull << 56;
inline constexpr uint64_t kDevDigits = (1ull << 56) - 1;

struct County {
  uint32_t code;  // e.g. 440103
  uint16_t city;
  uint32_t first_person, n_persons;
  uint32_t first_cell, n_cells;
  uint32_t first_outlet, n_outlets;  // SIM outlets
  uint32_t first_branch;             // bank branches: n_branch_per_bank per bank
  uint32_t n_branch_per_bank;
};

struct City {
  uint32_t code;  // e.g. 4401
  uint32_t first_county, n_counties;
  uint32_t first_person, n_persons;
};

// SIM outlets and bank branches share one table (and the spec's outlet id space).
struct Outlet {
  uint32_t county;
  uint16_t k;
  uint8_t bank;  // 0xff: a SIM outlet
};

enum class Occupation : uint8_t {
  kNone = 0, kCourier, kTelemarketer, kDriver, kClinic, kAgent, kRider, kCollections
};
inline constexpr int kNumHeavyKinds = 7;

struct PersonRec {
  int16_t birth_year;
  uint8_t gender;  // 0 m, 1 f, 2 u
  uint8_t n_sims;
  uint8_t n_accounts;
  uint8_t payday;    // salary day of month (employer's)
  uint8_t rent_day;  // 0 = pays no rent
  uint8_t pad = 0;
  uint16_t county;
  uint32_t home_cell, work_cell;
  uint32_t first_sim, first_account;
  float activity;
  uint32_t employer;  // business index or kNone
  uint32_t landlord;  // person index or kNone
  uint32_t salary_yuan, rent_yuan;
  uint64_t imei;  // device value (kDevImei | digits), changes with handset
};

struct SimRec {
  uint64_t msisdn;
  Ts opened;
  uint32_t person;
  uint32_t outlet;
  uint8_t op;    // 0 cmcc, 1 cu, 2 ct
  uint8_t plan;  // 1 prepaid, 2 postpaid, 3 iot
};

struct AccountRec {
  uint64_t id;
  Ts opened;
  uint32_t person;
  uint32_t branch;
  uint8_t bank;
  uint8_t business;
  uint8_t role = 0;     // label role once it carried case money (AccountRole)
  uint8_t rented = 0;   // a person's own account rented to a gang (not opened for it)
  uint32_t gang = kNone;
  uint32_t mule_dev = kNone;  // fraud device operating it
};

enum AccountRole : uint8_t { kRoleNone = 0, kRoleL1, kRoleL2, kRoleL3, kRoleCashout, kRoleCollector };

struct Business {
  uint32_t owner;
  uint32_t account;
  uint16_t county;
  uint8_t payday;
};

struct Merchant {
  uint32_t account;
  uint64_t pos;
};

struct HeavyCaller {
  uint32_t person;
  uint32_t sim;
  Occupation kind;
  uint64_t imei;
  uint32_t office_cell;
  int16_t first_day = 0;  // a line opened inside the window calls from this day on
};

// Hard negatives (docs/simulator.md, "Realism").
// An enterprise call gateway or a call centre's SIM bank: many SIMs of one
// business in one device (one IMEI per 16-SIM module), at one office cell.
struct Gateway {
  uint32_t owner;
  uint32_t first_sim, n_sims;  // consecutive SimRec indices
  uint32_t cell;
  std::vector<uint64_t> module_imeis;  // SIM i sits in module i / 16
};

// A fleet of IoT SIMs (trackers, meters, alarm panels, kids' watches) of one
// company: small regular SMS and short calls to the company's platform number.
struct IotFleet {
  uint32_t owner;
  uint32_t first_sim, n_sims;
  uint64_t platform;       // the monitoring centre's number (the owner's primary number)
  uint64_t tmpl;           // the telemetry text's template
  bool shared_device;      // SIMs sit in multi-SIM routers (8 per device) instead of one module each
  bool moving;             // vehicle trackers change cells
  std::vector<uint64_t> imeis;  // per SIM (shared_device: per router)
  std::vector<uint32_t> cells;  // per SIM: where it sits (moving: its county's home cell)
};

// A relative or friend on a number of another operator, province or country
// (no sim_cards row) who calls a person now and then.
struct OffnetContact {
  uint32_t person;
  uint64_t number;
};

// An outbound business line with no sim_cards row: a bank's or airline's
// service centre (95xxx long numbers), an international firm (+852 ...).
struct OffnetBusiness {
  uint64_t number;
  uint16_t city;
  int lo, hi;  // distinct callees a working day
  bool used = false;
};

// Fraud.
enum class Channel5 : uint8_t { kSimbox, kPhone, kOverseas, kVoip };

struct FraudNumber {
  uint64_t number;
  uint32_t sim = kNone;  // kNone: off-net (no sim_cards row)
  Channel5 channel;
  int16_t day_from, day_to;  // active days [from, to)
  uint32_t dev = kNone, dev2 = kNone;
  int16_t switch_day = 0;    // from this day on dev2 is the handset
  float weight = 1;
  bool used = false;
};

enum class DeviceRole : uint8_t { kSimbox, kFraudPhone, kMulePhone };

struct FraudDevice {
  uint64_t imei;
  DeviceRole role;
  uint32_t gang;
  uint32_t cell;
  bool used = false;
  bool moving = false;    // a SIM box in a car, a farm phone carried around: cell changes
  uint32_t box = kNone;   // a multi-IMEI SIM box: the device index of its first module (shares its cell)
  uint32_t cell_today = kNone;  // moving devices: where it is parked today
};

struct Gang {
  FraudType type;
  uint16_t county;
  uint32_t den_cell;
  double scale;  // attempts multiplier (< 1 only in worlds too small for one whole gang)
  bool has_simbox;
  double box_share = 0;  // share of attempts on the SIM-box channel
  int layers;  // 2 or 3 mule layers
  std::vector<uint32_t> numbers;  // FraudNumber indices
  std::vector<uint32_t> l1, l2, l3, cashout;  // account indices
  std::vector<uint64_t> collectors;           // outside accounts
  std::vector<uint64_t> platforms;            // payment-platform accounts victims pay into (outside)
  std::vector<uint32_t> recruiters;           // person indices
  std::vector<uint32_t> account_sellers;
  uint64_t chat_template;
};

struct CaseRec {
  uint32_t victim;
  uint32_t victim_sim;
  uint32_t victim_account;
  FraudType type;
  uint32_t gang;
  Ts first_contact;
  Ts first_loss = kNoTs;
  Ts last_loss = kNoTs;
  Money loss = 0;
  uint64_t landing_number = 0;
  bool slow = false;  // its money moves on hours to days per hop
};

struct CaseTransfer {
  uint32_t case_no;
  uint64_t txn;
  uint8_t hop;
};

struct PersonLabel {
  uint32_t person;
  uint8_t role;  // 0 card_seller, 1 account_seller, 2 recruiter
  uint32_t gang;
};

// Event rows, compact; the writer spells them.
struct CallRow {
  Ts ts;
  uint64_t caller, callee, imei;  // imei 0 = absent
  uint32_t caller_cell, callee_cell;  // kNone = absent
  uint32_t dur;
};
struct SmsRow {
  Ts ts;
  uint64_t sender, receiver, tmpl;
  uint8_t has_url;
};
struct TransferRow {
  Ts ts;
  uint64_t txn, from, to, device;  // from/to/device 0 = absent
  Money amount;
  uint8_t kind, channel;  // interdict::TransferKind / Channel values
};
struct ReportRow {
  Ts ts;
  uint32_t report_no, person;
  uint64_t msisdn, account, suspect;  // suspect 0 = not named
  Money amount;
  FraudType type;
};

struct DayBatch {
  std::vector<CallRow> calls;
  std::vector<SmsRow> sms;
  std::vector<TransferRow> transfers;
  std::vector<ReportRow> reports;
  void clear() {
    calls.clear();
    sms.clear();
    transfers.clear();
    reports.clear();
  }
};

// The whole world and its generator. Lifetime: one run.
class Generator {
 public:
  Generator(const SimOptions& opt);

  void BuildWorld();     // world.cc
  void BuildFraud();     // fraud.cc
  // Generates day d into `out` (plus carry-over from earlier days), sorted by ts.
  void GenerateDay(int d, DayBatch* out);

  // Spelling of ids (also used by the writer thread: reads immutable tables only).
  void AppendPerson(uint32_t p, std::string* out) const;
  void AppendCell(uint32_t c, std::string* out) const;
  void AppendOutlet(uint32_t o, std::string* out) const;
  static void AppendNumber(uint64_t n, std::string* out);
  static void AppendDevice(uint64_t d, std::string* out);

  // Tables (read by the writer of openings and labels after generation).
  const SimOptions& opt_;
  const Scenario& sc_;
  Rng rng_;
  uint32_t n_;  // persons
  Ts start_, end_;
  int start_year_ = 0;  // local calendar year of the start: ages are start_year_ - birth_year

  std::vector<City> cities_;
  std::vector<County> counties_;
  std::vector<uint32_t> cell_county_;  // cell -> county
  std::vector<uint16_t> cell_local_;   // cell -> index within county
  std::vector<Outlet> outlets_;
  std::vector<PersonRec> persons_;
  std::vector<SimRec> sims_;
  std::vector<AccountRec> accounts_;
  std::vector<uint32_t> contact_off_, contacts_;  // CSR by person, contacts are person indices
  std::vector<Business> businesses_;
  std::vector<uint32_t> employee_off_, employees_;  // CSR by business
  std::vector<Merchant> merchants_;
  std::vector<uint32_t> county_merchant_off_;  // merchants are grouped by county
  std::vector<HeavyCaller> heavy_;
  std::vector<Gateway> gateways_;
  std::vector<IotFleet> iot_;
  std::vector<OffnetContact> offnet_contacts_;
  std::vector<OffnetBusiness> offnet_biz_;
  std::vector<uint32_t> pmerchants_;            // personal accounts of shops paid by app, by county
  std::vector<uint32_t> county_pmerchant_off_;
  std::vector<Money> pm_takings_;               // per personal merchant: today's takings
  std::vector<uint8_t> sim_used_;               // per SIM: made or received a call or SMS (labelled negatives)
  std::vector<uint32_t> payday_off_, payday_list_;  // businesses by payday (1..31)

  std::vector<Gang> gangs_;
  std::vector<FraudNumber> fnumbers_;
  std::vector<FraudDevice> fdevices_;
  std::vector<CaseRec> cases_;
  std::vector<CaseTransfer> case_transfers_;
  std::vector<PersonLabel> person_labels_;
  std::vector<uint32_t> insider_outlets_;  // outlet indices that may open gang SIMs
  std::vector<uint32_t> insider_branches_;  // branch indices that opened mule accounts
  std::vector<uint32_t> labelled_accounts_;  // in order of first case money
  std::vector<uint64_t> labelled_collectors_;  // outside accounts: collectors and payment platforms
  std::vector<uint32_t> collector_gang_;
  std::vector<uint8_t> collector_role_;         // kRoleCollector, or kRoleL1 for a platform account

  SimSummary stats_;

 private:
  // world.cc helpers
  void BuildRegions();
  void BuildPersons();
  void BuildContacts();
  void BuildEconomy();
  void BuildHeavy();
  void BuildNegatives();
  void ShareHandsets(uint32_t first, uint32_t size);
  uint32_t NewSim(uint32_t person, Ts opened, uint32_t outlet, uint8_t plan, int want_op = -1);
  uint8_t FraudCardPlan();  // plan of a fraud card opened in a real person's name (fraud.postpaid_card_share)
  uint32_t NewAccount(uint32_t person, Ts opened, uint8_t bank, bool business);
  uint32_t RandomOutlet(uint32_t county);
  uint32_t RandomBranch(uint32_t county, uint8_t bank);
  uint32_t RandomPersonInCounty(uint32_t county);
  uint32_t RandomPersonInCity(uint32_t city);
  uint32_t RandomCellInCounty(uint32_t county);
  uint32_t RandomAdult(int min_age, int max_age);
  int Age(uint32_t p) const;
  uint64_t NewImei();
  uint64_t NewMsisdn(uint8_t* op, int want_op = -1);
  Ts OldOpening(uint32_t person);
  Ts RecentOpening(int days_lo, int days_hi);
  Ts DayStart(int d) const { return start_ + static_cast<Ts>(d) * 86400; }
  uint32_t CellAt(uint32_t p, Ts ts) const;

  // day.cc: normal life
  void NormalCalls(int d);
  void NormalSms(int d);
  void NormalMoney(int d);
  void HeavyCalls(int d);
  void NegativeCalls(int d);   // gateways, IoT, off-net contacts and businesses
  void NegativeMoney(int d);   // personal merchants' takings, large first payments
  Ts RandomTimeOfDay(int d);
  Ts RandomTimeIn(int d, int h_from, int h_to);
  uint32_t PickContact(uint32_t p);
  uint64_t PrimaryNumber(uint32_t p) const { return sims_[persons_[p].first_sim].msisdn; }
  void Transfer(Ts ts, uint64_t from, uint64_t to, Money amount, uint8_t kind, uint8_t channel, uint64_t device,
                uint32_t notify_person, uint8_t notify_bank);
  Money Amount(double median, double sigma, bool whole_yuan);

  // fraud.cc
  void FraudDay(int d);
  void Attempt(uint32_t g, int d, Ts ts, uint32_t num_idx, uint32_t target, bool via_sms);
  void StartCase(uint32_t g, uint32_t victim, Ts first_contact, uint32_t num_idx, Ts ts);
  void Layer(uint32_t case_no, uint32_t g, uint32_t account, int layer, Money amount, Ts ts);
  void LabelAccount(uint32_t account, uint8_t role, uint32_t gang);
  void LabelOutside(uint64_t account, uint8_t role, uint32_t gang);
  Ts HopDelay(uint32_t case_no);
  uint32_t PickTarget(const FraudTypeParams& t);
  uint32_t PickActiveNumber(uint32_t g, int d, Channel5 ch);
  bool EmitFraudCall(Ts ts, uint32_t num_idx, int d, uint64_t callee, uint32_t callee_cell, uint32_t dur);
  uint64_t FraudImei(const FraudNumber& fn, int d) const;
  uint32_t FraudCell(const FraudNumber& fn, int d);
  uint64_t NewOutsideAccount();
  uint64_t NewPlatformAccount();
  void AddNumbers(uint32_t g, Channel5 ch, double daily_calls, double per_number, bool farm = false);
  uint32_t BuySim(uint32_t g, Ts first_use);
  uint32_t NewFraudDevice(DeviceRole role, uint32_t g, uint32_t cell);

  // emitting rows (into the current day, or carried to a later one)
  bool Emit(const CallRow& r);
  bool Emit(const SmsRow& r);
  bool Emit(const TransferRow& r);
  bool Emit(const ReportRow& r);

  DayBatch* day_ = nullptr;
  DayBatch carry_;
  Ts day_end_ = 0;
  uint64_t next_txn_ = 1;
  uint64_t msisdn_counter_ = 0;
  uint64_t imei_counter_ = 0;
  uint64_t account_counter_ = 0;
  uint64_t outside_counter_ = 0;
  uint64_t template_counter_ = 0;
  uint32_t report_counter_ = 0;
  std::vector<double> hour_cum_;
  std::vector<double> fraud_hour_cum_;
  std::array<double, kNumFraudTypes> type_cum_{};
  std::vector<uint32_t> sellers_used_;  // persons already used as sellers/recruiters
  std::vector<uint8_t> person_flag_;    // 1 = seller/recruiter (not reused)
  uint32_t card_seller_ = kNone;        // current card seller and how many SIMs left in the batch
  int card_seller_left_ = 0;
  Ts card_batch_ts_ = 0;
  Ts card_batch_span_ = 3 * 86400;  // openings of the batch spread over this
  uint32_t card_seller_outlet_ = kNone;  // a small-batch seller keeps to one outlet and operator
  int card_seller_op_ = -1;
  double box_phase_ = -1;    // stratified choice of moving SIM boxes
  uint32_t boxes_made_ = 0;
};

// Bank table: BIN prefix, service number, short code, weight.
struct BankInfo {
  const char* code;
  uint64_t bin;
  uint64_t service;
  double weight;
};
inline constexpr int kNumBanks = 8;
extern const BankInfo kBanks[kNumBanks];

}  // namespace interdict::sim
