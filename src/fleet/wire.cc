#include "fleet/wire.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/sha256.h"

namespace altscribe::fleet {
namespace {

std::string Token(std::string_view name, size_t max) {
  std::string out;
  for (char c : name) {
    if (out.size() >= max) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    out.push_back(keep ? c : '-');
  }
  return out.empty() ? "default" : out;
}

}  // namespace

std::string ModelId(std::string_view name) { return Token(name, 64); }
std::string ClientId(std::string_view name) { return Token(name, 64); }
std::string JobKey(std::string_view job_id) { return Sha256Hex(job_id).substr(0, 32); }

std::string JobSubject(std::string_view model_id) {
  return "altscribe.jobs." + std::string(model_id);
}
std::string ResultSubject(std::string_view client, std::string_view key) {
  return "altscribe.results." + std::string(client) + "." + std::string(key);
}
std::string JobsConsumer(std::string_view model_id) { return "jobs-" + std::string(model_id); }
std::string ResultsConsumer(std::string_view client) { return "results-" + std::string(client); }
std::string HeartbeatSubject(std::string_view worker_id) {
  return "altscribe.workers." + std::string(worker_id);
}

namespace {

// Runs `step` until it succeeds or fails for good; JetStream API calls time out or find no
// responders while a cluster elects a leader or is busy creating replicated streams.
template <typename Step>
Status Retrying(Step step) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    Status s = step();
    if (s.ok() || !nats::IsRetryable(s) || std::chrono::steady_clock::now() >= until) return s;
    std::this_thread::sleep_for(delay);
    delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(2));
  }
}

}  // namespace

Status EnsureTopology(nats::JetStream& js, const TopologyOptions& options,
                      std::string_view model_id, std::string_view client) {
  nats::StreamConfig jobs;
  jobs.name = kJobsStream;
  jobs.subjects = {"altscribe.jobs.>"};
  jobs.retention = nats::StreamConfig::Retention::kWorkQueue;
  jobs.memory_storage = options.memory_storage;
  jobs.duplicate_window = std::chrono::minutes(10);
  jobs.replicas = options.replicas;
  RETURN_IF_ERROR(Retrying([&] { return js.AddOrUpdateStream(jobs).status(); }));

  nats::StreamConfig results;
  results.name = kResultsStream;
  results.subjects = {"altscribe.results.>"};
  results.retention = nats::StreamConfig::Retention::kLimits;
  results.memory_storage = options.memory_storage;
  results.duplicate_window = std::chrono::minutes(10);
  results.max_age = std::chrono::hours(24);
  results.replicas = options.replicas;
  RETURN_IF_ERROR(Retrying([&] { return js.AddOrUpdateStream(results).status(); }));

  if (!model_id.empty()) {
    nats::ConsumerConfig c;
    c.durable = JobsConsumer(model_id);
    c.filter_subject = JobSubject(model_id);
    c.ack_wait = options.ack_wait;
    c.max_deliver = options.max_deliver;
    c.max_ack_pending = 10000;
    RETURN_IF_ERROR(Retrying([&] { return js.AddOrUpdateConsumer(kJobsStream, c).status(); }));
  }
  if (!client.empty()) {
    nats::ConsumerConfig c;
    c.durable = ResultsConsumer(client);
    c.filter_subject = ResultSubject(client, "*");
    c.ack_wait = std::chrono::seconds(30);
    c.max_ack_pending = 10000;
    RETURN_IF_ERROR(Retrying([&] { return js.AddOrUpdateConsumer(kResultsStream, c).status(); }));
  }
  return Status::Ok();
}

Result<EncodedJob> EncodeJob(const JobEnvelope& envelope, size_t max_payload) {
  RETURN_IF_ERROR(envelope.job.Validate());
  EncodedJob out;
  out.payload = envelope.job.ToJsonText();
  out.payload.push_back('\n');
  if (out.payload.size() > max_payload)
    return Status::TooLarge("job " + envelope.job.id + ": its JSON alone is " +
                            std::to_string(out.payload.size()) + " bytes, over the server's " +
                            std::to_string(max_payload));
  std::string sizes;
  for (const jobs::JobImage& image : envelope.job.images) {
    if (!sizes.empty()) sizes.push_back(',');
    if (image.bytes && out.payload.size() + image.bytes->size() <= max_payload) {
      out.payload.append(reinterpret_cast<const char*>(image.bytes->data()), image.bytes->size());
      sizes += std::to_string(image.bytes->size());
    } else {
      // Too big to carry (or never fetched): the worker fetches the URL, which must be real.
      if (image.url.rfind("http://", 0) != 0 && image.url.rfind("https://", 0) != 0)
        return Status::TooLarge("job " + envelope.job.id + ": an image of " +
                                std::to_string(image.bytes ? image.bytes->size() : 0) +
                                " bytes does not fit the server's max_payload (" +
                                std::to_string(max_payload) + ") and has no URL to fetch");
      sizes.push_back('-');
    }
  }
  out.headers = {{kImagesHeader, sizes}, {kReplyHeader, envelope.reply}};
  return out;
}

Result<JobEnvelope> DecodeJob(const nats::Message& message) {
  const std::string& data = message.data;
  size_t nl = data.find('\n');
  if (nl == std::string::npos) return Status::InvalidArgument("job message: no JSON line");
  ASSIGN_OR_RETURN(jobs::Job job, jobs::Job::FromJson(std::string_view(data).substr(0, nl)));
  JobEnvelope env;
  env.reply = message.Header(kReplyHeader);
  if (env.reply.rfind("altscribe.results.", 0) != 0)
    return Status::InvalidArgument("job " + job.id + ": missing or foreign reply subject");
  std::string sizes = message.Header(kImagesHeader);
  size_t pos = nl + 1;
  size_t i = 0;
  std::string_view rest = sizes;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (i >= job.images.size())
      return Status::InvalidArgument("job " + job.id + ": more image sizes than images");
    if (item != "-") {
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
      if (ec != std::errc() || p != item.data() + item.size() || item.empty())
        return Status::InvalidArgument("job " + job.id + ": bad image size '" + std::string(item) +
                                       "'");
      if (n > data.size() - pos)
        return Status::InvalidArgument("job " + job.id + ": image " + std::to_string(i + 1) +
                                       " is cut short");
      auto bytes =
          std::make_shared<std::vector<uint8_t>>(data.begin() + pos, data.begin() + pos + n);
      job.images[i].bytes = std::move(bytes);
      pos += n;
    }
    ++i;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (i != job.images.size())
    return Status::InvalidArgument("job " + job.id + ": " + std::to_string(i) +
                                   " image sizes for " + std::to_string(job.images.size()) +
                                   " images");
  if (pos != data.size())
    return Status::InvalidArgument("job " + job.id + ": " + std::to_string(data.size() - pos) +
                                   " stray bytes after the images");
  env.job = std::move(job);
  return env;
}

std::string Heartbeat::ToJson() const {
  nlohmann::json j = {{"worker", worker},  {"host", host},         {"model_id", model_id},
                      {"model", model},    {"capacity", capacity}, {"in_flight", in_flight},
                      {"done", done},      {"failed", failed},     {"started_ms", started_ms},
                      {"sent_ms", sent_ms}};
  return j.dump();
}

Result<Heartbeat> Heartbeat::FromJson(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("worker") || !j["worker"].is_string())
    return Status::InvalidArgument("heartbeat: not a heartbeat object");
  Heartbeat h;
  try {
    h.worker = j.value("worker", "");
    h.host = j.value("host", "");
    h.model_id = j.value("model_id", "");
    h.model = j.value("model", "");
    h.capacity = j.value("capacity", 0);
    h.in_flight = j.value("in_flight", 0);
    h.done = j.value("done", uint64_t{0});
    h.failed = j.value("failed", uint64_t{0});
    h.started_ms = j.value("started_ms", int64_t{0});
    h.sent_ms = j.value("sent_ms", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("heartbeat: ") + e.what());
  }
  return h;
}

}  // namespace altscribe::fleet
