// libFuzzer target for the API's request parsers (serve/live_source.h): a
// request body of any file kind as CSV or NDJSON. Any input must end without
// a crash, a hang, a leak or UB; every row must be accepted or rejected
// (rows == accepted + rejected: nothing dropped); and every accepted event
// must come out of the source, in event-time order, once it is flushed.
//
// Input layout: the first byte picks the file kind (mod 7) and the format
// (bit 3: NDJSON); the rest is the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/schema.h"
#include "serve/live_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace interdict;
  if (size < 1) return 0;
  const auto specs = AllFileSpecs();
  const FileSpec& spec = specs[data[0] % specs.size()];
  const bool ndjson = (data[0] & 8) != 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  Dictionaries dicts;
  RejectSink sink;
  if (!sink.Open("").ok()) std::abort();
  LiveSource src(&dicts, &sink, TimeZone{}, 60, "");
  IngestResult r;
  const Status s = ndjson ? src.IngestNdjson(spec, body, &r) : src.IngestCsv(spec, body, &r);
  if (!s.ok()) {
    if (r.accepted != 0) std::abort();  // a refused request accepts nothing
    return 0;
  }
  if (r.rows != r.accepted + r.rejected) std::abort();
  if (r.rejected > 0 && r.rejects.empty()) std::abort();
  src.SetFlush(true);
  Event e;
  uint64_t out = 0;
  Ts last = kNoTs;
  while (src.Next(&e)) {
    if (last != kNoTs && e.ts < last) std::abort();
    last = e.ts;
    ++out;
  }
  if (!spec.is_registry && out != r.accepted) std::abort();
  return 0;
}
