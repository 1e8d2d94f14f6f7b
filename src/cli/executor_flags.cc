#include "cli/executor_flags.h"

namespace altscribe::cli {

void AddNatsFlags(FlagSet& flags, NatsFlags* out) {
  flags.String("nats", &out->urls,
               "NATS servers with JetStream, comma-separated (nats://host:4222,...); credentials "
               "from ALTSCRIBE_NATS_TOKEN or ALTSCRIBE_NATS_USER/ALTSCRIBE_NATS_PASSWORD (or "
               "their _FILE forms)",
               "URLS");
  flags.Int("ack-wait-ms", &out->ack_wait_ms,
            "a worker silent this long loses its job to another (30000; workers report "
            "progress every third of it)");
  flags.Int("max-deliver", &out->max_deliver,
            "tries per job before it is given up with a failure reply (3)");
}

Result<fleet::NatsServer> NatsServerFrom(const NatsFlags& flags, const std::string& name) {
  fleet::NatsServer s;
  s.urls = flags.urls;
  s.name = name;
  ASSIGN_OR_RETURN(s.token, ReadSecret("ALTSCRIBE_NATS_TOKEN"));
  if (const char* user = std::getenv("ALTSCRIBE_NATS_USER"); user && *user) {
    s.user = user;
    ASSIGN_OR_RETURN(s.password, ReadSecret("ALTSCRIBE_NATS_PASSWORD"));
  }
  return s;
}

fleet::TopologyOptions TopologyFrom(const NatsFlags& flags) {
  fleet::TopologyOptions t;
  t.ack_wait = std::chrono::milliseconds(flags.ack_wait_ms);
  t.max_deliver = static_cast<int>(flags.max_deliver);
  return t;
}

void AddExecutorFlags(FlagSet& flags, ExecutorFlags* out) {
  flags.String("executor", &out->executor,
               "where images are described: local (this process loads the model; default) or "
               "nats (a fleet of 'altscribe worker's; see altscribe worker --help)",
               "KIND");
  AddNatsFlags(flags, &out->nats);
  flags.String("fleet-model", &out->fleet_model,
               "with --executor nats: the model id whose workers take the jobs (as 'altscribe "
               "fleet' lists it)",
               "ID");
  flags.String("nats-client", &out->client,
               "with --executor nats: this bot's name for its results (default: from --state)",
               "NAME");
  flags.Int("job-deadline-s", &out->job_deadline_s,
            "with --executor nats: seconds to wait for a worker's result before retrying "
            "later (300)");
}

Status CheckExecutorFlags(const ExecutorFlags& flags) {
  if (flags.executor == "local") return Status::Ok();
  if (flags.executor != "nats")
    return Status::InvalidArgument("--executor must be local or nats, not '" + flags.executor +
                                   "'");
  if (flags.nats.urls.empty())
    return Status::InvalidArgument("--executor nats needs --nats URL (a nats-server -js)");
  if (flags.fleet_model.empty())
    return Status::InvalidArgument(
        "--executor nats needs --fleet-model ID (the model id 'altscribe fleet' lists)");
  if (flags.nats.ack_wait_ms < 300 || flags.nats.max_deliver < 1 || flags.job_deadline_s < 1)
    return Status::InvalidArgument(
        "--ack-wait-ms must be at least 300, --max-deliver and --job-deadline-s at least 1");
  return Status::Ok();
}

}  // namespace altscribe::cli
