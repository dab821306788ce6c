// Env: the files and clocks the runtime touches, behind one interface, so that
// a test (or a checkpoint's crash test) can run the whole pipeline in memory
// and set the time (LevelDB's Env is the model).
//
// What goes through it: every file the pipeline writes (actions.csv,
// rejects.csv, restitution.csv, summary.json), directory creation and removal
// of stale files, the case database's location (SqliteName: a path on disk,
// or a named in-memory SQLite database under MemEnv), and the clocks the
// pipeline measures itself with. What does not: the input data set, which an
// EventSource reads (ingest/event_source.h), and the engine, which runs on
// event time only.
//
// Usage:
//   Env* env = Env::Default();                     // the real file system, never deleted
//   std::unique_ptr<WritableFile> f;
//   Status s = env->NewWritableFile(dir + "/x.csv", &f);
//   if (s.ok()) s = f->Append("a,b\n");
//   if (s.ok()) s = f->Close();                    // write errors surface here at the latest
//
//   std::unique_ptr<Env> mem = NewMemEnv();        // tests: files in a map, a clock you set
//
// Ownership: Env::Default() is a process-wide singleton; a MemEnv belongs to
// its creator and must outlive every file it handed out. Thread safety: every
// Env method may be called from any thread; a WritableFile is used by one
// thread at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace interdict {

// A file being written, appended to in order. Close() reports any write
// error not yet reported (disk full, I/O error); the destructor closes
// without reporting.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;  // hand buffered bytes to the file system
  virtual Status Close() = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  // The real file system and clocks.
  static Env* Default();

  // Creates or truncates `path` for writing.
  virtual Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) = 0;
  virtual Status ReadFileToString(const std::string& path, std::string* out) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Removes a file; a missing file is not an error.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates `dir` and its parents; an existing directory is not an error.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // Files directly in `dir` (names, not paths), sorted.
  virtual Status ListDir(const std::string& dir, std::vector<std::string>* names) = 0;
  // The name to open a SQLite database at `path` with (sqlite3_open_v2 with
  // SQLITE_OPEN_URI): the path itself on disk; under MemEnv a URI naming a
  // shared-cache in-memory database, alive while a connection to it is open.
  virtual std::string SqliteName(const std::string& path) = 0;

  // Wall-clock time, microseconds since the Unix epoch (audit stamps, file names).
  virtual int64_t NowMicros() = 0;
  // A monotonic clock for measuring durations, nanoseconds from an arbitrary origin.
  virtual int64_t MonotonicNanos() = 0;
};

// Files in memory and clocks that move only when set. Paths are plain keys
// (no normalisation beyond what callers write); directories exist implicitly
// once created or once a file under them is written.
class MemEnv : public Env {
 public:
  virtual void SetNowMicros(int64_t t) = 0;
  // Advances the monotonic clock (it starts at 0).
  virtual void AdvanceNanos(int64_t d) = 0;
};
std::unique_ptr<MemEnv> NewMemEnv();

// Writes `data` to `path` as one file (created or truncated).
Status WriteStringToFile(Env* env, const std::string& path, std::string_view data);

}  // namespace interdict
