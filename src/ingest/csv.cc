#include "ingest/csv.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace interdict {

namespace {
constexpr size_t kSlack = 64;
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> src, size_t buffer_bytes)
    : src_(std::move(src)), buf_(std::max<size_t>(buffer_bytes, 4096) + kSlack, '\0') {
#if defined(__x86_64__)
  use_avx2_ = __builtin_cpu_supports("avx2");
#endif
}

bool CsvReader::Refill() {
  if (eof_) return false;
  // Move the unread tail to the front, grow if a single record fills the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t cap = buf_.size() - kSlack;
  if (end_ == cap) {
    if (cap >= kMaxRecord) return false;  // caller reports kRecordTooLong
    buf_.resize(cap * 2 + kSlack, '\0');
    cap = buf_.size() - kSlack;
  }
  size_t got = src_->Read(buf_.data() + end_, cap - end_);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  bytes_read_ += got;
  end_ += got;
  std::memset(buf_.data() + end_, 0, kSlack);
  if (at_start_ && end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = 3;
  if (at_start_ && (end_ >= 3 || eof_)) at_start_ = false;
  return true;
}

// The quote-free fast path, in three builds: AVX2 (32 bytes a step, chosen at
// run time), SSE2 (x86-64 baseline) and scalar. Each finds commas and the line
// end, bails out (0) on a quote, and notes whether any byte is outside
// 0x21..0x7e (CR aside): such a record is not `clean`.
int CsvReader::FastRecord(CsvRecord* rec) {
#if defined(__x86_64__)
  if (use_avx2_) return FastRecordAvx2(rec);
#endif
#if defined(__SSE2__)
  return FastRecordSse2(rec);
#else
  return FastRecordScalar(rec);
#endif
}

namespace {
// Ends a record at line end e (exclusive of the '\n'); strips a CR.
inline void EndRecord(CsvRecord* rec, const char* p, const char* field, const char* e, bool dirty) {
  const bool cr = e > p && e[-1] == '\r';
  const char* fe = (cr && e - 1 >= field) ? e - 1 : e;
  rec->fields.emplace_back(field, fe - field);
  rec->raw = std::string_view(p, (cr ? e - 1 : e) - p);
  rec->clean = !dirty;
}
}  // namespace

int CsvReader::FastRecordScalar(CsvRecord* rec) {
  const char* const base = buf_.data();
  const char* p = base + begin_;
  const char* const end = base + end_;
  const char* field = p;
  bool dirty = false;
  rec->fields.clear();
  for (const char* q = p; q < end; ++q) {
    unsigned char ch = static_cast<unsigned char>(*q);
    if (ch == '"') return 0;
    if (ch == ',') {
      rec->fields.emplace_back(field, q - field);
      field = q + 1;
    } else if (ch == '\n') {
      EndRecord(rec, p, field, q, dirty);
      begin_ = static_cast<size_t>(q + 1 - base);
      return 1;
    } else if (ch < 0x21 || ch > 0x7e) {
      // A CR right before the line end is not dirt.
      if (!(ch == '\r' && q + 1 < end && q[1] == '\n')) dirty = true;
    }
  }
  if (!eof_) return -1;
  EndRecord(rec, p, field, end, dirty);
  begin_ = end_;
  return 1;
}

#if defined(__SSE2__)
int CsvReader::FastRecordSse2(CsvRecord* rec) {
  const char* const base = buf_.data();
  const char* p = base + begin_;
  const char* const end = base + end_;
  const char* field = p;
  uint32_t dirty = 0;
  rec->fields.clear();
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i nl = _mm_set1_epi8('\n');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i lo = _mm_set1_epi8(0x21);
  const __m128i del = _mm_set1_epi8(0x7f);
  const __m128i cr = _mm_set1_epi8('\r');
  for (const char* q = p; q < end; q += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    uint32_t valid = end - q >= 16 ? 0xffffu : ((1u << (end - q)) - 1);
    uint32_t m_nl = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))) & valid;
    uint32_t limit = m_nl ? ((m_nl & -m_nl) - 1) : valid;  // bits before the line end
    if (static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote))) & limit) return 0;
    // Signed compare: < 0x21 catches controls, space and every byte >= 0x80.
    // A CR right before the '\n' is fine (only a CR: any other byte there
    // is as dirty as anywhere else).
    const uint32_t m_cr = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)));
    dirty |= static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, lo), _mm_cmpeq_epi8(v, del)))) &
             limit & ~(m_nl ? ((m_nl & -m_nl) >> 1) & m_cr : 0u);
    uint32_t m_comma = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma))) & limit;
    while (m_comma) {
      const char* c = q + __builtin_ctz(m_comma);
      rec->fields.emplace_back(field, c - field);
      field = c + 1;
      m_comma &= m_comma - 1;
    }
    if (m_nl) {
      const char* e = q + __builtin_ctz(m_nl);
      EndRecord(rec, p, field, e, dirty != 0);
      begin_ = static_cast<size_t>(e + 1 - base);
      return 1;
    }
  }
  if (!eof_) return -1;
  // Last line without a line end: a trailing CR is stripped, anything else counts.
  EndRecord(rec, p, field, end, dirty != 0);
  begin_ = end_;
  return 1;
}
#endif

#if defined(__x86_64__)
__attribute__((target("avx2,bmi"))) int CsvReader::FastRecordAvx2(CsvRecord* rec) {
  const char* const base = buf_.data();
  const char* p = base + begin_;
  const char* const end = base + end_;
  const char* field = p;
  uint32_t dirty = 0;
  rec->fields.clear();
  const __m256i comma = _mm256_set1_epi8(',');
  const __m256i nl = _mm256_set1_epi8('\n');
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i lo = _mm256_set1_epi8(0x21);
  const __m256i del = _mm256_set1_epi8(0x7f);
  const __m256i cr = _mm256_set1_epi8('\r');
  for (const char* q = p; q < end; q += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
    uint32_t valid = end - q >= 32 ? 0xffffffffu : ((1u << (end - q)) - 1);
    uint32_t m_nl = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, nl))) & valid;
    uint32_t limit = m_nl ? ((m_nl & -m_nl) - 1) : valid;
    if (static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, quote))) & limit) return 0;
    const uint32_t m_cr = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, cr)));
    dirty |= static_cast<uint32_t>(_mm256_movemask_epi8(
                 _mm256_or_si256(_mm256_cmpgt_epi8(lo, v), _mm256_cmpeq_epi8(v, del)))) &
             limit & ~(m_nl ? ((m_nl & -m_nl) >> 1) & m_cr : 0u);
    uint32_t m_comma = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, comma))) & limit;
    while (m_comma) {
      const char* c = q + __builtin_ctz(m_comma);
      rec->fields.emplace_back(field, c - field);
      field = c + 1;
      m_comma &= m_comma - 1;
    }
    if (m_nl) {
      const char* e = q + __builtin_ctz(m_nl);
      EndRecord(rec, p, field, e, dirty != 0);
      begin_ = static_cast<size_t>(e + 1 - base);
      return 1;
    }
  }
  if (!eof_) return -1;
  EndRecord(rec, p, field, end, dirty != 0);
  begin_ = end_;
  return 1;
}
#endif

std::string_view CsvReader::BufferedLines() {
  for (;;) {
    if (begin_ < end_ && !at_start_) {
      const char* p = buf_.data() + begin_;
      const void* nl = memrchr(p, '\n', end_ - begin_);
      if (nl) return std::string_view(p, static_cast<const char*>(nl) - p + 1);
    }
    if (!Refill()) return {};
  }
}

int CsvReader::TakeBadLine(CsvRecord* rec, CsvError err) {
  const char* p = buf_.data() + begin_;
  const void* nlp = std::memchr(p, '\n', end_ - begin_);
  // The line's end not read yet: read on first (else the rest of the line
  // would come back as a record of its own, depending on read sizes).
  if (!nlp && !eof_) return -1;
  size_t len = nlp ? static_cast<const char*>(nlp) - p : end_ - begin_;
  rec->fields.clear();
  rec->raw = std::string_view(p, len > 0 && p[len - 1] == '\r' ? len - 1 : len);
  rec->error = err;
  rec->clean = false;
  begin_ += nlp ? len + 1 : len;
  return 1;
}

int CsvReader::QuotedRecord(CsvRecord* rec) {
  const char* const base = buf_.data();
  const char* p = base + begin_;
  const char* const end = base + end_;
  scratch_.clear();
  spans_.clear();
  uint64_t newlines = 0;
  const char* q = p;
  for (;;) {
    // At the start of a field.
    uint32_t start = static_cast<uint32_t>(scratch_.size());
    if (q < end && *q == '"') {
      ++q;
      for (;;) {
        if (static_cast<size_t>(q - p) > kMaxQuotedSpan) return TakeBadLine(rec, CsvError::kUnterminatedQuote);
        if (q >= end) {
          if (!eof_) return -1;
          return TakeBadLine(rec, CsvError::kUnterminatedQuote);
        }
        char ch = *q;
        if (ch == '"') {
          if (q + 1 >= end && !eof_) return -1;
          if (q + 1 < end && q[1] == '"') {
            scratch_.push_back('"');
            q += 2;
            continue;
          }
          ++q;
          break;
        }
        if (ch == '\n') ++newlines;
        scratch_.push_back(ch);
        ++q;
      }
      // After the closing quote: a comma, a line end or the end of input.
      if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n') ++q;
      if (q < end && *q != ',' && *q != '\n') {
        if (q + 1 >= end && *q == '\r' && !eof_) return -1;
        if (!(q + 1 >= end && *q == '\r')) {
          return TakeBadLine(rec, CsvError::kBadQuote);
        }
        ++q;  // a lone trailing CR at end of input
      }
    } else {
      while (q < end && *q != ',' && *q != '\n') scratch_.push_back(*q++);
      if (q >= end && !eof_) return -1;
      if ((q == end || *q == '\n') && scratch_.size() > start && scratch_.back() == '\r') scratch_.pop_back();
    }
    spans_.emplace_back(start, static_cast<uint32_t>(scratch_.size()) - start);
    if (q >= end) {
      if (!eof_) return -1;
      break;
    }
    if (*q == ',') {
      ++q;
      continue;
    }
    // *q == '\n'
    ++q;
    break;
  }
  rec->fields.clear();
  for (auto [off, len] : spans_) rec->fields.emplace_back(scratch_.data() + off, len);
  const char* raw_end = q;
  if (raw_end > p && raw_end[-1] == '\n') --raw_end;
  if (raw_end > p && raw_end[-1] == '\r') --raw_end;
  rec->raw = std::string_view(p, raw_end - p);
  rec->clean = false;
  begin_ = static_cast<size_t>(q - base);
  line_ += newlines;  // the record's own line is added by Next()
  return 1;
}

bool CsvReader::Next(CsvRecord* rec) {
  for (;;) {
    if (begin_ >= end_ || at_start_) {
      if (!Refill() && begin_ >= end_) return false;
    }
    // Blank line: skip, count.
    char c = buf_[begin_];
    if (c == '\n' || (c == '\r' && begin_ + 1 < end_ && buf_[begin_ + 1] == '\n')) {
      begin_ += c == '\n' ? 1 : 2;
      ++blank_lines_;
      ++line_;
      continue;
    }
    rec->error = CsvError::kNone;
    rec->line = line_;
    uint64_t line_before = line_;
    int r = FastRecord(rec);
    last_quoted_ = false;
    if (r == 0) {
      r = QuotedRecord(rec);
      last_quoted_ = true;
    }
    if (r < 0) {
      line_ = line_before;
      if (!Refill()) {
        if (eof_) continue;  // now at end: the record is re-read as the final line
        // Buffer at its cap and still no line end: the record is too long.
        // Keep its first KiB for the rejects file, skip to the next line end.
        scratch_.assign(buf_.data() + begin_, std::min<size_t>(1024, end_ - begin_));
        rec->fields.clear();
        rec->raw = scratch_;
        rec->error = CsvError::kRecordTooLong;
        begin_ = end_ = 0;
        for (;;) {
          size_t got = src_->Read(buf_.data(), buf_.size() - kSlack);
          if (got == 0) {
            eof_ = true;
            break;
          }
          bytes_read_ += got;
          const void* nlp = std::memchr(buf_.data(), '\n', got);
          if (nlp) {
            begin_ = static_cast<size_t>(static_cast<const char*>(nlp) - buf_.data()) + 1;
            end_ = got;
            std::memset(buf_.data() + end_, 0, kSlack);
            break;
          }
        }
        ++line_;
        return true;
      }
      continue;
    }
    ++line_;
    return true;
  }
}

size_t CsvReader::NextBatch(CsvRecord* recs, size_t max) {
  if (max == 0 || !Next(&recs[0])) return 0;
  if (last_quoted_) return 1;
  size_t n = 1;
  while (n < max && begin_ < end_) {
    char c = buf_[begin_];
    if (c == '\n' || (c == '\r' && begin_ + 1 < end_ && buf_[begin_ + 1] == '\n')) {
      begin_ += c == '\n' ? 1 : 2;
      ++blank_lines_;
      ++line_;
      continue;
    }
    CsvRecord* rec = &recs[n];
    rec->error = CsvError::kNone;
    rec->line = line_;
    if (FastRecord(rec) != 1) break;  // quoted or needs a refill: the next batch takes it
    ++line_;
    ++n;
  }
  return n;
}

void AppendCsvField(std::string_view s, std::string* out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace interdict
