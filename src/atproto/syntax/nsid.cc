#include "atproto/syntax/nsid.h"

#include <vector>

#include "core/text.h"

namespace altscribe::atproto {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

Status Invalid(std::string_view s, const char* why) {
  return Status::InvalidArgument("invalid NSID '" + std::string(Utf8Prefix(s, 80)) + "': " + why);
}

}  // namespace

Result<Nsid> Nsid::Parse(std::string_view s) {
  if (s.size() > kMaxLength) return Invalid(s, "longer than 317 characters");
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    segments.push_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (segments.size() < 3) return Invalid(s, "needs at least three segments");
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view seg = segments[i];
    if (seg.empty()) return Invalid(s, "empty segment");
    if (seg.size() > 63) return Invalid(s, "segment longer than 63 characters");
    if (i + 1 == segments.size()) {
      if (!IsAlpha(seg.front())) return Invalid(s, "name must start with a letter");
      for (char c : seg) {
        if (!IsAlnum(c)) return Invalid(s, "name must be letters and digits only");
      }
      continue;
    }
    for (char c : seg) {
      if (!IsAlnum(c) && c != '-') return Invalid(s, "character outside [A-Za-z0-9.-]");
    }
    if (seg.front() == '-' || seg.back() == '-') {
      return Invalid(s, "segment starts or ends with '-'");
    }
    if (i == 0 && !IsAlpha(seg.front()))
      return Invalid(s, "first segment must start with a letter");
  }
  if (s.rfind('.') > 253) return Invalid(s, "domain authority longer than 253 characters");
  return Nsid(std::string(s));
}

std::string_view Nsid::authority() const {
  std::string_view v(s_);
  return v.substr(0, v.rfind('.'));
}

std::string_view Nsid::name() const {
  std::string_view v(s_);
  return v.substr(v.rfind('.') + 1);
}

}  // namespace altscribe::atproto
