// core/status.h — errors as values.
//
// Status carries a code and a one-line, human-readable message that names the input and the
// cause ("photo.jpg: truncated JPEG data"). Result<T> holds either a value or a non-OK Status.
// Both are cheap on success and never throw. Modelled on leveldb::Status.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace altscribe {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad flag, bad image bytes)
  kNotFound,         // a file, URL or model that does not exist
  kIoError,          // reading or writing a local file failed
  kNetwork,          // connection, DNS, TLS or HTTP-level failure
  kTooLarge,         // a size or pixel limit was exceeded
  kUnsupported,      // a format or feature altscribe does not handle
  kModel,            // the model could not be loaded or failed to run
  kTimeout,
  kInternal,
};

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Network(std::string m) { return {Code::kNetwork, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
  static Status Model(std::string m) { return {Code::kModel, std::move(m)}; }
  static Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "prefix: message" (e.g. the file name in front).
  Status WithPrefix(const std::string& prefix) const {
    return ok() ? *this : Status(code_, prefix + ": " + message_);
  }

  // A short name of the code ("not found", "too large", ...) for logs and JSON.
  static const char* CodeName(Code code);

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a T or a non-OK Status. REQUIRES: value() only when ok().
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace altscribe

#define ALTSCRIBE_CONCAT_INNER(a, b) a##b
#define ALTSCRIBE_CONCAT(a, b) ALTSCRIBE_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(status_expr): returns the Status from the enclosing function if not OK.
#define RETURN_IF_ERROR(expr)         \
  do {                                \
    ::altscribe::Status _st = (expr); \
    if (!_st.ok()) return _st;        \
  } while (0)

// ASSIGN_OR_RETURN(lhs, result_expr): unwraps a Result<T> or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(ALTSCRIBE_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
