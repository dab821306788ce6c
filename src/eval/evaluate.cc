#include "eval/evaluate.h"

#include <sys/stat.h>

#include <algorithm>
#include <limits>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "base/log.h"
#include "eval/lot_queue.h"
#include "ingest/row_parser.h"
#include "model/action.h"

namespace interdict {

namespace {

constexpr Ts kNever = std::numeric_limits<Ts>::max();

bool IsDirectory(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Lowers v[id] to ts, growing v as needed.
void MinGrow(std::vector<Ts>* v, uint32_t id, Ts ts) {
  if (id >= v->size()) v->resize(static_cast<size_t>(id) + 1, kNever);
  if (ts < (*v)[id]) (*v)[id] = ts;
}
// Lowers v[id] to ts if id is inside v (ids past the end are not tracked).
inline void MinAt(std::vector<Ts>* v, uint32_t id, Ts ts) {
  if (id < v->size() && ts < (*v)[id]) (*v)[id] = ts;
}

// One target kind of section 1. Ids are the data set's dense ids of the kind's
// interner; the labels file is interned first, so first events need tracking
// only for ids below `labelled_ids` (every positive is one of them).
struct EntityState {
  Interner* ids = nullptr;
  uint32_t labelled_ids = 0;
  std::vector<uint8_t> positive;     // by id < labelled_ids
  std::vector<Ts> first_flag;        // by id; kNever = not flagged
  std::vector<Ts> first_event;       // the page's first choice of "first event"
  std::vector<Ts> first_fallback;    // numbers: earliest call/SMS received
  std::vector<Ts> first_opening;     // numbers: sim_cards row; accounts: bank_accounts row
};

struct CaseState {
  bool listed = false;  // has a labels/cases.csv row
  Ts first_loss_ts = kNoTs;
  Money loss = 0;
  Tier best = Tier::kNone;
  Ts first_hop1_ts = kNever;  // earliest hop-1 transfer in transfers.csv
  Ts first_stop = kNever;     // earliest effective stop on an account that ever held its taint
};

// Which target kinds an action accepts (events.md, actions.csv table).
bool KindFits(ActionType a, TargetKind k) {
  switch (a) {
    case ActionType::kFlagNumber:
    case ActionType::kReverifySim:
      return k == TargetKind::kMsisdn;
    case ActionType::kWarnSms:
    case ActionType::kWarnCall:
    case ActionType::kWarnVisit:
      return k == TargetKind::kMsisdn || k == TargetKind::kPerson;
    case ActionType::kHoldTransfer:
      return k == TargetKind::kTxn;
    case ActionType::kStopPayment:
    case ActionType::kFreeze:
    case ActionType::kFlagAccount:
    case ActionType::kReverifyAccount:
      return k == TargetKind::kAccount;
    case ActionType::kFlagDevice:
      return k == TargetKind::kImei;
    case ActionType::kFlagOutlet:
      return k == TargetKind::kOutlet;
    case ActionType::kFlagPerson:
      return k == TargetKind::kPerson;
  }
  return false;
}

std::optional<double> Ratio(double num, double den) {
  if (den == 0) return std::nullopt;
  return num / den;
}

class Evaluator {
 public:
  Evaluator(const EvalOptions& opt, EvalReport* report) : opt_(opt), r_(report) {
    Interner* ids[kNumEntityKinds] = {&dicts_.msisdn, &dicts_.account, &dicts_.device, &dicts_.outlet,
                                      &dicts_.person};
    for (int k = 0; k < kNumEntityKinds; ++k) entity_[k].ids = ids[k];
  }

  Status Run(const std::string& dataset_dir, const std::string& actions_path) {
    if (!IsDirectory(dataset_dir)) return Status::NotFound(fmt::format("{}: no such data set directory", dataset_dir));
    std::string labels = dataset_dir + "/labels";
    if (!IsDirectory(labels))
      return Status::NotFound(fmt::format("{}: no labels/ directory: not a labelled data set", dataset_dir));
    Status s = rejects_.Open(opt_.rejects_path);
    if (!s.ok()) return s;
    if (!(s = ReadEntityLabels(labels)).ok()) return s;
    if (!(s = ReadCases(labels)).ok()) return s;
    if (!(s = ReadCaseTransfers(labels)).ok()) return s;
    if (!(s = ReadActions(actions_path)).ok()) return s;
    if (!(s = ReadDataset(dataset_dir)).ok()) return s;
    Finish();
    return rejects_.Close();
  }

 private:
  EntityState& Entity(EntityKind k) { return entity_[static_cast<int>(k)]; }

  // Opens labels/<stem>.csv[.gz] if present. *present = false when absent
  // (a data set need not label every kind).
  Status OpenLabel(const std::string& labels, std::string_view stem, NamedCsv* f,
                   const std::vector<std::string_view>& req, const std::vector<std::string_view>& opt,
                   bool* present) {
    std::string warning;
    std::string path = FindDatasetFile(labels, stem, &warning);
    if (!warning.empty()) INTERDICT_LOG_WARN("{}", warning);
    *present = !path.empty();
    if (!*present) {
      INTERDICT_LOG_INFO("labels/{}.csv absent: no labelled {}", stem, stem);
      return Status::Ok();
    }
    return f->Open(path, req, opt);
  }

  Status Done(NamedCsv* f) {
    r_->inputs.push_back(f->stats());
    return f->Finish();
  }

  Status ReadEntityLabels(const std::string& labels) {
    struct Spec {
      EntityKind kind;
      std::string_view stem, key;
    };
    static constexpr Spec kSpecs[] = {{EntityKind::kNumbers, "numbers", "msisdn"},
                                      {EntityKind::kAccounts, "accounts", "account_id"},
                                      {EntityKind::kDevices, "devices", "imei"},
                                      {EntityKind::kOutlets, "outlets", "outlet_id"},
                                      {EntityKind::kPersons, "persons", "person_id"}};
    for (const Spec& sp : kSpecs) {
      EntityState& es = Entity(sp.kind);
      NamedCsv f(fmt::format("labels/{}.csv", sp.stem), &rejects_);
      bool present = false;
      // numbers.csv lists negatives too (normal_heavy ...): its role decides.
      bool numbers = sp.kind == EntityKind::kNumbers;
      std::vector<std::string_view> req = {sp.key};
      if (numbers) req.push_back("role");
      Status s = OpenLabel(labels, sp.stem, &f, req, numbers ? std::vector<std::string_view>{"gang_id"}
                                                            : std::vector<std::string_view>{"role", "gang_id", "cell"},
                           &present);
      if (!s.ok()) return s;
      if (present) {
        while (f.Next()) {
          std::string_view id = f.Get(0);
          if (!IsValidId(id)) {
            f.Reject(id.empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, 0, "not a valid id");
            continue;
          }
          f.Accept();
          uint32_t x = es.ids->Intern(id);
          if (x >= es.positive.size()) es.positive.resize(static_cast<size_t>(x) + 1, 0);
          if (!numbers || f.Get(1) == "fraud_caller" || f.Get(1) == "simbox_sim") es.positive[x] = 1;
        }
        if (!(s = Done(&f)).ok()) return s;
      }
      es.labelled_ids = es.ids->size();
      es.positive.resize(es.labelled_ids, 0);
      es.first_event.assign(es.labelled_ids, kNever);
      es.first_opening.assign(es.labelled_ids, kNever);
      if (numbers) es.first_fallback.assign(es.labelled_ids, kNever);
    }
    return Status::Ok();
  }

  uint32_t CaseIndex(std::string_view case_id) {
    uint32_t c = case_ids_.Intern(case_id);
    if (c >= cases_.size()) cases_.resize(static_cast<size_t>(c) + 1);
    return c;
  }

  Status ReadCases(const std::string& labels) {
    enum { kCase, kPerson, kMsisdn, kAccount, kFirstLoss, kLoss };
    NamedCsv f("labels/cases.csv", &rejects_);
    bool present = false;
    Status s = OpenLabel(labels, "cases", &f, {"case_id"},
                         {"victim_person_id", "victim_msisdn", "victim_account_id", "first_loss_ts", "loss_amount", "fraud_type",
                          "gang_id", "first_contact_ts"},
                         &present);
    if (!s.ok() || !present) return s;
    TsParser ts_parser(opt_.read.tz);
    while (f.Next()) {
      std::string_view id = f.Get(kCase);
      if (!IsValidId(id)) {
        f.Reject(id.empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, kCase, "not a valid id");
        continue;
      }
      bool bad = false;
      for (int c : {kPerson, kMsisdn, kAccount}) {
        if (!f.Get(c).empty() && !IsValidId(f.Get(c))) {
          f.Reject(RejectReason::kBadId, c, "not a valid id");
          bad = true;
          break;
        }
      }
      if (bad) continue;
      Ts loss_ts = kNoTs;
      if (!f.Get(kFirstLoss).empty() && !ts_parser.Parse(f.Get(kFirstLoss), &loss_ts)) {
        f.Reject(RejectReason::kBadTs, kFirstLoss, "not a timestamp of a form events.md allows");
        continue;
      }
      Money loss = 0;
      if (!f.Get(kLoss).empty()) {
        MoneyError e = ParseMoney(f.Get(kLoss), &loss);
        if (e != MoneyError::kOk) {
          f.Reject(RejectReason::kBadMoney, kLoss, MoneyErrorText(e));
          continue;
        }
      }
      uint32_t c = case_ids_.Find(id);
      if (c != kNoId && cases_[c].listed) {
        f.Reject(RejectReason::kBadId, kCase, "case_id listed before in labels/cases.csv");
        continue;
      }
      f.Accept();
      c = CaseIndex(id);
      CaseState& cs = cases_[c];
      cs.listed = true;
      cs.first_loss_ts = loss_ts;
      cs.loss = loss;
      if (!f.Get(kMsisdn).empty()) victim_msisdn_.emplace_back(dicts_.msisdn.Intern(f.Get(kMsisdn)), c);
      if (!f.Get(kPerson).empty()) victim_person_.emplace_back(dicts_.person.Intern(f.Get(kPerson)), c);
    }
    std::sort(victim_msisdn_.begin(), victim_msisdn_.end());
    std::sort(victim_person_.begin(), victim_person_.end());
    return Done(&f);
  }

  Status ReadCaseTransfers(const std::string& labels) {
    enum { kCase, kTxn, kHop };
    NamedCsv f("labels/case_transfers.csv", &rejects_);
    bool present = false;
    Status s = OpenLabel(labels, "case_transfers", &f, {"case_id", "txn_id", "hop"}, {}, &present);
    if (!s.ok() || !present) return s;
    while (f.Next()) {
      bool bad = false;
      for (int c : {kCase, kTxn}) {
        if (!IsValidId(f.Get(c))) {
          f.Reject(f.Get(c).empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, c, "not a valid id");
          bad = true;
          break;
        }
      }
      if (bad) continue;
      std::string_view hop = f.Get(kHop);
      int64_t h = 0;
      bool ok = !hop.empty() && hop.size() <= 9;
      for (char ch : hop) {
        if (ch < '0' || ch > '9') ok = false;
        else h = h * 10 + (ch - '0');
      }
      if (!ok || h < 1) {
        f.Reject(hop.empty() ? RejectReason::kMissingRequired : RejectReason::kBadInt, kHop,
                 "hop must be a positive integer");
        continue;
      }
      // Every hop is kept: a hold on any case transfer is not a false hold.
      // Only hop 1 feeds the replay and the in-time hold.
      uint32_t key = txn_keys_.Intern(f.Get(kTxn));
      if (key >= hop1_case_.size()) {
        hop1_case_.resize(static_cast<size_t>(key) + 1, kNoId);
        case_txn_.resize(static_cast<size_t>(key) + 1, 0);
      }
      if (h == 1 && hop1_case_[key] != kNoId) {
        f.Reject(RejectReason::kDuplicateTxn, kTxn, "txn_id listed as a hop-1 transfer before");
        continue;
      }
      f.Accept();
      case_txn_[key] = 1;
      if (h == 1) {
        hop1_case_[key] = CaseIndex(f.Get(kCase));
        ++r_->hop1_listed;
      }
    }
    return Done(&f);
  }

  // The (victim id, case) entries for victim `id` of a sorted list.
  static std::span<const std::pair<uint32_t, uint32_t>> Victims(const std::vector<std::pair<uint32_t, uint32_t>>& v,
                                                                uint32_t id) {
    auto lo = std::lower_bound(v.begin(), v.end(), std::make_pair(id, uint32_t{0}));
    auto hi = lo;
    while (hi != v.end() && hi->first == id) ++hi;
    return {lo, hi};
  }

  void Warn(Tier tier, Ts ts, TargetKind kind, std::string_view target) {
    bool msisdn = kind == TargetKind::kMsisdn;
    uint32_t id = (msisdn ? dicts_.msisdn : dicts_.person).Find(target);
    std::span<const std::pair<uint32_t, uint32_t>> cases;
    if (id != kNoId) cases = Victims(msisdn ? victim_msisdn_ : victim_person_, id);
    if (cases.empty()) {
      ++r_->false_warning_rows[static_cast<int>(tier) - 1];
      return;
    }
    Ts lead = tier == Tier::kSms ? opt_.lead_sms_s : tier == Tier::kCall ? opt_.lead_call_s : opt_.lead_visit_s;
    for (const auto& [victim, c] : cases) {
      CaseState& cs = cases_[c];
      if (cs.first_loss_ts != kNoTs && ts <= cs.first_loss_ts - lead && tier > cs.best) cs.best = tier;
    }
  }

  Status ReadActions(const std::string& path) {
    enum { kTs, kAction, kKind, kTarget, kActionId, kAmount, kScore, kReason, kCaseId };
    NamedCsv f("actions.csv", &rejects_);
    Status s = f.Open(path, {"ts", "action", "target_kind", "target"},
                      {"action_id", "amount", "score", "reason", "case_id"});
    if (!s.ok()) return s;
    TsParser ts_parser(opt_.read.tz);
    while (f.Next()) {
      Ts ts;
      if (f.Get(kTs).empty()) {
        f.Reject(RejectReason::kMissingRequired, kTs, "empty ts");
        continue;
      }
      if (!ts_parser.Parse(f.Get(kTs), &ts)) {
        f.Reject(RejectReason::kBadTs, kTs, "not a timestamp of a form events.md allows");
        continue;
      }
      auto action = ParseActionType(f.Get(kAction));
      if (!action) {
        f.Reject(f.Get(kAction).empty() ? RejectReason::kMissingRequired : RejectReason::kBadEnum, kAction,
                 "not an action of events.md");
        continue;
      }
      auto kind = ParseTargetKind(f.Get(kKind));
      if (!kind) {
        f.Reject(f.Get(kKind).empty() ? RejectReason::kMissingRequired : RejectReason::kBadEnum, kKind,
                 "not a target kind of events.md");
        continue;
      }
      if (!KindFits(*action, *kind)) {
        f.Reject(RejectReason::kKindMismatch, kKind, fmt::format("{} cannot target a {}", ToString(*action), ToString(*kind)));
        continue;
      }
      std::string_view target = f.Get(kTarget);
      if (!IsValidId(target)) {
        f.Reject(target.empty() ? RejectReason::kMissingRequired : RejectReason::kBadId, kTarget, "not a valid id");
        continue;
      }
      f.Accept();
      ++r_->actions;
      switch (*action) {
        case ActionType::kFlagNumber:
          Flag(EntityKind::kNumbers, target, ts);
          break;
        case ActionType::kStopPayment:
        case ActionType::kFreeze: {
          uint32_t a = Flag(EntityKind::kAccounts, target, ts);
          MinGrow(&stop_eff_, a, ts + opt_.latency_s);
          if (!IsPositive(EntityKind::kAccounts, a)) ++r_->false_stop_actions;
          break;
        }
        case ActionType::kFlagAccount:
          Flag(EntityKind::kAccounts, target, ts);
          break;
        case ActionType::kFlagDevice:
          Flag(EntityKind::kDevices, target, ts);
          break;
        case ActionType::kFlagOutlet:
          Flag(EntityKind::kOutlets, target, ts);
          break;
        case ActionType::kFlagPerson:
          Flag(EntityKind::kPersons, target, ts);
          break;
        case ActionType::kWarnSms:
          Warn(Tier::kSms, ts, *kind, target);
          break;
        case ActionType::kWarnCall:
          Warn(Tier::kCall, ts, *kind, target);
          break;
        case ActionType::kWarnVisit:
          Warn(Tier::kVisit, ts, *kind, target);
          break;
        case ActionType::kHoldTransfer: {
          uint32_t key = txn_keys_.Intern(target);
          MinGrow(&hold_min_, key, ts);
          break;
        }
        case ActionType::kReverifySim:
        case ActionType::kReverifyAccount:
          break;  // not scored by the page
      }
    }
    hold_min_.resize(txn_keys_.size(), kNever);
    hop1_case_.resize(txn_keys_.size(), kNoId);
    case_txn_.resize(txn_keys_.size(), 0);
    return Done(&f);
  }

  uint32_t Flag(EntityKind k, std::string_view target, Ts ts) {
    EntityState& es = Entity(k);
    uint32_t id = es.ids->Intern(target);
    MinGrow(&es.first_flag, id, ts);
    return id;
  }
  bool IsPositive(EntityKind k, uint32_t id) {
    const EntityState& es = Entity(k);
    return id < es.positive.size() && es.positive[id];
  }

  Status ReadDataset(const std::string& dir) {
    DatasetReader reader(&dicts_, &rejects_, opt_.read);
    Status s = reader.OpenDirectory(dir);
    if (!s.ok()) return s;
    Event e;
    while (reader.Next(&e)) OnEvent(e);
    s = reader.Finish();
    r_->dataset = reader.stats();
    return s;
  }

  void OnEvent(const Event& e) {
    bool activity = e.kind == EventKind::kCall || e.kind == EventKind::kSms || e.kind == EventKind::kTransfer;
    all_min_ = std::min(all_min_, e.ts);
    all_max_ = std::max(all_max_, e.ts);
    if (activity) {
      act_min_ = std::min(act_min_, e.ts);
      act_max_ = std::max(act_max_, e.ts);
    }
    EntityState& num = Entity(EntityKind::kNumbers);
    EntityState& acc = Entity(EntityKind::kAccounts);
    EntityState& dev = Entity(EntityKind::kDevices);
    EntityState& out = Entity(EntityKind::kOutlets);
    EntityState& per = Entity(EntityKind::kPersons);
    switch (e.kind) {
      case EventKind::kSimCard:
        MinAt(&num.first_opening, e.sim.msisdn, e.ts);
        MinAt(&out.first_event, e.sim.outlet, e.ts);
        MinAt(&per.first_event, e.sim.person, e.ts);
        break;
      case EventKind::kBankAccount:
        MinAt(&acc.first_opening, e.account.account, e.ts);
        MinAt(&out.first_event, e.account.branch, e.ts);
        MinAt(&per.first_event, e.account.person, e.ts);
        break;
      case EventKind::kCall:
        MinAt(&num.first_event, e.call.caller, e.ts);
        MinAt(&num.first_fallback, e.call.callee, e.ts);
        MinAt(&dev.first_event, e.call.caller_imei, e.ts);
        break;
      case EventKind::kSms:
        MinAt(&num.first_event, e.sms.sender, e.ts);
        MinAt(&num.first_fallback, e.sms.receiver, e.ts);
        break;
      case EventKind::kTransfer:
        MinAt(&acc.first_event, e.transfer.from, e.ts);
        MinAt(&acc.first_event, e.transfer.to, e.ts);
        MinAt(&dev.first_event, e.transfer.device, e.ts);
        OnTransfer(e);
        break;
      case EventKind::kReport:
        break;
    }
  }

  Ts StopOf(AccountId a) const { return a < stop_eff_.size() ? stop_eff_[a] : kNever; }

  LotQueue* QueueOf(AccountId a, bool create) {
    if (a >= queue_of_.size()) {
      if (!create) return nullptr;
      queue_of_.resize(std::max<size_t>(static_cast<size_t>(a) + 1, queue_of_.size() * 2), kNoId);
    }
    uint32_t q = queue_of_[a];
    if (q == kNoId) {
      if (!create) return nullptr;
      q = queue_of_[a] = static_cast<uint32_t>(queues_.size());
      queues_.emplace_back();
      queue_account_.push_back(a);
    }
    return &queues_[q];
  }

  void AddLot(AccountId a, uint32_t c, Money amount) {
    QueueOf(a, true)->Push(c, amount);
    Ts stop = StopOf(a);
    if (stop < cases_[c].first_stop) cases_[c].first_stop = stop;
  }

  // The replay of evaluation.md section 3, one transfers.csv row at a time in
  // the reader's event order.
  void OnTransfer(const Event& e) {
    const Transfer& t = e.transfer;
    ++r_->transfers;
    uint32_t c = kNoId;
    bool held = false;
    if (txn_keys_.size() > 0) {
      uint32_t key = txn_keys_.Find(dicts_.txn.Name(t.txn));
      if (key != kNoId) {
        c = hop1_case_[key];
        held = hold_min_[key] <= e.ts;
      }
    }
    if (c != kNoId) {
      CaseState& cs = cases_[c];
      r_->total_loss += t.amount;
      cs.first_hop1_ts = std::min(cs.first_hop1_ts, e.ts);
      // Only a hold on the victim's first payment (the hop-1 transfer made at
      // first_loss_ts) comes before any loss and prevents the case. A hold on a
      // later payment comes after a loss, like a late warning: it still blocks
      // the transfer and its amount counts as intercepted (below), not here.
      if (held && cs.first_loss_ts != kNoTs && e.ts == cs.first_loss_ts) cs.best = Tier::kHold;
    }
    bool blocked = held || (t.kind != TransferKind::kDeposit && StopOf(t.from) <= e.ts);
    if (blocked) {
      ++r_->blocked_transfers;
      if (c != kNoId && held) r_->intercepted_by_hold += t.amount;
      return;
    }
    if (c != kNoId) {
      // Rule 2: the victim pays from clean money; the whole amount is one new lot.
      if (t.to != kNoId) AddLot(t.to, c, t.amount);
      return;
    }
    if (t.from == kNoId) return;  // a deposit: no taint moves
    LotQueue* q = QueueOf(t.from, false);
    if (!q || q->empty()) return;
    // Rule 3: oldest lots first, then clean money; the lots move in order.
    moved_.clear();
    Money left = t.amount;
    while (left > 0 && !q->empty()) {
      TaintLot& lot = q->front();
      Money take = std::min(left, lot.amount);
      moved_.push_back({lot.case_index, take});
      left -= take;
      lot.amount -= take;
      if (lot.amount == 0) q->PopFront();
    }
    if (t.to == kNoId) return;  // a withdrawal: that money is gone
    for (const TaintLot& lot : moved_) AddLot(t.to, lot.case_index, lot.amount);
  }

  void Finish() {
    EvalReport& r = *r_;
    // Section 1.
    for (int k = 0; k < kNumEntityKinds; ++k) {
      EntityState& es = entity_[k];
      DetectionFigures& d = r.detection[k];
      for (uint8_t p : es.positive) d.positives += p;
      std::vector<int64_t> delays;
      for (uint32_t id = 0; id < es.first_flag.size(); ++id) {
        Ts flag = es.first_flag[id];
        if (flag == kNever) continue;
        ++d.flagged;
        if (id >= es.positive.size() || !es.positive[id]) continue;
        ++d.tp;
        Ts first = es.first_event[id];
        if (first == kNever && !es.first_fallback.empty()) first = es.first_fallback[id];
        if (first == kNever) first = es.first_opening[id];
        if (first != kNever) delays.push_back(flag - first);
      }
      d.fp = d.flagged - d.tp;
      d.fn = d.positives - d.tp;
      d.precision = Ratio(static_cast<double>(d.tp), static_cast<double>(d.flagged));
      d.recall = Ratio(static_cast<double>(d.tp), static_cast<double>(d.positives));
      d.f1 = Ratio(2.0 * static_cast<double>(d.tp), static_cast<double>(2 * d.tp + d.fp + d.fn));
      d.delays = delays.size();
      d.median_delay_s = Median(&delays);
    }

    // Section 2.
    double weighted = 0;
    for (const CaseState& cs : cases_) {
      if (!cs.listed || cs.first_loss_ts == kNoTs) continue;
      ++r.cases;
      ++r.warned_in_time[static_cast<int>(cs.best)];
      double eff = Efficacy(cs.best);
      r.expected_prevented += eff;
      weighted += eff * static_cast<double>(cs.loss);
      r.case_loss += cs.loss;
    }
    r.prevented_share = Ratio(r.expected_prevented, static_cast<double>(r.cases));
    r.expected_loss_prevented = Ratio(weighted, static_cast<double>(r.case_loss));
    r.expected_loss_prevented_yuan = weighted / 100.0;
    for (const Person& p : dicts_.people) r.persons += p.id != kNoId;
    Ts lo = act_min_, hi = act_max_;
    if (lo == kNever) lo = all_min_, hi = all_max_;
    r.days = lo == kNever ? 1.0 : std::max(1.0, static_cast<double>(hi - lo) / 86400.0);
    for (int t = 0; t < 3; ++t)
      r.false_warnings_per_10k_day[t] =
          Ratio(static_cast<double>(r.false_warning_rows[t]) * 10000.0, static_cast<double>(r.persons) * r.days);
    // Distinct held txn ids that are no transfer of any case, whether or not
    // they are in transfers.csv (the page counts txn ids, not replayed rows).
    for (uint32_t key = 0; key < hold_min_.size(); ++key) {
      if (hold_min_[key] == kNever) continue;
      ++r.held_txns;
      if (!case_txn_[key]) ++r.false_holds;
    }
    r.false_holds_per_10k_day =
        Ratio(static_cast<double>(r.false_holds) * 10000.0, static_cast<double>(r.persons) * r.days);

    // Section 3.
    for (size_t q = 0; q < queues_.size(); ++q)
      if (StopOf(queue_account_[q]) != kNever) r.intercepted_by_stop += queues_[q].Total();
    r.intercepted = r.intercepted_by_stop + r.intercepted_by_hold;
    r.intercepted_share = Ratio(static_cast<double>(r.intercepted), static_cast<double>(r.total_loss));
    std::vector<int64_t> stop_delays;
    for (const CaseState& cs : cases_) {
      if (cs.first_hop1_ts != kNever && cs.first_stop != kNever) stop_delays.push_back(cs.first_stop - cs.first_hop1_ts);
    }
    r.stop_delays = stop_delays.size();
    r.median_stop_delay_s = Median(&stop_delays);
    for (uint32_t a = 0; a < stop_eff_.size(); ++a) {
      if (stop_eff_[a] == kNever) continue;
      ++r.stopped_accounts;
      if (!IsPositive(EntityKind::kAccounts, a)) ++r.false_stops;
    }
    r.false_stops_share = Ratio(static_cast<double>(r.false_stops), static_cast<double>(r.stopped_accounts));
    r.hop1_missing = CountMissingHop1();

    for (const InputFileStats& f : r.inputs) r.rejected += f.rejected;
    for (const FileStats& f : r.dataset) r.rejected += f.rejected;
  }

  uint64_t CountMissingHop1() const {
    uint64_t n = 0;
    for (uint32_t key = 0; key < hop1_case_.size(); ++key)
      if (hop1_case_[key] != kNoId && dicts_.txn.Find(txn_keys_.Name(key)) == kNoId) ++n;
    return n;
  }

  double Efficacy(Tier t) const {
    switch (t) {
      case Tier::kNone: return 0;
      case Tier::kSms: return opt_.efficacy_sms;
      case Tier::kCall: return opt_.efficacy_call;
      case Tier::kVisit: return opt_.efficacy_visit;
      case Tier::kHold: return opt_.efficacy_hold;
    }
    return 0;
  }

  const EvalOptions& opt_;
  EvalReport* r_;
  Dictionaries dicts_;
  RejectSink rejects_;
  EntityState entity_[kNumEntityKinds];

  Interner case_ids_;
  std::vector<CaseState> cases_;
  std::vector<std::pair<uint32_t, uint32_t>> victim_msisdn_;  // (msisdn id, case), sorted
  std::vector<std::pair<uint32_t, uint32_t>> victim_person_;  // (person id, case), sorted

  // Txn ids named by labels/case_transfers.csv (any hop) or by hold_transfer
  // actions. Kept apart from dicts_.txn: the reader rejects a txn_id already
  // in dicts_.txn as a duplicate.
  Interner txn_keys_;
  std::vector<uint32_t> hop1_case_;  // by txn key; kNoId = not a hop-1 transfer
  std::vector<uint8_t> case_txn_;    // by txn key: 1 = a transfer of some case, any hop
  std::vector<Ts> hold_min_;         // by txn key: earliest hold_transfer ts

  std::vector<Ts> stop_eff_;  // by account id: earliest stop/freeze ts + latency
  std::vector<uint32_t> queue_of_;       // by account id: index into queues_, kNoId = never tainted
  std::vector<LotQueue> queues_;
  std::vector<AccountId> queue_account_;  // by queue index
  std::vector<TaintLot> moved_;           // scratch

  Ts act_min_ = kNever, act_max_ = std::numeric_limits<Ts>::min();
  Ts all_min_ = kNever, all_max_ = std::numeric_limits<Ts>::min();
};

}  // namespace

const char* EntityKindName(EntityKind k) {
  static constexpr const char* kNames[] = {"numbers", "accounts", "devices", "outlets", "persons"};
  return kNames[static_cast<int>(k)];
}

const char* TierName(Tier t) {
  static constexpr const char* kNames[] = {"none", "sms", "call", "visit", "hold"};
  return kNames[static_cast<int>(t)];
}

std::optional<double> Median(std::vector<int64_t>* v) {
  if (v->empty()) return std::nullopt;
  size_t n = v->size(), mid = n / 2;
  std::nth_element(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(mid), v->end());
  double hi = static_cast<double>((*v)[mid]);
  if (n % 2 == 1) return hi;
  double lo = static_cast<double>(*std::max_element(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(mid)));
  return (lo + hi) / 2.0;
}

Status Evaluate(const std::string& dataset_dir, const std::string& actions_path, const EvalOptions& opt,
                EvalReport* report) {
  *report = EvalReport{};
  Evaluator ev(opt, report);
  return ev.Run(dataset_dir, actions_path);
}

}  // namespace interdict
