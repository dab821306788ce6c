// libFuzzer target for the row path: CSV tokenizer (fast, vector and quoted
// paths), header binding and typed row parsing of every file kind, with both
// the event path (interning) and the validate path (sketching); and, for
// event files, validate's fused fast path (line_check.h) in every build the
// CPU has against the record-at-a-time path.
//
// Input layout: first byte picks the file kind (mod 7: people or one of the
// six event files) and the read size; the rest is the file's bytes. Any
// input must end without a crash, a hang, a leak or UB, every record must be
// either accepted or rejected (nothing dropped), and the fused path must
// report exactly the figures of the record path.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "ingest/csv.h"
#include "ingest/dataset.h"
#include "ingest/row_parser.h"
#include "ingest/schema.h"

namespace {

using namespace interdict;

// CheckEventSource with one build; false if the header was refused.
bool Validate(const FileSpec& spec, std::string_view data, size_t chunk, CheckSimd simd, FileStats* st,
              uint64_t* rejects) {
  Dictionaries dicts;
  RejectSink sink;
  if (!sink.Open("").ok()) std::abort();
  ReadOptions opt;
  opt.check_simd = simd;
  opt.buffer_bytes = 64;
  opt.lateness_s = 60;
  const bool ok = CheckEventSource(spec, MemoryByteSource(data, chunk), "fuzz", &dicts, &sink, opt, false, st).ok();
  *rejects = sink.total();
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  const auto& spec = AllFileSpecs()[sel % 7];
  const size_t chunk = 1 + (sel >> 3);  // tiny reads: records cross every refill
  for (int mode = 0; mode < 2; ++mode) {
    Dictionaries dicts;
    CsvReader csv(MemoryByteSource(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), chunk), 64);
    RowParser parser(spec, &dicts, TimeZone{});
    CsvRecord rec;
    if (!csv.Next(&rec)) continue;
    if (!parser.BindHeader(rec, "fuzz").ok()) continue;
    uint64_t rows = 0, outcomes = 0;
    std::vector<CsvRecord> batch(8);
    for (;;) {
      size_t n = csv.NextBatch(batch.data(), batch.size());
      if (n == 0) break;
      for (size_t i = 0; i < n; ++i) {
        ++rows;
        RejectInfo rej;
        bool ok;
        if (spec.is_registry) {
          Person p;
          ok = parser.ParsePerson(batch[i], &p, &rej);
          if (ok && p.id >= dicts.people.size()) dicts.people.resize(p.id + 1);
          if (ok) dicts.people[p.id] = p;
        } else if (mode == 0) {
          Event e;
          ok = parser.ParseEvent(batch[i], &e, &rej);
        } else {
          Ts ts;
          ok = parser.Check(batch[i], &ts, &rej);
        }
        (void)ok;
        ++outcomes;
      }
    }
    parser.FinishStats();
    if (rows != outcomes) std::abort();
  }
  if (!spec.is_registry) {
    const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
    FileStats want;
    uint64_t want_rejects = 0;
    const bool ok = Validate(spec, file, chunk, CheckSimd::kOff, &want, &want_rejects);
    for (CheckSimd simd : {CheckSimd::kScalar, CheckSimd::kAvx2, CheckSimd::kAvx512}) {
      if (!CheckSimdSupported(simd)) continue;
      FileStats got;
      uint64_t got_rejects = 0;
      if (Validate(spec, file, chunk, simd, &got, &got_rejects) != ok) std::abort();
      if (ok && (!(want == got) || want_rejects != got_rejects)) std::abort();
    }
  }
  return 0;
}
