// validate's fused fast path (line_check.h) against the record-at-a-time
// path: on random event files of every kind, with every kind of bad row,
// each pass-1 build must report the same figures and write the same rejects
// file, byte for byte.
#include "ingest/line_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "base/test_util.h"
#include "ingest/dataset.h"

namespace interdict {
namespace {

struct Outcome {
  Status status;
  FileStats stats;
  std::string rejects;
};

Outcome Check(const FileSpec& spec, const std::string& data, CheckSimd simd, size_t max_read, size_t buffer) {
  testing::TempDir dir;
  Outcome o;
  Dictionaries dicts;
  RejectSink sink;
  EXPECT_TRUE(sink.Open(dir.File("rejects.csv")).ok());
  ReadOptions opt;
  opt.check_simd = simd;
  opt.buffer_bytes = buffer;
  opt.lateness_s = 60;
  o.status = CheckEventSource(spec, MemoryByteSource(data, max_read), "f.csv", &dicts, &sink, opt, false, &o.stats);
  EXPECT_TRUE(sink.Close().ok());
  o.rejects = testing::ReadFile(dir.File("rejects.csv"));
  return o;
}

std::string Describe(const FileStats& s) {
  std::string d = "rows " + std::to_string(s.rows) + " accepted " + std::to_string(s.accepted) + " rejected " +
                  std::to_string(s.rejected) + " late " + std::to_string(s.late) + " blank " +
                  std::to_string(s.blank_lines) + " span " + std::to_string(s.min_ts) + ".." +
                  std::to_string(s.max_ts) + " reasons";
  for (uint64_t r : s.by_reason) d += " " + std::to_string(r);
  d += " distinct";
  for (const auto& c : s.distinct) d += " " + c.column + "=" + std::to_string(c.distinct) + (c.approximate ? "~" : "");
  d += " unknown";
  for (const auto& c : s.unknown_columns) d += " " + c;
  return d;
}

void ExpectSame(const Outcome& want, const Outcome& got, const std::string& what) {
  ASSERT_EQ(want.status.ok(), got.status.ok()) << what << ": " << got.status.message();
  EXPECT_EQ(want.status.message(), got.status.message()) << what;
  EXPECT_EQ(Describe(want.stats), Describe(got.stats)) << what;
  EXPECT_EQ(want.rejects, got.rejects) << what;
}

std::vector<CheckSimd> Builds() {
  std::vector<CheckSimd> out;
  for (CheckSimd s : {CheckSimd::kScalar, CheckSimd::kAvx2, CheckSimd::kAvx512})
    if (CheckSimdSupported(s)) out.push_back(s);
  return out;
}

// Random event files: mostly valid rows in the shapes real feeds have, with
// every kind of bad value and bad line mixed in.
class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  bool P(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t U(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[U(v.size())];
  }

  std::string File(const FileSpec& spec, int rows) {
    // Header: required columns always, optional ones mostly, in spec order
    // or shuffled, sometimes with an unknown column.
    std::vector<std::string> cols;
    for (const ColumnSpec& c : spec.columns)
      if (c.required ? !P(0.01) : P(0.85)) cols.emplace_back(c.name);
    if (P(0.3)) std::shuffle(cols.begin(), cols.end(), rng_);
    if (P(0.2)) cols.insert(cols.begin() + static_cast<long>(U(cols.size() + 1)), "extra");
    const bool crlf = P(0.3);
    ts_form_ = static_cast<int>(U(kTsForms));
    ts_ = 1709255702 + static_cast<Ts>(U(100000));
    txns_.clear();
    std::string out = P(0.1) ? "\xEF\xBB\xBF" : "";
    for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
    out += crlf ? "\r\n" : "\n";
    for (int r = 0; r < rows; ++r) {
      if (P(0.02)) out += P(0.5) ? "\n" : "\r\n";  // blank line
      std::vector<std::string> fields;
      std::string kind;
      for (const std::string& name : cols) fields.push_back(Value(spec, name, &kind));
      if (spec.kind == EventKind::kTransfer && !P(0.05)) Direct(cols, kind, &fields);
      Mutate(&fields);
      for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
      if (r + 1 < rows || P(0.7)) out += crlf != P(0.05) ? "\r\n" : "\n";
    }
    return out;
  }

 private:
  static constexpr size_t kTsForms = 10;

  std::string Ts_() {
    // Mostly ascending with small steps, sometimes back in time (late).
    ts_ += P(0.05) ? -static_cast<Ts>(U(400)) : static_cast<Ts>(U(3));
    if (P(0.02)) {
      return Pick<std::string>({"", "2024-13-01T00:00:00Z", "x", "2024-03-01T09:15:6x+08:00",
                                "2024-03-01T09:15:61+08:00", "2024-02-30T00:00:00Z", "2024-03-01T09:15:02+08:0",
                                "2024-03-01T09:15:02+08:00 ", "2024-03-01T09:15:02.+08:00", "99999999999999",
                                "2024-03-01T09:15:60+08:00", "2024-03-01T09:15:02+19:00", "2024-03-01T09:15:02+08:60"});
    }
    const int form = P(0.9) ? ts_form_ : static_cast<int>(U(kTsForms));
    std::string s = FormatTs(ts_);  // 2024-03-01T09:15:02+08:00
    switch (form) {
      case 0: return s;
      case 1: return FormatTs(ts_, TimeZone{0}).substr(0, 19) + "Z";
      case 2: return s.substr(0, 10) + " " + s.substr(11, 8);
      case 3: return s.substr(0, 19) + "." + std::to_string(U(1000000)) + s.substr(19);
      case 4: return std::to_string(ts_);
      case 5: return s.substr(0, 22) + s.substr(23);
      case 6: return s.substr(0, 22);
      case 7: return FormatTs(ts_, TimeZone{0}).substr(0, 19) + "z";
      case 8: return FormatTs(ts_, TimeZone{-19800});
      default: return s.substr(0, 10) + "t" + s.substr(11);
    }
  }

  std::string Id() {
    if (P(0.9)) return "138" + std::to_string(10000000 + U(300));
    const size_t len = P(0.3) ? Pick<size_t>({0, 0, 128, 129, 200}) : 1 + U(40);
    std::string s;
    for (size_t i = 0; i < len; ++i) {
      const char c = static_cast<char>('!' + U(94));  // printable, no space
      s += c == '"' || c == ',' ? 'q' : c;
    }
    return s;
  }

  std::string Count() {
    if (P(0.8)) return std::to_string(U(901));
    if (P(0.5))
      return Pick<std::string>({"", "4294967294", "4294967295", "99999999999", "12a", "-1", "0000000001",
                                "00000000012", "123456789", "12345678", "1234567890", "9999999999"});
    std::string s;
    const size_t len = U(13);
    for (size_t i = 0; i < len; ++i) s += static_cast<char>('0' + U(10));
    if (!s.empty() && P(0.3)) s[U(s.size())] = Pick<char>({'a', '/', ':', '-', '+', '.', 'Z'});
    return s;
  }

  std::string Value(const FileSpec& spec, const std::string& name, std::string* kind) {
    if (name == "extra") return Pick<std::string>({"", "note", "a b", "\xC3\xA9t\xC3\xA9", "x"});
    const ColumnSpec* c = nullptr;
    for (const ColumnSpec& cs : spec.columns)
      if (cs.name == name) c = &cs;
    switch (c->type) {
      case ColType::kTs:
        return Ts_();
      case ColType::kId:
        if (name == "txn_id") {
          std::string t = !txns_.empty() && P(0.05) ? Pick(txns_) : "t" + std::to_string(U(1000000));
          txns_.push_back(t);
          return t;
        }
        return Id();
      case ColType::kCount:
        return Count();
      case ColType::kFlag:
        return P(0.9) ? Pick<std::string>({"0", "1"}) : Pick<std::string>({"", "2", "01", "a"});
      case ColType::kEnum: {
        std::vector<std::string> words;
        if (name == "plan") words = {"prepaid", "postpaid", "iot"};
        if (name == "kind" && spec.kind == EventKind::kBankAccount) words = {"personal", "business"};
        if (name == "kind" && spec.kind == EventKind::kTransfer) words = {"transfer", "withdrawal", "deposit"};
        if (name == "channel") words = {"app", "online", "counter", "atm", "pos", "third_party"};
        std::string w = P(0.95) ? Pick(words) : Pick<std::string>({"", "TRANSFER", "wire", "app "});
        if (name == "kind") *kind = w;
        return w;
      }
      case ColType::kMoney:
        return P(0.85) ? Pick<std::string>({"10", "0.01", "1250.5", "5000"})
                       : Pick<std::string>({"0", "-5", "1.234", "1e3", "", "1000000000000", "1000000000000.01",
                                            "10.", ".5", "007"});
      case ColType::kInt:
        return "1950";
    }
    return "";
  }

  // Transfers: the sides the kind needs.
  static void Direct(const std::vector<std::string>& cols, const std::string& kind, std::vector<std::string>* f) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i] == "to_account" && kind == "withdrawal") (*f)[i].clear();
      if (cols[i] == "from_account" && kind == "deposit") (*f)[i].clear();
    }
  }

  void Mutate(std::vector<std::string>* f) {
    if (f->empty()) return;
    std::string& v = (*f)[U(f->size())];
    if (P(0.03)) v = "\"" + v + "\"";                       // valid quoting
    if (P(0.005)) v = "\"a\"\"b\nc\"";                      // a quoted line break and quote
    if (P(0.005)) v = "\"abc\"x";                           // text after the closing quote
    if (P(0.02)) v.insert(U(v.size() + 1), 1, Pick<char>({'\x01', '\x7f', '\xff', ' ', '\t', '\r', '\0'}));
    if (P(0.02)) f->pop_back();                             // too few fields
    if (P(0.02)) f->push_back("x");                         // too many
  }

  std::mt19937_64 rng_;
  int ts_form_ = 0;
  Ts ts_ = 0;
  std::vector<std::string> txns_;
};

TEST(LineCheck, SameFiguresAndRejectsAsRecordPathOnRandomFiles) {
  const std::vector<CheckSimd> builds = Builds();
  const auto specs = AllFileSpecs();
  for (uint64_t seed = 1; seed <= 240; ++seed) {
    Gen g(seed);
    const FileSpec& spec = specs[1 + seed % (specs.size() - 1)];
    const std::string data = g.File(spec, 1 + static_cast<int>(g.U(seed % 10 == 0 ? 3000 : 200)));
    const size_t max_read = g.Pick<size_t>({SIZE_MAX, 1, 7, 64, 4096, 65536});
    const size_t buffer = g.Pick<size_t>({4096, 1 << 16, 1 << 20});
    const Outcome want = Check(spec, data, CheckSimd::kOff, max_read, buffer);
    for (CheckSimd b : builds) {
      ExpectSame(want, Check(spec, data, b, max_read, buffer),
                 "seed " + std::to_string(seed) + " " + std::string(spec.stem) + " build " + ToString(b));
      if (::testing::Test::HasFailure()) { testing::WriteFile("/tmp/lc-fail.csv", data); std::fprintf(stderr, "max_read %zu buffer %zu\n", max_read, buffer); return; }
    }
  }
}

// A clean file larger than a window (pass 1 cuts at the last line end
// within kWindow), with a line longer than a window in the middle (the
// reader takes it) and late events.
TEST(LineCheck, WindowsAndOverlongLines) {
  std::string data = "ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell,note\n";
  for (int i = 0; i < 6000; ++i) {
    data += FormatTs(1709255702 + i / 3 - (i % 97 == 0 ? 400 : 0)) + ",138" + std::to_string(10000000 + i % 777) +
            ",139" + std::to_string(10000000 + i % 555) + "," + std::to_string(i % 900) + ",86" +
            std::to_string(1000000000000 + i % 333) + ",C" + std::to_string(1000 + i % 50) + ",C" +
            std::to_string(1000 + i % 40) + "," + (i == 3000 ? std::string(LineChecker::kWindow + 100, 'n') : "") +
            "\n";
  }
  const FileSpec& calls = EventFileSpec(EventKind::kCall);
  const Outcome want = Check(calls, data, CheckSimd::kOff, SIZE_MAX, 1 << 20);
  EXPECT_EQ(want.stats.accepted, 6000u);
  EXPECT_GT(want.stats.late, 0u);
  for (CheckSimd b : Builds()) {
    ExpectSame(want, Check(calls, data, b, SIZE_MAX, 1 << 20), ToString(b));
    ExpectSame(want, Check(calls, data, b, 5000, 4096), std::string(ToString(b)) + " small reads");
  }
}

// Every line quoted: the fused path hands each window back to the reader
// and must still agree (and not rescan: the run stays linear).
TEST(LineCheck, QuotedLinesGoToTheReader) {
  std::string data = "ts,sender,receiver,has_url,template_id\n";
  for (int i = 0; i < 3000; ++i)
    data += FormatTs(1709255702 + i) + ",\"138" + std::to_string(10000000 + i) + "\",139" +
            std::to_string(10000000 + i) + "," + std::to_string(i % 2) + ",\"t" + std::to_string(i % 7) + "\"\n";
  const FileSpec& sms = EventFileSpec(EventKind::kSms);
  const Outcome want = Check(sms, data, CheckSimd::kOff, SIZE_MAX, 1 << 20);
  EXPECT_EQ(want.stats.accepted, 3000u);
  for (CheckSimd b : Builds()) ExpectSame(want, Check(sms, data, b, SIZE_MAX, 1 << 20), ToString(b));
}

// The reorder buffer's rule: late if ts < max ts so far - lateness.
TEST(LineCheck, TallyCountsLateAgainstTheRunningMaximum) {
  CheckTally t;
  t.lateness = 300;
  for (Ts ts : {Ts{1000}, Ts{800}, Ts{699}, Ts{700}, Ts{2000}, Ts{1699}, Ts{1700}}) t.Accept(ts);
  EXPECT_EQ(t.late, 2u);  // 699 (max 1000) and 1699 (max 2000)
  EXPECT_EQ(t.min_ts, 699);
  EXPECT_EQ(t.max_ts, 2000);
  CheckTally forever;
  forever.lateness = INT64_MAX;  // --lateness beyond any span: nothing is late, no overflow
  for (Ts ts : {Ts{-5}, Ts{-10}, Ts{100}, Ts{-2208988800}}) forever.Accept(ts);
  EXPECT_EQ(forever.late, 0u);
}

TEST(LineCheck, FusedPathIsOnlyForEventFiles) {
  Dictionaries dicts;
  RejectSink sink;
  RowParser people(PeopleSpec(), &dicts, TimeZone{});
  CsvReader csv(MemoryByteSource("person_id,birth_year\n"));
  CsvRecord header;
  ASSERT_TRUE(csv.Next(&header));
  ASSERT_TRUE(people.BindHeader(header, "people.csv").ok());
  EXPECT_EQ(LineChecker::Create(&people, &sink, CheckSimd::kAuto), nullptr);
  RowParser calls(EventFileSpec(EventKind::kCall), &dicts, TimeZone{});
  CsvReader csv2(MemoryByteSource("ts,caller,callee\n"));
  ASSERT_TRUE(csv2.Next(&header));
  ASSERT_TRUE(calls.BindHeader(header, "calls.csv").ok());
  EXPECT_NE(LineChecker::Create(&calls, &sink, CheckSimd::kAuto), nullptr);
  EXPECT_EQ(LineChecker::Create(&calls, &sink, CheckSimd::kOff), nullptr);
}

}  // namespace
}  // namespace interdict
