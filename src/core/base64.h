// core/base64.h — standard base64 (RFC 4648, with padding).
#pragma once

#include <string>
#include <string_view>

namespace altscribe {

std::string Base64Encode(std::string_view data);

}  // namespace altscribe
