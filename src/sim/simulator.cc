// RunSimulation: builds the world, writes the registry and openings, streams
// the days (generation on this thread, formatting and writing on a second),
// then writes labels/.
#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <numeric>
#include <thread>

#include "model/enums.h"
#include "sim/csv_out.h"
#include "sim/world.h"

namespace interdict::sim {

namespace {

// Owns the four events files while the days stream; used by one thread at a time.
struct EventWriters {
  CsvOut calls, sms, transfers, reports;
  TsWriter ts;
  explicit EventWriters(const TimeZone& z) : ts(z) {}
};

void AppendTxn(uint64_t txn, std::string* out) {
  out->push_back('T');
  AppendPadded(txn, 10, out);
}

void WriteBatch(const Generator& g, const DayBatch& b, EventWriters* w) {
  for (const CallRow& r : b.calls) {
    std::string& o = w->calls.row();
    w->ts.Append(r.ts, &o);
    o.push_back(',');
    Generator::AppendNumber(r.caller, &o);
    o.push_back(',');
    Generator::AppendNumber(r.callee, &o);
    o.push_back(',');
    AppendU64(r.dur, &o);
    o.push_back(',');
    if (r.imei) Generator::AppendDevice(r.imei, &o);
    o.push_back(',');
    if (r.caller_cell != kNone) g.AppendCell(r.caller_cell, &o);
    o.push_back(',');
    if (r.callee_cell != kNone) g.AppendCell(r.callee_cell, &o);
    w->calls.EndRow();
  }
  for (const SmsRow& r : b.sms) {
    std::string& o = w->sms.row();
    w->ts.Append(r.ts, &o);
    o.push_back(',');
    Generator::AppendNumber(r.sender, &o);
    o.push_back(',');
    Generator::AppendNumber(r.receiver, &o);
    o.push_back(',');
    o.push_back(r.has_url ? '1' : '0');
    o.push_back(',');
    AppendHex16(r.tmpl, &o);
    w->sms.EndRow();
  }
  for (const TransferRow& r : b.transfers) {
    std::string& o = w->transfers.row();
    w->ts.Append(r.ts, &o);
    o.push_back(',');
    AppendTxn(r.txn, &o);
    o.push_back(',');
    o.append(ToString(static_cast<TransferKind>(r.kind)));
    o.push_back(',');
    if (r.from) AppendU64(r.from, &o);
    o.push_back(',');
    if (r.to) AppendU64(r.to, &o);
    o.push_back(',');
    AppendMoney(r.amount, &o);
    o.push_back(',');
    o.append(ToString(static_cast<Channel>(r.channel)));
    o.push_back(',');
    if (r.device) Generator::AppendDevice(r.device, &o);
    w->transfers.EndRow();
  }
  for (const ReportRow& r : b.reports) {
    std::string& o = w->reports.row();
    w->ts.Append(r.ts, &o);
    o.append(",R");
    AppendPadded(r.report_no, 7, &o);
    o.push_back(',');
    g.AppendPerson(r.person, &o);
    o.push_back(',');
    Generator::AppendNumber(r.msisdn, &o);
    o.push_back(',');
    AppendU64(r.account, &o);
    o.push_back(',');
    AppendMoney(r.amount, &o);
    o.push_back(',');
    o.append(FraudTypeName(r.type));
    o.push_back(',');
    if (r.suspect) Generator::AppendNumber(r.suspect, &o);
    w->reports.EndRow();
  }
}

void AppendGang(uint32_t g, std::string* out) {
  out->push_back('G');
  AppendPadded(g + 1, 3, out);
}

void AppendCase(uint32_t c, std::string* out) {
  out->append("CASE");
  AppendPadded(c + 1, 6, out);
}

// Indices of `v` ordered by opening time (ties: creation order).
template <typename T>
std::vector<uint32_t> ByOpening(const std::vector<T>& v) {
  std::vector<uint32_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0u);
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return v[a].opened < v[b].opened; });
  return idx;
}

Status WriteStatic(const Generator& g, const std::string& dir, const TimeZone& zone, uint64_t* bytes) {
  TsWriter ts(zone);
  {
    CsvOut f;
    Status s = f.Open(dir + "/people.csv", "person_id,birth_year,gender,region");
    if (!s.ok()) return s;
    static const char* kGender[3] = {"m", "f", "u"};
    for (uint32_t p = 0; p < g.persons_.size(); ++p) {
      const PersonRec& r = g.persons_[p];
      std::string& o = f.row();
      g.AppendPerson(p, &o);
      o.push_back(',');
      AppendU64(static_cast<uint64_t>(r.birth_year), &o);
      o.push_back(',');
      o.append(kGender[r.gender]);
      o.push_back(',');
      AppendU64(g.counties_[r.county].code, &o);
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
    *bytes += f.bytes();
  }
  {
    CsvOut f;
    Status s = f.Open(dir + "/sim_cards.csv", "ts,msisdn,person_id,operator,outlet_id,plan");
    if (!s.ok()) return s;
    static const char* kOp[3] = {"cmcc", "cucc", "ctcc"};
    for (uint32_t i : ByOpening(g.sims_)) {
      const SimRec& r = g.sims_[i];
      std::string& o = f.row();
      ts.Append(r.opened, &o);
      o.push_back(',');
      Generator::AppendNumber(r.msisdn, &o);
      o.push_back(',');
      g.AppendPerson(r.person, &o);
      o.push_back(',');
      o.append(kOp[r.op]);
      o.push_back(',');
      g.AppendOutlet(r.outlet, &o);
      o.push_back(',');
      o.append(r.plan == 1 ? "prepaid" : r.plan == 2 ? "postpaid" : "iot");
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
    *bytes += f.bytes();
  }
  {
    CsvOut f;
    Status s = f.Open(dir + "/bank_accounts.csv", "ts,account_id,person_id,bank_id,branch_id,kind");
    if (!s.ok()) return s;
    for (uint32_t i : ByOpening(g.accounts_)) {
      const AccountRec& r = g.accounts_[i];
      std::string& o = f.row();
      ts.Append(r.opened, &o);
      o.push_back(',');
      AppendU64(r.id, &o);
      o.push_back(',');
      g.AppendPerson(r.person, &o);
      o.push_back(',');
      o.append(kBanks[r.bank].code);
      o.push_back(',');
      g.AppendOutlet(r.branch, &o);
      o.push_back(',');
      o.append(r.business ? "business" : "personal");
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
    *bytes += f.bytes();
  }
  return Status::Ok();
}

Status WriteLabels(const Generator& g, const std::string& dir, const TimeZone& zone, SimSummary* sum) {
  TsWriter ts(zone);
  Status s;
  {
    CsvOut f;
    if (!(s = f.Open(dir + "/numbers.csv", "msisdn,role,gang_id")).ok()) return s;
    // Negative roles, for numbers that were really used in the window.
    auto negative = [&](uint64_t number, const char* role) {
      std::string& o = f.row();
      Generator::AppendNumber(number, &o);
      o.push_back(',');
      o.append(role);
      o.push_back(',');
      f.EndRow();
    };
    auto used = [&](uint32_t sim) { return sim < g.sim_used_.size() && g.sim_used_[sim]; };
    sum->normal_heavy = 0;
    for (const HeavyCaller& h : g.heavy_)
      if (used(h.sim)) {
        negative(g.sims_[h.sim].msisdn, "normal_heavy");
        ++sum->normal_heavy;
      }
    for (const Gateway& gw : g.gateways_)
      for (uint32_t k = 0; k < gw.n_sims; ++k)
        if (used(gw.first_sim + k)) {
          negative(g.sims_[gw.first_sim + k].msisdn, "normal_gateway");
          ++sum->normal_other;
        }
    for (const IotFleet& fl : g.iot_)
      for (uint32_t k = 0; k < fl.n_sims; ++k)
        if (used(fl.first_sim + k)) {
          negative(g.sims_[fl.first_sim + k].msisdn, "normal_iot");
          ++sum->normal_other;
        }
    for (const OffnetBusiness& b : g.offnet_biz_)
      if (b.used) {
        negative(b.number, "normal_offnet");
        ++sum->normal_other;
      }
    for (uint32_t gi = 0; gi < g.gangs_.size(); ++gi)
      for (uint32_t i : g.gangs_[gi].numbers) {
        const FraudNumber& fn = g.fnumbers_[i];
        if (!fn.used) continue;
        std::string& o = f.row();
        Generator::AppendNumber(fn.number, &o);
        o.append(fn.channel == Channel5::kSimbox ? ",simbox_sim," : ",fraud_caller,");
        AppendGang(gi, &o);
        f.EndRow();
        ++sum->fraud_numbers;
      }
    if (!(s = f.Close()).ok()) return s;
  }
  {
    CsvOut f;
    if (!(s = f.Open(dir + "/accounts.csv", "account_id,role,gang_id")).ok()) return s;
    static const char* kRole[] = {"", "mule_l1", "mule_l2", "mule_l3", "cashout", "collector"};
    for (uint32_t a : g.labelled_accounts_) {
      const AccountRec& r = g.accounts_[a];
      std::string& o = f.row();
      AppendU64(r.id, &o);
      o.push_back(',');
      o.append(kRole[r.role]);
      o.push_back(',');
      AppendGang(r.gang, &o);
      f.EndRow();
      ++sum->mule_accounts;
    }
    for (size_t i = 0; i < g.labelled_collectors_.size(); ++i) {
      std::string& o = f.row();
      AppendU64(g.labelled_collectors_[i], &o);
      o.push_back(',');
      o.append(kRole[g.collector_role_[i]]);
      o.push_back(',');
      AppendGang(g.collector_gang_[i], &o);
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
  }
  {
    CsvOut f;
    if (!(s = f.Open(dir + "/devices.csv", "imei,role,gang_id,cell")).ok()) return s;
    static const char* kRole[] = {"simbox", "fraud_phone", "mule_phone"};
    for (const FraudDevice& d : g.fdevices_) {
      if (!d.used) continue;
      std::string& o = f.row();
      Generator::AppendDevice(d.imei, &o);
      o.push_back(',');
      o.append(kRole[static_cast<int>(d.role)]);
      o.push_back(',');
      AppendGang(d.gang, &o);
      o.push_back(',');
      g.AppendCell(d.cell, &o);
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
  }
  {
    // An insider outlet is labelled when it opened at least one gang SIM, an
    // insider branch when it opened at least one of a gang's mule accounts.
    std::vector<uint8_t> used(g.outlets_.size(), 0);
    for (const FraudNumber& fn : g.fnumbers_)
      if (fn.sim != kNone) used[g.sims_[fn.sim].outlet] = 1;
    for (const Gang& gang : g.gangs_)
      for (const auto* pool : {&gang.l1, &gang.l2, &gang.l3, &gang.cashout})
        for (uint32_t a : *pool)
          if (!g.accounts_[a].rented) used[g.accounts_[a].branch] = 1;  // a rented account was not opened for the gang
    std::vector<uint32_t> insiders = g.insider_outlets_;
    insiders.insert(insiders.end(), g.insider_branches_.begin(), g.insider_branches_.end());
    CsvOut f;
    if (!(s = f.Open(dir + "/outlets.csv", "outlet_id,role")).ok()) return s;
    for (uint32_t o : insiders) {
      if (!used[o]) continue;
      used[o] = 0;  // once, even if two gangs share it
      std::string& r = f.row();
      g.AppendOutlet(o, &r);
      r.append(",insider");
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
  }
  {
    CsvOut f;
    if (!(s = f.Open(dir + "/persons.csv", "person_id,role,gang_id")).ok()) return s;
    static const char* kRole[] = {"card_seller", "account_seller", "recruiter"};
    for (const PersonLabel& l : g.person_labels_) {
      std::string& o = f.row();
      g.AppendPerson(l.person, &o);
      o.push_back(',');
      o.append(kRole[l.role]);
      o.push_back(',');
      AppendGang(l.gang, &o);
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
  }
  {
    CsvOut f;
    if (!(s = f.Open(dir + "/cases.csv",
                     "case_id,victim_person_id,victim_msisdn,victim_account_id,fraud_type,gang_id,first_contact_ts,"
                     "first_loss_ts,loss_amount"))
             .ok())
      return s;
    for (uint32_t c = 0; c < g.cases_.size(); ++c) {
      const CaseRec& r = g.cases_[c];
      std::string& o = f.row();
      AppendCase(c, &o);
      o.push_back(',');
      g.AppendPerson(r.victim, &o);
      o.push_back(',');
      Generator::AppendNumber(g.sims_[r.victim_sim].msisdn, &o);
      o.push_back(',');
      AppendU64(g.accounts_[r.victim_account].id, &o);
      o.push_back(',');
      o.append(FraudTypeName(r.type));
      o.push_back(',');
      AppendGang(r.gang, &o);
      o.push_back(',');
      ts.Append(r.first_contact, &o);
      o.push_back(',');
      if (r.first_loss != kNoTs) ts.Append(r.first_loss, &o);
      o.push_back(',');
      AppendMoney(r.loss, &o);
      f.EndRow();
      ++sum->cases;
      if (r.loss > 0) {
        ++sum->paying_cases;
        sum->losses += r.loss;
      }
    }
    if (!(s = f.Close()).ok()) return s;
  }
  {
    CsvOut f;
    if (!(s = f.Open(dir + "/case_transfers.csv", "case_id,txn_id,hop")).ok()) return s;
    for (const CaseTransfer& ct : g.case_transfers_) {
      std::string& o = f.row();
      AppendCase(ct.case_no, &o);
      o.push_back(',');
      AppendTxn(ct.txn, &o);
      o.push_back(',');
      AppendU64(ct.hop, &o);
      f.EndRow();
    }
    if (!(s = f.Close()).ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status RunSimulation(const SimOptions& opt, SimSummary* summary) {
  const auto t0 = std::chrono::steady_clock::now();
  if (opt.persons < 100 || opt.persons > 100'000'000)
    return Status::Invalid(fmt::format("--persons must be between 100 and 100000000 (got {})", opt.persons));
  if (opt.days < 1 || opt.days > 3660)
    return Status::Invalid(fmt::format("--days must be between 1 and 3660 (got {})", opt.days));
  Status s = ValidateScenario(opt.scenario);
  if (!s.ok()) return s;
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir + "/labels", ec);
  if (ec) return Status::Io(fmt::format("{}: cannot create directory: {}", opt.out_dir, ec.message()));

  Generator g(opt);
  g.BuildWorld();
  g.BuildFraud();
  SimSummary& sum = *summary;
  sum = SimSummary{};
  sum.people = g.persons_.size();
  sum.sims = g.sims_.size();
  sum.accounts = g.accounts_.size();
  sum.gangs = g.gangs_.size();
  s = WriteStatic(g, opt.out_dir, opt.zone, &sum.bytes);
  if (!s.ok()) return s;

  EventWriters w(opt.zone);
  if (!(s = w.calls.Open(opt.out_dir + "/calls.csv",
                         "ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell"))
           .ok() ||
      !(s = w.sms.Open(opt.out_dir + "/sms.csv", "ts,sender,receiver,has_url,template_id")).ok() ||
      !(s = w.transfers.Open(opt.out_dir + "/transfers.csv",
                             "ts,txn_id,kind,from_account,to_account,amount,channel,device_id"))
           .ok() ||
      !(s = w.reports.Open(opt.out_dir + "/reports.csv",
                           "ts,report_id,person_id,msisdn,account_id,amount,fraud_type,suspect_msisdn"))
           .ok())
    return s;

  // Two day buffers: day d is generated into one while day d-1 is written from the other.
  DayBatch bufs[2];
  std::thread writer;
  for (int d = 0; d < opt.days; ++d) {
    DayBatch& b = bufs[d % 2];
    g.GenerateDay(d, &b);
    if (writer.joinable()) writer.join();
    if (opt.writer_thread) {
      writer = std::thread([&g, &b, &w] { WriteBatch(g, b, &w); });
    } else {
      WriteBatch(g, b, &w);
    }
  }
  if (writer.joinable()) writer.join();
  for (CsvOut* f : {&w.calls, &w.sms, &w.transfers, &w.reports}) {
    Status c = f->Close();
    if (!c.ok() && s.ok()) s = c;
    sum.bytes += f->bytes();
  }
  if (!s.ok()) return s;
  sum.calls = w.calls.rows();
  sum.sms = w.sms.rows();
  sum.transfers = w.transfers.rows();
  sum.reports = w.reports.rows();
  sum.fraud_calls = g.stats_.fraud_calls;
  sum.realism = g.stats_.realism;
  s = WriteLabels(g, opt.out_dir + "/labels", opt.zone, &sum);
  if (!s.ok()) return s;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::Ok();
}

}  // namespace interdict::sim
