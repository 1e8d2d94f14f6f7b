#include "core/status.h"

namespace altscribe {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kNotFound:
      return "not found";
    case Code::kIoError:
      return "I/O error";
    case Code::kNetwork:
      return "network error";
    case Code::kTooLarge:
      return "too large";
    case Code::kUnsupported:
      return "unsupported";
    case Code::kModel:
      return "model error";
    case Code::kTimeout:
      return "timeout";
    case Code::kInternal:
      return "internal error";
  }
  return "unknown";
}

}  // namespace altscribe
