#include "fleet/stream_messages.h"

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "nats/protocol.h"

namespace altscribe::fleet {
namespace {

using nlohmann::json;

constexpr int kNoMessageFound = 10037;

// Sends an API request; returns the JSON reply, nullopt for "no message found", or the error.
Result<std::optional<json>> Api(nats::Connection& conn, const std::string& what,
                                const std::string& subject, const json& body,
                                std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(nats::Message reply, conn.Request(subject, body.dump(), timeout));
  if (reply.status == 503)
    return Status(Code::kNetwork, "jetstream: " + what + ": no responders (JetStream is down)");
  json j = json::parse(reply.data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status(Code::kInternal, "jetstream: " + what + ": reply is not JSON");
  if (j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    int err_code = e.value("err_code", 0);
    if (err_code == kNoMessageFound) return std::optional<json>();
    return Status(Code::kInternal, "jetstream: " + what + ": " + e.value("description", "error") +
                                       " (err_code " + std::to_string(err_code) + ")");
  }
  return std::optional<json>(std::move(j));
}

Result<std::optional<StoredMessage>> Get(nats::Connection& conn, const std::string& stream,
                                         const json& body, std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(std::optional<json> j, Api(conn, "get message from '" + stream + "'",
                                              "$JS.API.STREAM.MSG.GET." + stream, body, timeout));
  if (!j) return std::optional<StoredMessage>();
  if (!j->contains("message") || !(*j)["message"].is_object())
    return Status(Code::kInternal, "jetstream: get message: reply has no message");
  const json& m = (*j)["message"];
  StoredMessage out;
  out.seq = m.value("seq", uint64_t{0});
  out.msg.subject = m.value("subject", "");
  if (m.contains("data") && m["data"].is_string()) {
    ASSIGN_OR_RETURN(out.msg.data, Base64Decode(m["data"].get<std::string>()));
  }
  if (m.contains("hdrs") && m["hdrs"].is_string()) {
    ASSIGN_OR_RETURN(std::string block, Base64Decode(m["hdrs"].get<std::string>()));
    ASSIGN_OR_RETURN(nats::HeaderBlock h, nats::ParseHeaders(block));
    out.msg.headers = std::move(h.fields);
  }
  return std::optional<StoredMessage>(std::move(out));
}

}  // namespace

Result<std::optional<StoredMessage>> GetLastForSubject(nats::Connection& conn,
                                                       const std::string& stream,
                                                       const std::string& subject,
                                                       std::chrono::milliseconds timeout) {
  return Get(conn, stream, json{{"last_by_subj", subject}}, timeout);
}

Result<std::optional<StoredMessage>> GetBySeq(nats::Connection& conn, const std::string& stream,
                                              uint64_t seq, std::chrono::milliseconds timeout) {
  return Get(conn, stream, json{{"seq", seq}}, timeout);
}

Status DeleteMessage(nats::Connection& conn, const std::string& stream, uint64_t seq,
                     std::chrono::milliseconds timeout) {
  auto r =
      Api(conn, "delete message " + std::to_string(seq) + " from '" + stream + "'",
          "$JS.API.STREAM.MSG.DELETE." + stream, json{{"seq", seq}, {"no_erase", true}}, timeout);
  return r.status();
}

}  // namespace altscribe::fleet
