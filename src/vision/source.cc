#include "vision/source.h"

#include <cstdint>

#include "core/files.h"

namespace altscribe::vision {

bool IsUrl(const std::string& source) { return source.find("://") != std::string::npos; }

Result<std::vector<uint8_t>> LoadSource(const std::string& source, const SourceLimits& limits) {
  if (!IsUrl(source)) {
    auto bytes = ReadFileBytes(source, limits.max_file_bytes);
    if (bytes.ok()) return bytes;
    // ReadFileBytes names the path; the caller does too, so keep only the cause.
    const std::string& m = bytes.status().message();
    std::string cause = m.rfind(source + ": ", 0) == 0 ? m.substr(source.size() + 2) : m;
    return Status(bytes.status().code(), cause);
  }
  std::string scheme = source.substr(0, source.find("://"));
  if (scheme != "http" && scheme != "https") {
    return Status::Unsupported("unsupported URL scheme '" + scheme + "' (only http and https)");
  }
  auto resp = http::Get(source, limits.http);
  if (!resp.ok()) return resp.status();
  if (resp->status < 200 || resp->status >= 300) {
    Code code = resp->status == 404 || resp->status == 410 ? Code::kNotFound : Code::kNetwork;
    return Status(code, "the server answered " + http::StatusText(resp->status));
  }
  return std::vector<uint8_t>(resp->body.begin(), resp->body.end());
}

}  // namespace altscribe::vision
