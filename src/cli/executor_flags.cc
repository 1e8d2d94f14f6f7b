#include "cli/executor_flags.h"

#include <filesystem>

#include "bacalhau/client.h"
#include "bacalhau/executor.h"
#include "bacalhau/sqlite_submission_store.h"
#include "core/log.h"
#include "fleet/nats_executor.h"
#include "storage/archiving_executor.h"
#include "storage/result_archive.h"
#include "storage/s3_credentials.h"
#include "storage/s3_options.h"

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
               "where images are described: local (this process loads the model; default), "
               "nats (a fleet of 'altscribe worker's; see altscribe worker --help) or bacalhau "
               "(a batch job per mention on a Bacalhau network; docs/bacalhau.md)",
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
  flags.String("bacalhau", &out->bacalhau,
               "with --executor bacalhau: the orchestrator API (API key from BACALHAU_API_KEY "
               "or BACALHAU_API_KEY_FILE)",
               "URL");
  flags.String("bacalhau-image", &out->bacalhau_image,
               "the worker image the jobs run (deploy/worker.Dockerfile; default " +
                   std::string(bacalhau::kDefaultImage) + ")",
               "IMAGE");
  flags.String("bacalhau-publisher", &out->bacalhau_publisher,
               "where Bacalhau publishes results: s3managed (default) or s3", "KIND");
  flags.String("bacalhau-cpu", &out->bacalhau_cpu, "CPU per job (2)", "CPU");
  flags.String("bacalhau-memory", &out->bacalhau_memory, "memory per job (16Gb)", "SIZE");
  flags.String("bacalhau-gpu", &out->bacalhau_gpu, "GPUs per job (1; 0 = none)", "N");
  flags.Int("bacalhau-timeout-s", &out->bacalhau_timeout_s,
            "a job's execution timeout in seconds (300); stopped past it");
  flags.String("results-s3", &out->results_s3,
               "also archive every result as JSON in S3: s3://BUCKET[/PREFIX][?endpoint=URL&"
               "region=R&path_style=1] (keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
               "--s3-credentials-file)",
               "URL");
  flags.String("s3-credentials-file", &out->s3_credentials_file,
               "key = value lines: access_key_id, secret_access_key[, session_token]", "FILE");
}

Status CheckExecutorFlags(const ExecutorFlags& flags) {
  if (!flags.results_s3.empty()) {
    auto o = storage::S3Options::Parse(flags.results_s3);
    if (!o.ok()) return Status::InvalidArgument("--results-s3: " + o.status().message());
  }
  if (flags.executor == "local") return Status::Ok();
  if (flags.executor == "bacalhau") {
    if (flags.bacalhau.empty())
      return Status::InvalidArgument("--executor bacalhau needs --bacalhau URL (the orchestrator)");
    if (flags.bacalhau_timeout_s < 1)
      return Status::InvalidArgument("--bacalhau-timeout-s must be at least 1");
    return Status::Ok();
  }
  if (flags.executor != "nats")
    return Status::InvalidArgument("--executor must be local, nats or bacalhau, not '" +
                                   flags.executor + "'");
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

namespace {

// The bacalhau executor's submission records live beside the bot's state, in the same file.
struct OwningBacalhau final : jobs::Executor {
  std::unique_ptr<bacalhau::SqliteSubmissionStore> store;
  std::unique_ptr<bacalhau::BacalhauExecutor> executor;
  Status Submit(jobs::Job job, Done done) override {
    return executor->Submit(std::move(job), std::move(done));
  }
  void Shutdown(std::chrono::milliseconds grace) override { executor->Shutdown(grace); }
  ~OwningBacalhau() override { executor.reset(); }  // before the store
};

}  // namespace

Result<std::unique_ptr<jobs::Executor>> MakeRemoteExecutor(const ExecutorFlags& flags,
                                                           const std::string& state,
                                                           std::function<size_t()>* in_flight) {
  if (flags.executor == "nats") {
    ASSIGN_OR_RETURN(fleet::NatsServer server, NatsServerFrom(flags.nats, "altscribe-bot"));
    fleet::NatsExecutorOptions no;
    no.server = server;
    no.model_id = fleet::ModelId(flags.fleet_model);
    std::string client = flags.client;
    if (client.empty())
      client =
          "bot-" + fleet::JobKey(std::filesystem::weakly_canonical(state).string()).substr(0, 12);
    no.client = fleet::ClientId(client);
    no.topology = TopologyFrom(flags.nats);
    no.job_deadline = std::chrono::seconds(flags.job_deadline_s);
    auto ne = fleet::NatsExecutor::Start(no);
    if (!ne.ok()) return ne.status().WithPrefix("--executor nats");
    fleet::NatsExecutor* raw = ne->get();
    *in_flight = [raw] { return raw->InFlight(); };
    LogInfo("sending jobs to the fleet's '" + no.model_id + "' workers over NATS (client " +
            no.client + ")");
    return std::unique_ptr<jobs::Executor>(std::move(ne).value());
  }
  auto owner = std::make_unique<OwningBacalhau>();
  ASSIGN_OR_RETURN(owner->store, bacalhau::SqliteSubmissionStore::Open(state));
  bacalhau::BacalhauExecutorOptions bo;
  bo.client.endpoint = flags.bacalhau;
  ASSIGN_OR_RETURN(bo.client.api_key, bacalhau::LoadApiKey());
  if (!flags.bacalhau_image.empty()) bo.spec.image = flags.bacalhau_image;
  bo.spec.publisher = flags.bacalhau_publisher;
  bo.spec.cpu = flags.bacalhau_cpu;
  bo.spec.memory = flags.bacalhau_memory;
  bo.spec.gpu = flags.bacalhau_gpu == "0" ? "" : flags.bacalhau_gpu;
  bo.spec.execution_timeout_s = static_cast<int>(flags.bacalhau_timeout_s);
  bo.spec.total_timeout_s = static_cast<int>(flags.bacalhau_timeout_s) + bo.spec.queue_timeout_s;
  bo.store = owner->store.get();
  auto be = bacalhau::BacalhauExecutor::Create(std::move(bo));
  if (!be.ok()) return be.status().WithPrefix("--executor bacalhau");
  owner->executor = std::move(be).value();
  bacalhau::BacalhauExecutor* raw = owner->executor.get();
  *in_flight = [raw] { return raw->InFlight(); };
  LogInfo("sending each job to the Bacalhau network at " + flags.bacalhau);
  return std::unique_ptr<jobs::Executor>(std::move(owner));
}

Result<std::unique_ptr<jobs::Executor>> MaybeArchive(const ExecutorFlags& flags,
                                                     std::unique_ptr<jobs::Executor> inner) {
  if (flags.results_s3.empty()) return inner;
  ASSIGN_OR_RETURN(storage::S3Options options, storage::S3Options::Parse(flags.results_s3));
  auto creds = flags.s3_credentials_file.empty()
                   ? storage::S3Credentials::FromEnv()
                   : storage::S3Credentials::FromFile(flags.s3_credentials_file);
  if (!creds.ok()) return creds.status().WithPrefix("--results-s3");
  auto archive = storage::ResultArchive::Open(options, *creds);
  if (!archive.ok()) return archive.status().WithPrefix("--results-s3");
  std::shared_ptr<const storage::ResultArchive> shared(std::move(archive).value());
  LogInfo("archiving every result to " + flags.results_s3);
  return std::unique_ptr<jobs::Executor>(
      std::make_unique<storage::ArchivingExecutor>(std::move(inner), shared));
}

}  // namespace altscribe::cli
