#include "base/bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace interdict {

namespace {

size_t ReadFd(int fd, char* buf, size_t n, Status* err) {
  for (;;) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    *err = Status::Io(fmt::format("read failed: {}", std::strerror(errno)));
    return 0;
  }
}

class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string prefix) : fd_(fd), owned_(owned), prefix_(std::move(prefix)) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  size_t Read(char* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return ReadFd(fd_, buf, n, &error_);
  }

 private:
  int fd_;
  bool owned_;
  std::string prefix_;  // bytes already read while sniffing the format
  size_t pos_ = 0;
};

// zlib inflate over a descriptor; handles concatenated gzip members.
class GzipSource : public ByteSource {
 public:
  GzipSource(int fd, bool owned, std::string prefix) : fd_(fd), owned_(owned), in_(1 << 18) {
    std::memset(&zs_, 0, sizeof zs_);
    inflateInit2(&zs_, 15 + 32);
    std::memcpy(in_.data(), prefix.data(), prefix.size());
    zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
    zs_.avail_in = static_cast<uInt>(prefix.size());
  }
  ~GzipSource() override {
    inflateEnd(&zs_);
    if (owned_) ::close(fd_);
  }
  size_t Read(char* buf, size_t n) override {
    if (done_) return 0;
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    while (zs_.avail_out > 0) {
      if (zs_.avail_in == 0) {
        size_t r = ReadFd(fd_, in_.data(), in_.size(), &error_);
        if (!error_.ok()) return 0;
        if (r == 0) {
          if (!member_clean_) error_ = Status::Io("gzip stream truncated");
          done_ = true;
          break;
        }
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(r);
      }
      member_clean_ = false;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_clean_ = true;
        inflateReset(&zs_);  // a following member, if any, continues the stream
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error_ = Status::Io(fmt::format("gzip data corrupt: {}", zs_.msg ? zs_.msg : "inflate error"));
        done_ = true;
        return 0;
      }
    }
    return n - zs_.avail_out;
  }

 private:
  int fd_;
  bool owned_;
  std::vector<char> in_;
  z_stream zs_;
  bool done_ = false;
  bool member_clean_ = true;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(std::string_view data, size_t max_read) : data_(data), max_read_(max_read) {}
  size_t Read(char* buf, size_t n) override {
    const size_t k = std::min({n, data_.size() - pos_, max_read_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string_view data_;
  size_t max_read_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> MemoryByteSource(std::string_view data, size_t max_read) {
  return std::make_unique<MemorySource>(data, max_read == 0 ? 1 : max_read);
}

Status OpenByteSource(const std::string& path, std::unique_ptr<ByteSource>* out) {
  int fd;
  bool owned = true;
  if (path == "-") {
    fd = 0;
    owned = false;
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      if (e == ENOENT) return Status::NotFound(fmt::format("{}: no such file", path));
      return Status::Io(fmt::format("{}: cannot open: {}", path, std::strerror(e)));
    }
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status::Invalid(fmt::format("{}: is a directory, expected a file", path));
    }
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  // Sniff two bytes for the gzip magic.
  std::string prefix(2, '\0');
  size_t got = 0;
  Status err;
  while (got < 2) {
    size_t r = ReadFd(fd, prefix.data() + got, 2 - got, &err);
    if (!err.ok()) {
      if (owned) ::close(fd);
      return Status::Io(fmt::format("{}: {}", path, err.message()));
    }
    if (r == 0) break;
    got += r;
  }
  prefix.resize(got);
  if (got == 2 && static_cast<unsigned char>(prefix[0]) == 0x1f && static_cast<unsigned char>(prefix[1]) == 0x8b) {
    *out = std::make_unique<GzipSource>(fd, owned, std::move(prefix));
  } else {
    *out = std::make_unique<FdSource>(fd, owned, std::move(prefix));
  }
  return Status::Ok();
}

}  // namespace interdict
