// interdict post DATASET --url URL --token T: feeds a data set directory to a
// running `interdict serve` through POST /v1/events/{kind}, in event-time
// order across files, as live feeds would have delivered it (the demo's
// simulated province; the test that the API gives the same actions as
// `run`).
//
// Batching: rows are cut into slices and each slice is posted one request per
// file kind. The server merges kinds by event time within its lateness bound
// (--lateness, the same global option), so a slice that holds more than one
// kind spans less than half the bound; a slice of one kind alone (years of
// account openings before the first call) is only cut by --batch.
#include <httplib.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "base/time.h"
#include "cli/command.h"
#include "ingest/csv.h"
#include "ingest/dataset.h"
#include "ingest/schema.h"

namespace interdict::cli {
namespace {

struct PostOptions {
  std::string dataset, url, token;
  size_t batch = 5000;
  bool flush = false;
};

struct Feed {
  const FileSpec* spec;
  std::unique_ptr<CsvReader> csv;
  std::string header;
  int ts_col = -1;
  bool has = false;  // cur is a row
  std::string cur;
  Ts ts = 0;
  uint64_t bad_ts = 0;
};

int RunPost(const PostOptions& o) {
  httplib::Client cli(o.url);
  if (!cli.is_valid()) return Fail(kExitUsage, fmt::format("--url {}: not an http://HOST:PORT address", o.url));
  cli.set_bearer_token_auth(o.token);
  cli.set_keep_alive(true);
  cli.set_tcp_nodelay(true);  // without it, Nagle and delayed ACKs cost 40 ms a request
  cli.set_read_timeout(120);
  cli.set_write_timeout(120);
  uint64_t posted = 0, accepted = 0, rejected = 0, requests = 0;
  auto post = [&](const FileSpec& spec, const std::string& header, const std::string& rows) -> int {
    if (rows.empty()) return kExitOk;
    auto res = cli.Post(fmt::format("/v1/events/{}", spec.stem), header + rows, "text/csv");
    ++requests;
    if (!res) return Fail(kExitOutput, fmt::format("POST /v1/events/{}: {}", spec.stem, httplib::to_string(res.error())));
    if (res->status != 200)
      return Fail(kExitOutput, fmt::format("POST /v1/events/{}: HTTP {}: {}", spec.stem, res->status, res->body));
    nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
    if (j.is_discarded()) return Fail(kExitOutput, "the server's answer is not JSON");
    posted += j.value("rows", 0ull);
    accepted += j.value("accepted", 0ull);
    rejected += j.value("rejected", 0ull);
    return kExitOk;
  };

  std::vector<Feed> feeds;
  TsParser tsp(Globals().tz);
  for (const FileSpec& spec : AllFileSpecs()) {
    const std::string path = FindDatasetFile(o.dataset, spec.stem, nullptr);
    if (path.empty()) continue;
    std::unique_ptr<ByteSource> src;
    if (Status s = OpenByteSource(path, &src); !s.ok()) return Fail(kExitInput, s.message());
    Feed f;
    f.spec = &spec;
    f.csv = std::make_unique<CsvReader>(std::move(src));
    CsvRecord rec;
    if (!f.csv->Next(&rec)) return Fail(kExitInput, fmt::format("{}: empty file, expected a header row", path));
    f.header = std::string(rec.raw) + "\n";
    for (size_t i = 0; i < rec.fields.size(); ++i)
      if (rec.fields[i] == "ts") f.ts_col = static_cast<int>(i);
    if (spec.is_registry) {  // people.csv has no time: it goes first, whole
      std::string rows;
      size_t n = 0;
      while (f.csv->Next(&rec)) {
        rows.append(rec.raw).push_back('\n');
        if (++n == o.batch) {
          if (int rc = post(spec, f.header, rows); rc) return rc;
          rows.clear();
          n = 0;
        }
      }
      if (int rc = post(spec, f.header, rows); rc) return rc;
      continue;
    }
    if (f.ts_col < 0) return Fail(kExitInput, fmt::format("{}: no ts column", path));
    feeds.push_back(std::move(f));
  }
  // A row whose ts does not parse is sent as it is, at the time of the row
  // before it: the server rejects it with its reason, as `run` would.
  auto advance = [&](Feed& f) {
    CsvRecord rec;
    f.has = f.csv->Next(&rec);
    if (!f.has) return;
    f.cur.assign(rec.raw);
    Ts t;
    if (static_cast<size_t>(f.ts_col) < rec.fields.size() && tsp.Parse(rec.fields[f.ts_col], &t)) f.ts = t;
    else ++f.bad_ts;
  };
  for (Feed& f : feeds) advance(f);

  const Ts half = std::max<Ts>(1, Globals().lateness_s / 2);
  std::vector<std::string> slice(feeds.size());
  size_t rows_in_slice = 0, kinds_in_slice = 0;
  Ts t0 = 0;
  auto flush_slice = [&]() -> int {
    for (size_t i = 0; i < feeds.size(); ++i) {
      if (int rc = post(*feeds[i].spec, feeds[i].header, slice[i]); rc) return rc;
      slice[i].clear();
    }
    rows_in_slice = kinds_in_slice = 0;
    return kExitOk;
  };
  for (;;) {
    int best = -1;
    for (size_t i = 0; i < feeds.size(); ++i)
      if (feeds[i].has && (best < 0 || feeds[i].ts < feeds[static_cast<size_t>(best)].ts)) best = static_cast<int>(i);
    if (best < 0) break;
    Feed& f = feeds[static_cast<size_t>(best)];
    const bool new_kind = slice[static_cast<size_t>(best)].empty();
    if (rows_in_slice > 0 &&
        (rows_in_slice >= o.batch || (f.ts - t0 >= half && (kinds_in_slice > 1 || new_kind)))) {
      if (int rc = flush_slice(); rc) return rc;
    }
    if (rows_in_slice == 0) t0 = f.ts;
    if (slice[static_cast<size_t>(best)].empty()) ++kinds_in_slice;
    slice[static_cast<size_t>(best)].append(f.cur).push_back('\n');
    ++rows_in_slice;
    advance(f);
  }
  if (int rc = flush_slice(); rc) return rc;
  for (const Feed& f : feeds)
    if (!f.csv->error().ok()) return Fail(kExitInput, f.csv->error().message());
  if (o.flush) {
    auto res = cli.Post("/v1/flush", "", "application/json");
    if (!res || res->status != 200)
      return Fail(kExitOutput, fmt::format("POST /v1/flush: {}", res ? res->body : httplib::to_string(res.error())));
  }
  std::printf("posted %llu rows in %llu requests: %llu accepted, %llu rejected\n",
              static_cast<unsigned long long>(posted), static_cast<unsigned long long>(requests),
              static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(rejected));
  return kExitOk;
}

const bool kRegistered = RegisterCommand(66, [](CLI::App& app, int* exit_code) {
  auto o = std::make_shared<PostOptions>();
  auto* cmd = app.add_subcommand("post", "Feed a data set to a running `interdict serve` in event-time order");
  cmd->add_option("DATASET", o->dataset, "data set directory")->required();
  cmd->add_option("--url", o->url, "the service, e.g. http://127.0.0.1:8080")->required();
  cmd->add_option("--token", o->token,
                  "an admin token (or one whose role feeds every file posted); better in $INTERDICT_TOKEN, which "
                  "other users cannot read from the process list")
      ->envname("INTERDICT_TOKEN")
      ->required();
  cmd->add_option("--batch", o->batch, "rows per request at most (5000)")->check(CLI::Range(1, 1000000));
  cmd->add_flag("--flush", o->flush, "at the end, ask the server to apply everything queued (POST /v1/flush)");
  cmd->callback([o, exit_code] { *exit_code = RunPost(*o); });
});

}  // namespace
}  // namespace interdict::cli
