// vision/source.h — where image bytes come from: a local file or an http(s) URL.
//
// Errors name the cause in plain words without repeating the source (callers show it):
// "no such file", "file is 40 MB, over the 20 MB limit", "cannot connect to ...", "HTTP 404 Not
// Found", "response is larger than the 20 MB limit". Other schemes (file://, ftp://, data:) are
// refused: only local paths and http/https.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/client.h"

namespace altscribe::vision {

struct SourceLimits {
  uint64_t max_file_bytes = 50'000'000;
  http::Limits http;  // max_bytes applies to URLs
};

bool IsUrl(const std::string& source);

Result<std::vector<uint8_t>> LoadSource(const std::string& source, const SourceLimits& limits);

}  // namespace altscribe::vision
