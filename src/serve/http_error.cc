#include "serve/http_error.h"

#include <nlohmann/json.hpp>

#include "core/pipeline_metrics.h"

namespace altscribe::serve {

std::string ErrorJson(int status, std::string_view code, std::string_view message) {
  nlohmann::json j = {
      {"error", std::string(message)}, {"code", std::string(code)}, {"status", status}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendError(httplib::Response& res, int status, std::string_view code,
               std::string_view message) {
  res.status = status;
  res.set_content(ErrorJson(status, code, message), "application/json");
  metrics::RecordError(code);
}

const char* DefaultErrorCode(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "unprocessable";
    case 429:
      return "rate_limited";
    case 503:
      return "not_ready";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

int HttpStatusForDescribeError(Code code) {
  switch (code) {
    case Code::kTooLarge:
      return 413;
    case Code::kUnsupported:
      return 415;
    case Code::kInvalidArgument:
    case Code::kNotFound:
      return 422;
    case Code::kTimeout:
      return 504;
    default:
      return 500;
  }
}

}  // namespace altscribe::serve
