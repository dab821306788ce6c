// Status: the result of an operation that can fail for a reason a user must
// read (a missing file, a bad header). Hot paths never throw; they return
// Status or record a reject.
#pragma once
#include <string>
#include <utility>

namespace interdict {

class Status {
 public:
  enum class Code { kOk, kNotFound, kInvalidInput, kIoError, kInternal };
  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Invalid(std::string m) { return Status(Code::kInvalidInput, std::move(m)); }
  static Status Io(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace interdict
