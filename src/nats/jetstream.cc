// nats/jetstream.cc — see jetstream.h.
#include "nats/jetstream.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace altscribe::nats {
namespace {

using json = nlohmann::json;

int64_t Nanos(std::chrono::milliseconds d) { return int64_t{d.count()} * 1000000; }

Result<json> ParseReply(const std::string& what, const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Network("jetstream: " + what + ": malformed JSON reply");
  if (j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    return Status::Network("jetstream: " + what + ": " + e.value("description", "error") +
                           " (err_code " + std::to_string(e.value("err_code", 0)) + ")");
  }
  return j;
}

StreamState ToStreamState(const json& j) {
  StreamState s;
  if (j.contains("config")) s.name = j["config"].value("name", "");
  if (j.contains("state")) {
    const json& st = j["state"];
    s.messages = st.value("messages", uint64_t{0});
    s.first_seq = st.value("first_seq", uint64_t{0});
    s.last_seq = st.value("last_seq", uint64_t{0});
    s.consumers = st.value("consumer_count", 0);
  }
  return s;
}

ConsumerState ToConsumerState(const json& j) {
  ConsumerState c;
  c.name = j.value("name", "");
  if (j.contains("delivered")) c.delivered_consumer_seq = j["delivered"].value("consumer_seq", 0);
  c.num_ack_pending = j.value("num_ack_pending", uint64_t{0});
  c.num_redelivered = j.value("num_redelivered", uint64_t{0});
  c.num_pending = j.value("num_pending", uint64_t{0});
  return c;
}

bool IsToken(const std::string& s) {
  return !s.empty() && s.find_first_of(".*> \t\r\n") == std::string::npos;
}

const char* AckBody(AckKind kind) {
  switch (kind) {
    case AckKind::kAck:
      return "+ACK";
    case AckKind::kNak:
      return "-NAK";
    case AckKind::kInProgress:
      return "+WPI";
    case AckKind::kTerm:
      return "+TERM";
  }
  return "+ACK";
}

}  // namespace

bool ParseAckSubject(const std::string& reply, JsMessage* m) {
  std::vector<std::string> t;
  size_t start = 0;
  while (true) {
    size_t dot = reply.find('.', start);
    t.push_back(reply.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (t.size() < 9 || t[0] != "$JS" || t[1] != "ACK") return false;
  size_t base = t.size() == 9 ? 2 : 4;  // v2 adds <domain>.<account hash> before the stream
  if (t.size() != 9 && t.size() < 12) return false;
  auto num = [](const std::string& s, uint64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  m->stream = t[base];
  m->consumer = t[base + 1];
  return num(t[base + 2], &m->delivered) && num(t[base + 3], &m->stream_seq) &&
         num(t[base + 4], &m->consumer_seq);
}

Result<std::string> JetStream::Api(const std::string& what, const std::string& subject,
                                   const std::string& body, const Headers& headers) {
  auto reply = conn_.Request(subject, body, timeout_, headers);
  if (!reply.ok()) {
    if (reply.status().code() == Code::kNotFound) {
      return Status::NotFound("jetstream: " + what + ": no responders on '" + subject +
                              "' (JetStream not enabled, or no stream for this subject)");
    }
    return reply.status().WithPrefix("jetstream: " + what);
  }
  return std::move(reply->data);
}

Result<StreamState> JetStream::CreateStream(const StreamConfig& config) {
  const std::string what = "create stream '" + config.name + "'";
  if (!IsToken(config.name))
    return Status::InvalidArgument("jetstream: bad stream name '" + config.name + "'");
  static const char* kRetention[] = {"limits", "interest", "workqueue"};
  json cfg = {{"name", config.name},
              {"subjects", config.subjects},
              {"retention", kRetention[static_cast<int>(config.retention)]},
              {"storage", config.memory_storage ? "memory" : "file"},
              {"discard", "old"},
              {"max_consumers", -1},
              {"max_msgs", -1},
              {"max_bytes", -1},
              {"max_age", 0},
              {"max_msg_size", -1},
              {"num_replicas", 1}};
  if (config.duplicate_window.count() > 0) {
    cfg["duplicate_window"] = Nanos(config.duplicate_window);
  }
  ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.STREAM.CREATE." + config.name, cfg.dump()));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToStreamState(j);
}

Result<StreamState> JetStream::GetStream(const std::string& name) {
  const std::string what = "stream info '" + name + "'";
  if (!IsToken(name)) return Status::InvalidArgument("jetstream: bad stream name '" + name + "'");
  ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.STREAM.INFO." + name, ""));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToStreamState(j);
}

Result<PubAck> JetStream::Publish(const std::string& subject, std::string_view data,
                                  const std::string& msg_id, Headers headers) {
  const std::string what = "publish to '" + subject + "'";
  if (!msg_id.empty()) headers.emplace_back("Nats-Msg-Id", msg_id);
  auto reply = conn_.Request(subject, data, timeout_, headers);
  if (!reply.ok()) {
    if (reply.status().code() == Code::kNotFound) {
      return Status::NotFound("jetstream: " + what + ": no responders (no stream stores '" +
                              subject + "', or its leader is being elected)");
    }
    return reply.status().WithPrefix("jetstream: " + what);
  }
  ASSIGN_OR_RETURN(json j, ParseReply(what, reply->data));
  PubAck ack;
  ack.stream = j.value("stream", "");
  ack.seq = j.value("seq", uint64_t{0});
  ack.duplicate = j.value("duplicate", false);
  if (ack.stream.empty()) return Status::Network("jetstream: " + what + ": reply is no PubAck");
  return ack;
}

Result<ConsumerState> JetStream::CreateDurable(const std::string& stream,
                                               const ConsumerConfig& config) {
  const std::string what = "create consumer '" + config.durable + "' on '" + stream + "'";
  if (!IsToken(stream) || !IsToken(config.durable)) {
    return Status::InvalidArgument("jetstream: " + what + ": bad stream or consumer name");
  }
  json cfg = {{"durable_name", config.durable},    {"deliver_policy", "all"},
              {"ack_policy", "explicit"},          {"ack_wait", Nanos(config.ack_wait)},
              {"max_deliver", config.max_deliver}, {"max_ack_pending", config.max_ack_pending},
              {"replay_policy", "instant"}};
  if (!config.filter_subject.empty()) cfg["filter_subject"] = config.filter_subject;
  json req = {{"stream_name", stream}, {"config", cfg}};
  ASSIGN_OR_RETURN(
      std::string body,
      Api(what, "$JS.API.CONSUMER.DURABLE.CREATE." + stream + "." + config.durable, req.dump()));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToConsumerState(j);
}

Result<ConsumerState> JetStream::GetConsumer(const std::string& stream,
                                             const std::string& consumer) {
  const std::string what = "consumer info '" + consumer + "' on '" + stream + "'";
  if (!IsToken(stream) || !IsToken(consumer)) {
    return Status::InvalidArgument("jetstream: " + what + ": bad stream or consumer name");
  }
  ASSIGN_OR_RETURN(std::string body,
                   Api(what, "$JS.API.CONSUMER.INFO." + stream + "." + consumer, ""));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToConsumerState(j);
}

Result<std::vector<JsMessage>> JetStream::Fetch(const std::string& stream,
                                                const std::string& consumer, int batch,
                                                std::chrono::milliseconds expires) {
  const std::string what = "fetch from '" + stream + "." + consumer + "'";
  if (!IsToken(stream) || !IsToken(consumer) || batch < 1) {
    return Status::InvalidArgument("jetstream: " + what + ": bad stream, consumer or batch");
  }
  auto queue = std::make_shared<MessageQueue>();
  const std::string inbox = conn_.NewInbox();
  ASSIGN_OR_RETURN(uint64_t sid,
                   conn_.Subscribe(inbox, [queue](Message m) { queue->Push(std::move(m)); }));
  json req = {{"batch", batch}, {"expires", Nanos(expires)}};
  Status s =
      conn_.Publish("$JS.API.CONSUMER.MSG.NEXT." + stream + "." + consumer, req.dump(), {}, inbox);
  std::vector<JsMessage> out;
  // The server ends the request itself at `expires` (408); the margin covers the round trip.
  auto deadline = std::chrono::steady_clock::now() + expires + std::chrono::milliseconds(2000);
  while (s.ok() && static_cast<int>(out.size()) < batch) {
    auto m = queue->Pop(deadline);
    if (!m) {
      s = conn_.status();
      break;
    }
    if (m->status == 404 || m->status == 408) break;  // no messages / request expired
    if (m->status == 503) {
      s = Status::NotFound("jetstream: " + what + ": no responders (no such consumer?)");
      break;
    }
    if (m->status == 409) {  // consumer deleted, max waiting exceeded, ...
      if (out.empty()) s = Status::Network("jetstream: " + what + ": " + m->description);
      break;
    }
    if (m->status != 0) continue;  // 100 idle heartbeat / flow control
    JsMessage jm;
    if (!ParseAckSubject(m->reply, &jm)) continue;
    jm.msg = std::move(*m);
    out.push_back(std::move(jm));
  }
  conn_.Unsubscribe(sid);
  if (!s.ok()) return s.code() == Code::kNotFound ? s : s.WithPrefix("jetstream: " + what);
  return out;
}

Status JetStream::Ack(const JsMessage& m, AckKind kind) {
  if (m.msg.reply.empty()) return Status::InvalidArgument("jetstream: message has no reply");
  return conn_.Publish(m.msg.reply, AckBody(kind));
}

Status JetStream::AckSync(const JsMessage& m, AckKind kind) {
  if (m.msg.reply.empty()) return Status::InvalidArgument("jetstream: message has no reply");
  auto r = conn_.Request(m.msg.reply, AckBody(kind), timeout_);
  return r.ok() ? Status::Ok()
                : r.status().WithPrefix(std::string("jetstream: ") + AckBody(kind) +
                                        " for stream seq " + std::to_string(m.stream_seq));
}

}  // namespace altscribe::nats
