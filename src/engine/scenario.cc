#include "engine/scenario.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "engine/engine.h"
#include "model/dictionary.h"
#include "model/enums.h"
#include "model/events.h"

namespace interdict {

namespace {

constexpr int64_t kMaxRepeat = 1'000'000;      // one repeat line
constexpr size_t kMaxSteps = 2'000'000;        // events of a whole file, after expansion
constexpr size_t kMaxExpects = 100'000;
constexpr int kMaxRepeatDepth = 4;
constexpr int64_t kMaxIterations = 5'000'000;  // all repeats of a file together, skipped copies included

using Env = std::map<std::string, int64_t, std::less<>>;

// ---- integer expressions inside {...}: + - * / % ( ) comparisons && || ?: ----
class Expr {
 public:
  Expr(std::string_view s, const Env& env) : s_(s), env_(env) {}
  bool Eval(int64_t* out, std::string* err) {
    int64_t v = Ternary();
    Skip();
    if (err_.empty() && pos_ != s_.size()) err_ = fmt::format("unexpected '{}' in {{{}}}", s_.substr(pos_), s_);
    if (!err_.empty()) {
      *err = err_;
      return false;
    }
    *out = v;
    return true;
  }

 private:
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(std::string_view tok) {
    Skip();
    if (s_.substr(pos_, tok.size()) == tok) {
      pos_ += tok.size();
      return true;
    }
    return false;
  }
  void Fail(std::string m) {
    if (err_.empty()) err_ = std::move(m);
  }
  int64_t Ternary() {
    int64_t c = Or();
    if (Eat("?")) {
      int64_t a = Ternary();
      if (!Eat(":")) Fail(fmt::format("'?' without ':' in {{{}}}", s_));
      int64_t b = Ternary();
      return c ? a : b;
    }
    return c;
  }
  int64_t Or() {
    int64_t v = And();
    while (Eat("||")) v = (And() != 0) || v;
    return v;
  }
  int64_t And() {
    int64_t v = Cmp();
    while (Eat("&&")) v = (Cmp() != 0) && v;
    return v;
  }
  int64_t Cmp() {
    int64_t v = Sum();
    for (;;) {
      if (Eat("==")) v = v == Sum();
      else if (Eat("!=")) v = v != Sum();
      else if (Eat("<=")) v = v <= Sum();
      else if (Eat(">=")) v = v >= Sum();
      else if (Eat("<")) v = v < Sum();
      else if (Eat(">")) v = v > Sum();
      else return v;
    }
  }
  // Arithmetic that fails (instead of overflowing) outside int64.
  int64_t Add(int64_t a, int64_t b) {
    int64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? TooLarge() : r;
  }
  int64_t Sub(int64_t a, int64_t b) {
    int64_t r = 0;
    return __builtin_sub_overflow(a, b, &r) ? TooLarge() : r;
  }
  int64_t Mul(int64_t a, int64_t b) {
    int64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? TooLarge() : r;
  }
  int64_t TooLarge() {
    Fail(fmt::format("number too large in {{{}}}", s_));
    return 0;
  }
  int64_t Sum() {
    int64_t v = Product();
    for (;;) {
      if (Eat("+")) v = Add(v, Product());
      else if (Eat("-")) v = Sub(v, Product());
      else return v;
    }
  }
  int64_t Product() {
    int64_t v = Unary();
    for (;;) {
      const bool div = Eat("/");
      const bool mod = !div && Eat("%");
      if (!div && !Eat("*") && !mod) return v;
      int64_t r = Unary();
      if ((div || mod) && r == 0) {
        Fail(fmt::format("division by zero in {{{}}}", s_));
        return 0;
      }
      if ((div || mod) && r == -1) {  // x / -1 = -x, x % -1 = 0, without INT64_MIN / -1
        v = mod ? 0 : Sub(0, v);
        continue;
      }
      v = div ? v / r : mod ? v % r : Mul(v, r);
    }
  }
  int64_t Unary() {
    if (++depth_ > 100) {
      Fail(fmt::format("expression nested too deep in {{{}}}", s_));
      pos_ = s_.size();
      return 0;
    }
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    if (Eat("-")) return Sub(0, Unary());
    if (Eat("!")) return !Unary();
    if (Eat("(")) {
      int64_t v = Ternary();
      if (!Eat(")")) Fail(fmt::format("missing ')' in {{{}}}", s_));
      return v;
    }
    Skip();
    size_t b = pos_;
    if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
      if (ec != std::errc()) Fail(fmt::format("number too large in {{{}}}", s_));
      pos_ = static_cast<size_t>(p - s_.data());
      return v;
    }
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    if (b == pos_) {
      Fail(pos_ < s_.size() ? fmt::format("unexpected '{}' in {{{}}}", s_.substr(pos_), s_)
                            : fmt::format("expression ends early in {{{}}}", s_));
      return 0;
    }
    auto it = env_.find(s_.substr(b, pos_ - b));
    if (it == env_.end()) {
      Fail(fmt::format("unknown variable '{}' in {{{}}} (a repeat names its counter with `as`; default i)",
                       s_.substr(b, pos_ - b), s_));
      return 0;
    }
    return it->second;
  }

  std::string_view s_;
  const Env& env_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::string err_;
};

// Replaces each {expr} by its value.
bool Substitute(std::string_view line, const Env& env, std::string* out, std::string* err) {
  out->clear();
  for (size_t i = 0; i < line.size();) {
    if (line[i] == '}') {
      *err = "'}' without '{'";
      return false;
    }
    if (line[i] != '{') {
      out->push_back(line[i++]);
      continue;
    }
    size_t e = line.find('}', i);
    if (e == std::string_view::npos) {
      *err = "'{' without '}'";
      return false;
    }
    int64_t v = 0;
    if (!Expr(line.substr(i + 1, e - i - 1), env).Eval(&v, err)) return false;
    out->append(std::to_string(v));
    i = e + 1;
  }
  return true;
}

// Whitespace-separated tokens; "double quoted" is one token (quotes removed).
bool Tokenize(std::string_view s, std::vector<std::string>* out, std::string* err) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    if (s[i] == '"') {
      size_t e = s.find('"', i + 1);
      if (e == std::string_view::npos) {
        *err = "unterminated \"";
        return false;
      }
      out->emplace_back(s.substr(i + 1, e - i - 1));
      i = e + 1;
      continue;
    }
    size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    out->emplace_back(s.substr(b, i - b));
  }
  return true;
}

bool ParseInt(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

// "90s", "3h", "1d2h30m", "2h1600s": a sum of <integer><unit>, unit d/h/m/s.
bool ParseDuration(std::string_view s, Ts* out) {
  if (s.empty()) return false;
  Ts total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t b = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (b == i || i == s.size() || i - b > 9) return false;
    int64_t n = 0;
    if (!ParseInt(s.substr(b, i - b), &n)) return false;
    switch (s[i++]) {
      case 'd': total += n * 86400; break;
      case 'h': total += n * 3600; break;
      case 'm': total += n * 60; break;
      case 's': total += n; break;
      default: return false;
    }
    if (total > 1'000'000'000'000) return false;  // 30,000 years: a typo, and no overflow
  }
  *out = total;
  return true;
}

const char* kTimeHelp = "a time is t0, +DUR or -DUR from the start (DUR: 90s, 5m, 3h, 2d, 1d2h30m), or day N HH:MM[:SS]";

class Parser {
 public:
  Parser(const std::string& path, Scenario* out) : path_(path), s_(out) {}

  Status Run(std::string_view text) {
    s_->path = path_;
    s_->config.call_capacity_per_10k_day = 1e7;  // as engine_test.cc's AmpleCapacity
    s_->config.visit_capacity_per_10k_day = 1e7;
    bool in_story = true;
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t e = text.find('\n', pos);
      if (e == std::string_view::npos) e = text.size();
      std::string_view line = text.substr(pos, e - pos);
      pos = e + 1;
      ++line_no;
      line_ = line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      size_t b = line.find_first_not_of(" \t");
      if (b == std::string_view::npos) {
        if (!s_->story.empty()) in_story = false;
        continue;
      }
      line = line.substr(b);
      if (line[0] == '#') {
        if (in_story) {
          std::string_view c = line.substr(1);
          if (!c.empty() && c[0] == ' ') c.remove_prefix(1);
          if (!s_->story.empty()) s_->story += ' ';
          s_->story += c;
        }
        continue;
      }
      in_story = false;
      if (!Line(line, Env{}, 0)) return Status::Invalid(fmt::format("{}:{}: {}", path_, line_no, err_));
      if (e == text.size()) break;
    }
    if (s_->steps.empty() && s_->expects.empty()) return Status::Invalid(fmt::format("{}: no events and no expectations", path_));
    if (s_->expects.empty()) return Status::Invalid(fmt::format("{}: no `expect` line: a scenario must check something", path_));
    return Status::Ok();
  }

 private:
  bool Fail(std::string m) {
    if (err_.empty()) err_ = std::move(m);
    return false;
  }

  // One line (or a repeat's body) with the counters of enclosing repeats in
  // `env`; `base` is the enclosing repeat's current time (for `from`).
  bool Line(std::string_view line, const Env& env, int depth, const Ts* base = nullptr) {
    if (line.substr(0, 7) == "repeat ") return Repeat(line, env, depth, base);
    std::string text, serr;
    if (!Substitute(line, env, &text, &serr)) return Fail(serr);
    std::vector<std::string> t;
    if (!Tokenize(text, &t, &serr)) return Fail(serr);
    if (t.empty()) return true;
    const std::string& k = t[0];
    if (k == "start") {
      if (t.size() != 2 || !ParseTs(t[1], TimeZone{}, &s_->start))
        return Fail("start takes one timestamp, e.g. start 2024-03-01T08:00:00+08:00");
      if (!s_->steps.empty() || !s_->expects.empty()) return Fail("`start` must come before any event or expectation");
      return true;
    }
    if (k == "config") return Config(text);
    if (k == "person") return PersonLine(t);
    if (k == "expect") return Expect(t, text);
    if (k == "at") {
      size_t i = 1;
      ScenarioStep st;
      if (!Time(t, &i, &st.ts)) return false;
      return Event(t, i, st);
    }
    if (k == "advance" || k == "finish") {
      // advance to TIME / finish at TIME
      ScenarioStep st;
      st.kind = k == "advance" ? ScenarioStep::Kind::kAdvance : ScenarioStep::Kind::kFinish;
      const char* word = k == "advance" ? "to" : "at";
      if (t.size() < 3 || t[1] != word) return Fail(fmt::format("write `{} {} TIME`", k, word));
      size_t i = 2;
      if (!Time(t, &i, &st.ts)) return false;
      if (i != t.size()) return Fail(fmt::format("unexpected '{}' after the time", t[i]));
      return Push(std::move(st));
    }
    if (base && IsEventWord(k)) {
      ScenarioStep st;
      st.ts = *base;
      return Event(t, 0, st);
    }
    if (IsEventWord(k)) return Fail(fmt::format("an event needs its time: `at +1h {} ...`", k));
    return Fail(fmt::format("unknown line '{}' (lines start with #, start, config, person, at, repeat, advance, finish, expect)", k));
  }

  static bool IsEventWord(std::string_view k) {
    return k == "call" || k == "sms" || k == "pay" || k == "report" || k == "sim" || k == "account";
  }

  bool Push(ScenarioStep st) {
    if (s_->steps.size() >= kMaxSteps) return Fail(fmt::format("more than {} events (a bigger world is a data set for `interdict run`)", kMaxSteps));
    st.line = line_;
    s_->steps.push_back(std::move(st));
    return true;
  }

  // repeat N [every DUR] [from TIME] [as VAR] [when {EXPR}]: BODY
  bool Repeat(std::string_view line, const Env& env, int depth, const Ts* base) {
    if (depth >= kMaxRepeatDepth) return Fail(fmt::format("repeats nested deeper than {}", kMaxRepeatDepth));
    // The header ends at the first ": " outside {...}.
    size_t colon = std::string_view::npos;
    int brace = 0;
    for (size_t i = 0; i + 1 < line.size(); ++i) {
      if (line[i] == '{') ++brace;
      if (line[i] == '}') --brace;
      if (brace == 0 && line[i] == ':' && (line[i + 1] == ' ' || line[i + 1] == '\t')) {
        colon = i;
        break;
      }
    }
    if (colon == std::string_view::npos) return Fail("a repeat needs ': ' between its header and the repeated line");
    std::string_view header = line.substr(0, colon), body = line.substr(colon + 2);
    std::string serr;
    std::vector<std::string> raw;
    if (!Tokenize(header, &raw, &serr)) return Fail(serr);
    std::string var = "i";
    for (size_t i = 0; i + 1 < raw.size(); ++i)
      if (raw[i] == "as") var = raw[i + 1];
    if (var.empty() || !std::all_of(var.begin(), var.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }))
      return Fail(fmt::format("'{}' is not a counter name (letters and _)", var));
    if (env.count(var)) return Fail(fmt::format("counter '{}' already used by an enclosing repeat: name this one with `as`", var));
    Env e = env;
    e[var] = 0;
    // Everything in the header but `when` is read once, with the counter at 0.
    std::string when_expr;
    int64_t n = -1;
    Ts every = 0, from = 0;
    bool has_every = false, has_from = base != nullptr;
    if (base) from = *base;
    {
      std::vector<std::string> t = raw;
      if (t.size() < 2 || !ParseInt(t[1], &n) || n < 0 || n > kMaxRepeat)
        return Fail(fmt::format("repeat needs a count from 0 to {}: `repeat 40 every 90s from +0s: ...`", kMaxRepeat));
      for (size_t i = 2; i < t.size();) {
        if (t[i] == "every" && i + 1 < t.size()) {
          if (!ParseDuration(t[i + 1], &every)) return Fail(fmt::format("'{}' is not a duration (90s, 5m, 3h, 2d)", t[i + 1]));
          has_every = true;
          i += 2;
        } else if (t[i] == "from") {
          ++i;
          if (!Time(t, &i, &from)) return false;
          has_from = true;
        } else if (t[i] == "as" && i + 1 < t.size()) {
          i += 2;
        } else if (t[i] == "when" && i + 1 < t.size()) {
          for (++i; i < t.size(); ++i) when_expr += t[i] + " ";
        } else {
          return Fail(fmt::format("unexpected '{}' in the repeat's header (every, from, as, when)", t[i]));
        }
      }
    }
    const std::string_view first = body.substr(0, body.find(' '));
    if (IsEventWord(first) && !has_from) return Fail("a repeat of events needs `from TIME` (or an enclosing repeat)");
    if (has_every && !IsEventWord(first) && first != "repeat") return Fail(fmt::format("`every` has no meaning for repeated '{}' lines", first));
    if (!when_expr.empty() && (when_expr.front() != '{' || when_expr[when_expr.size() - 2] != '}'))
      return Fail("write the condition in braces: `when {i % 4 != 0}`");
    for (int64_t k = 0; k < n; ++k) {
      if (++iterations_ > kMaxIterations) return Fail(fmt::format("repeats expand to more than {} lines", kMaxIterations));
      e[var] = k;
      if (!when_expr.empty()) {
        std::string v;
        if (!Substitute(when_expr, e, &v, &serr)) return Fail(serr);
        while (!v.empty() && v.back() == ' ') v.pop_back();
        int64_t c = 0;
        if (!ParseInt(v, &c)) return Fail(fmt::format("the when condition gives '{}', not a number", v));
        if (c == 0) continue;
      }
      const Ts at = from + k * every;
      if (at - s_->start > 1'000'000'000'000 || s_->start - at > 1'000'000'000'000)
        return Fail("a repeat's times run more than 30,000 years from the start");
      if (!Line(body, e, depth + 1, has_from ? &at : nullptr)) return false;
    }
    return true;
  }

  bool Time(const std::vector<std::string>& t, size_t* i, Ts* out) {
    if (*i >= t.size()) return Fail(std::string("a time is missing: ") + kTimeHelp);
    const std::string& w = t[*i];
    if (w == "t0") {
      *out = s_->start;
      ++*i;
      return true;
    }
    if (w == "day") {
      int64_t n = 0;
      if (*i + 2 >= t.size() || !ParseInt(t[*i + 1], &n) || n < 1 || n > 100000)
        return Fail(std::string("day needs a number from 1 and HH:MM: ") + kTimeHelp);
      const std::string& hm = t[*i + 2];
      int64_t h = 0, m = 0, sec = 0;
      const size_t c1 = hm.find(':'), c2 = hm.find(':', c1 == std::string::npos ? hm.size() : c1 + 1);
      bool ok = c1 != std::string::npos && ParseInt(hm.substr(0, c1), &h) &&
                ParseInt(hm.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1), &m) &&
                (c2 == std::string::npos || ParseInt(hm.substr(c2 + 1), &sec));
      if (!ok || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
        return Fail(fmt::format("'{}' is not HH:MM or HH:MM:SS", hm));
      const Ts off = TimeZone{}.offset_s;
      const Ts midnight = (s_->start + off) / 86400 * 86400 - off;
      *out = midnight + (n - 1) * 86400 + h * 3600 + m * 60 + sec;
      *i += 3;
      return true;
    }
    Ts d = 0;
    if ((w[0] == '+' || w[0] == '-') && ParseDuration(std::string_view(w).substr(1), &d)) {
      *out = s_->start + (w[0] == '-' ? -d : d);
      ++*i;
      return true;
    }
    return Fail(fmt::format("'{}' is not a time: {}", w, kTimeHelp));
  }

  bool Config(const std::string& text) {
    // config KEY = VALUE, a TOML line over the built-in defaults.
    std::string_view rest = std::string_view(text).substr(text.find("config") + 6);
    if (rest.find('=') == std::string_view::npos) return Fail("write `config KEY = VALUE` (keys of docs/config.md)");
    Status st = EngineConfig::Parse(rest, fmt::format("{}:{}", path_, line_), &s_->config);
    if (!st.ok()) return Fail(st.message());
    return true;
  }

  bool PersonLine(const std::vector<std::string>& t) {
    // person ID born YEAR
    int64_t y = 0;
    if (t.size() != 4 || t[2] != "born" || !ParseInt(t[3], &y) || y < 1900 || y > 2100)
      return Fail("write `person ID born YEAR` (a year from 1900 to 2100)");
    if (!declared_.insert(t[1]).second) return Fail(fmt::format("person {} declared twice", t[1]));
    s_->persons.push_back({t[1], static_cast<int>(y)});
    return true;
  }

  bool Declared(const std::string& person) {
    if (declared_.count(person)) return true;
    return Fail(fmt::format("person {} is not declared (add `person {} born YEAR` above)", person, person));
  }

  // Options after the fixed words: `word value` pairs and flags.
  bool Options(const std::vector<std::string>& t, size_t i, const std::vector<std::string>& with_value,
               const std::vector<std::string>& flags, std::map<std::string, std::string>* out) {
    for (; i < t.size(); ++i) {
      if (std::find(flags.begin(), flags.end(), t[i]) != flags.end()) {
        (*out)[t[i]] = "1";
      } else if (std::find(with_value.begin(), with_value.end(), t[i]) != with_value.end()) {
        if (i + 1 >= t.size()) return Fail(fmt::format("'{}' needs a value", t[i]));
        (*out)[t[i]] = t[i + 1];
        ++i;
      } else {
        std::string all;
        for (const auto& w : with_value) all += (all.empty() ? "" : ", ") + w + " X";
        for (const auto& w : flags) all += (all.empty() ? "" : ", ") + w;
        return Fail(fmt::format("unexpected '{}' (here: {})", t[i], all.empty() ? "nothing more" : all));
      }
    }
    return true;
  }

  bool Arrow(const std::vector<std::string>& t, size_t i, const char* what) {
    if (t.size() < i + 3 || t[i + 1] != "->")
      return Fail(fmt::format("write `{}`", what));
    return true;
  }

  bool Event(const std::vector<std::string>& t, size_t i, ScenarioStep st) {
    if (i >= t.size()) return Fail("an event is missing after the time");
    const std::string k = t[i++];
    std::map<std::string, std::string> o;
    if (k == "call") {
      if (!Arrow(t, i, "call FROM -> TO [dur SECONDS] [imei ID] [cell ID]")) return false;
      st.kind = ScenarioStep::Kind::kCall;
      st.a = t[i];
      st.b = t[i + 2];
      if (!Options(t, i + 3, {"dur", "imei", "cell"}, {}, &o)) return false;
      int64_t d = 0;
      if (o.count("dur") && (!ParseInt(o["dur"], &d) || d < 0 || d > 86400 * 7))
        return Fail(fmt::format("dur '{}' is not a number of seconds", o["dur"]));
      st.duration_s = static_cast<uint32_t>(d);
      st.c = o["imei"];
      st.d = o["cell"];
    } else if (k == "sms") {
      if (!Arrow(t, i, "sms FROM -> TO [link] [template TEXT]")) return false;
      st.kind = ScenarioStep::Kind::kSms;
      st.a = t[i];
      st.b = t[i + 2];
      if (!Options(t, i + 3, {"template"}, {"link"}, &o)) return false;
      st.link = o.count("link") > 0;
      st.c = o["template"];
    } else if (k == "pay") {
      // pay TXN FROM -> TO AMOUNT [channel CH]
      if (i + 4 >= t.size() || t[i + 2] != "->") return Fail("write `pay TXN FROM -> TO YUAN [channel app|pos|...]`");
      st.kind = ScenarioStep::Kind::kPay;
      st.c = t[i];
      st.a = t[i + 1];
      st.b = t[i + 3];
      if (MoneyError me = ParseMoney(t[i + 4], &st.amount); me != MoneyError::kOk || st.amount <= 0)
        return Fail(fmt::format("amount '{}' is not yuan > 0 ({})", t[i + 4], MoneyErrorText(me)));
      if (!Options(t, i + 5, {"channel"}, {}, &o)) return false;
      st.d = o.count("channel") ? o["channel"] : "app";
      if (!ParseChannel(st.d)) return Fail(fmt::format("channel '{}' is not one of app, online, counter, atm, pos, third_party", st.d));
    } else if (k == "report") {
      // report ID person P account A [loss YUAN]
      if (i >= t.size()) return Fail("write `report ID person P account A [loss YUAN]`");
      st.kind = ScenarioStep::Kind::kReport;
      st.a = t[i];
      if (!Options(t, i + 1, {"person", "account", "loss"}, {}, &o)) return false;
      st.b = o["person"];
      st.c = o["account"];
      if (st.b.empty() || st.c.empty()) return Fail("write `report ID person P account A [loss YUAN]`");
      st.amount = kNoMoney;
      if (o.count("loss") && (ParseMoney(o["loss"], &st.amount) != MoneyError::kOk || st.amount <= 0))
        return Fail(fmt::format("loss '{}' is not a positive amount of yuan", o["loss"]));
      if (!Declared(st.b)) return false;
    } else if (k == "sim") {
      // sim MSISDN holder P [operator X] [outlet Y] [plan prepaid|postpaid|iot]
      if (t.size() < i + 3 || t[i + 1] != "holder")
        return Fail("write `sim MSISDN holder P [operator X] [outlet Y] [plan prepaid|postpaid|iot]`");
      st.kind = ScenarioStep::Kind::kSim;
      st.a = t[i];
      st.b = t[i + 2];
      if (!Declared(st.b)) return false;
      if (!Options(t, i + 3, {"operator", "outlet", "plan"}, {}, &o)) return false;
      st.c = o["operator"];
      st.d = o["outlet"];
      const std::string plan = o.count("plan") ? o["plan"] : "prepaid";
      if (plan == "prepaid") st.plan = static_cast<int>(Plan::kPrepaid);
      else if (plan == "postpaid") st.plan = static_cast<int>(Plan::kPostpaid);
      else if (plan == "iot") st.plan = static_cast<int>(Plan::kIot);
      else return Fail(fmt::format("plan '{}' is not prepaid, postpaid or iot", plan));
    } else if (k == "account") {
      // account ID holder P [kind personal|business]
      if (t.size() < i + 3 || t[i + 1] != "holder") return Fail("write `account ID holder P [kind personal|business]`");
      st.kind = ScenarioStep::Kind::kAccount;
      st.a = t[i];
      st.b = t[i + 2];
      if (!Declared(st.b)) return false;
      if (!Options(t, i + 3, {"kind"}, {}, &o)) return false;
      st.c = o.count("kind") ? o["kind"] : "personal";
      if (!ParseAccountKind(st.c)) return Fail(fmt::format("kind '{}' is not personal or business", st.c));
    } else {
      return Fail(fmt::format("unknown event '{}' (call, sms, pay, report, sim, account)", k));
    }
    return Push(std::move(st));
  }

  bool ExpectTime(const std::vector<std::string>& t, size_t* i, ScenarioTime* out) {
    // TIME, or `time of ACTION [TARGET] [+DUR|-DUR]`.
    if (*i + 1 < t.size() && t[*i] == "time" && t[*i + 1] == "of") {
      *i += 2;
      if (*i >= t.size() || !ParseActionType(t[*i])) return Fail("write `time of ACTION [TARGET] [+DUR]`, ACTION an action name");
      out->ref_action = t[(*i)++];
      if (*i < t.size() && t[*i][0] != '+' && t[*i][0] != '-' && !IsFilterWord(t[*i])) out->ref_target = t[(*i)++];
      out->ts = 0;
      Ts d = 0;
      if (*i < t.size() && (t[*i][0] == '+' || t[*i][0] == '-') && ParseDuration(std::string_view(t[*i]).substr(1), &d)) {
        out->ts = t[*i][0] == '-' ? -d : d;
        ++*i;
      }
      return true;
    }
    return Time(t, i, &out->ts);
  }

  static bool IsFilterWord(std::string_view w) {
    return w == "reason" || w == "at" || w == "before" || w == "by" || w == "after" || w == "amount" || w == "case" ||
           w == "kind";
  }

  bool Expect(const std::vector<std::string>& t, const std::string& text) {
    ScenarioExpect x;
    x.line = line_;
    x.text = text;
    size_t i = 1;
    const char* help = "write `expect [no|N|>=N|<=N] ACTION [TARGET] [reason contains X] [reason = X] [at|before|by|after TIME] "
                       "[amount YUAN] [case ID] [kind K]`, `expect stat NAME = N`, `expect restitution = YUAN` or `expect cases = N`";
    if (i >= t.size()) return Fail(help);
    auto count = [&](size_t* j) -> bool {
      // = N, == N, >= N, <= N
      if (*j + 1 >= t.size() || (t[*j] != "=" && t[*j] != "==" && t[*j] != ">=" && t[*j] != "<="))
        return Fail(fmt::format("write `{} = N` (or >=, <=)", t[1]));
      x.cmp = t[*j] == "=" ? "==" : t[*j];
      ++*j;
      if (x.kind == ScenarioExpect::Kind::kRestitution) {
        if (ParseMoney(t[*j], &x.count) != MoneyError::kOk) return Fail(fmt::format("'{}' is not yuan", t[*j]));
      } else if (!ParseInt(t[*j], &x.count) || x.count < 0) {
        return Fail(fmt::format("'{}' is not a count", t[*j]));
      }
      ++*j;
      if (*j != t.size()) return Fail(fmt::format("unexpected '{}'", t[*j]));
      return true;
    };
    if (t[i] == "stat") {
      x.kind = ScenarioExpect::Kind::kStat;
      if (i + 1 >= t.size()) return Fail(help);
      x.stat = t[i + 1];
      static const char* kStats[] = {"holds_skipped_own_use", "warnings_unserved_call", "warnings_unserved_visit",
                                     "cases_opened", "cases_detected", "traces_extended", "active_numbers", "events"};
      if (std::find_if(std::begin(kStats), std::end(kStats), [&](const char* s) { return x.stat == s; }) == std::end(kStats)) {
        std::string all;
        for (const char* s : kStats) all += std::string(all.empty() ? "" : ", ") + s;
        return Fail(fmt::format("unknown stat '{}' ({})", x.stat, all));
      }
      size_t j = i + 2;
      if (!count(&j)) return false;
      return PushExpect(std::move(x));
    }
    if (t[i] == "restitution" || t[i] == "cases") {
      x.kind = t[i] == "cases" ? ScenarioExpect::Kind::kCases : ScenarioExpect::Kind::kRestitution;
      size_t j = i + 1;
      if (!count(&j)) return false;
      return PushExpect(std::move(x));
    }
    if (t[i] == "no") {
      x.count = 0;
      ++i;
    } else if (t[i].rfind(">=", 0) == 0 || t[i].rfind("<=", 0) == 0) {
      x.cmp = t[i].substr(0, 2);
      if (!ParseInt(t[i].substr(2), &x.count) || x.count < 0) return Fail(fmt::format("'{}' is not >=N or <=N", t[i]));
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(t[i][0]))) {
      if (!ParseInt(t[i], &x.count) || x.count < 0) return Fail(fmt::format("'{}' is not a count", t[i]));
      ++i;
    }
    if (i >= t.size()) return Fail(help);
    x.action = t[i++];
    if (x.action != "any" && !ParseActionType(x.action))
      return Fail(fmt::format("unknown action '{}' (flag_number, warn_sms, warn_call, warn_visit, hold_transfer, "
                              "stop_payment, freeze, flag_account, flag_device, flag_outlet, flag_person, reverify_sim, "
                              "reverify_account, or any)", x.action));
    if (i < t.size() && !IsFilterWord(t[i])) x.target = t[i++];
    while (i < t.size()) {
      const std::string w = t[i++];
      if (w == "reason") {
        if (i + 1 >= t.size()) return Fail("write `reason contains X` or `reason = X`");
        if (t[i] == "contains") x.reason_contains = t[i + 1];
        else if (t[i] == "=" || t[i] == "==") x.reason_eq = t[i + 1];
        else return Fail("write `reason contains X` or `reason = X`");
        i += 2;
      } else if (w == "at" || w == "before" || w == "by" || w == "after") {
        ScenarioTime* tm = w == "at" ? &x.at : w == "before" ? &x.before : w == "by" ? &x.by : &x.after;
        bool* has = w == "at" ? &x.has_at : w == "before" ? &x.has_before : w == "by" ? &x.has_by : &x.has_after;
        if (!ExpectTime(t, &i, tm)) return false;
        *has = true;
      } else if (w == "amount") {
        if (i >= t.size() || ParseMoney(t[i], &x.amount) != MoneyError::kOk) return Fail("amount needs yuan: `amount 50000`");
        ++i;
      } else if (w == "case") {
        if (i >= t.size()) return Fail("case needs an id");
        x.case_id = t[i++];
      } else if (w == "kind") {
        if (i >= t.size() || !ParseTargetKind(t[i])) return Fail("kind needs a target kind (msisdn, person, txn, account, imei, outlet)");
        x.target_kind = t[i++];
      } else {
        return Fail(fmt::format("unexpected '{}' in expect; {}", w, help));
      }
    }
    return PushExpect(std::move(x));
  }

  bool PushExpect(ScenarioExpect x) {
    if (s_->expects.size() >= kMaxExpects) return Fail(fmt::format("more than {} expectations", kMaxExpects));
    s_->expects.push_back(std::move(x));
    return true;
  }

  std::string path_;
  Scenario* s_;
  int line_ = 0;
  int64_t iterations_ = 0;
  std::set<std::string, std::less<>> declared_;
  std::string err_;
};

std::string Describe(const Action& a) {
  std::string s = fmt::format("{} {} {}", FormatTs(a.ts), ToString(a.type), a.target);
  if (!a.reason.empty()) s += " reason " + a.reason;
  if (a.amount != kNoMoney) s += " amount " + FormatMoney(a.amount);
  if (!a.case_id.empty()) s += " case " + a.case_id;
  return s;
}

bool Compare(int64_t found, const std::string& cmp, int64_t want) {
  return cmp == ">=" ? found >= want : cmp == "<=" ? found <= want : found == want;
}

}  // namespace

Status ParseScenario(std::string_view text, const std::string& path, Scenario* out) {
  *out = Scenario{};
  return Parser(path, out).Run(text);
}

Status LoadScenario(const std::string& path, Scenario* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Io(fmt::format("{}: cannot read", path));
  std::stringstream ss;
  ss << f.rdbuf();
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  return ParseScenario(ss.str(), name, out);
}

std::vector<std::string> RunScenario(const Scenario& s, std::vector<Action>* actions_out) {
  Dictionaries d;
  // The registry first, as people.csv is read before any event.
  for (const ScenarioPerson& sp : s.persons) {
    PersonId p = d.person.Intern(sp.id);
    if (p >= d.people.size()) d.people.resize(p + 1);
    d.people[p] = Person{p, sp.birth_year, Gender::kFemale, d.region.Intern("440100")};
  }
  std::vector<Action> actions;
  Engine engine(&d, s.config, [&](const Action& a) { actions.push_back(a); });
  std::vector<const ScenarioStep*> order;
  order.reserve(s.steps.size());
  for (const ScenarioStep& st : s.steps) order.push_back(&st);
  std::stable_sort(order.begin(), order.end(), [](const ScenarioStep* a, const ScenarioStep* b) { return a->ts < b->ts; });
  auto id = [](Interner& in, const std::string& v) { return v.empty() ? kNoId : in.Intern(v); };
  for (const ScenarioStep* st : order) {
    Event e;
    e.ts = st->ts;
    using K = ScenarioStep::Kind;
    switch (st->kind) {
      case K::kAdvance:
        engine.AdvanceTo(st->ts);
        continue;
      case K::kFinish:
        engine.Finish(st->ts);
        continue;
      case K::kSim:
        e.kind = EventKind::kSimCard;
        e.sim = SimCardOpen{d.msisdn.Intern(st->a), d.person.Intern(st->b), id(d.op, st->c), id(d.outlet, st->d),
                            static_cast<Plan>(st->plan)};
        break;
      case K::kAccount:
        e.kind = EventKind::kBankAccount;
        e.account = BankAccountOpen{d.account.Intern(st->a), d.person.Intern(st->b), kNoId, kNoId,
                                    *ParseAccountKind(st->c)};
        break;
      case K::kCall:
        e.kind = EventKind::kCall;
        e.call = Call{d.msisdn.Intern(st->a), d.msisdn.Intern(st->b), st->duration_s, id(d.device, st->c),
                      id(d.cell, st->d), kNoId};
        break;
      case K::kSms:
        e.kind = EventKind::kSms;
        e.sms = Sms{d.msisdn.Intern(st->a), d.msisdn.Intern(st->b), static_cast<uint8_t>(st->link ? 1 : 0),
                    d.tmpl.Intern(st->c), TemplateHash(st->c)};
        break;
      case K::kPay:
        e.kind = EventKind::kTransfer;
        e.transfer = Transfer{d.txn.Intern(st->c), TransferKind::kTransfer, *ParseChannel(st->d), d.account.Intern(st->a),
                              d.account.Intern(st->b), st->amount, kNoId};
        break;
      case K::kReport:
        e.kind = EventKind::kReport;
        e.report = Report{d.report.Intern(st->a), d.person.Intern(st->b), kNoId, d.account.Intern(st->c), st->amount, kNoId, kNoId};
        break;
    }
    engine.Apply(e);
  }

  std::vector<std::string> failures;
  auto resolve = [&](const ScenarioTime& t, Ts* out, std::string* why) {
    if (t.ref_action.empty()) {
      *out = t.ts;
      return true;
    }
    for (const Action& a : actions)
      if (ToString(a.type) == t.ref_action && (t.ref_target.empty() || a.target == t.ref_target)) {
        *out = a.ts + t.ts;
        return true;
      }
    *why = fmt::format("there is no {} {} to take the time of", t.ref_action, t.ref_target);
    return false;
  };
  const EngineStats stats = engine.Stats();
  for (const ScenarioExpect& x : s.expects) {
    const std::string where = fmt::format("{}:{}: {}", s.path, x.line, x.text);
    int64_t found = 0;
    std::string listing;
    if (x.kind == ScenarioExpect::Kind::kStat) {
      const std::map<std::string, uint64_t> v = {
          {"holds_skipped_own_use", stats.holds_skipped_own_use}, {"warnings_unserved_call", stats.warnings_unserved_call},
          {"warnings_unserved_visit", stats.warnings_unserved_visit}, {"cases_opened", stats.cases_opened},
          {"cases_detected", stats.cases_detected}, {"traces_extended", stats.traces_extended},
          {"active_numbers", stats.active_numbers}, {"events", stats.events}};
      found = static_cast<int64_t>(v.at(x.stat));
    } else if (x.kind == ScenarioExpect::Kind::kRestitution) {
      for (const Restitution& r : engine.restitutions()) found += r.amount;
      if (!Compare(found, x.cmp, x.count))
        failures.push_back(fmt::format("{}\n  restitution returned {} yuan", where, FormatMoney(found)));
      continue;
    } else if (x.kind == ScenarioExpect::Kind::kCases) {
      found = static_cast<int64_t>(engine.Cases().size());
    } else {
      Ts at = 0, before = 0, by = 0, after = 0;
      std::string why;
      if ((x.has_at && !resolve(x.at, &at, &why)) || (x.has_before && !resolve(x.before, &before, &why)) ||
          (x.has_by && !resolve(x.by, &by, &why)) || (x.has_after && !resolve(x.after, &after, &why))) {
        failures.push_back(fmt::format("{}\n  {}", where, why));
        continue;
      }
      int shown = 0;
      for (const Action& a : actions) {
        if (x.action != "any" && ToString(a.type) != x.action) continue;
        if (!x.target.empty() && a.target != x.target) continue;
        // Listed for the message: what this action type did to this target.
        const bool match = (x.reason_eq.empty() || a.reason == x.reason_eq) &&
                           (x.reason_contains.empty() || a.reason.find(x.reason_contains) != std::string::npos) &&
                           (x.case_id.empty() || a.case_id == x.case_id) &&
                           (x.target_kind.empty() || ToString(a.target_kind) == x.target_kind) &&
                           (x.amount == kNoMoney || a.amount == x.amount) && (!x.has_at || a.ts == at) &&
                           (!x.has_before || a.ts < before) && (!x.has_by || a.ts <= by) && (!x.has_after || a.ts > after);
        if (match) ++found;
        if (shown < 12) listing += fmt::format("\n    {}{}", match ? "* " : "  ", Describe(a));
        ++shown;
      }
      if (shown > 12) listing += fmt::format("\n    ... {} more", shown - 12);
      if (shown == 0) listing = "\n    (none of that action and target)";
      else listing = "\n  actions of that type and target (* = matches):" + listing;
    }
    if (!Compare(found, x.cmp, x.count))
      failures.push_back(fmt::format("{}\n  wanted {} {}, found {}{}", where, x.cmp == "==" ? "exactly" : x.cmp, x.count, found, listing));
  }
  if (actions_out) *actions_out = std::move(actions);
  return failures;
}

}  // namespace interdict
