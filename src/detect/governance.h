// Source governance (issue 6): the finders that act on where fraud's
// infrastructure comes from rather than on the fraud calls themselves.
//
//  - card sellers: persons who open many SIM cards or bank accounts in a batch
//    (flag_person, then reverify_sim / reverify_account for their cards);
//  - dens: SIM boxes (one IMEI hosting many SIMs, fixed cell, almost all
//    outgoing), fraud handsets (one IMEI rotating through many outgoing-only
//    SIMs) and mule phones (one device operating many bank accounts of several
//    holders) (flag_device; the reason carries the cell for the den list);
//  - mule accounts: pass-through, fan-in, payers who were exposed to fraud,
//    probe transfers, accounts on a mule phone, new accounts (flag_account);
//    outside collector accounts fed by flagged mules; ring associates:
//    accounts dealing with more members of one ring (flagged mules tied by
//    probes) than chance allows;
//  - complicit insiders: outlets and branches whose openings turn bad far more
//    often than the honest outlets (exact conditional binomial test per kind
//    of opening, at a per-outlet error rate) (flag_outlet).
// docs/governance.md explains every signal and threshold.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/time.h"
#include "model/action.h"
#include "model/dictionary.h"
#include "detect/detector.h"
#include "model/events.h"
#include "state/number.h"

namespace interdict {

// Every threshold of the governance finders. Defaults come from domain rules
// (China's real-name rules and the 2020 "card-breaking" campaign: more than 5
// SIMs per operator per person is unlawful; several new accounts at different
// banks within days is a listed red flag), not from one simulated world.
struct GovernanceConfig {
  // --- card sellers ---
  Ts batch_window_s = 7 * 86400;   // openings this close together form one batch
  int seller_sims_batch = 4;       // SIM openings in one window: flag outright ...
  int seller_batch_spread = 2;     // ... if spread over >= this many outlets or operators
  int seller_sims_per_operator = 6;  // lifetime SIMs at one operator: over the legal 5
  int seller_weak_sims = 3;        // a smaller batch, flagged once one of its cards is misused
  int seller_accounts_batch = 3;   // accounts at distinct banks in one window (then confirmed by misuse)
  Ts dormant_min_s = 30 * 86400;   // a card silent this long after opening, then misused: sold
  // --- devices (dens) ---
  int simbox_min_sims = 8;         // distinct SIMs calling from one IMEI
  int simbox_max_cells = 2;        // a SIM box does not move
  double simbox_min_out_share = 0.85;  // calls out / (out + in) over its SIMs
  double simbox_max_answer_rate = 0.5;  // and at most this share of their ended calls answered (boxes and rotating phones)
  int simbox_min_ended_calls = 30;      // judged once this many of their calls have ended
  // A box that moves (more cells than simbox_max_cells) is known by its
  // burst instead: this many distinct SIMs calling from one IMEI within one
  // window of simbox_window_s, their calls almost all outgoing (0 sims: off).
  Ts simbox_window_s = 86400;
  int simbox_window_min_sims = 6;
  double simbox_window_min_out_share = 0.9;
  int phone_min_sims = 4;          // a handset cycling through bought SIMs
  int phone_min_calls = 60;        // ... with real volume
  double phone_min_out_share = 0.9;
  // A handset on which this many distinct SIMs flagged as fraud numbers have
  // called is a gang's phone, whatever its volume (0: off).
  int phone_min_flagged_sims = 2;
  int mule_phone_min_accounts = 4;     // from_accounts operated from one device ...
  int mule_phone_min_holders = 2;      // ... of at least this many holders ...
  int mule_phone_min_flagged = 2;      // (or fewer accounts, this many of them flagged mules) ...
  int mule_phone_strong_accounts = 6;  // ... and a mule sign among them, or this many outright ...
  int mule_phone_strong_holders = 6;   // ... of this many holders (more than a household's shared phone)
  // --- mule accounts ---
  Ts mule_window_s = 6 * 3600;     // money in, then out within this window (mules: minutes to hours)
  Money mule_min_in = 100000;      // fen: pass-through is judged from 1,000 yuan in
  double mule_pass_share = 0.8;    // share of the window's inflow sent on
  double own_money_slack = 0.1;    // pass-through only if all sent <= (1 + this) x all received
  Money probe_max = 1000;          // fen: a transfer under 10 yuan between personal accounts
  // A probe's weight in the mule score: between two new accounts, and with
  // one old one. Red envelopes between young people's accounts are
  // everyday (4 % of person-to-person transfers in independent-dev are under
  // 10 yuan), so neither flags without another sign; in a province where
  // tiny transfers are rare (AMLSim's samples) a centre may raise them.
  double probe_new_pair_weight = 0.35;
  double probe_weight = 0.25;
  // Rare probes: an account whose tiny person-to-person transfers are more
  // than the data's own rate allows (k of its n transfers tiny, each tiny
  // with the chance r = tiny ends / all ends at accounts not flagged so far;
  // P(X >= k) for X ~ Binomial(n, r) at most probe_alpha) flags whatever its
  // age. Where tiny transfers are everyday (independent-dev: 5 % of
  // person-to-person transfers, one or two per account) no account reaches
  // it; where they are rare (AMLSim: every ordinary transfer >= 100 yuan) a
  // few of them do.
  double probe_alpha = 1e-4;
  Ts new_account_s = 60 * 86400;   // opened within 60 days of its activity: bought accounts are used within weeks
  double mule_flag_score = 0.6;    // flag_account from this score
  int fanin_min_senders = 3;       // distinct payers in the window
  // A shop's takings: at least shop_min_payments transfers received so far,
  // shop_small_share of them at most shop_max_payment (a meal, a haircut).
  int shop_min_payments = 8;
  Money shop_max_payment = 20000;  // fen: 200 yuan
  double shop_small_share = 0.8;
  int collector_min_mules = 2;     // outside account fed by this many flagged mules ...
  double collector_min_share = 0.5;  // ... making up this share of what it received
  // Amount-keeping cycles: money that leaves an account comes back through
  // at least flow_cycle_min_len accounts (itself included), each passing on
  // between (1 - flow_max_cut) and (1 + flow_slack) of what it received,
  // later and within flow_window_s of receiving it. 3-cycles happen by
  // chance (friends passing a sum round); AMLSim's cycle typology passes the
  // amount on less a margin at each hop (scripts/amlsim_cycles.py: 10 %).
  Ts flow_window_s = 30 * 86400;
  double flow_max_cut = 0.2;
  double flow_slack = 0.01;
  int flow_cycle_min_len = 4;
  // Rings: flagged mules tied by a tiny transfer or a cycle form a ring; an
  // account that dealt with at least ring_min_links distinct members of one
  // ring is tied to it (a pass-through's weight; flagged, it joins the ring)
  // when an ordinary account with as many
  // counterparties would meet that many of them with chance at most
  // ring_alpha (each counterparty a member with chance: the members' share of
  // all counterparties). On the AMLSim fan-in sample (accounts of laundering
  // patterns that never sent their laundering money) see docs/governance.md;
  // a ring member's ordinary payers meet one member and stay clean.
  int ring_min_links = 2;
  double ring_alpha = 1e-4;
  // --- insider outlets ---
  // Chance that an honest outlet is flagged (per outlet, not family-wise):
  // half the target of at most 1 false outlet per 500 outlets, so that the
  // bound holds at any province size. The test is discrete, so the realised
  // rate is lower still (1 per ~3,900 outlets in the 1M simulated province).
  double insider_alpha = 1e-4;
  int insider_min_bad = 3;         // never on fewer bad cards than this
  double insider_min_ratio = 3.0;  // and at least this many times the base rate
  int insider_min_total_bad = 10;  // test a kind of openings once this many of its bad cards are known
  // --- dens ---
  int den_min_flagged = 2;         // (export) cells with this many flagged devices
  // Emit flag_number for the SIMs of a flagged SIM box / fraud handset.
  bool flag_device_sims = true;
  // flag_person the holder of a flagged or stop-paid mule account (an
  // account seller or renter).
  bool flag_mule_holders = true;
  // (Compared by engine/config's round-trip test.)
  friend bool operator==(const GovernanceConfig&, const GovernanceConfig&) = default;
};

// Counts of what was found, for reports and tests.
struct GovernanceStats {
  uint64_t sellers = 0, outlets = 0, simboxes = 0, fraud_phones = 0, mule_phones = 0;
  uint64_t mules = 0, collectors = 0, numbers = 0;
  uint64_t ring_mules = 0;  // of mules: flagged as ring associates
};

// Consumes every event of a data set in event-time order and emits actions.
// Ownership: borrows `dicts` (must outlive the detector; read only to turn ids
// into target strings); owns all its state. Memory grows with the entities
// seen (one small record per SIM, account, person, device and outlet).
// Not thread-safe: one detector per event stream.
//
// Usage, alone (`interdict govern`) or inside the Engine, which also tells it
// what only the engine knows (Note*):
//
//   GovernanceDetector gov(&dicts, cfg, /*shared=*/nullptr);
//   Verdicts v;
//   for (const Event& e : events) gov.Apply(e, &v);          // event-time order; handle v
//   gov.Note(Fact::CallEnded(caller, answered, ts), &v);      // as each call's end becomes known
//   gov.Finish(end_ts, &v);
//
// Verdicts (detect/detector.h) have no action_id yet: the run's
// ActionEmitter (respond/emitter.h) mints it and drops repeated flags. The
// engine takes governance's flagged numbers over as its own.
class GovernanceDetector : public Detector {
 public:
  // `shared`: the run's per-number records (state/number.h), which the
  // engine and the rings use too; null: the detector keeps its own.
  GovernanceDetector(const Dictionaries* dicts, const GovernanceConfig& cfg, SharedState* shared);
  ~GovernanceDetector() override;
  GovernanceDetector(const GovernanceDetector&) = delete;
  GovernanceDetector& operator=(const GovernanceDetector&) = delete;

  std::string_view name() const override { return "governance"; }
  void Apply(const Event& e, Verdicts* out) override;
  // A hint that `e` will be applied soon: starts loading the state it will
  // touch (no effect on results). Callers reading ahead call it a few events early.
  void Prefetch(const Event& e) const override;
  // The facts it uses:
  //  - kNumberFlagged: a bad card of its holder and outlet, and one more
  //    flagged SIM of the handset it first called from (two make a gang's
  //    phone). `flag` (on a flagged box): the handset is judged already, and
  //    is not judged again SIM by SIM.
  //  - kPersonExposed: their payments are evidence against the receiving account.
  //  - kCallEnded: the answer rate the SIM-box and rotating-phone finders read.
  //  - kSuspectAccount: victims' money traced into it; a mule sign for the
  //    device that operates it.
  void Note(const Fact& f, Verdicts* out) override;
  void Finish(Ts end, Verdicts* out) override;

  const GovernanceStats& stats() const { return stats_; }

 private:
  struct State;
  std::unique_ptr<State> s_;
  GovernanceStats stats_;
};

// The exception of the SIM-box and rotating-phone finders, the engine's and
// governance's alike: every SIM on the device registered to one holder who is
// not a flagged card seller is that subscriber's own equipment (a company's
// SIM bank in its call gateway), not bought cards. `holder_of(m)` gives a
// SIM's registered holder (kNoId: none, off-net); `is_seller(p)` whether the
// holder is a flagged card seller.
template <typename HolderOf, typename IsSeller>
bool OneSubscribersLines(const std::vector<MsisdnId>& sims, HolderOf holder_of, IsSeller is_seller) {
  if (sims.empty()) return false;
  const PersonId h = holder_of(sims[0]);
  if (h == kNoId || is_seller(h)) return false;
  for (MsisdnId m : sims)
    if (holder_of(m) != h) return false;
  return true;
}

// One-sided binomial upper tail P(X >= k) for X ~ Binomial(n, q); exact sum
// in log space (n up to millions is fine). Exposed for tests.
double BinomialUpperTail(uint64_t k, uint64_t n, double q);

}  // namespace interdict
