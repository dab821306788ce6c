// libFuzzer target for the row path: CSV tokenizer (fast, vector and quoted
// paths), header binding and typed row parsing of every file kind, with both
// the event path (interning) and the validate path (sketching).
//
// Input layout: first byte picks the file kind (mod 7: people or one of the
// six event files) and the buffer size; the rest is the file's bytes. Any
// input must end without a crash, a hang, a leak or UB, and every record
// must be either accepted or rejected (nothing dropped).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "ingest/csv.h"
#include "ingest/row_parser.h"
#include "ingest/schema.h"

namespace {

class MemorySource : public interdict::ByteSource {
 public:
  MemorySource(const uint8_t* d, size_t n, size_t chunk) : d_(d), n_(n), chunk_(chunk) {}
  size_t Read(char* buf, size_t n) override {
    size_t k = std::min({n, n_ - pos_, chunk_});
    std::memcpy(buf, d_ + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t chunk_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace interdict;
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  const auto& spec = AllFileSpecs()[sel % 7];
  const size_t chunk = 1 + (sel >> 3);  // tiny reads: records cross every refill
  for (int mode = 0; mode < 2; ++mode) {
    Dictionaries dicts;
    CsvReader csv(std::make_unique<MemorySource>(data + 1, size - 1, chunk), 64);
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
  return 0;
}
