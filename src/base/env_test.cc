#include "base/env.h"

#include <gtest/gtest.h>

#include "base/test_util.h"

namespace interdict {
namespace {

// What every Env must do, on the disk and in memory alike.
void ExerciseFiles(Env* env, const std::string& dir) {
  ASSERT_TRUE(env->CreateDirs(dir + "/a/b").ok());
  ASSERT_TRUE(env->CreateDirs(dir + "/a/b").ok());  // existing: fine
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env->NewWritableFile(dir + "/a/x.csv", &f).ok());
  ASSERT_TRUE(f->Append("h1,h2\n").ok());
  ASSERT_TRUE(f->Append("1,2\n").ok());
  ASSERT_TRUE(f->Flush().ok());
  std::string got;
  ASSERT_TRUE(env->ReadFileToString(dir + "/a/x.csv", &got).ok());
  EXPECT_EQ(got, "h1,h2\n1,2\n");  // flushed bytes are visible before Close
  ASSERT_TRUE(f->Append("3,4\n").ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_FALSE(f->Append("late\n").ok());
  ASSERT_TRUE(env->ReadFileToString(dir + "/a/x.csv", &got).ok());
  EXPECT_EQ(got, "h1,h2\n1,2\n3,4\n");
  ASSERT_TRUE(WriteStringToFile(env, dir + "/a/y.txt", "y").ok());
  std::vector<std::string> names;
  ASSERT_TRUE(env->ListDir(dir + "/a", &names).ok());
  std::erase(names, "b");  // a directory on disk; implicit in memory
  EXPECT_EQ(names, (std::vector<std::string>{"x.csv", "y.txt"}));
  EXPECT_TRUE(env->FileExists(dir + "/a/y.txt"));
  ASSERT_TRUE(env->RemoveFile(dir + "/a/y.txt").ok());
  ASSERT_TRUE(env->RemoveFile(dir + "/a/y.txt").ok());  // missing: fine
  EXPECT_FALSE(env->FileExists(dir + "/a/y.txt"));
  Status s = env->ReadFileToString(dir + "/a/y.txt", &got);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_NE(s.message().find("y.txt"), std::string::npos);  // the message names the file
}

TEST(Env, DefaultWritesTheDisk) {
  testing::TempDir dir;
  ExerciseFiles(Env::Default(), dir.path());
  EXPECT_EQ(testing::ReadFile(dir.File("a/x.csv")), "h1,h2\n1,2\n3,4\n");
}

TEST(Env, DefaultNamesTheFileThatCannotBeWritten) {
  testing::TempDir dir;
  std::unique_ptr<WritableFile> f;
  Status s = Env::Default()->NewWritableFile(dir.File("missing/x.csv"), &f);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("missing/x.csv"), std::string::npos) << s.message();
}

TEST(Env, MemEnvKeepsFilesInMemory) {
  std::unique_ptr<MemEnv> env = NewMemEnv();
  ExerciseFiles(env.get(), "/tmp/not-on-disk-env-test");
  EXPECT_FALSE(std::filesystem::exists("/tmp/not-on-disk-env-test"));
  std::unique_ptr<WritableFile> f;
  EXPECT_FALSE(env->NewWritableFile("/never-created/x.csv", &f).ok());  // like the disk: no directory, no file
}

TEST(Env, MemEnvClocksMoveOnlyWhenSet) {
  std::unique_ptr<MemEnv> env = NewMemEnv();
  EXPECT_EQ(env->NowMicros(), 0);
  EXPECT_EQ(env->MonotonicNanos(), 0);
  env->SetNowMicros(1'700'000'000'000'000);
  env->AdvanceNanos(5);
  env->AdvanceNanos(7);
  EXPECT_EQ(env->NowMicros(), 1'700'000'000'000'000);
  EXPECT_EQ(env->MonotonicNanos(), 12);
  EXPECT_GT(Env::Default()->NowMicros(), 1'600'000'000'000'000);  // the real one is today's
}

TEST(Env, TwoMemEnvsHaveTwoDatabases) {
  std::unique_ptr<MemEnv> a = NewMemEnv(), b = NewMemEnv();
  EXPECT_NE(a->SqliteName("/x/cases.db"), b->SqliteName("/x/cases.db"));
  EXPECT_NE(a->SqliteName("/x/cases.db"), a->SqliteName("/y/cases.db"));
  EXPECT_EQ(Env::Default()->SqliteName("/x/cases.db"), "/x/cases.db");
}

}  // namespace
}  // namespace interdict
