// nats/protocol.h — the NATS client protocol's text pieces, as pure functions (no I/O).
//
// Written from the protocol spec (docs.nats.io "Client Protocol"): control lines end in CRLF;
// MSG/HMSG carry a byte count and the payload follows; headers are a "NATS/1.0[ status [text]]"
// line, "Key: Value" lines and an empty line. Nothing here touches a socket, so every parser is
// tested value by value in protocol_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::nats {

// Header fields in wire order; a key may repeat.
using Headers = std::vector<std::pair<std::string, std::string>>;

// What the server announces in INFO (the fields this client uses).
struct ServerInfo {
  std::string server_id;
  std::string version;
  int64_t max_payload = 1024 * 1024;
  bool headers = false;
  bool auth_required = false;
  bool jetstream = false;
  std::string server_name;                // "" when the server has none
  std::string cluster;                    // the cluster name, "" when not clustered
  std::vector<std::string> connect_urls;  // "host:port" of the cluster's client listeners
};
// Parses the JSON after "INFO ". Fails on malformed JSON.
Result<ServerInfo> ParseInfo(std::string_view json);

// The arguments of a MSG or HMSG control line. header_bytes is 0 for MSG.
struct MsgHead {
  std::string subject;
  uint64_t sid = 0;
  std::string reply;  // "" when the message has no reply subject
  size_t header_bytes = 0;
  size_t total_bytes = 0;  // headers + payload
};
// Parses what follows "MSG " (has_headers false) or "HMSG " (true). Fails with a one-line
// Status on a wrong token count, a non-numeric size, or header_bytes > total_bytes.
Result<MsgHead> ParseMsgArgs(std::string_view args, bool has_headers);

// A decoded header block: the status line's code (0 when absent) and text, and the fields.
struct HeaderBlock {
  int status = 0;
  std::string description;
  Headers fields;
};
// Parses "NATS/1.0[ code[ text]]\r\n(Key: Value\r\n)*\r\n". Fails on a missing version line.
Result<HeaderBlock> ParseHeaders(std::string_view block);
// Encodes fields as a header block (version line, fields, blank line). Keys and values must not
// contain CR or LF (checked by ValidateHeaders).
std::string EncodeHeaders(const Headers& fields);
Status ValidateHeaders(const Headers& fields);

// A subject is non-empty, has no whitespace and no empty token ("a..b", ".a", "a.").
// Wildcards ('*', '>') are allowed only when `allow_wildcards`.
bool IsValidSubject(std::string_view subject, bool allow_wildcards);

// The CONNECT line (with trailing CRLF) this client sends: verbose=false, pedantic=false,
// headers=true, no_responders=true, lang "cpp"; user/pass or auth_token when non-empty.
std::string ConnectLine(const std::string& name, const std::string& user, const std::string& pass,
                        const std::string& token);

// The text inside -ERR '...' (quotes removed, trimmed).
std::string ParseErrText(std::string_view args);

}  // namespace altscribe::nats
