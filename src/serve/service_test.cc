#include "serve/service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "ingest/schema.h"
#include "serve/auth.h"
#include "serve/live_source.h"

namespace interdict {
namespace {

std::string TempDir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("interdict-serve-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  return p.string();
}

// The OpenAPI document names exactly the routes the server has.
TEST(OpenApi, DocumentMatchesRoutes) {
  nlohmann::json doc = nlohmann::json::parse(Service::OpenApiDocument());
  ASSERT_TRUE(doc["openapi"].get<std::string>().starts_with("3.1"));
  std::set<std::string> documented;
  for (auto& [path, ops] : doc["paths"].items())
    for (auto& [method, op] : ops.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      documented.insert(m + " " + path);
      (void)op;
    }
  std::set<std::string> served;
  for (const std::string& r : Service::Routes()) served.insert(r);
  for (const std::string& r : served) EXPECT_TRUE(documented.count(r)) << r << " is served but not in docs/openapi.json";
  for (const std::string& r : documented) EXPECT_TRUE(served.count(r)) << r << " is in docs/openapi.json but not served";
}

TEST(Mask, KeepsEndsOnly) {
  EXPECT_EQ(Mask("13812345678"), "138****5678");
  EXPECT_EQ(Mask("6217991384937823"), "6217********7823");
  EXPECT_EQ(Mask("P0052897"), "P0****97");
  EXPECT_EQ(Mask("abc"), "****");
  EXPECT_EQ(Mask("+84667112827").substr(0, 4), "+846");
  EXPECT_EQ(Mask("+84667112827").find("6711"), std::string::npos);
}

TEST(Auth, TokensAreCheckedAndRevoked) {
  const std::string dir = TempDir("auth");
  std::unique_ptr<Auth> a;
  ASSERT_TRUE(Auth::Open(dir, &a).ok());
  std::string token, id;
  ASSERT_TRUE(a->CreateToken(Role::kBank, "icbc", "test", &token, &id).ok());
  auto who = a->Authenticate(token);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->role, Role::kBank);
  EXPECT_EQ(who->scope, "icbc");
  EXPECT_EQ(who->token_id, id);
  std::string wrong = token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(a->Authenticate(wrong).has_value());
  EXPECT_FALSE(a->Authenticate("idt_").has_value());
  EXPECT_FALSE(a->CreateToken(Role::kBank, "", "", &token, &id).ok()) << "a bank token needs a scope";
  ASSERT_TRUE(a->RevokeToken(who->token_id).ok());
  EXPECT_FALSE(a->Authenticate(token).has_value());
  EXPECT_FALSE(a->RevokeToken(who->token_id).ok()) << "revoking twice";
  // The secret is not stored.
  std::vector<TokenInfo> list;
  ASSERT_TRUE(a->ListTokens(&list).ok());
  ASSERT_EQ(list.size(), 1u);
  a.reset();
  std::filesystem::remove_all(dir);
}

TEST(Auth, AuditChainFindsEdits) {
  const std::string dir = TempDir("audit");
  {
    std::unique_ptr<Auth> a;
    ASSERT_TRUE(Auth::Open(dir, &a).ok());
    Principal p{"0000abcd", Role::kAnalyst, ""};
    for (int i = 0; i < 10; ++i) a->Audit(p, "actions.read", "cursor " + std::to_string(i), "");
    ASSERT_TRUE(a->FlushAudit().ok());
  }
  {  // reopened: the chain continues from the last entry
    std::unique_ptr<Auth> a;
    ASSERT_TRUE(Auth::Open(dir, &a).ok());
    a->Audit(Principal{"0000abcd", Role::kAnalyst, ""}, "cases.read", "", "");
  }
  uint64_t n = 0;
  ASSERT_TRUE(Auth::VerifyAudit(dir, &n).ok());
  EXPECT_EQ(n, 11u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/serve.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE audit SET detail='x' WHERE seq=5", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Status s = Auth::VerifyAudit(dir, &n);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("entry 5"), std::string::npos) << s.message();
  EXPECT_EQ(n, 4u);
  std::filesystem::remove_all(dir);
}

// Rows of two kinds that arrive out of step come out in event-time order,
// ties by the format's file order, once the lateness bound has passed.
TEST(LiveSource, MergesKindsByEventTime) {
  Dictionaries dicts;
  RejectSink rejects;
  ASSERT_TRUE(rejects.Open("").ok());
  LiveSource src(&dicts, &rejects, TimeZone{}, 60, "");
  ASSERT_TRUE(src.Open().ok());
  IngestResult r;
  ASSERT_TRUE(src.IngestCsv(EventFileSpec(EventKind::kSms),
                            "ts,sender,receiver,has_url,template_id\n"
                            "2024-03-01T00:00:10Z,1,2,0,t\n2024-03-01T00:00:30Z,1,2,0,t\n",
                            &r)
                  .ok());
  EXPECT_EQ(r.accepted, 2u);
  Event e;
  EXPECT_FALSE(src.Next(&e)) << "nothing is older than the newest event by the bound yet";
  r = {};
  ASSERT_TRUE(src.IngestCsv(EventFileSpec(EventKind::kCall),
                            "ts,caller,callee,duration_s\n"
                            "2024-03-01T00:00:10Z,3,4,0\n2024-03-01T00:00:20Z,3,4,0\nbad\n2024-03-01T00:02:00Z,3,4,0\n",
                            &r)
                  .ok());
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.rejected, 1u);
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 4u);
  std::vector<std::pair<EventKind, Ts>> got;
  while (src.Next(&e)) got.emplace_back(e.kind, e.ts);
  // Released: everything at or before 00:01:00; calls before sms at 00:00:10 (file order).
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].first, EventKind::kCall);
  EXPECT_EQ(got[1].first, EventKind::kSms);
  EXPECT_EQ(got[2].first, EventKind::kCall);
  EXPECT_EQ(got[3].first, EventKind::kSms);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end(), [](auto& a, auto& b) { return a.second < b.second; }));
  src.SetFlush(true);
  ASSERT_TRUE(src.Next(&e));
  EXPECT_EQ(e.kind, EventKind::kCall);
  EXPECT_FALSE(src.Next(&e));
}

TEST(LiveSource, NdjsonRowsAreCheckedLikeCsv) {
  Dictionaries dicts;
  RejectSink rejects;
  ASSERT_TRUE(rejects.Open("").ok());
  LiveSource src(&dicts, &rejects, TimeZone{}, 0, "");
  IngestResult r;
  ASSERT_TRUE(src.IngestNdjson(EventFileSpec(EventKind::kCall),
                               "{\"ts\":\"2024-03-01T00:00:10Z\",\"caller\":\"1\",\"callee\":\"2\",\"duration_s\":5}\n"
                               "\n"
                               "{\"ts\":\"2024-03-01T00:00:11Z\",\"caller\":\"1\",\"callee\":\"2\",\"duration_s\":-5}\n"
                               "[1,2]\n"
                               "{\"ts\":\"2024-03-01T00:00:12Z\",\"caller\":\"1\",\"callee\":\"2\",\"extra\":1}\n",
                               &r)
                  .ok());
  EXPECT_EQ(r.rows, 4u);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 3u);
  ASSERT_EQ(r.rejects.size(), 3u);
  EXPECT_EQ(r.rejects[0].line, 3u);
  EXPECT_EQ(r.rejects[0].column, "duration_s");
  EXPECT_EQ(r.rejects[1].line, 4u);
  EXPECT_EQ(r.rejects[1].reason, "bad_json");
  EXPECT_EQ(r.rejects[2].line, 5u);
  EXPECT_EQ(r.rejects[2].reason, "unknown_field");
}

// What is accepted is in the inbox, in the format's column order, whatever
// the order of the request's columns; a restart replays it.
TEST(LiveSource, InboxHoldsAcceptedRowsAndReplays) {
  const std::string dir = TempDir("inbox");
  {
    Dictionaries dicts;
    RejectSink rejects;
    ASSERT_TRUE(rejects.Open("").ok());
    LiveSource src(&dicts, &rejects, TimeZone{}, 0, dir);
    ASSERT_TRUE(src.Open().ok());
    IngestResult r;
    ASSERT_TRUE(src.IngestCsv(EventFileSpec(EventKind::kCall),
                              "duration_s,callee,caller,ts\n5,2,1,2024-03-01T00:00:10Z\nx,2,1,2024-03-01T00:00:11Z\n",
                              &r)
                    .ok());
    ASSERT_TRUE(src.SyncInbox(EventFileSpec(EventKind::kCall)).ok());
    ASSERT_TRUE(src.Finish().ok());
  }
  std::string text;
  {
    FILE* f = std::fopen((dir + "/calls.csv").c_str(), "r");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    text.assign(buf, n);
  }
  EXPECT_EQ(text.substr(0, text.find('\n')), "ts,caller,callee,duration_s,caller_imei,caller_cell,callee_cell");
  EXPECT_NE(text.find("2024-03-01T00:00:10Z,1,2,5"), std::string::npos) << text;
  EXPECT_EQ(text.find("00:00:11"), std::string::npos) << "a rejected row reached the inbox";
  Dictionaries dicts;
  RejectSink rejects;
  ASSERT_TRUE(rejects.Open("").ok());
  LiveSource again(&dicts, &rejects, TimeZone{}, 0, dir);
  ASSERT_TRUE(again.Open().ok());
  ASSERT_TRUE(again.Replay(ReadOptions{}).ok());
  Event e;
  ASSERT_TRUE(again.Next(&e));
  EXPECT_EQ(e.kind, EventKind::kCall);
  EXPECT_EQ(e.call.duration_s, 5);
  EXPECT_FALSE(again.Next(&e));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace interdict
