// Closing a written stdio file so that a failed write (disk full, I/O error)
// is reported, not lost: fclose's result and the stream's error flag both count.
#pragma once
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "base/status.h"

namespace interdict {

// Closes *f (if open), sets it to nullptr. `path` names the file in the error.
inline Status CloseChecked(std::FILE** f, const std::string& path) {
  if (!*f) return Status::Ok();
  bool bad = std::ferror(*f) != 0;
  bad |= std::fclose(*f) != 0;
  *f = nullptr;
  if (bad) return Status::Io(fmt::format("{}: write failed", path));
  return Status::Ok();
}

}  // namespace interdict
