// The fleet against a real nats-server: NatsExecutor on one side, Worker on the other. The
// workers here run jobs through a small in-test executor (it "describes" an image by its size),
// so these tests exercise the queue itself; tests/fleet runs real `altscribe worker` processes
// with the tiny model.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "fleet/nats_executor.h"
#include "fleet/worker.h"
#include "nats/test_server.h"

namespace altscribe::fleet {
namespace {

using namespace std::chrono_literals;

// Answers every image with "<size> bytes" (or fails the whole job while `fail` is set).
class SizeExecutor final : public jobs::Executor {
 public:
  std::atomic<int> runs{0};
  std::atomic<bool> fail{false};
  std::chrono::milliseconds delay{0};
  Status Submit(jobs::Job job, Done done) override {
    ++runs;
    std::thread([this, job = std::move(job), done = std::move(done)] {
      std::this_thread::sleep_for(delay);
      if (fail) return done(Status(Code::kModel, "the model crashed"));
      jobs::JobResult r;
      r.id = job.id;
      r.model = "size-model";
      for (size_t i = 0; i < job.images.size(); ++i) {
        jobs::JobItem item;
        item.index = static_cast<int>(i);
        item.text =
            std::to_string(job.images[i].bytes ? job.images[i].bytes->size() : 0) + " bytes";
        r.items.push_back(item);
      }
      done(std::move(r));
    }).detach();
    return Status::Ok();
  }
  void Shutdown(std::chrono::milliseconds) override {}
};

jobs::Job MakeJob(const std::string& id, size_t bytes) {
  jobs::Job job;
  job.id = id;
  jobs::JobImage img;
  img.url = "https://pds.example/blob/" + id.substr(id.rfind('/') + 1);
  img.bytes = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>(bytes, 1));
  job.images.push_back(img);
  return job;
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.status().ok()) << server_.status().message(); }
  NatsServer Server() const {
    return NatsServer{"nats://127.0.0.1:" + std::to_string(server_.port()), "", "", "", ""};
  }
  TopologyOptions Topology() const {
    TopologyOptions t;
    t.ack_wait = 2s;
    t.max_deliver = 3;
    return t;
  }
  std::unique_ptr<NatsExecutor> StartExecutor(const std::string& client,
                                              std::chrono::milliseconds deadline = 30s) {
    NatsExecutorOptions o;
    o.server = Server();
    o.model_id = "tiny";
    o.client = client;
    o.topology = Topology();
    o.job_deadline = deadline;
    auto e = NatsExecutor::Start(o);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  struct RunningWorker {
    std::unique_ptr<Worker> worker;
    std::thread thread;
    ~RunningWorker() {
      worker->RequestStop();
      thread.join();
    }
  };
  std::unique_ptr<RunningWorker> StartWorker(jobs::Executor& executor, const std::string& id,
                                             int capacity = 2) {
    WorkerOptions o;
    o.server = Server();
    o.model_id = "tiny";
    o.model_name = "size-model";
    o.worker_id = id;
    o.capacity = capacity;
    o.topology = Topology();
    o.heartbeat_interval = 200ms;
    auto rw = std::make_unique<RunningWorker>();
    rw->worker = std::make_unique<Worker>(o, executor);
    Worker* w = rw->worker.get();
    rw->thread = std::thread([w] {
      Status s = w->Run();
      EXPECT_TRUE(s.ok()) << s.message();
    });
    return rw;
  }

  nats::testing::NatsServer server_;
};

TEST_F(FleetTest, JobsAreSharedByTwoWorkersAndEachIsAnsweredOnce) {
  SizeExecutor model_a, model_b;
  auto a = StartWorker(model_a, "worker-a");
  auto b = StartWorker(model_b, "worker-b");
  auto executor = StartExecutor("bot-1");
  ASSERT_TRUE(executor);
  model_a.delay = model_b.delay = 20ms;
  constexpr int kJobs = 40;
  std::vector<std::future<Result<jobs::JobResult>>> futures;
  for (int i = 0; i < kJobs; ++i)
    futures.push_back(jobs::SubmitFuture(
        *executor, MakeJob("at://did:plc:x/app.bsky.feed.post/" + std::to_string(i), 100 + i)));
  std::map<std::string, int> workers;
  for (int i = 0; i < kJobs; ++i) {
    auto r = futures[i].get();
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->items.size(), 1u);
    EXPECT_EQ(r->items[0].text, std::to_string(100 + i) + " bytes");  // bytes travelled intact
    ++workers[r->worker];
  }
  EXPECT_EQ(model_a.runs + model_b.runs, kJobs);  // none twice
  EXPECT_EQ(workers.size(), 2u) << "both workers took jobs";
  EXPECT_EQ(executor->InFlight(), 0u);
}

TEST_F(FleetTest, AResultThatCameWhileTheBotWasDownIsFoundWithoutRunningTheJobAgain) {
  SizeExecutor model;
  auto w = StartWorker(model, "worker-a");
  jobs::Job job = MakeJob("at://did:plc:x/app.bsky.feed.post/recover", 64);
  {
    auto first = StartExecutor("bot-r");
    ASSERT_TRUE(first);
    model.delay = 2500ms;  // longer than the receiver's one blocking fetch
    std::future<Result<jobs::JobResult>> f = jobs::SubmitFuture(*first, job);
    // The "bot" stops before the answer comes: its job is cancelled as "retry later".
    std::this_thread::sleep_for(100ms);
    first->Shutdown(0ms);
    auto r = f.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kNetwork);
  }
  std::this_thread::sleep_for(3500ms);  // the worker finishes and stores the result meanwhile
  EXPECT_EQ(model.runs, 1);
  auto second = StartExecutor("bot-r");
  ASSERT_TRUE(second);
  auto r = jobs::SubmitAndWait(*second, job);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->items[0].text, "64 bytes");
  EXPECT_EQ(model.runs, 1) << "the stored result was used; the job did not run again";
}

TEST_F(FleetTest, AJobThatKeepsFailingGetsAFailureResultAndTheWorkerCarriesOn) {
  SizeExecutor model;
  model.fail = true;
  auto w = StartWorker(model, "worker-a", 1);
  auto executor = StartExecutor("bot-p");
  ASSERT_TRUE(executor);
  auto r = jobs::SubmitAndWait(*executor, MakeJob("at://did:plc:x/app.bsky.feed.post/p", 10));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 1u);
  ASSERT_FALSE(r->items[0].ok());
  EXPECT_NE(r->items[0].error->find("the model crashed"), std::string::npos) << *r->items[0].error;
  EXPECT_EQ(model.runs, 3) << "tried max_deliver times";
  model.fail = false;
  auto next = jobs::SubmitAndWait(*executor, MakeJob("at://did:plc:x/app.bsky.feed.post/n", 5));
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->items[0].text, "5 bytes");
}

TEST_F(FleetTest, WithNoWorkerTheJobTimesOutAsRetryLater) {
  auto executor = StartExecutor("bot-t", 1500ms);
  ASSERT_TRUE(executor);
  auto r = jobs::SubmitAndWait(*executor, MakeJob("at://did:plc:x/app.bsky.feed.post/t", 10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_NE(r.status().message().find("no worker for model 'tiny'"), std::string::npos);
  // A worker that comes later takes the queued job; a retry of it gets the answer.
  SizeExecutor model;
  auto w = StartWorker(model, "late-worker");
  auto again = jobs::SubmitAndWait(*executor, MakeJob("at://did:plc:x/app.bsky.feed.post/t", 10));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(model.runs, 1);
}

TEST_F(FleetTest, RefusedJobsNeverReachTheQueue) {
  auto executor = StartExecutor("bot-v");
  ASSERT_TRUE(executor);
  jobs::Job other = MakeJob("at://did:plc:x/app.bsky.feed.post/m", 10);
  other.model = "some-other-model";
  Status s = executor->Submit(other, [](Result<jobs::JobResult>) { FAIL() << "called"; });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  jobs::Job empty;
  empty.id = "x";
  EXPECT_FALSE(executor->Submit(empty, [](Result<jobs::JobResult>) { FAIL(); }).ok());
}

TEST_F(FleetTest, NatsDownForAWhileDelaysJobsButLosesNone) {
  SizeExecutor model;
  auto w = StartWorker(model, "worker-a");
  auto executor = StartExecutor("bot-d", 60s);
  ASSERT_TRUE(executor);
  ASSERT_TRUE(
      jobs::SubmitAndWait(*executor, MakeJob("at://did:plc:x/app.bsky.feed.post/d0", 1)).ok());
  server_.Stop();
  // Jobs submitted while NATS is down are accepted and wait.
  std::vector<std::future<Result<jobs::JobResult>>> futures;
  for (int i = 1; i <= 5; ++i)
    futures.push_back(jobs::SubmitFuture(
        *executor, MakeJob("at://did:plc:x/app.bsky.feed.post/d" + std::to_string(i), i)));
  std::this_thread::sleep_for(3s);
  for (auto& f : futures) EXPECT_EQ(f.wait_for(0s), std::future_status::timeout);
  ASSERT_TRUE(server_.Start().ok());
  for (int i = 1; i <= 5; ++i) {
    auto r = futures[i - 1].get();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->items[0].text, std::to_string(i) + " bytes");
  }
  EXPECT_EQ(model.runs, 6);
}

TEST(FleetClusterTest, KillingTheStreamLeaderWhileAHundredJobsFlowLosesNoneAndAnswersEachOnce) {
  nats::testing::TestCluster cluster(3);
  ASSERT_TRUE(cluster.status().ok()) << cluster.status().message();
  TopologyOptions topology;
  topology.ack_wait = 10s;
  topology.max_deliver = 5;
  topology.replicas = 3;
  NatsServer server{cluster.urls(), "", "", "", ""};
  SizeExecutor model_a, model_b;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  // Stops and joins the workers however the test ends (an ASSERT returns early).
  struct Joiner {
    std::vector<std::unique_ptr<Worker>>& workers;
    std::vector<std::thread>& threads;
    ~Joiner() {
      for (auto& w : workers) w->RequestStop();
      for (auto& t : threads) t.join();
    }
  } joiner{workers, threads};
  for (auto* m : {&model_a, &model_b}) {
    WorkerOptions o;
    o.server = server;
    o.model_id = "tiny";
    o.worker_id = "w" + std::to_string(workers.size());
    o.capacity = 4;
    o.topology = topology;
    workers.push_back(std::make_unique<Worker>(o, *m));
    Worker* w = workers.back().get();
    threads.emplace_back([w] { EXPECT_TRUE(w->Run().ok()); });
  }
  NatsExecutorOptions eo;
  eo.server = server;
  eo.model_id = "tiny";
  eo.client = "bot-c";
  eo.topology = topology;
  eo.job_deadline = 120s;
  auto executor = NatsExecutor::Start(eo);
  ASSERT_TRUE(executor.ok()) << executor.status().message();
  model_a.delay = model_b.delay = 20ms;
  std::map<std::string, int> answers;
  std::mutex mu;
  std::atomic<int> finished{0};
  for (int i = 0; i < 100; ++i) {
    std::string id = "at://did:plc:x/app.bsky.feed.post/c" + std::to_string(i);
    ASSERT_TRUE((*executor)
                    ->Submit(MakeJob(id, 10 + i),
                             [&, id, i](Result<jobs::JobResult> r) {
                               std::lock_guard<std::mutex> lock(mu);
                               if (r.ok() && r->items[0].text == std::to_string(10 + i) + " bytes")
                                 ++answers[id];
                               else
                                 answers[id] += 1000;  // a wrong or failed answer
                               ++finished;
                             })
                    .ok());
    if (i == 30) {
      auto killed = cluster.KillStreamLeader(kJobsStream);
      ASSERT_TRUE(killed.ok()) << killed.status().message();
    }
  }
  auto until = std::chrono::steady_clock::now() + 90s;
  while (finished < 100 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(finished, 100);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(answers.size(), 100u);
    for (const auto& [id, n] : answers) EXPECT_EQ(n, 1) << id;
  }
  std::printf("100 jobs through a stream leader change: %d model runs\n",
              model_a.runs + model_b.runs);
  (*executor)->Shutdown(0ms);
}

}  // namespace
}  // namespace altscribe::fleet
