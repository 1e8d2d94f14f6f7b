// core/base64.h — standard base64 (RFC 4648, with padding).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe {

std::string Base64Encode(std::string_view data);
// Strict decoding of the padded standard alphabet: length a multiple of 4, padding only at the
// end, no whitespace. InvalidArgument names the first bad byte.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace altscribe
