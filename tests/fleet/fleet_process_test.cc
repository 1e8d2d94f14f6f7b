// Real `altscribe worker` processes with the tiny model, a real nats-server, and the bot's
// NatsExecutor: the faults of a fleet — a worker killed mid-job, a poison image that crashes the
// worker every time — and `altscribe fleet`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "fleet/nats_executor.h"
#include "http_server.h"
#include "image_fixtures.h"
#include "nats/test_server.h"
#include "subprocess.h"
#include "test_env.h"

namespace altscribe::fleet {
namespace {

using namespace std::chrono_literals;
using altscribe::testing::AltscribeBin;
using altscribe::testing::BackgroundProcess;
using altscribe::testing::ReadWholeFile;

jobs::Job ImageJob(const std::string& id, std::vector<uint8_t> bytes) {
  jobs::Job job;
  job.id = id;
  jobs::JobImage img;
  img.url = "https://pds.example/blob/" + id.substr(id.rfind('/') + 1);
  img.bytes = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  job.images.push_back(img);
  return job;
}

class FleetProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.status().ok()) << server_.status().message();
    dir_ = altscribe::testing::MakeTempDir("fleet-process");
  }

  // Starts `altscribe worker` for the tiny model as model id "tiny".
  std::unique_ptr<BackgroundProcess> StartWorker(const std::string& id, bool supervise,
                                                 std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {AltscribeBin(),
                                     "worker",
                                     "--nats",
                                     server_.url(),
                                     "--model",
                                     altscribe::testing::TinyModelPath(),
                                     "--mmproj",
                                     altscribe::testing::TinyMmprojPath(),
                                     "--model-id",
                                     "tiny",
                                     "--worker-id",
                                     id,
                                     "--ocr=false",
                                     "--threads",
                                     "2",
                                     "--ctx",
                                     "1024",
                                     "--ack-wait-ms",
                                     "2000",
                                     "--max-deliver",
                                     "3",
                                     std::string("--supervise=") + (supervise ? "true" : "false")};
    env.push_back("ALTSCRIBE_LOG=debug");
    return std::make_unique<BackgroundProcess>(argv, env, Log(id));
  }
  std::string Log(const std::string& id) const { return dir_ + "/" + id + ".log"; }

  // Waits until `text` appears in the worker's log.
  bool WaitForLog(const std::string& id, const std::string& text,
                  std::chrono::milliseconds timeout = 60s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (ReadWholeFile(Log(id)).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  std::unique_ptr<NatsExecutor> StartExecutor() {
    NatsExecutorOptions o;
    o.server.urls = server_.url();
    o.model_id = "tiny";
    o.client = "bot";
    o.topology.ack_wait = 2s;
    o.topology.max_deliver = 3;
    o.job_deadline = 120s;
    auto e = NatsExecutor::Start(o);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  nats::testing::NatsServer server_;
  std::string dir_;
};

TEST_F(FleetProcessTest, AWorkerKilledMidJobLosesNothingAndAnotherFinishesItOnce) {
  auto executor = StartExecutor();
  ASSERT_TRUE(executor);
  // Worker A is slow (a long job): it takes the job and is killed while working on it.
  auto a = StartWorker("worker-a", false, {"ALTSCRIBE_FAULT_JOB_DELAY_MS=60000"});
  ASSERT_TRUE(WaitForLog("worker-a", "taking jobs")) << ReadWholeFile(Log("worker-a"));
  std::string id = "at://did:plc:x/app.bsky.feed.post/killed";
  auto future = jobs::SubmitFuture(*executor, ImageJob(id, testing::MakeJpeg(64, 48)));
  ASSERT_TRUE(WaitForLog("worker-a", "job " + id)) << ReadWholeFile(Log("worker-a"));
  ::kill(a->pid(), SIGKILL);
  // Worker B takes the job once A's ack_wait (2 s) has passed.
  auto b = StartWorker("worker-b", false);
  ASSERT_EQ(future.wait_for(90s), std::future_status::ready) << ReadWholeFile(Log("worker-b"));
  auto r = future.get();
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_TRUE(r->items[0].ok()) << r->items[0].error.value_or("");
  EXPECT_FALSE(r->items[0].text.empty());
  EXPECT_EQ(r->worker, "worker-b");
  EXPECT_NE(ReadWholeFile(Log("worker-b")).find("job " + id + " (delivery 2)"), std::string::npos);
  // Exactly one result was stored for it.
  nats::ConnectOptions co = server_.options();
  auto conn = nats::Connection::Connect(co);
  ASSERT_TRUE(conn.ok());
  nats::JetStream js(**conn);
  auto results = js.GetStream(kResultsStream);
  ASSERT_TRUE(results.ok());
  EXPECT_EQ(results->messages, 1u);
}

TEST_F(FleetProcessTest, APoisonImageIsGivenUpAfterThreeTriesAndTheWorkerSurvives) {
  auto executor = StartExecutor();
  ASSERT_TRUE(executor);
  auto w = StartWorker("worker-p", true, {"ALTSCRIBE_FAULT_POISON=POISON-7f3a"});
  ASSERT_TRUE(WaitForLog("worker-p", "taking jobs")) << ReadWholeFile(Log("worker-p"));
  std::vector<uint8_t> poison = testing::MakeJpeg(64, 48);
  for (char c : std::string("POISON-7f3a")) poison.push_back(static_cast<uint8_t>(c));
  auto r =
      jobs::SubmitAndWait(*executor, ImageJob("at://did:plc:x/app.bsky.feed.post/poison", poison));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 1u);
  ASSERT_FALSE(r->items[0].ok());
  EXPECT_NE(r->items[0].error->find("failed on this image 3 times"), std::string::npos)
      << *r->items[0].error;
  std::string log = ReadWholeFile(Log("worker-p"));
  EXPECT_NE(log.find("died (signal 6"), std::string::npos) << log;
  // The same supervised worker goes on answering good jobs.
  EXPECT_TRUE(w->running());
  auto good = jobs::SubmitAndWait(
      *executor, ImageJob("at://did:plc:x/app.bsky.feed.post/good", testing::MakeJpeg(64, 48)));
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_TRUE(good->items[0].ok()) << good->items[0].error.value_or("");
  EXPECT_EQ(good->worker, "worker-p");
}

TEST_F(FleetProcessTest, FleetListsLiveWorkersAndTheirQueue) {
  auto w1 = StartWorker("worker-1", true);
  auto w2 = StartWorker("worker-2", true);
  ASSERT_TRUE(WaitForLog("worker-1", "taking jobs"));
  ASSERT_TRUE(WaitForLog("worker-2", "taking jobs"));
  auto out = altscribe::testing::RunProcess(
      {AltscribeBin(), "fleet", "--nats", server_.url(), "--wait-ms", "2500"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("worker-1"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("worker-2"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("queue tiny: 0 waiting"), std::string::npos) << out.out;
  // SIGTERM stops a supervised worker cleanly (exit 0).
  pid_t pid = w1->pid();
  ::kill(pid, SIGTERM);
  int status = 0;
  auto until = std::chrono::steady_clock::now() + 30s;
  while (waitpid(pid, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(ReadWholeFile(Log("worker-1")).find("stopped after 0 job(s)"), std::string::npos);
}

TEST_F(FleetProcessTest, WorkerUsageErrorsAreOneClearLine) {
  auto none = altscribe::testing::RunProcess({AltscribeBin(), "worker", "--model",
                                              altscribe::testing::TinyModelPath(), "--mmproj",
                                              altscribe::testing::TinyMmprojPath()});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--nats URL (fleet mode) or --job FILE --out FILE"), std::string::npos)
      << none.err;
  auto gone = altscribe::testing::RunProcess(
      {AltscribeBin(), "worker", "--nats", "nats://127.0.0.1:1", "--model",
       altscribe::testing::TinyModelPath(), "--mmproj", altscribe::testing::TinyMmprojPath()});
  EXPECT_EQ(gone.exit_code, 1) << gone.err;
  EXPECT_NE(gone.err.find("altscribe worker: error:"), std::string::npos) << gone.err;
  // The bot's executor flags.
  struct Case {
    std::vector<std::string> args;
    const char* expect;
  } cases[] = {
      {{"--executor", "gpu"}, "--executor must be local, nats or bacalhau, not 'gpu'"},
      {{"--executor", "nats"}, "--executor nats needs --nats URL"},
      {{"--executor", "nats", "--nats", "nats://127.0.0.1:1"}, "needs --fleet-model ID"},
      {{"--executor", "bacalhau"}, "--executor bacalhau needs --bacalhau URL"},
      {{"--results-s3", "https://bucket"}, "--results-s3: expected s3://BUCKET"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {AltscribeBin(), "bot", "--state", dir_ + "/bot.db"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = altscribe::testing::RunProcess(argv);
    EXPECT_EQ(r.exit_code, 2) << c.expect;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  }
  auto fleet = altscribe::testing::RunProcess({AltscribeBin(), "fleet"});
  EXPECT_EQ(fleet.exit_code, 2);
  EXPECT_NE(fleet.err.find("--nats URL is required"), std::string::npos);
}

TEST_F(FleetProcessTest, BatchModeRunsOneJobFileAndWritesItsResult) {
  // As a Bacalhau batch job runs it: the Job JSON as an input file, images fetched by URL.
  altscribe::testing::HttpServer http;
  ASSERT_TRUE(http.Start().ok());
  std::vector<uint8_t> jpeg = testing::MakeJpeg(64, 48);
  http.ServeBytes("/a.jpg", std::string(jpeg.begin(), jpeg.end()));
  jobs::Job job;
  job.id = "at://did:plc:x/app.bsky.feed.post/batch";
  for (const char* path : {"/a.jpg", "/missing.jpg"}) {
    jobs::JobImage img;
    img.url = "http://127.0.0.1:" + std::to_string(http.port()) + path;
    job.images.push_back(img);
  }
  std::string job_file = altscribe::testing::WriteWholeFile(dir_ + "/job.json", job.ToJsonText());
  std::string out_file = dir_ + "/result.json";
  std::vector<std::string> argv = {AltscribeBin(), "worker",
                                   "--job",        job_file,
                                   "--out",        out_file,
                                   "--model",      altscribe::testing::TinyModelPath(),
                                   "--mmproj",     altscribe::testing::TinyMmprojPath(),
                                   "--ocr=false",  "--allow-private-fetch"};
  auto r = altscribe::testing::RunProcess(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto result = jobs::JobResult::FromJson(ReadWholeFile(out_file));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(jobs::CheckResultMatches(job, *result).ok());
  EXPECT_TRUE(result->items[0].ok()) << result->items[0].error.value_or("");
  ASSERT_FALSE(result->items[1].ok());  // a per-image failure is part of the answer
  EXPECT_NE(r.out.find(job.id), std::string::npos) << "the result goes to stdout too";

  // Without --allow-private-fetch the loopback URL is refused (SSRF guard), per image.
  argv.pop_back();
  auto guarded = altscribe::testing::RunProcess(argv);
  ASSERT_EQ(guarded.exit_code, 0) << guarded.err;
  auto g = jobs::JobResult::FromJson(ReadWholeFile(out_file));
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->items[0].ok());
  EXPECT_EQ(http.RequestCount("/a.jpg"), 1u) << "no request reached the server the second time";

  // A job file that is not a job: one clear line, exit 1, no result written.
  std::string bad = altscribe::testing::WriteWholeFile(dir_ + "/bad.json", "{\"id\": 3}");
  auto refused = altscribe::testing::RunProcess(
      {AltscribeBin(), "worker", "--job", bad, "--out", dir_ + "/none.json", "--model",
       altscribe::testing::TinyModelPath(), "--mmproj", altscribe::testing::TinyMmprojPath()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("altscribe worker: error: " + bad), std::string::npos) << refused.err;
  EXPECT_TRUE(ReadWholeFile(dir_ + "/none.json").empty());
}

}  // namespace
}  // namespace altscribe::fleet
