#include "base/env.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "base/file_util.h"

namespace interdict {
namespace {

// stdio underneath: its buffer makes small appends cheap, and CloseChecked's
// rule (the error flag and fclose both count) reports a full disk.
class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (f_) std::fclose(f_);
  }
  Status Append(std::string_view data) override {
    if (!f_) return Status::Io(fmt::format("{}: append after close", path_));
    if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f_) != data.size())
      return Status::Io(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    return Status::Ok();
  }
  Status Flush() override {
    if (f_ && std::fflush(f_) != 0) return Status::Io(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    return Status::Ok();
  }
  Status Close() override { return CloseChecked(&f_, path_); }

 private:
  std::FILE* f_;
  std::string path_;
};

class PosixEnv : public Env {
 public:
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Status::Io(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    *out = std::make_unique<PosixWritableFile>(f, path);
    return Status::Ok();
  }
  Status ReadFileToString(const std::string& path, std::string* out) override {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Status::NotFound(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    out->clear();
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
    const bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad) return Status::Io(fmt::format("{}: read failed", path));
    return Status::Ok();
  }
  bool FileExists(const std::string& path) override {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }
  Status RemoveFile(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) return Status::Io(fmt::format("{}: cannot remove: {}", path, ec.message()));
    return Status::Ok();
  }
  Status CreateDirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::Io(fmt::format("{}: cannot create: {}", dir, ec.message()));
    return Status::Ok();
  }
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
      names->push_back(it->path().filename().string());
    if (ec) return Status::Io(fmt::format("{}: cannot list: {}", dir, ec.message()));
    std::sort(names->begin(), names->end());
    return Status::Ok();
  }
  std::string SqliteName(const std::string& path) override {
    // A plain path is also a valid name under SQLITE_OPEN_URI unless it
    // starts with "file:"; such a path is written as a URI.
    if (path.rfind("file:", 0) == 0) return "file:" + path;
    return path;
  }
  int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t MonotonicNanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// The files of a MemEnv: contents by path, under one mutex.
struct MemFiles {
  std::mutex mu;
  std::map<std::string, std::string> files;
  std::map<std::string, bool> dirs;
};

// Appends go to a private buffer and reach the Env on Flush/Close, as bytes
// in a stdio buffer reach the disk: a reader sees what was flushed.
class MemWritableFile : public WritableFile {
 public:
  MemWritableFile(MemFiles* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~MemWritableFile() override { (void)Close(); }
  Status Append(std::string_view data) override {
    if (closed_) return Status::Io(fmt::format("{}: append after close", path_));
    buf_.append(data);
    return Status::Ok();
  }
  Status Flush() override {
    if (closed_) return Status::Ok();
    std::lock_guard<std::mutex> l(fs_->mu);
    fs_->files[path_].append(buf_);
    buf_.clear();
    return Status::Ok();
  }
  Status Close() override {
    Status s = Flush();
    closed_ = true;
    return s;
  }

 private:
  MemFiles* fs_;
  std::string path_;
  std::string buf_;
  bool closed_ = false;
};

std::string ParentOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

class MemEnvImpl : public MemEnv {
 public:
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* out) override {
    {
      std::lock_guard<std::mutex> l(fs_.mu);
      const std::string dir = ParentOf(path);
      if (!dir.empty() && !fs_.dirs.contains(dir))
        return Status::Io(fmt::format("{}: cannot write: No such file or directory", path));
      fs_.files[path].clear();
    }
    *out = std::make_unique<MemWritableFile>(&fs_, path);
    return Status::Ok();
  }
  Status ReadFileToString(const std::string& path, std::string* out) override {
    std::lock_guard<std::mutex> l(fs_.mu);
    auto it = fs_.files.find(path);
    if (it == fs_.files.end()) return Status::NotFound(fmt::format("{}: cannot read: No such file", path));
    *out = it->second;
    return Status::Ok();
  }
  bool FileExists(const std::string& path) override {
    std::lock_guard<std::mutex> l(fs_.mu);
    return fs_.files.contains(path) || fs_.dirs.contains(path);
  }
  Status RemoveFile(const std::string& path) override {
    std::lock_guard<std::mutex> l(fs_.mu);
    fs_.files.erase(path);
    return Status::Ok();
  }
  Status CreateDirs(const std::string& dir) override {
    std::lock_guard<std::mutex> l(fs_.mu);
    for (std::string d = dir; !d.empty(); d = ParentOf(d)) fs_.dirs[d] = true;
    return Status::Ok();
  }
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    std::lock_guard<std::mutex> l(fs_.mu);
    if (!fs_.dirs.contains(dir)) return Status::Io(fmt::format("{}: cannot list: No such directory", dir));
    for (const auto& [path, data] : fs_.files)
      if (ParentOf(path) == dir) names->push_back(path.substr(dir.size() + 1));
    return Status::Ok();  // std::map: already sorted
  }
  std::string SqliteName(const std::string& path) override {
    // A named in-memory database with a shared cache: every connection of
    // this process opening the same name sees the same database, for as
    // long as one of them stays open. The Env's address keeps two MemEnvs apart.
    return fmt::format("file:memenv{}-{}?mode=memory&cache=shared", reinterpret_cast<uintptr_t>(this),
                       std::hash<std::string>{}(path));
  }
  int64_t NowMicros() override {
    std::lock_guard<std::mutex> l(fs_.mu);
    return now_us_;
  }
  int64_t MonotonicNanos() override {
    std::lock_guard<std::mutex> l(fs_.mu);
    return mono_ns_;
  }
  void SetNowMicros(int64_t t) override {
    std::lock_guard<std::mutex> l(fs_.mu);
    now_us_ = t;
  }
  void AdvanceNanos(int64_t d) override {
    std::lock_guard<std::mutex> l(fs_.mu);
    mono_ns_ += d;
  }

 private:
  MemFiles fs_;
  int64_t now_us_ = 0;
  int64_t mono_ns_ = 0;
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: usable from other statics' destructors
  return env;
}

std::unique_ptr<MemEnv> NewMemEnv() { return std::make_unique<MemEnvImpl>(); }

Status WriteStringToFile(Env* env, const std::string& path, std::string_view data) {
  std::unique_ptr<WritableFile> f;
  Status s = env->NewWritableFile(path, &f);
  if (s.ok()) s = f->Append(data);
  if (s.ok()) s = f->Close();
  return s;
}

}  // namespace interdict
