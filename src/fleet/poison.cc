#include "fleet/poison.h"

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "fleet/stream_messages.h"
#include "fleet/wire.h"

namespace altscribe::fleet {

uint64_t ExhaustedJobSeq(std::string_view advisory_json) {
  auto j = nlohmann::json::parse(advisory_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("stream_seq") || !j["stream_seq"].is_number_unsigned())
    return 0;
  return j["stream_seq"].get<uint64_t>();
}

jobs::JobResult FailureResult(const jobs::Job& job, const std::string& message,
                              const std::string& worker) {
  jobs::JobResult r;
  r.id = job.id;
  r.worker = worker;
  for (size_t i = 0; i < job.images.size(); ++i) {
    jobs::JobItem item;
    item.index = static_cast<int>(i);
    item.error = message;
    item.error_code = Code::kInternal;
    r.items.push_back(std::move(item));
  }
  return r;
}

Status StoreResult(nats::JetStream& js, const std::string& reply, const jobs::JobResult& result) {
  auto ack = js.PublishRetrying(reply, result.ToJsonText(), "r-" + JobKey(result.id));
  return ack.status();
}

Status FailExhaustedJob(nats::Connection& conn, nats::JetStream& js, uint64_t seq, int tries,
                        const std::string& who) {
  constexpr auto kTimeout = std::chrono::seconds(5);
  ASSIGN_OR_RETURN(std::optional<StoredMessage> stored, GetBySeq(conn, kJobsStream, seq, kTimeout));
  if (!stored) return Status::Ok();  // another handler got there first
  auto env = DecodeJob(stored->msg);
  if (env.ok()) {
    std::string why =
        "the workers failed on this image " + std::to_string(tries) + " times (it may be corrupt)";
    RETURN_IF_ERROR(StoreResult(js, env->reply, FailureResult(env->job, why, who)));
    LogWarn("job " + env->job.id + " gave up after " + std::to_string(tries) +
            " deliveries; failure result stored");
  } else {
    LogWarn("job at stream sequence " + std::to_string(seq) + " is unreadable (" +
            env.status().message() + "); deleting it");
  }
  return DeleteMessage(conn, kJobsStream, seq, kTimeout);
}

}  // namespace altscribe::fleet
