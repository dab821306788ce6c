#include "ingest/line_check.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "base/hash.h"
#include "base/money.h"

namespace interdict {

namespace {

// ---- Pass 1: separator, line-end and dirty-byte offsets ----

// Count trailing zeros, defined for 0 (the result then only fills a slot
// past the chunk's count, which nobody reads).
inline uint32_t Ctz(uint64_t m) { return static_cast<uint32_t>(__builtin_ctzll(m | (uint64_t{1} << 63))); }

struct Flat {
  uint32_t* sep;
  uint32_t* nl;
  uint32_t* bad;
  size_t nsep = 0, nnl = 0, nbad = 0;
  void Done(size_t* counts) const {
    counts[0] = nsep;
    counts[1] = nnl;
    counts[2] = nbad;
  }
};

// Masks off the bits of a last, partial chunk.
[[gnu::always_inline]] inline void KeepTail(size_t i, size_t n, uint64_t* sep, uint64_t* nl, uint64_t* bad) {
  if (n - i < 64) {
    const uint64_t keep = (uint64_t{1} << (n - i)) - 1;
    *sep &= keep;
    *nl &= keep;
    *bad &= keep;
  }
}

// Writes base + the offset of each of the first `slots` set bits of m (and
// of any more), unconditionally (why: a loop that exits on the count
// mispredicts about once a chunk; the arrays have slack for it).
template <int slots>
[[gnu::always_inline]] inline void Offsets(uint64_t m, uint32_t base, uint32_t* out) {
#pragma GCC unroll 8
  for (int j = 0; j < slots; ++j) {
    uint32_t v = base + Ctz(m);
    // Keeps GCC from packing the eight values into a vector through eight
    // inserts: eight plain stores are cheaper.
    asm("" : "+r"(v));
    out[j] = v;
    m &= m - 1;
  }
  for (uint32_t* p = out + slots; m; m &= m - 1) *p++ = base + Ctz(m);
}

// Appends the set bits of the 64-byte chunk at offset i as offsets.
[[gnu::always_inline]] inline void Emit(uint64_t sep, uint64_t nl, uint64_t bad, size_t i, size_t n, Flat* o) {
  KeepTail(i, n, &sep, &nl, &bad);
  const uint32_t base = static_cast<uint32_t>(i);
  Offsets<8>(sep, base, o->sep + o->nsep);
  o->nsep += __builtin_popcountll(sep);
  Offsets<2>(nl, base, o->nl + o->nnl);
  o->nnl += __builtin_popcountll(nl);
  for (; bad; bad &= bad - 1) o->bad[o->nbad++] = base + Ctz(bad);
}

// Portable build: machines without AVX2, other architectures.
void FlattenScalar(const char* p, size_t n, uint32_t* sep, uint32_t* nl, uint32_t* bad, size_t* counts) {
  Flat o{sep, nl, bad};
  for (size_t i = 0; i < n; i += 64) {
    uint64_t s = 0, l = 0, d = 0;
    for (int j = 0; j < 64; ++j) {
      const unsigned char c = static_cast<unsigned char>(p[i + j]);
      const uint64_t bit = uint64_t{1} << j;
      if (c == '\n') l |= bit;
      if (c == ',' || c == '\n') {
        s |= bit;
      } else if (c == '"' || c < 0x21 || c > 0x7e) {
        d |= bit;
      }
    }
    Emit(s, l, d, i, n, &o);
  }
  o.Done(counts);
}

#if defined(__x86_64__)
__attribute__((target("avx2,bmi,bmi2,popcnt"))) void FlattenAvx2(const char* p, size_t n, uint32_t* sep,
                                                                   uint32_t* nl, uint32_t* bad, size_t* counts) {
  Flat o{sep, nl, bad};
  const __m256i comma = _mm256_set1_epi8(','), line_end = _mm256_set1_epi8('\n'), quote = _mm256_set1_epi8('"');
  const __m256i lo = _mm256_set1_epi8(0x21), del = _mm256_set1_epi8(0x7f);
  for (size_t i = 0; i < n; i += 64) {
    uint64_t s = 0, l = 0, d = 0;
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32 * h));
      const __m256i is_nl = _mm256_cmpeq_epi8(v, line_end);
      const __m256i dirt = _mm256_or_si256(_mm256_xor_si256(_mm256_cmpgt_epi8(lo, v), is_nl),
                                           _mm256_or_si256(_mm256_cmpeq_epi8(v, del), _mm256_cmpeq_epi8(v, quote)));
      const int shift = 32 * h;
      s |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, comma), is_nl)))}
           << shift;
      l |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(is_nl))} << shift;
      d |= uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(dirt))} << shift;
    }
    Emit(s, l, d, i, n, &o);
  }
  o.Done(counts);
}

// AVX-512 with VBMI2 (Ice Lake, Zen 4 on): one compare per class on the
// whole chunk, and the offsets come from compressing a 0..63 byte ramp by
// the mask, widened 16 at a time: a handful of instructions a chunk instead
// of four per set bit.
#define INTERDICT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,bmi2,popcnt")))
INTERDICT_AVX512 inline void Compress(uint64_t m, const __m512i& ramp, const __m512i& base, uint32_t* out) {
  const __m512i idx = _mm512_maskz_compress_epi8(m, ramp);
  _mm512_storeu_si512(out, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(idx)), base));
  if (__builtin_popcountll(m) > 16) [[unlikely]] {
    _mm512_storeu_si512(out + 16, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(idx, 1)), base));
    _mm512_storeu_si512(out + 32, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(idx, 2)), base));
    _mm512_storeu_si512(out + 48, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(idx, 3)), base));
  }
}

INTERDICT_AVX512 void FlattenAvx512(const char* p, size_t n, uint32_t* sep, uint32_t* nl, uint32_t* bad,
                                    size_t* counts) {
  Flat o{sep, nl, bad};
  const __m512i comma = _mm512_set1_epi8(','), line_end = _mm512_set1_epi8('\n'), quote = _mm512_set1_epi8('"');
  const __m512i lo = _mm512_set1_epi8(0x21), span = _mm512_set1_epi8(0x7f - 0x21);
  alignas(64) static constexpr uint8_t kRamp[64] = {
      0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
      22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
      44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
  const __m512i ramp = _mm512_load_si512(kRamp);
  for (size_t i = 0; i < n; i += 64) {
    const __m512i v = _mm512_loadu_si512(p + i);
    uint64_t l = _mm512_cmpeq_epi8_mask(v, line_end);
    uint64_t s = _mm512_cmpeq_epi8_mask(v, comma) | l;
    // Outside 0x21..0x7e: one unsigned compare once the range starts at 0.
    const uint64_t outside = _mm512_cmpge_epu8_mask(_mm512_sub_epi8(v, lo), span);
    uint64_t d = (outside ^ l) | _mm512_cmpeq_epi8_mask(v, quote);
    KeepTail(i, n, &s, &l, &d);
    const __m512i base = _mm512_set1_epi32(static_cast<int>(i));
    Compress(s, ramp, base, o.sep + o.nsep);
    o.nsep += __builtin_popcountll(s);
    Compress(l, ramp, base, o.nl + o.nnl);
    o.nnl += __builtin_popcountll(l);
    for (; d; d &= d - 1) o.bad[o.nbad++] = static_cast<uint32_t>(i) + Ctz(d);
  }
  o.Done(counts);
}
#undef INTERDICT_AVX512
#endif

// ---- Pass 2 helpers: RowParser's rules for each column type ----

inline std::string_view FieldAt(const char* b, const uint32_t* f, unsigned i) {
  const uint32_t a = f[static_cast<int>(i) - 1] + 1;
  return std::string_view(b + a, f[i] - a);
}

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// GetCount's rule: empty, or 1 to 10 digits below kNoCount. Up to 8 digits
// in one 8-byte load (the field lies in the CsvReader's buffer, readable
// past its end).
inline bool CountValid(std::string_view v) {
  const size_t n = v.size();
  if (n - 1 < 8) {
    uint64_t x;
    std::memcpy(&x, v.data(), 8);
    const uint64_t keep = ~uint64_t{0} >> (64 - 8 * n);
    x = (x ^ (kOnes * '0')) & keep;  // a digit becomes 0..9
    // A byte of 10 or more sets its high bit by itself or once 0x76 is
    // added; a carry out of a byte only comes from one already flagged.
    return (((x + kOnes * 0x76) | x) & kHighs & keep) == 0;
  }
  if (n == 0) return true;
  if (n > 10) return false;
  uint64_t value = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value < kNoCount;
}

inline bool FlagValid(std::string_view v) { return v.empty() || (v.size() == 1 && (v[0] == '0' || v[0] == '1')); }

template <auto Parse>
bool ValidWord(std::string_view v) {
  return Parse(v).has_value();
}

// The word list of an enum column, as RowParser::Prepare picks it.
bool (*WordCheck(EventKind kind, size_t c))(std::string_view) {
  if (kind == EventKind::kSimCard && c == col::kSimPlan) return ValidWord<ParsePlan>;
  if (kind == EventKind::kBankAccount && c == col::kAccKind) return ValidWord<ParseAccountKind>;
  if (kind == EventKind::kTransfer && c == col::kTxKind) return ValidWord<ParseTransferKind>;
  if (kind == EventKind::kTransfer && c == col::kTxChannel) return ValidWord<ParseChannel>;
  return nullptr;
}

}  // namespace

bool CheckSimdSupported(CheckSimd simd) {
  switch (simd) {
    case CheckSimd::kAuto:
    case CheckSimd::kOff:
    case CheckSimd::kScalar:
      return true;
#if defined(__x86_64__)
    case CheckSimd::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
             __builtin_cpu_supports("popcnt");
    case CheckSimd::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi") &&
             __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
#else
    case CheckSimd::kAvx2:
    case CheckSimd::kAvx512:
      return false;
#endif
  }
  return false;
}

const char* ToString(CheckSimd simd) {
  switch (simd) {
    case CheckSimd::kAuto: return "auto";
    case CheckSimd::kOff: return "off";
    case CheckSimd::kScalar: return "scalar";
    case CheckSimd::kAvx2: return "avx2";
    case CheckSimd::kAvx512: return "avx512";
  }
  return "?";
}

void CheckTally::Into(FileStats* st) const {
  st->accepted = accepted;
  st->late = late;
  if (accepted > 0) {
    st->min_ts = min_ts;
    st->max_ts = max_ts;
  }
}

bool CheckRecord(RowParser* parser, RejectSink* rejects, const CsvRecord& r, Ts* ts) {
  RejectInfo rej;
  if (parser->Check(r, ts, &rej)) return true;
  AddReject(&parser->stats(), rejects, r, rej);
  return false;
}

LineChecker::LineChecker(RowParser* parser, RejectSink* rejects, FlattenFn flatten)
    : parser_(parser), rejects_(rejects), flatten_(flatten) {}

std::unique_ptr<LineChecker> LineChecker::Create(RowParser* parser, RejectSink* rejects, CheckSimd simd) {
  if (simd == CheckSimd::kAuto) {
    simd = CheckSimdSupported(CheckSimd::kAvx512) ? CheckSimd::kAvx512
           : CheckSimdSupported(CheckSimd::kAvx2) ? CheckSimd::kAvx2
                                                  : CheckSimd::kScalar;
  }
  if (simd == CheckSimd::kOff || !CheckSimdSupported(simd)) return nullptr;
  FlattenFn fn = FlattenScalar;
#if defined(__x86_64__)
  if (simd == CheckSimd::kAvx2) fn = FlattenAvx2;
  if (simd == CheckSimd::kAvx512) fn = FlattenAvx512;
#endif
  std::unique_ptr<LineChecker> c(new LineChecker(parser, rejects, fn));
  if (!c->Bind()) return nullptr;
  return c;
}

bool LineChecker::Bind() {
  const FileSpec& spec = parser_->spec();
  n_fields_ = parser_->header_fields();
  if (spec.is_registry || n_fields_ < 2 || n_fields_ > kMaxFields) return false;
  parser_->AllocateSketches();
  transfer_ = spec.kind == EventKind::kTransfer;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    const int fi = parser_->field_index(static_cast<int>(c));
    if (fi < 0) continue;  // an absent optional column: empty, valid
    const ColumnSpec& cs = spec.columns[c];
    const auto f = static_cast<uint8_t>(fi);
    switch (cs.type) {
      case ColType::kTs:
        ts_field_ = f;
        break;
      case ColType::kId: {
        const int i = static_cast<int>(ids_.size());
        if (transfer_ && c == col::kTxId) txn_id_ = i;
        if (transfer_ && c == col::kTxFrom) from_id_ = i;
        if (transfer_ && c == col::kTxTo) to_id_ = i;
        ids_.push_back({f, cs.required, i == txn_id_ ? dummy_.registers() : parser_->sketch_[c].registers()});
        break;
      }
      case ColType::kCount:
        small_.push_back({Kind::kCount, f, false, nullptr});
        break;
      case ColType::kFlag:
        small_.push_back({Kind::kFlag, f, false, nullptr});
        break;
      case ColType::kEnum: {
        auto valid = WordCheck(spec.kind, c);
        if (!valid) return false;
        if (transfer_ && c == col::kTxKind) kind_field_ = f;
        typed_.push_back({Kind::kEnum, f, cs.required, valid});
        break;
      }
      case ColType::kMoney:
        typed_.push_back({Kind::kMoney, f, cs.required, nullptr});
        break;
      case ColType::kInt:
        return false;  // people.csv only
    }
  }
  // Transfers have one money column, the amount (Fields keeps the last).
  if (transfer_ && txn_id_ < 0) return false;
  if (ids_.empty() || ids_.size() > 7) return false;  // every event file has 1 to 6 id columns
  // Pass-1 output: every byte could be a separator, the flatteners write a
  // few slots past the count, and Run() puts n_fields_ sentinels after it.
  sep_.assign(1 + kWindow + 64 + kMaxFields, 0);
  sep_[0] = UINT32_MAX;  // the line before the first ends at offset -1
  nl_.assign(kWindow + 64, 0);
  bad_.assign(kWindow + 64 + 1, 0);
  return true;
}

bool LineChecker::TypedFields(const char* b, const uint32_t* f) {
  for (const TypedField& d : typed_) {
    const std::string_view v = FieldAt(b, f, d.field);
    switch (d.kind) {
      case Kind::kCount:
      case Kind::kFlag:
        break;  // in small_
      case Kind::kEnum:
        if (v.empty() ? d.required : !d.valid_word(v)) return false;
        break;
      case Kind::kMoney:
        if (v.empty()) {
          if (d.required) return false;
        } else if (ParseMoney(v, &amount_) != MoneyError::kOk) {
          return false;
        }
        break;
    }
  }
  if (transfer_) {
    // Prepare's cross-field rules, then the txn_id, last: once it is
    // interned the row must be accepted.
    const TransferKind kind = *ParseTransferKind(FieldAt(b, f, kind_field_));
    const bool has_from = from_id_ >= 0 && !FieldAt(b, f, ids_[from_id_].field).empty();
    const bool has_to = to_id_ >= 0 && !FieldAt(b, f, ids_[to_id_].field).empty();
    if (amount_ <= 0 || has_from != (kind != TransferKind::kDeposit) || has_to != (kind != TransferKind::kWithdrawal))
      return false;
    const std::string_view txn = FieldAt(b, f, ids_[txn_id_].field);
    if (!parser_->InternNewTxn(txn, HashBytes(txn.data(), txn.size()))) return false;
  }
  return true;
}

template <int kIds>
[[gnu::always_inline]] inline bool LineChecker::Fields(const char* b, const uint32_t* f, uint64_t* hash,
                                                       uint8_t** sink) {
  if (!parser_->ts_parser_.Parse(FieldAt(b, f, ts_field_), &ts_)) return false;
  const IdField* ids = ids_.data();
#pragma GCC unroll 8
  for (int i = 0; i < kIds; ++i) {
    const uint32_t a = f[static_cast<int>(ids[i].field) - 1] + 1;
    const uint32_t len = f[ids[i].field] - a;
    // The line has no byte an id may not hold (pass 1), so only the length
    // is left to check: 1..128, or empty if optional.
    if (len - 1 >= 128) [[unlikely]] {
      if (len != 0 || ids[i].required) return false;
      hash[i] = 0;
      sink[i] = dummy_.registers();
      continue;
    }
    hash[i] = SketchHash(b + a, len);
    sink[i] = ids[i].sketch;
  }
  // Counts and flags inline (calls, sms); words, money and the transfer
  // rules out of line.
  for (const TypedField& d : small_) {
    const std::string_view v = FieldAt(b, f, d.field);
    if (!(d.kind == Kind::kCount ? CountValid(v) : FlagValid(v))) return false;
  }
  return typed_.empty() && !transfer_ ? true : TypedFields(b, f);
}

void LineChecker::SlowLine(const char* b, const uint32_t* f, size_t n_seps, uint64_t line, CheckTally* tally) {
  // The record CsvReader's quote-free path builds: fields split at commas, a
  // CR before the '\n' dropped from the last field and from raw.
  const uint32_t s = f[-1] + 1, e = f[n_seps - 1];
  const uint32_t cr = b[e - 1] == '\r' ? 1 : 0;
  rec_.fields.clear();
  for (size_t j = 0; j < n_seps; ++j) {
    const uint32_t a = f[static_cast<ptrdiff_t>(j) - 1] + 1;
    const uint32_t z = j + 1 == n_seps ? e - cr : f[j];
    rec_.fields.emplace_back(b + a, z - a);
  }
  rec_.raw = std::string_view(b + s, e - cr - s);
  rec_.line = line;
  rec_.error = CsvError::kNone;
  rec_.clean = false;  // a hint only: ids get the full byte check
  Ts ts;
  if (CheckRecord(parser_, rejects_, rec_, &ts)) tally->Accept(ts);
}

LineChecker::Result LineChecker::Run(std::string_view text, uint64_t line, CheckTally* tally) {
  Result res;
  if (text.size() > kWindow) {
    const void* nl = memrchr(text.data(), '\n', kWindow);
    if (!nl) {
      res.stopped = true;  // a line longer than the window: the CsvReader takes it
      return res;
    }
    text = text.substr(0, static_cast<const char*>(nl) - text.data() + 1);
  }
  const char* const b = text.data();
  uint32_t* const S = sep_.data() + 1;
  size_t counts[3];
  flatten_(b, text.size(), S, nl_.data(), bad_.data(), counts);
  // Sentinels: no line end equals UINT32_MAX, so a line with too few
  // separators at the end of the window fails the count check, and no line
  // reaches the bad-byte sentinel.
  for (size_t i = 0; i < n_fields_; ++i) S[counts[0] + i] = UINT32_MAX;
  bad_[counts[2]] = UINT32_MAX;
  switch (ids_.size()) {
    case 1: Lines<1>(b, counts[1], line, tally, &res); break;
    case 2: Lines<2>(b, counts[1], line, tally, &res); break;
    case 3: Lines<3>(b, counts[1], line, tally, &res); break;
    case 4: Lines<4>(b, counts[1], line, tally, &res); break;
    case 5: Lines<5>(b, counts[1], line, tally, &res); break;
    case 6: Lines<6>(b, counts[1], line, tally, &res); break;
    default: Lines<7>(b, counts[1], line, tally, &res); break;
  }
  if (!res.stopped) res.bytes = text.size();
  res.window = text.size();
  return res;
}

template <int kIds>
void LineChecker::Lines(const char* b, size_t n_lines, uint64_t line, CheckTally* tally, Result* res) {
  uint32_t* const S = sep_.data() + 1;
  CheckTally t = *tally;
  const size_t nf = n_fields_;
  size_t k = 0, bi = 0, r = 0;
  uint64_t blank = 0, accepted = 0;
  for (; r < n_lines; ++r) {
    const uint32_t e = nl_[r];
    uint32_t* const f = S + k;
    // The header's number of separators, the last one this line's end.
    bool ok = f[nf - 1] == e;
    uint32_t cr = 0;
    if (ok && bad_[bi] < e) {
      ok = bad_[bi] == e - 1 && b[e - 1] == '\r';  // then the next bad byte lies past e
      cr = 1;
    }
    uint64_t hash[kIds];
    uint8_t* sink[kIds];
    if (ok) {
      f[nf - 1] = e - cr;  // the last field ends before a CR
      ok = Fields<kIds>(b, f, hash, sink);
      f[nf - 1] = e;
    }
    if (ok) {
#pragma GCC unroll 8
      for (int i = 0; i < kIds; ++i) HyperLogLog::AddTo(sink[i], hash[i]);
      t.Accept(ts_);
      ++accepted;
      bi += cr;
      k += nf;
      continue;
    }
    // Not proven valid: find the line's own separators and bad bytes.
    size_t j = k;
    while (S[j] != e) ++j;
    size_t q = bi;
    bool quote = false;
    for (; bad_[q] < e; ++q) quote |= b[bad_[q]] == '"';
    if (quote) {
      res->stopped = true;
      res->bytes = f[-1] + 1;
      break;
    }
    bi = q;
    const uint32_t s = f[-1] + 1;
    if (e == s || (e == s + 1 && b[s] == '\r')) {
      ++blank;  // as CsvReader::Next: skipped and counted
    } else {
      SlowLine(b, f, j - k + 1, line + r, &t);
    }
    k = j + 1;
  }
  res->lines = r;
  res->blank = blank;
  res->records = r - blank;
  if (accepted > 0) parser_->sketched_ = true;
  *tally = t;
}

}  // namespace interdict
