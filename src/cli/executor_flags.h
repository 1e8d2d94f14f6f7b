// cli/executor_flags.h — where the bot sends its jobs: --executor local|nats|bacalhau, the NATS
// connection every fleet command shares (--nats URL[,URL…]; credentials from
// ALTSCRIBE_NATS_TOKEN(_FILE) or ALTSCRIBE_NATS_USER + ALTSCRIBE_NATS_PASSWORD(_FILE), never
// flags), the Bacalhau orchestrator (API key from BACALHAU_API_KEY(_FILE)), and the optional S3
// archive of every result (--results-s3; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or
// --s3-credentials-file).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cli/flags.h"
#include "core/status.h"
#include "fleet/connect.h"
#include "fleet/wire.h"
#include "jobs/executor.h"

namespace altscribe::cli {

struct NatsFlags {
  std::string urls;
  int64_t ack_wait_ms = 30000;
  int64_t max_deliver = 3;
};

// Registers --nats, --ack-wait-ms and --max-deliver.
void AddNatsFlags(FlagSet& flags, NatsFlags* out);
// The server list and credentials (from the environment). `name` is the connection name.
Result<fleet::NatsServer> NatsServerFrom(const NatsFlags& flags, const std::string& name);
fleet::TopologyOptions TopologyFrom(const NatsFlags& flags);

struct ExecutorFlags {
  std::string executor = "local";  // local | nats | bacalhau
  NatsFlags nats;
  std::string fleet_model;  // nats: the model id the workers announce (altscribe fleet)
  std::string client;       // nats: this bot's results token; "" = derived from --state
  int64_t job_deadline_s = 300;
  // bacalhau
  std::string bacalhau, bacalhau_image, bacalhau_publisher = "s3managed";
  std::string bacalhau_cpu = "2", bacalhau_memory = "16Gb", bacalhau_gpu = "1";
  int64_t bacalhau_timeout_s = 300;
  // every executor
  std::string results_s3, s3_credentials_file;
};

// Registers --executor, the NATS flags, --fleet-model, --nats-client, --job-deadline-s, the
// --bacalhau* flags, --results-s3 and --s3-credentials-file.
void AddExecutorFlags(FlagSet& flags, ExecutorFlags* out);
// Usage problems (unknown executor, nats without --nats or --fleet-model, bacalhau without
// --bacalhau, a bad --results-s3 URL): InvalidArgument.
Status CheckExecutorFlags(const ExecutorFlags& flags);

// The executor for --executor nats or bacalhau (REQUIRES: not local). `state` is the bot's
// state file: it names the NATS results client and holds the Bacalhau submission records.
// `in_flight` gets a function counting the jobs in hand (for metrics).
Result<std::unique_ptr<jobs::Executor>> MakeRemoteExecutor(const ExecutorFlags& flags,
                                                           const std::string& state,
                                                           std::function<size_t()>* in_flight);
// With --results-s3, wraps `inner` so every result is also archived to S3 (the bucket is
// created if missing, so a wrong endpoint or key fails here); else returns `inner`.
Result<std::unique_ptr<jobs::Executor>> MaybeArchive(const ExecutorFlags& flags,
                                                     std::unique_ptr<jobs::Executor> inner);

}  // namespace altscribe::cli
