#include "serve/access.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>

#include "core/files.h"
#include "core/text.h"

namespace altscribe::serve {
namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Result<std::vector<std::string>> Access::ParseTokenFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(path, 1'000'000));
  std::string text(bytes.begin(), bytes.end());
  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line(Trim(std::string_view(text).substr(pos, nl - pos)));
    if (!line.empty() && line[0] != '#') {
      if (line.find_first_of(" \t") != std::string::npos) {
        return Status::InvalidArgument(path + ": a token may not contain spaces");
      }
      tokens.push_back(line);
    }
    pos = nl + 1;
  }
  if (tokens.empty()) return Status::InvalidArgument(path + ": no token in the file");
  return tokens;
}

Result<std::vector<std::string>> Access::FromEnvironment() {
  if (const char* file = std::getenv("ALTSCRIBE_SERVE_TOKEN_FILE"); file && *file) {
    return ParseTokenFile(file);
  }
  if (const char* token = std::getenv("ALTSCRIBE_SERVE_TOKEN"); token && *token) {
    std::string t(Trim(token));
    if (t.empty()) return Status::InvalidArgument("ALTSCRIBE_SERVE_TOKEN is blank");
    return std::vector<std::string>{t};
  }
  return std::vector<std::string>{};
}

AccessDecision Access::Check(std::string_view authorization, std::string_view remote_addr) const {
  using Kind = AccessDecision::Kind;
  if (tokens_.empty()) {
    if (IsLoopbackAddress(remote_addr)) return {};
    return {Kind::kForbidden, "",
            "this server has no API token configured, so only loopback callers may use it"};
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || !StartsWithIgnoreCase(authorization, kBearer)) {
    return {Kind::kUnauthorized, "", "an API token is required: Authorization: Bearer TOKEN"};
  }
  std::string given(Trim(authorization.substr(kBearer.size())));
  int match = -1;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    // Compare with every token (no early exit) so timing says nothing about which matched.
    if (ConstantTimeEquals(given, tokens_[i]) && match < 0) match = static_cast<int>(i);
  }
  if (match < 0) return {Kind::kUnauthorized, "", "the API token is not valid"};
  return {Kind::kAllowed, "token " + std::to_string(match + 1), ""};
}

bool IsLoopbackAddress(std::string_view addr) {
  std::string a(addr);
  in_addr v4{};
  if (inet_pton(AF_INET, a.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, a.c_str(), &v6) != 1) return false;
  static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
  if (std::memcmp(&v6, &kLoopback, sizeof v6) == 0) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

}  // namespace altscribe::serve
