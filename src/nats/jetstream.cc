// nats/jetstream.cc — see jetstream.h: the API call, streams and consumers. Publishing,
// fetching and acknowledging are in jetstream_messages.cc.
#include "nats/jetstream.h"

#include <nlohmann/json.hpp>

#include "nats/jetstream_reply.h"

namespace altscribe::nats {

namespace internal {

Result<nlohmann::json> ParseReply(const std::string& what, const std::string& body) {
  using json = nlohmann::json;
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Network("jetstream: " + what + ": malformed JSON reply");
  if (j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    std::string text = "jetstream: " + what + ": " + e.value("description", "error") +
                       " (err_code " + std::to_string(e.value("err_code", 0)) + ")";
    switch (e.value("code", 0)) {
      case 400:
        return Status::InvalidArgument(text);
      case 404:
        return Status::NotFound(text);
      case 503:
        return Status::Network(text);
      default:
        return Status::Internal(text);
    }
  }
  return j;
}

}  // namespace internal

namespace {

using json = nlohmann::json;
using internal::IsToken;
using internal::ParseReply;

StreamState ToStreamState(const json& j) {
  StreamState s;
  if (j.contains("config") && j["config"].is_object()) {
    s.config = StreamConfigFromJson(j["config"]);
    s.name = s.config.name;
  }
  if (j.contains("cluster") && j["cluster"].is_object()) {
    s.leader = j["cluster"].value("leader", "");
  }
  if (j.contains("state") && j["state"].is_object()) {
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
  if (j.contains("delivered") && j["delivered"].is_object()) {
    c.delivered_consumer_seq = j["delivered"].value("consumer_seq", uint64_t{0});
  }
  c.num_ack_pending = j.value("num_ack_pending", uint64_t{0});
  c.num_redelivered = j.value("num_redelivered", uint64_t{0});
  c.num_pending = j.value("num_pending", uint64_t{0});
  if (j.contains("config") && j["config"].is_object()) {
    c.config = ConsumerConfigFromJson(j["config"]);
  }
  return c;
}

Status BadStream(const std::string& name) {
  return Status::InvalidArgument("jetstream: bad stream name '" + name + "'");
}

}  // namespace

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
  if (!IsToken(config.name)) return BadStream(config.name);
  ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.STREAM.CREATE." + config.name,
                                         StreamConfigJson(config).dump()));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToStreamState(j);
}

Result<StreamState> JetStream::GetStream(const std::string& name) {
  const std::string what = "stream info '" + name + "'";
  if (!IsToken(name)) return BadStream(name);
  ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.STREAM.INFO." + name, ""));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToStreamState(j);
}

Result<StreamState> JetStream::AddOrUpdateStream(const StreamConfig& config) {
  if (!IsToken(config.name)) return BadStream(config.name);
  // Two rounds: a create that loses a race with another process finds the stream next time.
  for (int round = 0;; ++round) {
    auto existing = GetStream(config.name);
    if (!existing.ok()) {
      if (existing.status().code() != Code::kNotFound ||
          existing.status().message().find("no responders") != std::string::npos) {
        return existing.status();
      }
      auto created = CreateStream(config);
      if (created.ok() || round > 0) return created;
      continue;
    }
    std::string why = StreamIncompatibility(existing->config, config);
    if (!why.empty()) {
      return Status::InvalidArgument("jetstream: stream '" + config.name + "' exists but its " +
                                     why + " (delete it first)");
    }
    if (!StreamNeedsUpdate(existing->config, config)) return existing;
    const std::string what = "update stream '" + config.name + "'";
    ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.STREAM.UPDATE." + config.name,
                                           StreamConfigJson(config).dump()));
    ASSIGN_OR_RETURN(json j, ParseReply(what, body));
    return ToStreamState(j);
  }
}

Status JetStream::DeleteStream(const std::string& name) {
  const std::string what = "delete stream '" + name + "'";
  if (!IsToken(name)) return BadStream(name);
  ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.STREAM.DELETE." + name, ""));
  return ParseReply(what, body).status();
}

Result<ConsumerState> JetStream::CreateDurable(const std::string& stream,
                                               const ConsumerConfig& config) {
  const std::string what = "create consumer '" + config.durable + "' on '" + stream + "'";
  if (!IsToken(stream) || !IsToken(config.durable)) {
    return Status::InvalidArgument("jetstream: " + what + ": bad stream or consumer name");
  }
  json req = {{"stream_name", stream}, {"config", ConsumerConfigJson(config)}};
  ASSIGN_OR_RETURN(
      std::string body,
      Api(what, "$JS.API.CONSUMER.DURABLE.CREATE." + stream + "." + config.durable, req.dump()));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToConsumerState(j);
}

Result<ConsumerState> JetStream::CreateConsumer(const std::string& stream,
                                                const ConsumerConfig& config) {
  if (!config.durable.empty()) return CreateDurable(stream, config);
  const std::string what = "create ephemeral consumer on '" + stream + "'";
  if (!IsToken(stream)) return BadStream(stream);
  json req = {{"stream_name", stream}, {"config", ConsumerConfigJson(config)}};
  ASSIGN_OR_RETURN(std::string body, Api(what, "$JS.API.CONSUMER.CREATE." + stream, req.dump()));
  ASSIGN_OR_RETURN(json j, ParseReply(what, body));
  return ToConsumerState(j);
}

Result<ConsumerState> JetStream::AddOrUpdateConsumer(const std::string& stream,
                                                     const ConsumerConfig& config) {
  if (config.durable.empty()) return CreateConsumer(stream, config);
  if (!IsToken(stream) || !IsToken(config.durable)) {
    return Status::InvalidArgument("jetstream: consumer '" + config.durable + "' on '" + stream +
                                   "': bad stream or consumer name");
  }
  for (int round = 0;; ++round) {
    auto existing = GetConsumer(stream, config.durable);
    if (!existing.ok()) {
      if (existing.status().code() != Code::kNotFound ||
          existing.status().message().find("no responders") != std::string::npos) {
        return existing.status();
      }
      auto created = CreateDurable(stream, config);
      if (created.ok() || round > 0) return created;
      continue;
    }
    std::string why = ConsumerIncompatibility(existing->config, config);
    if (!why.empty()) {
      return Status::InvalidArgument("jetstream: consumer '" + config.durable + "' on '" + stream +
                                     "' exists but its " + why + " (delete it first)");
    }
    if (!ConsumerNeedsUpdate(existing->config, config)) return existing;
    // The create request with a changed config updates a durable in place.
    return CreateDurable(stream, config);
  }
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

Status JetStream::DeleteConsumer(const std::string& stream, const std::string& consumer) {
  const std::string what = "delete consumer '" + consumer + "' on '" + stream + "'";
  if (!IsToken(stream) || !IsToken(consumer)) {
    return Status::InvalidArgument("jetstream: " + what + ": bad stream or consumer name");
  }
  ASSIGN_OR_RETURN(std::string body,
                   Api(what, "$JS.API.CONSUMER.DELETE." + stream + "." + consumer, ""));
  return ParseReply(what, body).status();
}

}  // namespace altscribe::nats
