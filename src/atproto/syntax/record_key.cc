#include "atproto/syntax/record_key.h"

#include "core/text.h"

namespace altscribe::atproto {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '~' || c == '.' || c == ':' || c == '-';
}

Status Invalid(std::string_view s, const char* why) {
  return Status::InvalidArgument("invalid record key '" + std::string(Utf8Prefix(s, 80)) +
                                 "': " + why);
}

}  // namespace

Result<RecordKey> RecordKey::Parse(std::string_view s) {
  if (s.empty()) return Invalid(s, "empty");
  if (s.size() > kMaxLength) return Invalid(s, "longer than 512 characters");
  if (s == "." || s == "..") return Invalid(s, "'.' and '..' are not allowed");
  for (char c : s) {
    if (!IsKeyChar(c)) return Invalid(s, "character outside [A-Za-z0-9_~.:-]");
  }
  return RecordKey(std::string(s));
}

}  // namespace altscribe::atproto
