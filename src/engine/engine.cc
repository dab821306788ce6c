#include "engine/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <queue>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <fmt/format.h>

#include "base/dense_table.h"

#include "detect/governance.h"
#include "respond/cases.h"
#include "respond/emitter.h"
#include "respond/warnings.h"
#include "state/number.h"
#include "engine/known_pairs.h"
#include "graph/trace.h"
#include "graph/transfer_graph.h"

namespace interdict {

namespace {

// Reason codes (short, joined by '+', see docs/engine.md).
enum Reason : uint32_t {
  kRsOutgoing = 1 << 0,    // out
  kRsUnanswered = 1 << 1,  // unanswered
  kRsLowAnswer = 1 << 2,   // low_answer
  kRsNewCard = 1 << 3,     // new_card
  kRsOffnet = 1 << 4,      // offnet
  kRsIntl = 1 << 5,        // intl
  kRsBurst = 1 << 6,       // burst
  kRsHandsets = 1 << 7,    // handsets
  kRsSimbox = 1 << 8,      // simbox
  kRsNamed = 1 << 9,       // named_by_victim
  kRsDormant = 1 << 10,    // dormant_woken
  kRsModel = 1 << 11,      // model (followed by its top features)
  kRsSmsBlast = 1 << 12,   // sms_blast
};
constexpr const char* kReasonNames[] = {"out",   "unanswered", "low_answer", "new_card",        "offnet",
                                        "intl",  "burst",      "handsets",   "simbox",          "named_by_victim",
                                        "dormant_woken", "model", "sms_blast"};
constexpr int kNumReasons = sizeof(kReasonNames) / sizeof(kReasonNames[0]);
static_assert(kNumReasons <= 16, "EngineNumber::reasons has 16 bits");

std::string ReasonString(uint32_t bits) {
  std::string s;
  for (int i = 0; i < kNumReasons; ++i)
    if (bits & (1u << i)) {
      if (!s.empty()) s += '+';
      s += kReasonNames[i];
    }
  return s;
}

// The fraud-number model's features (NumberFeatureNames() has their names).
// Window counts, whole-life counts, the card, and the shape of the number's
// recent calls from its contact log (NaN where the log is gone: settled).
enum NumberFeature : int {
  kFOutW, kFInW, kFAnsweredW, kFDistinctW, kFOutShareW, kFAnswerRateW, kFCallsPerCalleeW, kFWindowHours,
  kFOutTotal, kFInTotal, kFAnswerRateTotal, kFCardAgeDays, kFOffnet, kFIntl, kFStartDays, kFHandsets,
  kFMemCalls, kFMemMeanAnswered, kFMemLongShare, kFMemShortShare, kFMemLastHour, kFRuleScore, kNumFeatures
};

// A part of a call the engine learns after its start (events.md, "What is
// known when"): "still connected after `known` s" at ts + known (a milestone
// the warnings act on), or its end at ts + duration_s, when the whole
// duration is known.
struct PendingCall {
  Ts at;
  uint64_t seq;  // FIFO among parts due at the same second
  Ts start;
  uint32_t known;  // seconds of the call known at `at`
  bool end;
  Call call;
  bool operator>(const PendingCall& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

}  // namespace

const std::vector<std::string>& NumberFeatureNames() {
  static const std::vector<std::string> names = {
      "out_w",       "in_w",       "answered_w",          "distinct_w",   "out_share_w",   "answer_rate_w",
      "calls_per_callee_w", "window_hours", "out_total", "in_total",   "answer_rate_total", "card_age_days",
      "offnet",      "intl",       "first_seen_days",     "handsets",     "recent_calls",  "recent_mean_answered_s",
      "recent_long_share", "recent_short_share", "last_hour_calls", "rule_score"};
  static_assert(kNumFeatures == 22);
  return names;
}

struct Engine::Impl : MoneyEvidence {
  Impl(const Dictionaries* d, const EngineConfig& c, Sink s) : dicts(d), cfg(c), out("A", std::move(s)) {
    // The detectors beside the engine's own rules (detect/detector.h): they
    // see every event and the facts the engine learns, and their verdicts go
    // out through the same emitter, counted with the engine's.
    if (cfg.governance) gov = std::make_unique<GovernanceDetector>(dicts, cfg.governance_config, &state);
    if (cfg.rings) {
      rings = std::make_unique<RingWatch>(dicts, cfg.rings_config, &state);
      // Ring detection hears of every other detector's action (their flagged
      // numbers become watched callers; its own flags it has marked already).
      out.AddObserver([this](const Action& a) {
        if (!sending_ring_action) rings->Note(Fact::ActionSent(a), &ring_verdicts);
      });
    }
  }

  // Governance's verdicts (source governance: sellers, insiders, dens,
  // mules), handled in order right after the call that returned them: a
  // flag_person marks the person's accounts' evidence, a flagged number is
  // queued for the engine to take over as its own (DrainGovernanceFlags,
  // after governance's event: its state is not re-entered from inside its
  // own call), every new verdict is sent.
  Verdicts gov_verdicts;
  void TakeGovernanceVerdicts() {
    for (Action& a : gov_verdicts) {
      if (!out.Admit(a.type, a.target)) continue;
      NoteGovernance(a);
      if (a.type == ActionType::kFlagNumber) {
        const MsisdnId n = dicts->msisdn.Find(a.target);
        if (n != kNoId) gov_flagged.push_back({n, a.score});
      }
      out.Send(a);
    }
    gov_verdicts.clear();
  }
  void GovernanceNote(const Fact& f) {
    if (!gov) return;
    gov->Note(f, &gov_verdicts);
    TakeGovernanceVerdicts();
  }
  // Ring detection's verdicts: sent as they are (flags of ring members).
  Verdicts ring_verdicts;
  bool sending_ring_action = false;
  void TakeRingVerdicts() {
    for (Action& a : ring_verdicts) {
      if (!out.Admit(a.type, a.target)) continue;
      sending_ring_action = true;
      out.Send(a);
      sending_ring_action = false;
    }
    ring_verdicts.clear();
  }

  const Dictionaries* dicts;
  EngineConfig cfg;
  // Every action of the run leaves through here (respond/emitter.h): ids,
  // one flag per entity and kind, counts by type, the caller's sink.
  ActionEmitter out;
  // Warnings to the people flagged numbers reached, within the centre's
  // capacity, and what is known of each of them (respond/warnings.h).
  WarningDesk desk{dicts, WarningConfig{cfg.call_capacity_per_10k_day, cfg.visit_capacity_per_10k_day,
                                        cfg.warning_expiry_s},
                   &out};
  EngineStats stats;
  Ts epoch = kNoTs;
  Ts now = 0;

  // By MsisdnId, every SIM of sim_cards.csv and every number seen: the
  // engine's part of the records it shares with governance and the rings
  // (state/number.h); chunked: it grows from the first sim_cards row on and
  // is never copied.
  SharedState state;
  NumberParts<EngineNumber, &NumberRecord::engine> numbers{&state.numbers};
  int64_t last_hour = -1;               // event-time hour of the last queue service
  DenseTable<PersonId> account_person;
  DenseTable<Ts> person_exposed;       // last long conversation with a flagged number
  DenseTable<Ts> person_first_exposed; // first such conversation: when the scam began
  // (payer account, payee account) pairs paid within the memory span: a
  // first-time payee is one this filter has not seen. About 2 bytes a pair
  // instead of 9-18 in a hash set; a false "seen" (~0.2 %) costs a missed
  // first-time hold, never a false one.
  KnownPairs payee_pairs;
  DenseTable<uint8_t> account_flags;         // kAf* bits
  DenseTable<uint8_t> internal;              // account has a bank_accounts row
  DenseTable<AccountKind> account_kind;
  struct SmsBlast {
    uint32_t tmpl = 0;        // its first text's TemplateHash (the reader need not intern templates)
    uint32_t links = 0;       // link SMS of that template so far
    bool spoiled = false;     // another template, or something reached the card: not a blaster
    Distinct256 recipients;   // by NameHash of the receiver
  };
  struct ExposedPayers {
    PersonId first = kNoId;
    uint32_t distinct = 0;  // 1, or 2 for "more than one" (all the rule needs)
  };
  absl::flat_hash_map<AccountId, ExposedPayers> exposed_payers;  // payee -> exposed persons paying it
  // Senders of link SMS on new cards (JudgeSmsBlast); a few per 10,000 numbers.
  absl::flat_hash_map<MsisdnId, SmsBlast> sms_blasts;
  DenseTable<uint8_t> first_time_txn;                      // by TransferIndex: a new payer->payee pair
  DenseTable<uint8_t> person_flags;  // kPfFlaggedNumber | kPfGovFlagged
  KnownPairs known_pairs;             // persons who have talked on the phone

  TransferGraph graph;
  // Cases, their live traces, stop-payments, freezes and restitution
  // (respond/cases.h); the engine is its MoneyEvidence.
  static CaseDeskConfig CaseConfig(const EngineConfig& c) {
    CaseDeskConfig d;
    d.trace.max_depth = c.trace_max_depth;
    d.trace.min_amount = c.trace_min_amount;
    d.live_tracing = c.live_tracing != 0;
    d.trace_min_amount = c.trace_min_amount;
    d.stop_min_tainted_share = c.stop_min_tainted_share;
    d.window_s = c.window_s;
    d.own_use_window_s = c.own_use_window_s;
    d.freeze_after_s = c.freeze_after_s;
    d.case_close_s = c.case_close_s;
    return d;
  }
  CaseDesk case_desk{dicts, &graph, CaseConfig(cfg), &out, this};
  // Numbers governance flagged, waiting for the engine to take them over.
  std::vector<std::pair<MsisdnId, double>> gov_flagged;
  void DrainGovernanceFlags() {
    for (size_t i = 0; i < gov_flagged.size(); ++i)  // FlagNumber may append more
      FlagNumber(gov_flagged[i].first, gov_flagged[i].second, kRsSimbox, {}, true);
    gov_flagged.clear();
  }
  // Calls still connected: their milestones and ends, by the time they become known.
  std::priority_queue<PendingCall, std::vector<PendingCall>, std::greater<>> pending_calls;
  uint64_t pending_seq = 0;
  std::unique_ptr<GovernanceDetector> gov;
  std::unique_ptr<RingWatch> rings;
  std::shared_ptr<const Forest> model;
  FeatureTap tap;

  // Person marks, evidence that an account they hold is a mule.
  static constexpr uint8_t kPfFlaggedNumber = 1;  // holds a number flagged as fraud
  static constexpr uint8_t kPfGovFlagged = 2;     // flagged by governance (card seller)
  // Account flag bits.
  static constexpr uint8_t kAfSuspect = 1, kAfStopped = 2;

  // Governance's card-seller flags feed the money response: an account held
  // by a flagged seller, paid by an exposed person, is stop-paid. (Its
  // flag_account scores are not used for stops: one of their signs, "an
  // exposed person paid a new account", is the very payment being judged.)
  void NoteGovernance(const Action& a) {
    // A holder flagged for holding a mule account is that account's
    // evidence again, not a seller found independently: it must not stop the
    // account it came from.
    if (a.type != ActionType::kFlagPerson || a.reason == "holds_mule_account") return;
    const uint32_t p = dicts->person.Find(a.target);
    if (p != kNoId) AtSized(person_flags, p, dicts->person.size()) |= kPfGovFlagged;
  }

  // --- emitting ---
  void Emit(ActionType type, TargetKind kind, std::string target, double score, std::string reason,
            Money amount = kNoMoney, std::string case_id = {}) {
    out.Emit(now, type, kind, std::move(target), score, std::move(reason), amount, std::move(case_id));
  }
  // payee_pairs is keyed by name hashes, not dense ids: which id an account
  // gets depends on how far ahead the reader interned, and the filter's
  // one-sided errors must not depend on data still to come.
  uint32_t AccountHash(AccountId a) const { return static_cast<uint32_t>(HashBytes(dicts->account.Name(a))); }
  std::string Msisdn(MsisdnId m) const { return std::string(dicts->msisdn.Name(m)); }
  std::string Account(AccountId a) const { return std::string(dicts->account.Name(a)); }

  EngineNumber& Num(MsisdnId n) { return At(numbers, n); }
  PersonId HolderOf(MsisdnId m) const { return m < numbers.size() ? numbers[m].holder : kNoId; }

  int AgeOf(MsisdnId m) const {
    PersonId p = HolderOf(m);
    const Person* person = p == kNoId ? nullptr : dicts->FindPerson(p);
    if (!person || person->birth_year == 0) return -1;
    int64_t y;
    unsigned mo, d;
    CivilFromDays((now + 8 * 3600) / 86400, &y, &mo, &d);
    return static_cast<int>(y - person->birth_year);
  }
  // --- exposure ---
  // Conversation lengths of the warning rules below (besides the configured
  // warn_call_min_answered_s): any real talk after a dissuasion call, and a
  // talk long enough to be more than a hang-up.
  static constexpr uint32_t kAfterWarningCallS = 60;
  static constexpr uint32_t kShortConversationS = 120;
  // `dur`: the seconds of the call known now (all of it once it ended, or
  // "still connected after dur s" while it goes on); `ended`: the call has
  // ended, so it counts once among the person's answered calls.
  void Expose(MsisdnId m, uint32_t dur, Ts call_ts, MsisdnId source, bool ended = true) {
    Exposure& x = desk.Exposed(m);
    if (x.first == kNoTs) x.first = now;
    x.source = source;
    // A flagged line that turned out public warns nobody more (and exposes
    // nobody to holds): its contacts stay listed, as whom it reached.
    if (source < numbers.size() && PublicLine(numbers[source])) {
      ++stats.warnings_skipped_public;
      return;
    }
    const bool after_warning = x.call_warned_at != kNoTs && call_ts >= x.call_warned_at;
    if (dur > 0) {
      if (ended) ++x.answered;
      x.max_dur = std::max(x.max_dur, dur);
      x.last_answered = call_ts;
      // A real conversation with a fraud number is what precedes a payment
      // (victims talk for minutes; others hang up within a minute): the
      // person's payments to strangers are held for exposure_hold_s.
      PersonId p = HolderOf(m);
      if (p != kNoId && dur >= cfg.exposure_min_answered_s) {
        AtSized(person_exposed, p, dicts->person.size(), kNoTs) = now;
        GovernanceNote(Fact::PersonExposed(p, now));
        Ts& first = AtSized(person_first_exposed, p, dicts->person.size(), kNoTs);
        if (first == kNoTs) first = call_ts;
      }
    }
    const double src_score = source < numbers.size() ? numbers[source].score : 0.5;
    // The SMS goes to whoever kept talking: an answered call of
    // warn_sms_min_answered_s (60 s) or more. Everyone else a fraud number
    // reached (unanswered, hung up, or sent a fraud SMS) is listed in the
    // exposure, not messaged: of those who talked 60 s or more, 43-97 % were
    // the scam's victims in our worlds and independent-dev, of those who
    // talked 30 s 17-88 %, of those sent a link 0.2 %. A centre's SMS that
    // reach the undeceived by the thousand teach people to ignore them.
    if (dur >= cfg.warn_sms_min_answered_s) desk.Request(m, kTierSms, src_score, "talked_to_flagged", now);
    const int age = AgeOf(m);
    const bool vulnerable = age >= 0 && (age >= cfg.vulnerable_age_min || age <= cfg.vulnerable_age_max);
    // Expected loss ~ P(fraud) x exposure depth; vulnerable people lose more often.
    const double priority = src_score * (1.0 + x.max_dur / 600.0) * (vulnerable ? 2.0 : 1.0);
    // (A long call after the warning call is one of these: a call started
    // before it, however long, was what the warning answered.)
    if (after_warning && dur >= kAfterWarningCallS) desk.Request(m, kTierVisit, priority, "calls_after_warning", now);
    if (dur >= cfg.warn_call_min_answered_s) {
      desk.Request(m, kTierCall, priority, "long_answered_call", now);
    } else if (x.answered >= 2 && x.max_dur >= kShortConversationS) {
      desk.Request(m, kTierCall, priority, "repeated_contact", now);
    }
  }

  // `extra`: more reason codes after the rule bits (the model's features).
  // `by_governance`: governance flagged it (a SIM box's or rotating phone's
  // SIM) and emitted the action itself; the engine takes it over as its own
  // flag, warning whoever the number reached.
  void FlagNumber(MsisdnId n, double score, uint32_t reasons, const std::string& extra = {},
                  bool by_governance = false) {
    EngineNumber& s = Num(n);
    if (s.flagged) {  // flagged before; the new evidence still counts (PublicLine)
      s.reasons = static_cast<uint16_t>(s.reasons | reasons);
      return;
    }
    s.flagged = true;
    s.score = static_cast<float>(score);
    s.reasons = static_cast<uint16_t>(s.reasons | reasons);
    if (!by_governance) {
      std::string why = ReasonString(s.reasons);
      if (!extra.empty()) why += (why.empty() ? "" : "+") + extra;
      Emit(ActionType::kFlagNumber, TargetKind::kMsisdn, Msisdn(n), score, std::move(why));
      GovernanceNote(Fact::NumberFlagged(n, now, (reasons & kRsSimbox) != 0));
    }
    const PersonId holder = HolderOf(n);
    if (holder != kNoId) AtSized(person_flags, holder, dicts->person.size()) |= kPfFlaggedNumber;
    // Everyone it reached in the contact memory, at once.
    std::vector<Contact> contacts;
    contacts.swap(s.contacts);
    for (const Contact& c : contacts) {
      if (now - (epoch + c.ts) > cfg.contact_memory_s) continue;
      Expose(c.callee, c.dur, epoch + c.ts, n);
    }
  }

  // --- fraud-number rules ---
  void Judge(MsisdnId n, EngineNumber& s) {
    // A flagged number is judged on only for the training tap, until the
    // rules would have flagged it: the model learns from a number's
    // checkpoints up to where the rules decide, whether or not another
    // finder (a gang's phone, a SIM box) flagged it first. Which finder
    // fires first must not decide what the model is trained on.
    if ((s.flagged && (!tap || s.tap_done)) || s.out_w < cfg.min_calls) return;
    const uint32_t distinct = s.callees.Estimate();
    if (distinct < cfg.min_distinct_callees) return;
    const double share = static_cast<double>(s.out_w) / (s.out_w + s.in_w);
    // The answered share over the window, but never below the share over the
    // number's whole life: a line that has been answered at business rates
    // for days is not unanswered because one morning's calls were (a daily
    // ratio crosses a threshold by chance when it is re-checked after every
    // call). A fraud SIM lives days, so for it the two are the same calls.
    const double answer = std::max(static_cast<double>(s.answered_w) / s.out_w,
                                   static_cast<double>(s.answered_total) / s.out_total);
    // Weights: calling behaviour alone also fits a telemarketer on a
    // years-old line, so a flag needs the card to be risky too: fresh,
    // off-net or overseas, or dormant and woken up (old, first active well
    // after the data begins). See docs/engine.md.
    double score = 0;
    uint32_t r = 0;
    if (share >= cfg.min_outgoing_share) {
      score += 0.2;
      r |= kRsOutgoing;
    }
    if (answer <= cfg.answer_rate_suspect) {
      score += 0.3;
      r |= kRsUnanswered;
    } else if (answer < cfg.answer_rate_normal) {
      score += 0.1;
      r |= kRsLowAnswer;
    } else {
      score -= 0.3;  // answered like a business line
    }
    const Ts opened = n < numbers.size() ? numbers[n].opened : kNoTs;
    std::string_view name = dicts->msisdn.Name(n);
    if (opened == kNoTs) {
      score += 0.3;
      r |= kRsOffnet;
    } else if (s.first_seen - opened <= cfg.new_card_s) {
      // A fresh card is the gangs' card when it is one a gang can buy:
      // prepaid (or IoT), sold with a real name that is not the caller's.
      // A postpaid contract bills its holder every month; a new one is a
      // business or a person who just signed up, and being new says nothing
      // of fraud (both generators' heavy legitimate lines are half
      // postpaid; none of their call-rule fraud cards is). So it adds no
      // card risk: a new postpaid line that calls like a fraud line is
      // flagged only by its handset, a victim's report or a den.
      if (s.plan != Plan::kPostpaid) {
        score += 0.3;
        r |= kRsNewCard;
      }
    } else if (s.first_seen - epoch >= cfg.dormant_after_s) {
      // Weak: in a short span, "woken up" and "started calling later" look
      // alike (a telemarketer's old line on its first working day).
      score += 0.05;
      r |= kRsDormant;
    }
    if (name.size() > 1 && name[0] == '+' && !name.starts_with("+86")) {
      score += 0.1;
      r |= kRsIntl;
    }
    if (distinct >= 3 * cfg.min_distinct_callees) {
      score += 0.1;
      r |= kRsBurst;
    }
    if (s.handsets >= 2) {
      score += 0.05;
      r |= kRsHandsets;
    }
    if (s.in_w * 10 >= s.out_w * 3) score -= 0.2;  // reciprocated: people call it back
    if (s.strangers_in >= cfg.public_line_min_strangers) score -= 0.3;  // a public number (PublicLine)
    if (model || tap) {
      // Checkpoints, not every call: the model costs a few microseconds and
      // a number's picture changes little from one call to the next.
      if (s.out_w == cfg.min_calls || s.out_w % 5 == 0) {
        float x[kNumFeatures];
        Features(n, s, distinct, opened, score, x);
        if (tap) tap(n, now, x);
        if (model && !s.flagged) {
          const double p = model->Probability(x);
          s.score = static_cast<float>(p);
          if (p >= model->threshold()) FlagNumber(n, p, (r & ~kRsOutgoing) | kRsModel, ModelReasons(x));
        }
      }
      if (model) return;  // the model decides; the rule score is one of its inputs
    }
    if (s.flagged) {  // (the training tap only)
      if (score >= cfg.flag_threshold) s.tap_done = true;
      return;
    }
    s.score = static_cast<float>(std::clamp(score, 0.0, 1.0));
    if (score >= cfg.flag_threshold) FlagNumber(n, std::min(1.0, score), r);
  }

  void Features(MsisdnId n, const EngineNumber& s, uint32_t distinct, Ts opened, double rule_score, float* x) const {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    auto ratio = [nan](double a, double b) { return b > 0 ? static_cast<float>(a / b) : nan; };
    x[kFOutW] = static_cast<float>(s.out_w);
    x[kFInW] = static_cast<float>(s.in_w);
    x[kFAnsweredW] = static_cast<float>(s.answered_w);
    x[kFDistinctW] = static_cast<float>(distinct);
    x[kFOutShareW] = ratio(s.out_w, s.out_w + s.in_w);
    x[kFAnswerRateW] = ratio(s.answered_w, s.out_w);
    x[kFCallsPerCalleeW] = ratio(s.out_w, distinct);
    x[kFWindowHours] = static_cast<float>(now - s.window_start) / 3600.0f;
    x[kFOutTotal] = static_cast<float>(s.out_total);
    x[kFInTotal] = static_cast<float>(s.in_total);
    x[kFAnswerRateTotal] = ratio(s.answered_total, s.out_total);
    x[kFCardAgeDays] = opened == kNoTs ? nan : static_cast<float>(s.first_seen - opened) / 86400.0f;
    x[kFOffnet] = opened == kNoTs ? 1.0f : 0.0f;
    const std::string_view name = dicts->msisdn.Name(n);
    x[kFIntl] = name.size() > 1 && name[0] == '+' && !name.starts_with("+86") ? 1.0f : 0.0f;
    x[kFStartDays] = static_cast<float>(s.first_seen - epoch) / 86400.0f;
    x[kFHandsets] = static_cast<float>(s.handsets);
    // The contact log: what the recent calls were like.
    uint32_t calls = 0, answered = 0, long_calls = 0, short_calls = 0, last_hour = 0;
    double answered_s = 0;
    const Ts memory_from = now - cfg.contact_memory_s;
    for (const Contact& c : s.contacts) {
      const Ts ts = epoch + c.ts;
      if (ts < memory_from) continue;
      ++calls;
      if (now - ts < 3600) ++last_hour;
      if (c.dur > 0) {
        ++answered;
        answered_s += c.dur;
        if (c.dur >= 300) ++long_calls;
        if (c.dur < 30) ++short_calls;
      }
    }
    x[kFMemCalls] = s.settled ? nan : static_cast<float>(calls);
    x[kFMemMeanAnswered] = ratio(answered_s, answered);
    x[kFMemLongShare] = ratio(long_calls, answered);
    x[kFMemShortShare] = ratio(short_calls, answered);
    x[kFMemLastHour] = s.settled ? nan : static_cast<float>(last_hour);
    x[kFRuleScore] = static_cast<float>(rule_score);
  }

  // The model's top three features pushing this number towards fraud.
  std::string ModelReasons(const float* x) const {
    float contrib[kNumFeatures];
    model->Contributions(x, contrib);
    int order[kNumFeatures];
    for (int i = 0; i < kNumFeatures; ++i) order[i] = i;
    std::partial_sort(order, order + 3, order + kNumFeatures, [&](int a, int b) { return contrib[a] > contrib[b]; });
    std::string s;
    for (int k = 0; k < 3 && contrib[order[k]] > 0; ++k) {
      if (!s.empty()) s += '+';
      s += NumberFeatureNames()[order[k]];
    }
    return s;
  }

  void RollWindow(EngineNumber& s) {
    if (s.window_start == kNoTs || now - s.window_start >= cfg.window_s) {
      s.window_start = now;
      s.out_w = s.in_w = s.answered_w = 0;
      s.callees.Clear();
    }
  }

  // A subscriber that answers, is called back and is not outgoing-only will
  // not be flagged by these rules: its contact log can go.
  static void Settle(EngineNumber& s) {
    if (!s.settled && s.answered_total >= 5 && s.in_total >= 3 && s.in_total * 10 >= s.out_total * 3) {
      s.settled = true;
      std::vector<Contact>().swap(s.contacts);
    }
  }

  uint32_t NameHash(MsisdnId n) const { return static_cast<uint32_t>(HashBytes(dicts->msisdn.Name(n))); }
  // First activity of a number (call or SMS): the start of its card-age and
  // first-seen features.
  void Seen(MsisdnId n, EngineNumber& s) {
    if (s.first_seen != kNoTs) return;
    s.first_seen = now;
    s.name_hash = NameHash(n);
  }

  // A call's start (events.md, "What is known when"): caller, callee and the
  // caller's handset are known at once; how long the call lasts only later.
  // An unanswered call ends as it starts. An answered one is applied at its
  // end (OnCallEnd, from pending_calls); while it goes on, a flagged
  // caller's callee is exposed at once and warned as the call reaches the
  // warning rules' lengths ("connected for 60 s", ... 300 s).
  void OnCall(const Call& c) {
    EngineNumber& caller = Num(c.caller);  // ChunkedTable: stays valid when Num(c.callee) grows the table
    EngineNumber& callee = Num(c.callee);
    Seen(c.caller, caller);
    Seen(c.callee, callee);
    if (c.caller_imei != kNoId && c.caller_imei != caller.last_imei) {
      if (caller.handsets < 255) ++caller.handsets;
      caller.last_imei = c.caller_imei;
    }
    const uint32_t dur = c.duration_s == kNoCount ? 0 : c.duration_s;
    if (dur == 0) {
      OnCallEnd(now, c, 0);
      return;
    }
    if (numbers[c.caller].flagged) {
      Expose(c.callee, 0, now, c.caller, false);
      // The lengths Expose's rules act on, as the call reaches them. (A
      // caller flagged during the call is acted on at the call's end.)
      for (const uint32_t m : {cfg.warn_sms_min_answered_s, kAfterWarningCallS, kShortConversationS,
                               cfg.exposure_min_answered_s, cfg.warn_call_min_answered_s})
        if (m < dur) pending_calls.push({now + m, pending_seq++, now, m, false, c});
    }
    pending_calls.push({now + dur, pending_seq++, now, dur, true, c});
  }

  // Parts of calls that became known by `until`, in time order, each at its
  // own time.
  void DrainCalls(Ts until) {
    while (!pending_calls.empty() && pending_calls.top().at <= until) {
      const PendingCall p = pending_calls.top();
      pending_calls.pop();
      now = std::max(now, p.at);
      case_desk.DueWork(now);
      if (p.end) {
        OnCallEnd(p.start, p.call, p.known);
      } else if (numbers[p.call.caller].flagged) {
        Expose(p.call.callee, p.known, p.start, p.call.caller, false);
      }
    }
  }

  // A call whose whole length `dur` is known now (it started at `start`).
  void OnCallEnd(Ts start, const Call& c, uint32_t dur) {
    GovernanceNote(Fact::CallEnded(c.caller, dur > 0, now));
    EngineNumber& caller = Num(c.caller);
    EngineNumber& callee = Num(c.callee);
    RollWindow(caller);
    RollWindow(callee);
    ++caller.out_w;
    ++caller.out_total;
    ++callee.in_w;
    ++callee.in_total;
    if (dur > 0) {
      ++caller.answered_w;
      ++caller.answered_total;
    }
    caller.callees.Add(callee.name_hash);
    NoteStranger(c.callee, callee, c.caller);
    if (dur > 0 && !caller.flagged) {
      // A conversation: the two holders know each other (see KnownPairs).
      const PersonId pa = HolderOf(c.caller);
      const PersonId pb = HolderOf(c.callee);
      if (pa != kNoId && pb != kNoId && pa != pb) known_pairs.Add(pa, pb, now);
    }
    Settle(callee);
    Settle(caller);
    if (!caller.settled && !caller.flagged) {
      caller.contacts.push_back({c.callee, static_cast<uint32_t>(start - epoch), dur});
      if (caller.contacts.size() % 64 == 0) Prune(caller);
    }
    if (caller.flagged) {
      Expose(c.callee, dur, start, c.caller);
      if (tap) Judge(c.caller, caller);  // training rows only (see Judge)
    } else {
      Judge(c.caller, caller);
    }
  }

  // A call into `n` from `from`: is `from` someone `n` never called? Only
  // for lines that call a lot (the call rules' candidates). Who `n` called is
  // its contact log while unflagged and unsettled, and its exposures once
  // flagged (everyone it reached becomes one, with it as the source).
  void NoteStranger(MsisdnId n, EngineNumber& s, MsisdnId from) {
    if (s.out_total < cfg.min_calls || s.strangers_in == UINT16_MAX) return;
    bool known;
    if (s.flagged) {
      const Exposure* x = desk.Find(from);
      known = x && x->source == n;
    } else if (s.settled) {
      return;
    } else {
      known = std::any_of(s.contacts.begin(), s.contacts.end(), [&](const Contact& c) { return c.callee == from; });
    }
    if (!known) ++s.strangers_in;
  }
  // A public number: people it never called ring it up (a shop, a courier, a
  // clinic: the number is on a sign, a slip, a web page). A gang's fresh SIM
  // is known only to those it called (independent-dev: 0 such calls into each
  // of its fraud lines; 8-22 a week into each heavy legitimate line it was
  // flagging). Only call-rule flags are judged so: a SIM of a box or of a
  // gang's phone, or one a victim named, stays what it is.
  bool PublicLine(const EngineNumber& s) const {
    return s.strangers_in >= cfg.public_line_min_strangers && (s.reasons & (kRsSimbox | kRsNamed)) == 0;
  }

  void Prune(EngineNumber& s) {
    const uint32_t cutoff = static_cast<uint32_t>(std::max<Ts>(0, now - epoch - cfg.contact_memory_s));
    auto it = std::find_if(s.contacts.begin(), s.contacts.end(), [&](const Contact& c) { return c.ts >= cutoff; });
    s.contacts.erase(s.contacts.begin(), it);
  }

  void OnSms(const Sms& s) {
    EngineNumber& sender = Num(s.sender);
    Seen(s.sender, sender);
    if (sender.flagged) {
      Expose(s.receiver, 0, now, s.sender);
    } else if (s.has_url == 1) {
      JudgeSmsBlast(s, sender);
    }
    // A text to a watched sender is a reply: someone knows it.
    if (!sms_blasts.empty()) {
      auto it = sms_blasts.find(s.receiver);
      if (it != sms_blasts.end()) it->second.spoiled = true;
    }
  }

  // SMS blasters: a phishing text goes out from bought SIMs, often in a box
  // that never places a call: one template, a link, each recipient once,
  // and nothing ever reaches the card (no call, no text back). Commercial
  // bulk SMS come from service codes (106..., off-net here) and a person's
  // own texts have their own templates; a marketer's own line uses several
  // texts and gets replies. Only new registered cards (opened within
  // new_card_s of first use) are watched, as for the call rules.
  void JudgeSmsBlast(const Sms& s, EngineNumber& sender) {
    if (sender.opened == kNoTs || sender.first_seen - sender.opened > cfg.new_card_s) return;
    auto [it, fresh] = sms_blasts.try_emplace(s.sender);
    SmsBlast& b = it->second;
    if (fresh) b.tmpl = s.template_hash;
    if (b.spoiled) return;
    if (s.template_hash != b.tmpl || sender.in_total > 0 || sender.answered_total > 0) {
      b.spoiled = true;
      return;
    }
    ++b.links;
    b.recipients.Add(NameHash(s.receiver));
    if (b.links >= cfg.sms_blast_min_links && b.recipients.Estimate() >= cfg.sms_blast_min_links * 9 / 10)
      FlagNumber(s.sender, 0.85, kRsSmsBlast | kRsNewCard);
  }

  // --- money ---
  bool Suspect(AccountId a) const { return a < account_flags.size() && (account_flags[a] & kAfSuspect); }
  bool Stopped(AccountId a) const override { return a < account_flags.size() && (account_flags[a] & kAfStopped); }
  PersonId Holder(AccountId a) const { return a < account_person.size() ? account_person[a] : kNoId; }
  uint8_t PersonFlags(PersonId p) const { return p < person_flags.size() ? person_flags[p] : 0; }

  // The payer knows the payee's holder: the same person, or they have talked.
  // A holder who also holds a fraud number does not count as known: a gang
  // may buy a seller's SIM and bank card together.
  bool KnownPayee(PersonId payer, AccountId payee) const {
    const PersonId holder = Holder(payee);
    if (payer == kNoId || holder == kNoId) return false;
    if (PersonFlags(holder) & kPfFlaggedNumber) return false;
    return payer == holder || known_pairs.Contains(payer, holder);
  }

  bool Business(AccountId a) const {
    return a != kNoId && a < account_kind.size() && account_kind[a] == AccountKind::kBusiness;
  }
  // Signs of a person living on the account in [from, to): a card-present
  // purchase, a payment to a business, a small bill or platform payment,
  // wages from a business, cash paid in at a counter. (Mules receive from
  // people and send on to people, cash machines and outside accounts, in
  // amounts that follow the victims' payments.)
  bool InOwnUse(AccountId a, Ts from, Ts to) const {
    const auto out = graph.OutOf(a);
    for (size_t k = graph.LowerBound(out, from); k < out.size() && graph.ts(out[k]) < to; ++k) {
      const TransferIndex i = out[k];
      const Channel ch = graph.channel(i);
      if (ch == Channel::kPos || Business(graph.to(i))) return true;
      if (ch == Channel::kThirdParty && graph.amount(i) <= cfg.own_use_max_payment) return true;
    }
    const auto in = graph.InTo(a);
    for (size_t k = graph.LowerBound(in, from); k < in.size() && graph.ts(in[k]) < to; ++k) {
      const TransferIndex i = in[k];
      if (Business(graph.from(i))) return true;
      if (graph.kind(i) == TransferKind::kDeposit && graph.channel(i) == Channel::kCounter) return true;
    }
    return false;
  }

  // Evidence that a personal account paid by an exposed person is a mule,
  // beyond that one payment. Returns the reason, or empty for "not enough".
  std::string MuleEvidence(AccountId a, uint32_t exposed_payers_n) const {
    const uint8_t pf = PersonFlags(Holder(a));
    if (pf & kPfFlaggedNumber) return "holder_has_fraud_number";
    if (pf & kPfGovFlagged) return "holder_flagged_card_seller";
    if (exposed_payers_n >= 2) return "paid_by_several_exposed_persons";
    // A new account that comes alive with this payment looks like a bought
    // card, but so does a young person's new account: the payment itself is
    // held, and the stop waits for one of the signs above.
    return {};
  }

  // A person living on account `a` in [from, to) (InOwnUse), and nothing
  // marks it as fraud's: not suspect, its holder holds no flagged number and
  // is no flagged seller. Such a payee is not held for one exposed payer, not
  // a trace's seed, and not stopped two or more layers down.
  bool LivesOnIt(AccountId a, Ts from, Ts to) const override {
    return !Suspect(a) && PersonFlags(Holder(a)) == 0 && InOwnUse(a, from, to);
  }

  // May a victim's first-time payment to `a` at `ts` seed a report's trace?
  // Not when `a` is in its holder's own use from the week before the payment
  // until now (LivesOnIt). Mules are bought cards
  // that only receive from people and send on to people, cash machines and
  // outside platforms. Accounts already marked as fraud's always qualify.
  bool SeedPayee(AccountId a, Ts ts) const {
    return case_desk.Traced(a) || !LivesOnIt(a, ts - cfg.own_use_window_s, now + 1);
  }

  // --- MoneyEvidence: what the case desk asks of the engine's evidence ---
  bool Stoppable(AccountId a) const override {
    return !(a == kNoId || Stopped(a) || a >= internal.size() || !internal[a]);
  }
  void OnStopped(AccountId a, Ts) override {
    At(account_flags, a) |= kAfSuspect | kAfStopped;
    GovernanceNote(Fact::SuspectAccount(a, now));
  }

  // Share of what reached `a` since `from` that came from fraud's side:
  // victims (exposed persons), accounts in any case's trace, suspected mules.
  // Mules two layers down are fed by mules; a shop, or a busy person who got
  // a few hundred of a victim's yuan from a friend, is fed by everyone else.
  double TaintedInflowShare(AccountId a, Ts from) const override {
    const auto in = graph.InTo(a);
    Money all = 0, tainted = 0;
    for (size_t k = graph.LowerBound(in, from); k < in.size(); ++k) {
      const TransferIndex i = in[k];
      const Money amount = graph.amount(i);
      all += amount;
      const AccountId src = graph.from(i);
      if (src == kNoId) continue;
      const PersonId p = Holder(src);
      const bool exposed = p < person_exposed.size() && person_exposed[p] != kNoTs;
      if (exposed || Suspect(src) || case_desk.Traced(src)) tainted += amount;
    }
    return all > 0 ? static_cast<double>(tainted) / static_cast<double>(all) : 0.0;
  }

  // The hold rule's reading of a payment at `now`, before anything is
  // applied (OnTransfer acts on it; CheckTransfer only answers with it).
  // `first_time`: the payer has not paid this payee within the memory span.
  struct PaymentJudgement {
    PersonId payer = kNoId;
    Ts exposed = kNoTs;         // the payer's last long talk with a flagged number
    bool recently_exposed = false;  // within exposure_hold_s
    bool known = false;         // the payee's holder is the payer or someone they talk to
    bool holdable = false;      // an exposed person pays a stranger's watched personal account enough
    bool lives_on_it = false;   // ... but one person lives on it and nothing else marks it: noted, not held
    bool hold = false;          // the payment is held
  };
  PaymentJudgement JudgePayment(const Transfer& t, bool first_time) const {
    PaymentJudgement j;
    j.payer = t.from < account_person.size() ? account_person[t.from] : kNoId;
    j.exposed = j.payer != kNoId && j.payer < person_exposed.size() ? person_exposed[j.payer] : kNoTs;
    j.recently_exposed = j.exposed != kNoTs && now - j.exposed <= cfg.exposure_hold_s;
    const bool recently_exposed = j.recently_exposed;
    const bool payee_personal = t.to < account_kind.size() && account_kind[t.to] == AccountKind::kPersonal;
    // Paying someone the payer knows (same holder, or they have talked) is
    // not paying a mule: no hold, no stop.
    j.known = recently_exposed && payee_personal && KnownPayee(j.payer, t.to);
    // A payee already held once for an exposed payer stays under watch.
    const bool watched = first_time || Suspect(t.to) || exposed_payers.contains(t.to);
    // A scam takes hundreds to thousands at a time; a few yuan to a stall
    // or a friend is not worth stopping a payment for.
    const bool worth_holding = t.amount >= cfg.hold_min_amount;
    // A payee living on its account (shopping, wages, bills in the week
    // before: InOwnUse) is a person, not a bought card; the payment of one
    // exposed person to it is noted, not held. A second exposed payer, or
    // any other sign that the payee is a mule, holds as before (a rented
    // mule with a normal history is caught from its second victim on).
    j.holdable = recently_exposed && payee_personal && !j.known && watched && worth_holding;
    const auto ep_it = exposed_payers.find(t.to);
    const bool other_exposed_payer =
        ep_it != exposed_payers.end() && (ep_it->second.distinct > 1 || ep_it->second.first != j.payer);
    j.lives_on_it = j.holdable && !other_exposed_payer && LivesOnIt(t.to, now - cfg.own_use_window_s, now);
    j.hold = !j.lives_on_it && j.holdable && !Stopped(t.from);
    return j;
  }

  static constexpr double kHoldScore = 0.9;
  static const char* HoldReason(bool first_time) {
    return first_time ? "exposed_payer+first_time_payee" : "exposed_payer+suspect_payee";
  }

  void OnTransfer(const Transfer& t) {
    const TransferIndex idx = graph.Add(now, t);
    if (t.kind == TransferKind::kTransfer && t.from != kNoId && t.to != kNoId) {
      const bool first_time = payee_pairs.AddDirected(AccountHash(t.from), AccountHash(t.to), now);
      if (idx != kNoTransfer) At(first_time_txn, idx) = first_time;
      const PaymentJudgement j = JudgePayment(t, first_time);
      const PersonId payer = j.payer;
      const Ts exposed = j.exposed;
      const bool known = j.known;
      if (j.lives_on_it) {
        exposed_payers.try_emplace(t.to, ExposedPayers{payer, 1});  // noted, unless noted already
        ++stats.holds_skipped_own_use;
      } else if (j.hold) {
        // A person a fraud number just talked to pays a stranger: hold it.
        Emit(ActionType::kHoldTransfer, TargetKind::kTxn, std::string(dicts->txn.Name(t.txn)), kHoldScore,
             HoldReason(first_time), t.amount);
        // The payee is flagged and stop-paid only on more evidence than this
        // one payment (MuleEvidence): one false stop freezes an innocent
        // person's account, so a lone payment is held, not followed.
        ExposedPayers& ep = exposed_payers[t.to];
        if (ep.distinct == 0) ep = {payer, 1};
        else if (ep.first != payer) ep.distinct = 2;
        const uint32_t payers = ep.distinct;
        if (!Suspect(t.to)) {
          const std::string why = MuleEvidence(t.to, payers);
          if (!why.empty()) {
            At(account_flags, t.to) |= kAfSuspect;
            GovernanceNote(Fact::SuspectAccount(t.to, now));
            Emit(ActionType::kFlagAccount, TargetKind::kAccount, Account(t.to), 0.8, "paid_by_exposed_person+" + why);
            case_desk.StopPayment(t.to, 0, {}, "suspect_mule_payee", now);
          }
        }
      } else if (Suspect(t.to) && !known && !Stopped(t.from) && payer != kNoId && exposed != kNoTs) {
        // Money reaching a suspected mule from an exposed person: follow it.
        case_desk.Open(fmt::format("D-{}", dicts->txn.Name(t.txn)), t.from, {idx}, nullptr, now);
        ++stats.cases_detected;
      }
    }
    case_desk.Extend(idx, t, now);
  }

  // The victim says how much was lost, from the bank statement: exactly, or
  // rounded (independent-dev: 16 of 17 reports within 2 % of the case's
  // payments). When some of the candidate payments add up to that amount
  // within 2 %, they are the fraud's, and the others (shopping, a bill paid
  // to a new payee the same week) are not traced and not stop-paid. The
  // subset nearest the amount wins (ties: the one whose payments come
  // first); with no subset near enough, every candidate stays, as before.
  // At most the first 16 candidates are combined (65,536 subsets).
  std::vector<TransferIndex> SeedsForStatedLoss(std::vector<TransferIndex> seeds, Money stated) const {
    if (stated == kNoMoney || stated <= 0 || seeds.size() < 2) return seeds;
    const size_t n = std::min<size_t>(seeds.size(), 16);
    const Money tolerance = stated / 50;
    uint32_t best = 0;
    Money best_gap = tolerance + 1;
    for (uint32_t mask = 1; mask < (1u << n); ++mask) {
      Money sum = 0;
      for (size_t k = 0; k < n; ++k)
        if (mask & (1u << k)) sum += graph.amount(seeds[k]);
      const Money gap = sum > stated ? sum - stated : stated - sum;
      // Strictly nearer only: of two subsets equally near, the first found
      // (the smaller mask, lower bits being earlier payments) stays.
      if (gap < best_gap) {
        best_gap = gap;
        best = mask;
      }
    }
    if (best == 0) return seeds;
    std::vector<TransferIndex> kept;
    for (size_t k = 0; k < n; ++k)
      if (best & (1u << k)) kept.push_back(seeds[k]);
    return kept;
  }

  void OnReport(const Report& r) {
    ++stats.cases_opened;
    AccountId victim = r.account;
    std::vector<TransferIndex> seeds;
    // The scam began at the victim's first long talk with a flagged number,
    // when the engine saw one; otherwise look back trace_lookback_s.
    Ts since = now - cfg.trace_lookback_s;
    if (r.person != kNoId && r.person < person_first_exposed.size() && person_first_exposed[r.person] != kNoTs)
      since = person_first_exposed[r.person];
    if (victim != kNoId) {
      for (TransferIndex i : graph.OutOf(victim)) {
        // Seeds: payments to new payees only; rent, shopping and family
        // transfers to payees paid before are not the fraud.
        // Mules are personal accounts (bought from card sellers): payments to
        // merchants and other business accounts are not followed, nor
        // payments to people the victim knows.
        const AccountId to = graph.to(i);
        const bool personal = to < account_kind.size() && account_kind[to] == AccountKind::kPersonal;
        if (graph.ts(i) >= since && graph.kind(i) == TransferKind::kTransfer && personal &&
            i < first_time_txn.size() && first_time_txn[i] && !KnownPayee(r.person, to) &&
            SeedPayee(to, graph.ts(i)))
          seeds.push_back(i);
      }
    }
    seeds = SeedsForStatedLoss(std::move(seeds), r.amount);
    if (r.suspect != kNoId) {
      EngineNumber& s = Num(r.suspect);
      if (!s.flagged) FlagNumber(r.suspect, 0.95, kRsNamed);
    }
    case_desk.Open(fmt::format("R-{}", dicts->report.Name(r.report)), victim, std::move(seeds), &r, now);
  }

};

Engine::Engine(const Dictionaries* dicts, const EngineConfig& cfg, Sink sink)
    : impl_(std::make_unique<Impl>(dicts, cfg, std::move(sink))) {}
Engine::~Engine() = default;

void Engine::Prefetch(const Event& e) const {
  const Impl& m = *impl_;
  if (m.gov) m.gov->Prefetch(e);
  if (m.rings) m.rings->Prefetch(e);
  switch (e.kind) {
    case EventKind::kCall:
      PrefetchAt(m.numbers, e.call.caller);
      PrefetchAt(m.numbers, e.call.callee);
      break;
    case EventKind::kSms:
      PrefetchAt(m.numbers, e.sms.sender);
      PrefetchAt(m.numbers, e.sms.receiver);
      break;
    case EventKind::kTransfer:
      PrefetchAt(m.account_person, e.transfer.from);
      PrefetchAt(m.account_kind, e.transfer.to);
      m.graph.Prefetch(e.transfer.from, e.transfer.to);
      if (e.transfer.kind == TransferKind::kTransfer && e.transfer.from != kNoId && e.transfer.to != kNoId) {
        m.dicts->account.PrefetchName(e.transfer.from);  // for PrefetchNear's name hashes
        m.dicts->account.PrefetchName(e.transfer.to);
      }
      break;
    default: break;
  }
}

void Engine::PrefetchNear(const Event& e) const {
  const Impl& m = *impl_;
  if (e.kind == EventKind::kTransfer) {
    const Transfer& t = e.transfer;
    if (t.kind == TransferKind::kTransfer && t.from != kNoId && t.to != kNoId)
      m.payee_pairs.PrefetchDirected(m.AccountHash(t.from), m.AccountHash(t.to));
    return;
  }
  // Answered calls add the holders' pair to known_pairs (Impl::OnCall).
  if (e.kind != EventKind::kCall || e.call.duration_s == 0 || e.call.duration_s == kNoCount) return;
  const PersonId pa = m.HolderOf(e.call.caller);
  const PersonId pb = m.HolderOf(e.call.callee);
  if (pa != kNoId && pb != kNoId && pa != pb) m.known_pairs.Prefetch(pa, pb);
}

void Engine::Apply(const Event& e) {
  Impl& m = *impl_;
  if (m.epoch == kNoTs) m.epoch = e.ts;
  // What became known of calls in progress before this event, first.
  m.DrainCalls(e.ts);
  // Late events are applied at the time they carry, but the clock never runs
  // backwards for windows and queues.
  m.now = std::max(m.now, e.ts);
  if (m.epoch > m.now) m.epoch = m.now;
  ++m.stats.events;
  m.case_desk.DueWork(m.now);
  if (m.gov) {
    m.gov->Apply(e, &m.gov_verdicts);
    m.TakeGovernanceVerdicts();
    m.DrainGovernanceFlags();
  }
  if (m.rings) {
    m.rings->Apply(e, &m.ring_verdicts);
    m.TakeRingVerdicts();
  }
  switch (e.kind) {
    case EventKind::kSimCard:
      if (e.sim.msisdn != kNoId) {
        EngineNumber& n = m.Num(e.sim.msisdn);
        n.opened = e.ts;
        n.holder = e.sim.person;
        n.plan = e.sim.plan;
      }
      break;
    case EventKind::kBankAccount:
      At(m.account_person, e.account.account, kNoId) = e.account.person;
      At(m.internal, e.account.account) = 1;
      At(m.account_kind, e.account.account, AccountKind::kUnknown) = e.account.kind;
      m.graph.MarkInternal(e.account.account);
      break;
    case EventKind::kCall:
      m.OnCall(e.call);
      break;
    case EventKind::kSms:
      m.OnSms(e.sms);
      break;
    case EventKind::kTransfer:
      m.OnTransfer(e.transfer);
      break;
    case EventKind::kReport:
      m.OnReport(e.report);
      break;
  }
  // Serve the capacity queues as the budget accrues (each hour), and close cases.
  if (m.now / 3600 != m.last_hour) {
    m.last_hour = m.now / 3600;
    m.desk.Serve(m.now);
    m.case_desk.CloseDue(m.now);
  }
}

void Engine::Finish(Ts end) {
  Impl& m = *impl_;
  // Calls still connected at the end of the data end after it: their
  // actions carry their own (later) times.
  m.DrainCalls(std::numeric_limits<Ts>::max());
  m.now = std::max(m.now, end);
  m.desk.Finish(m.now);
  m.case_desk.Finish(m.now);  // every freeze still due, every case closed, restitution
  if (m.gov) {
    m.gov->Finish(m.now, &m.gov_verdicts);
    m.TakeGovernanceVerdicts();
  }
  if (m.rings) {
    m.rings->Finish(m.now, &m.ring_verdicts);
    m.TakeRingVerdicts();
  }
}

void Engine::AdvanceTo(Ts t) {
  Impl& m = *impl_;
  if (m.epoch == kNoTs) return;
  m.DrainCalls(t);
  if (t > m.now) m.now = t;
  m.case_desk.DueWork(m.now);
  m.desk.Serve(m.now);
}

std::vector<GangRecord> Engine::Gangs() const { return impl_->rings ? impl_->rings->Gangs() : std::vector<GangRecord>{}; }

TransferDecision Engine::CheckTransfer(const Transfer& t) const {
  const Impl& m = *impl_;
  TransferDecision d;
  if (t.kind != TransferKind::kTransfer || t.from == kNoId || t.to == kNoId) {
    d.reason = "not_a_transfer_between_accounts";
    return d;
  }
  // As OnTransfer would read it, without remembering the pair.
  const bool first_time = !m.payee_pairs.ContainsDirected(m.AccountHash(t.from), m.AccountHash(t.to));
  const Impl::PaymentJudgement j = m.JudgePayment(t, first_time);
  if (j.hold) {
    d.hold = true;
    d.score = Impl::kHoldScore;
    d.reason = Impl::HoldReason(first_time);
  } else if (j.lives_on_it) {
    d.reason = "exposed_payer+payee_lives_on_account";
  } else if (j.known) {
    d.reason = "exposed_payer+payee_known_to_payer";
  } else if (!j.recently_exposed) {
    d.reason = "payer_not_exposed";
  } else {
    d.reason = "exposed_payer+no_hold_rule_met";  // a small amount, a business or a payee paid before
  }
  return d;
}

NumberView Engine::QueryNumber(MsisdnId n) const {
  const Impl& m = *impl_;
  NumberView v;
  if (n >= m.numbers.size() || m.numbers[n].first_seen == kNoTs) return v;
  const EngineNumber& s = m.numbers[n];
  v.known = true;
  v.score = s.score;
  v.flagged = s.flagged;
  v.reasons = ReasonString(s.reasons);
  v.out_calls = s.out_total;
  v.in_calls = s.in_total;
  v.answered = s.answered_total;
  v.distinct_callees = s.callees.Estimate();
  v.outgoing_share = s.out_total + s.in_total ? static_cast<double>(s.out_total) / (s.out_total + s.in_total) : 0;
  v.answer_rate = s.out_total ? static_cast<double>(s.answered_total) / s.out_total : 0;
  v.first_seen = s.first_seen;
  return v;
}

EngineStats Engine::Stats() const {
  const Impl& m = *impl_;
  EngineStats s = m.stats;
  for (int t = 0; t < kNumActionTypes; ++t) s.actions[t] = m.out.count(static_cast<ActionType>(t));
  s.traces_extended = m.case_desk.traces_extended();
  s.warnings_unserved_call = m.desk.unserved_calls();
  s.warnings_unserved_visit = m.desk.unserved_visits();
  size_t contacts = 0;
  uint64_t active = 0;
  for (size_t i = 0; i < m.numbers.size(); ++i) {
    const EngineNumber& n = m.numbers[i];
    contacts += n.contacts.capacity() * sizeof(Contact);
    active += n.first_seen != kNoTs;
  }
  s.state_parts = {
      {"numbers", m.numbers.capacity() * sizeof(EngineNumber)},
      {"contact_logs", contacts},
      {"known_pairs", m.known_pairs.MemoryBytes()},
      {"payee_pairs", m.payee_pairs.MemoryBytes()},
      {"exposures", m.desk.state_bytes()},
      {"registry", m.account_person.capacity() * sizeof(PersonId) + m.account_kind.capacity() * sizeof(AccountKind) +
                       m.account_flags.capacity() + m.internal.capacity() + m.person_flags.capacity() +
                       (m.person_exposed.capacity() + m.person_first_exposed.capacity()) * sizeof(Ts)},
      {"first_time_payments", m.first_time_txn.capacity()},
  };
  size_t bytes = 0;
  for (const auto& [name, b] : s.state_parts) bytes += b;
  s.state_bytes = bytes;
  s.active_numbers = active;
  return s;
}

const std::vector<Restitution>& Engine::restitutions() const { return impl_->case_desk.restitutions(); }

size_t Engine::CaseCount() const { return impl_->case_desk.size(); }

void Engine::SetNumberModel(std::shared_ptr<const Forest> model) { impl_->model = std::move(model); }
void Engine::SetFeatureTap(FeatureTap tap) { impl_->tap = std::move(tap); }

std::vector<CaseInfo> Engine::Cases() const { return impl_->case_desk.Cases(); }

}  // namespace interdict
