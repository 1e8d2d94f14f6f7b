#include "atproto/syntax/handle.h"

#include <array>

#include "core/text.h"

namespace altscribe::atproto {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

Status Invalid(std::string_view s, const std::string& why) {
  return Status::InvalidArgument("invalid handle '" + std::string(Utf8Prefix(s, 80)) + "': " + why);
}

}  // namespace

Result<Handle> Handle::Parse(std::string_view s) {
  if (s.empty()) return Invalid(s, "empty");
  if (s.size() > kMaxLength) return Invalid(s, "longer than 253 characters");
  size_t labels = 0;
  size_t start = 0;
  std::string_view last;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return Invalid(s, "empty label");
    if (label.size() > 63) return Invalid(s, "label longer than 63 characters");
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return Invalid(s, "character outside [A-Za-z0-9.-]");
    }
    if (label.front() == '-' || label.back() == '-') {
      return Invalid(s, "label starts or ends with '-'");
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return Invalid(s, "needs at least two labels (name.tld)");
  if (!IsAlpha(last.front())) return Invalid(s, "top-level domain must start with a letter");
  return Handle(AsciiLower(s));
}

std::string_view Handle::tld() const {
  std::string_view v(s_);
  return v.substr(v.rfind('.') + 1);
}

bool Handle::HasAllowedTld() const {
  static constexpr std::array<std::string_view, 8> kDisallowed = {
      "alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion"};
  for (std::string_view t : kDisallowed) {
    if (tld() == t) return false;
  }
  return true;
}

}  // namespace altscribe::atproto
