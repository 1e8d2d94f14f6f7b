// nats/protocol.cc — see protocol.h.
#include "nats/protocol.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace altscribe::nats {
namespace {

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ServerInfo> ParseInfo(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Network("nats: malformed INFO from server");
  ServerInfo info;
  info.server_id = j.value("server_id", "");
  info.version = j.value("version", "");
  info.max_payload = j.value("max_payload", int64_t{1024 * 1024});
  info.headers = j.value("headers", false);
  info.auth_required = j.value("auth_required", false);
  info.jetstream = j.value("jetstream", false);
  info.server_name = j.value("server_name", "");
  info.cluster = j.value("cluster", "");
  if (auto it = j.find("connect_urls"); it != j.end() && it->is_array()) {
    for (const auto& u : *it) {
      if (u.is_string()) info.connect_urls.push_back(u.get<std::string>());
    }
  }
  return info;
}

Result<MsgHead> ParseMsgArgs(std::string_view args, bool has_headers) {
  const char* verb = has_headers ? "HMSG" : "MSG";
  auto t = SplitSpaces(args);
  size_t sizes = has_headers ? 2 : 1;
  if (t.size() != 2 + sizes && t.size() != 3 + sizes) {
    return Status::Network(std::string("nats: malformed ") + verb + " line: '" +
                           std::string(args.substr(0, 200)) + "'");
  }
  MsgHead h;
  h.subject = std::string(t[0]);
  if (!ParseUint(t[1], &h.sid)) {
    return Status::Network(std::string("nats: bad sid in ") + verb + " line");
  }
  if (t.size() == 3 + sizes) h.reply = std::string(t[2]);
  uint64_t hdr = 0, total = 0;
  if (!ParseUint(t.back(), &total) || (has_headers && !ParseUint(t[t.size() - 2], &hdr)) ||
      hdr > total) {
    return Status::Network(std::string("nats: bad size in ") + verb + " line: '" +
                           std::string(args.substr(0, 200)) + "'");
  }
  h.header_bytes = hdr;
  h.total_bytes = total;
  return h;
}

Result<HeaderBlock> ParseHeaders(std::string_view block) {
  constexpr std::string_view kVersion = "NATS/1.0";
  if (block.substr(0, kVersion.size()) != kVersion) {
    return Status::Network("nats: header block does not start with NATS/1.0");
  }
  HeaderBlock out;
  size_t eol = block.find("\r\n");
  std::string_view first = block.substr(kVersion.size(), eol - kVersion.size());
  first = Trim(first);
  if (!first.empty()) {
    size_t sp = first.find(' ');
    std::string_view code = first.substr(0, sp);
    uint64_t c = 0;
    if (!ParseUint(code, &c) || c > 999) return Status::Network("nats: bad header status line");
    out.status = static_cast<int>(c);
    if (sp != std::string_view::npos) out.description = std::string(Trim(first.substr(sp + 1)));
  }
  size_t pos = eol == std::string_view::npos ? block.size() : eol + 2;
  while (pos < block.size()) {
    size_t end = block.find("\r\n", pos);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::Network("nats: malformed header line '" + std::string(line.substr(0, 100)) +
                             "'");
    }
    out.fields.emplace_back(std::string(Trim(line.substr(0, colon))),
                            std::string(Trim(line.substr(colon + 1))));
  }
  return out;
}

Status ValidateHeaders(const Headers& fields) {
  for (const auto& [k, v] : fields) {
    if (k.empty() || k.find_first_of("\r\n: ") != std::string::npos ||
        v.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("nats: invalid header '" + k + "'");
    }
  }
  return Status::Ok();
}

std::string EncodeHeaders(const Headers& fields) {
  std::string out = "NATS/1.0\r\n";
  for (const auto& [k, v] : fields) out += k + ": " + v + "\r\n";
  out += "\r\n";
  return out;
}

bool IsValidSubject(std::string_view subject, bool allow_wildcards) {
  if (subject.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = subject.find('.', start);
    std::string_view tok = subject.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (tok.empty()) return false;
    for (char c : tok) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return false;
    }
    if (tok.find_first_of("*>") != std::string_view::npos) {
      if (!allow_wildcards || tok.size() != 1) return false;
      if (tok == ">" && dot != std::string_view::npos) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string ConnectLine(const std::string& name, const std::string& user, const std::string& pass,
                        const std::string& token) {
  nlohmann::json j = {{"verbose", false}, {"pedantic", false},    {"tls_required", false},
                      {"lang", "cpp"},    {"version", "0.1.0"},   {"protocol", 1},
                      {"headers", true},  {"no_responders", true}};
  if (!name.empty()) j["name"] = name;
  if (!user.empty()) {
    j["user"] = user;
    j["pass"] = pass;
  }
  if (!token.empty()) j["auth_token"] = token;
  return "CONNECT " + j.dump() + "\r\n";
}

std::string ParseErrText(std::string_view args) {
  args = Trim(args);
  if (args.size() >= 2 && args.front() == '\'' && args.back() == '\'') {
    args = args.substr(1, args.size() - 2);
  }
  return std::string(Trim(args));
}

}  // namespace altscribe::nats
