// Byte sources: a file or standard input, plain or gzip (detected by its magic
// bytes, so `calls.csv.gz` and a gzip stream piped to stdin both work).
//
// Ownership: a ByteSource owns its file descriptor (stdin is not closed).
// Thread safety: none.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

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

}  // namespace interdict
