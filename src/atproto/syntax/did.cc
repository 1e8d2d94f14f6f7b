#include "atproto/syntax/did.h"

#include "core/text.h"

namespace altscribe::atproto {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '%' || c == '-';
}

Status Invalid(std::string_view s, const char* why) {
  return Status::InvalidArgument("invalid DID '" + std::string(Utf8Prefix(s, 80)) + "': " + why);
}

}  // namespace

Result<Did> Did::Parse(std::string_view s) {
  if (s.size() > kMaxLength) return Invalid(s, "longer than 2048 characters");
  if (s.substr(0, 4) != "did:") return Invalid(s, "must start with 'did:'");
  size_t colon = s.find(':', 4);
  if (colon == std::string_view::npos) return Invalid(s, "no ':' after the method");
  std::string_view method = s.substr(4, colon - 4);
  if (method.empty()) return Invalid(s, "empty method");
  for (char c : method) {
    if (c < 'a' || c > 'z') return Invalid(s, "method must be lowercase letters");
  }
  std::string_view id = s.substr(colon + 1);
  if (id.empty()) return Invalid(s, "empty identifier");
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (!IsIdChar(c)) return Invalid(s, "identifier has a character outside [A-Za-z0-9._:%-]");
    if (c == '%' && (i + 2 >= id.size() || !IsHex(id[i + 1]) || !IsHex(id[i + 2]))) {
      return Invalid(s, "'%' must be followed by two hex digits");
    }
  }
  if (id.back() == ':' || id.back() == '%') return Invalid(s, "must not end with ':' or '%'");
  return Did(std::string(s));
}

std::string_view Did::method() const {
  std::string_view v(s_);
  return v.substr(4, v.find(':', 4) - 4);
}

std::string_view Did::identifier() const {
  std::string_view v(s_);
  return v.substr(v.find(':', 4) + 1);
}

Result<std::string> Did::WebHost() const {
  if (!IsWeb()) return Status::InvalidArgument(s_ + ": not a did:web");
  std::string_view id = identifier();
  if (id.find(':') != std::string_view::npos) {
    return Status::InvalidArgument(s_ + ": did:web with a path is not supported by atproto");
  }
  std::string host;
  for (size_t i = 0; i < id.size(); ++i) {
    if (id[i] == '%') {
      if (id.substr(i, 3) != "%3A" && id.substr(i, 3) != "%3a") {
        return Status::InvalidArgument(s_ + ": did:web may only percent-encode the port ':'");
      }
      host += ':';
      i += 2;
    } else {
      host += id[i];
    }
  }
  return host;
}

}  // namespace altscribe::atproto
