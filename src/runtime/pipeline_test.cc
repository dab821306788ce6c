// The pipeline as a library: a whole run in memory (MemEnv, an EventSource
// over a vector), cases in the case database while the run goes on, and
// failures reported with their side.
#include "runtime/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/test_util.h"

namespace interdict {
namespace {

constexpr Ts kT0 = 1709251200;  // 2024-03-01T08:00:00+08:00: midnight UTC, so kT0 + kDay is a day boundary
constexpr Ts kDay = 86400;

// Events built in the pipeline's dictionaries, handed out in order: what a
// feed would give. Finish() returns `finish_error` (a source's read error).
class VectorSource : public EventSource {
 public:
  explicit VectorSource(Dictionaries* d) : d_(d) {}

  PersonId Person(const std::string& id, int birth_year) {
    PersonId p = d_->person.Intern(id);
    if (p >= d_->people.size()) d_->people.resize(p + 1);
    d_->people[p] = interdict::Person{p, birth_year, Gender::kFemale, d_->region.Intern("440100")};
    return p;
  }
  void Account(const std::string& id, PersonId person, Ts opened) {
    Event e;
    e.kind = EventKind::kBankAccount;
    e.ts = opened;
    e.account = BankAccountOpen{d_->account.Intern(id), person, kNoId, kNoId, AccountKind::kPersonal};
    events_.push_back(e);
  }
  void Pay(Ts ts, const std::string& txn, const std::string& from, const std::string& to, Money fen) {
    Event e;
    e.kind = EventKind::kTransfer;
    e.ts = ts;
    e.transfer = Transfer{d_->txn.Intern(txn), TransferKind::kTransfer, Channel::kApp, d_->account.Intern(from),
                          d_->account.Intern(to), fen, kNoId};
    events_.push_back(e);
  }
  void Report(Ts ts, const std::string& id, PersonId person, const std::string& account) {
    Event e;
    e.kind = EventKind::kReport;
    e.ts = ts;
    e.report = interdict::Report{d_->report.Intern(id), person, kNoId, d_->account.Intern(account), kNoMoney, kNoId,
                                 kNoId};
    events_.push_back(e);
  }
  // `n` small payments between two old shop accounts: traffic that moves the
  // read-ahead on without touching the story.
  void Traffic(Ts from, int n) {
    for (int i = 0; i < n; ++i) Pay(from + i, "T-shop-" + std::to_string(from + i), "SHOP-A", "SHOP-B", 100);
  }

  bool Next(Event* e) override {
    if (next_ >= events_.size()) return false;
    *e = events_[next_++];
    return true;
  }
  Status Finish() override { return finish_error; }
  std::vector<FileStats> stats() const override {
    FileStats f;
    f.file = "<vector>";
    f.rows = f.accepted = events_.size();
    return {f};
  }
  SourcePosition Position() const override { return {next_, {{"<vector>", next_}}}; }

  Status finish_error;

 private:
  Dictionaries* d_;
  std::vector<Event> events_;
  size_t next_ = 0;
};

// The report story of the engine's tests: a victim pays 10,000 yuan to a
// new payee, 6,000 move on one hop; the report (a day later) traces both
// hops and stops them.
void ReportStory(VectorSource* s) {
  PersonId victim = s->Person("P-v", 1958);
  s->Account("ACC-V", victim, kT0 - 2000 * kDay);
  s->Account("M1", s->Person("P-m1", 2000), kT0 - 30 * kDay);
  s->Account("M2", s->Person("P-m2", 2000), kT0 - 30 * kDay);
  s->Account("SHOP-A", s->Person("P-shop-a", 1970), kT0 - 2000 * kDay);
  s->Account("SHOP-B", s->Person("P-shop-b", 1970), kT0 - 2000 * kDay);
  s->Pay(kT0, "T-1", "ACC-V", "M1", 1000000);
  s->Pay(kT0 + 600, "T-2", "M1", "M2", 600000);
  s->Report(kT0 + 3600, "R-1", victim, "ACC-V");
}

PipelineOptions Options(const std::string& out) {
  PipelineOptions o;
  o.out = out;
  o.tz = TimeZone{};
  return o;
}

TEST(Pipeline, RunsWhollyInMemory) {
  std::unique_ptr<MemEnv> env = NewMemEnv();
  const std::string out = "/nowhere-on-disk/interdict-pipeline-test";
  std::unique_ptr<Pipeline> p;
  ASSERT_TRUE(Pipeline::Create(env.get(), Options(out), &p).ok());
  auto src = std::make_unique<VectorSource>(&p->dictionaries());
  ReportStory(src.get());
  src->Traffic(kT0 + 7200, 10);
  p->Start(std::move(src));
  env->AdvanceNanos(2'000'000'000);  // the clock moves only when told: the run "took" 2 s
  Status s = p->Run();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_FALSE(std::filesystem::exists(out));  // nothing touched the disk

  std::string actions;
  ASSERT_TRUE(env->ReadFileToString(out + "/actions.csv", &actions).ok());
  EXPECT_EQ(actions.rfind("ts,action_id,action,target_kind,target,amount,score,reason,case_id\n", 0), 0u);
  EXPECT_NE(actions.find(",stop_payment,account,M1,4000,"), std::string::npos) << actions;
  EXPECT_NE(actions.find(",stop_payment,account,M2,6000,"), std::string::npos) << actions;
  std::string restitution;
  ASSERT_TRUE(env->ReadFileToString(out + "/restitution.csv", &restitution).ok());
  EXPECT_NE(restitution.find("R-R-1,M1,ACC-V,4000,"), std::string::npos) << restitution;

  std::string summary;
  ASSERT_TRUE(env->ReadFileToString(out + "/summary.json", &summary).ok());
  const nlohmann::json j = nlohmann::json::parse(summary);
  EXPECT_EQ(j["events"].get<uint64_t>(), 18u);
  EXPECT_EQ(j["source_position"]["events"].get<uint64_t>(), 18u);
  EXPECT_EQ(j["actions"]["stop_payment"].get<uint64_t>(), 2u);
  EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 2.0);
  EXPECT_EQ(p->summary().engine.cases_opened, 1u);

  // The case database lives in memory as long as the pipeline holds it open.
  std::unique_ptr<CaseStore> reader;
  ASSERT_TRUE(CaseStore::OpenReadOnly(env.get(), out + "/cases.db", &reader).ok());
  std::vector<CaseSummary> cases;
  ASSERT_TRUE(reader->ListCases(&cases).ok());
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].case_id, "R-R-1");
  EXPECT_EQ(cases[0].stop_paid, 1000000);
  int64_t n = 0;  // every action of actions.csv, as decided
  ASSERT_TRUE(reader->CountActions(&n).ok());
  EXPECT_EQ(n, std::count(actions.begin(), actions.end(), '\n') - 1);
}

TEST(Pipeline, CasesReachTheDatabaseAsEventTimePassesEachDay) {
  testing::TempDir dir;
  const std::string out = dir.File("out");
  std::unique_ptr<Pipeline> p;
  ASSERT_TRUE(Pipeline::Create(Env::Default(), Options(out), &p).ok());
  auto src = std::make_unique<VectorSource>(&p->dictionaries());
  ReportStory(src.get());
  // Enough traffic after the next day boundary (kT0 + 16 h) that the
  // read-ahead applies events past it before the source ends.
  src->Traffic(kT0 + kDay, 100);
  p->Start(std::move(src));
  auto cases_seen = [&] {
    std::unique_ptr<CaseStore> r;  // another connection, as `interdict cases` or the server would be
    EXPECT_TRUE(CaseStore::OpenReadOnly(out + "/cases.db", &r).ok());
    std::vector<CaseSummary> cases;
    EXPECT_TRUE(r->ListCases(&cases).ok());
    return cases.size();
  };
  ASSERT_EQ(p->Step(40), 40u);  // the report is applied, the boundary not yet passed
  EXPECT_EQ(cases_seen(), 0u);
  ASSERT_EQ(p->Step(40), 40u);  // events past the boundary applied: the day's cases saved first
  EXPECT_EQ(cases_seen(), 1u);
  ASSERT_TRUE(p->Run().ok());
  EXPECT_EQ(cases_seen(), 1u);
  EXPECT_EQ(p->summary().position.events, 108u);
}

TEST(Pipeline, ASourceReadErrorIsTheInputSide) {
  std::unique_ptr<MemEnv> env = NewMemEnv();
  std::unique_ptr<Pipeline> p;
  ASSERT_TRUE(Pipeline::Create(env.get(), Options("/out"), &p).ok());
  auto src = std::make_unique<VectorSource>(&p->dictionaries());
  ReportStory(src.get());
  src->finish_error = Status::Io("calls.csv.gz: unexpected end of gzip stream");
  p->Start(std::move(src));
  Status s = p->Run();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(p->error_side(), Pipeline::Side::kInput);
  EXPECT_EQ(s.message(), "calls.csv.gz: unexpected end of gzip stream");
}

TEST(Pipeline, AnUnwritableOutputIsTheOutputSide) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("file"), "x");
  std::unique_ptr<Pipeline> p;
  Status s = Pipeline::Create(Env::Default(), Options(dir.File("file") + "/out"), &p);  // under a file
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot create"), std::string::npos) << s.message();
  EXPECT_EQ(p, nullptr);
}

}  // namespace
}  // namespace interdict
