// cli/executor_flags.h — where the bot sends its jobs: --executor local|nats, and the NATS
// connection every fleet command shares (--nats URL[,URL…]; credentials from
// ALTSCRIBE_NATS_TOKEN(_FILE) or ALTSCRIBE_NATS_USER + ALTSCRIBE_NATS_PASSWORD(_FILE), never
// flags).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/flags.h"
#include "core/status.h"
#include "fleet/connect.h"
#include "fleet/wire.h"

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
  std::string executor = "local";  // local | nats
  NatsFlags nats;
  std::string fleet_model;  // nats: the model id the workers announce (altscribe fleet)
  std::string client;       // nats: this bot's results token; "" = derived from --state
  int64_t job_deadline_s = 300;
};

// Registers --executor, the NATS flags, --fleet-model, --nats-client and --job-deadline-s.
void AddExecutorFlags(FlagSet& flags, ExecutorFlags* out);
// Usage problems (unknown executor, nats without --nats or --fleet-model): InvalidArgument.
Status CheckExecutorFlags(const ExecutorFlags& flags);

}  // namespace altscribe::cli
