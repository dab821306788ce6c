// Byte sources: a file or standard input, plain or gzip (detected by its magic
// bytes, so `calls.csv.gz` and a gzip stream piped to stdin both work).
//
// Ownership: a ByteSource owns its file descriptor (stdin is not closed).
// Thread safety: none.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace interdict {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf. Returns bytes read; 0 at end. A read or
  // decompression error sets error() and returns 0.
  virtual size_t Read(char* buf, size_t n) = 0;
  const Status& error() const { return error_; }

 protected:
  Status error_;
};

// Opens `path` ("-" = standard input). Fails with a one-line message naming the
// path and the reason (missing, unreadable, a directory).
Status OpenByteSource(const std::string& path, std::unique_ptr<ByteSource>* out);

// Bytes held in memory (tests, fuzzing), at most `max_read` per Read() so that
// records cross every refill. Borrows `data`, which must outlive the source.
std::unique_ptr<ByteSource> MemoryByteSource(std::string_view data, size_t max_read = SIZE_MAX);

}  // namespace interdict
