// BacalhauExecutor end to end against the wire fake: every outcome of the executor contract.
#include "bacalhau/executor.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "bacalhau/fake_server.h"

namespace altscribe::bacalhau {
namespace {

using namespace std::chrono_literals;
using testing::FakeOptions;
using testing::FakeOrchestrator;
using testing::WorkerRun;

// Outcomes by job id; counts calls so "exactly once" can be checked.
class Outcomes {
 public:
  jobs::Executor::Done For(const std::string& id) {
    return [this, id](Result<jobs::JobResult> r) {
      std::lock_guard<std::mutex> l(mu_);
      ++calls_[id];
      results_.insert_or_assign(id, std::move(r));
      cv_.notify_all();
    };
  }
  Result<jobs::JobResult> Wait(const std::string& id) {
    std::unique_lock<std::mutex> l(mu_);
    if (!cv_.wait_for(l, 60s, [&] { return results_.count(id) > 0; })) {
      return Status::Timeout("no outcome for " + id);
    }
    return results_.at(id);
  }
  // Every job that got an outcome got exactly one.
  bool AllOnce() {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [id, n] : calls_) {
      if (n != 1) return false;
    }
    return true;
  }
  int Calls(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = calls_.find(id);
    return it == calls_.end() ? 0 : it->second;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;
  std::map<std::string, Result<jobs::JobResult>> results_;
};

jobs::Job MakeJob(const std::string& id, int images) {
  jobs::Job job;
  job.id = id;
  for (int i = 0; i < images; ++i) {
    job.images.push_back({.url = "https://cdn.example.com/img/" + std::to_string(i) + ".jpg"});
  }
  return job;
}

// A worker whose captions are long: the JobResult is far over the 2 KB stdout cap.
WorkerRun LongCaptions(const jobs::Job& job) {
  jobs::JobResult r;
  r.id = job.id;
  r.model = "qwen2.5-vl-7b";
  r.worker = "worker@gpu-node";
  for (size_t i = 0; i < job.images.size(); ++i) {
    jobs::JobItem item;
    item.index = static_cast<int>(i);
    item.text = "Image " + std::to_string(i + 1) + ": " + std::string(500, 'a' + (i % 26)) + ".";
    r.items.push_back(item);
  }
  WorkerRun run;
  run.result_json = r.ToJsonText();
  run.stdout_text = run.result_json;
  return run;
}

class ExecutorTest : public ::testing::Test {
 protected:
  void StartFake(FakeOptions o = {}) {
    fake_ = std::make_unique<FakeOrchestrator>(std::move(o));
    ASSERT_TRUE(fake_->Start().ok());
  }
  BacalhauExecutorOptions Options() {
    BacalhauExecutorOptions o;
    o.client.endpoint = fake_->Url();
    o.client.api_key = "test-key-4242";
    o.poll_initial = 5ms;
    o.poll_max = 40ms;
    o.threads = 2;
    o.store = &store_;
    return o;
  }
  std::unique_ptr<BacalhauExecutor> Make(BacalhauExecutorOptions o) {
    auto e = BacalhauExecutor::Create(std::move(o));
    EXPECT_TRUE(e.ok()) << e.status().message();
    return std::move(e).value();
  }
  void TearDown() override { EXPECT_TRUE(outcomes_.AllOnce()); }
  void ExpectForgotten(const std::string& id) {
    auto found = store_.Find(id);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->has_value()) << id << " is still recorded";
  }

  std::unique_ptr<FakeOrchestrator> fake_;
  MemorySubmissionStore store_;
  Outcomes outcomes_;
};

TEST_F(ExecutorTest, CompletedResultComesFromThePublishedArchiveNotStdout) {
  StartFake({.api_key = "test-key-4242"});
  fake_->SetWorker(LongCaptions);
  auto ex = Make(Options());
  ASSERT_TRUE(ex->Submit(MakeJob("big", 8), outcomes_.For("big")).ok());
  auto r = outcomes_.Wait("big");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 8u);
  EXPECT_EQ(r->items[7].text, "Image 8: " + std::string(500, 'h') + ".");
  EXPECT_EQ(r->model, "qwen2.5-vl-7b");
  EXPECT_EQ(r->worker, "worker@gpu-node");
  EXPECT_GT(r->ToJsonText().size(), 2048u);
  // The fake really cut stdout: only the archive held the whole answer.
  Client c({.endpoint = fake_->Url(), .api_key = "test-key-4242"});
  auto info = c.Get(fake_->JobIds()[0], true);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->executions[0].stdout_truncated);
  EXPECT_EQ(fake_->Count("PUT", "/api/v1/orchestrator/jobs"), 1u);
  EXPECT_EQ(fake_->Count("GET", "/results/"), 1u);
  EXPECT_TRUE(fake_->Rejections().empty());
  ex->Shutdown(jobs::Executor::kDrainAll);
  EXPECT_EQ(outcomes_.Calls("big"), 1);
  ExpectForgotten("big");
}

TEST_F(ExecutorTest, SmallStdoutIsUsedWhenNothingWasPublished) {
  StartFake();
  fake_->SetWorker([](const jobs::Job& job) {
    WorkerRun run = LongCaptions(job);
    jobs::JobResult r = *jobs::JobResult::FromJson(run.result_json);
    r.items[0].text = "A red door.";
    run.stdout_text = r.ToJsonText() + "\n";
    run.publish = false;
    return run;
  });
  auto ex = Make(Options());
  ASSERT_TRUE(ex->Submit(MakeJob("small", 1), outcomes_.For("small")).ok());
  auto r = outcomes_.Wait("small");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->items[0].text, "A red door.");
}

TEST_F(ExecutorTest, TruncatedStdoutWithoutPublishedResultIsAClearFailure) {
  StartFake();
  fake_->SetWorker([](const jobs::Job& job) {
    WorkerRun run = LongCaptions(job);
    run.publish = false;
    return run;
  });
  auto ex = Make(Options());
  ASSERT_TRUE(ex->Submit(MakeJob("cut", 6), outcomes_.For("cut")).ok());
  auto r = outcomes_.Wait("cut");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 6u);
  for (const jobs::JobItem& item : r->items) {
    EXPECT_EQ(item.text, "");
    EXPECT_EQ(item.error_code, Code::kInternal);
    EXPECT_EQ(item.error,
              "the worker's result could not be read: no published result; stdout "
              "was truncated (Bacalhau keeps 2 KB)");
  }
}

TEST_F(ExecutorTest, WorkerFailureIsAFinalAnswerForEveryImage) {
  StartFake();
  fake_->SetWorker([](const jobs::Job&) {
    WorkerRun run;
    run.exit_code = 2;
    run.stderr_text = "loading model\naltscribe worker: error: model file is truncated\n";
    return run;
  });
  auto ex = Make(Options());
  ASSERT_TRUE(ex->Submit(MakeJob("fails", 2), outcomes_.For("fails")).ok());
  auto r = outcomes_.Wait("fails");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[1].error,
            "the worker failed: altscribe worker: error: model file is truncated (exit code 2)");
  EXPECT_EQ(r->items[1].error_code, Code::kInternal);
  EXPECT_EQ(fake_->StateOf(fake_->JobIds()[0]), "Failed");
  ExpectForgotten("fails");
}

TEST_F(ExecutorTest, FailedBeforeRunningSaysTheNetworkCouldNotRunIt) {
  StartFake({.schedule = {"Queued", "Failed"}});
  auto ex = Make(Options());
  ASSERT_TRUE(ex->Submit(MakeJob("nonode", 1), outcomes_.For("nonode")).ok());
  auto r = outcomes_.Wait("nonode");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->items[0].error,
            "the Bacalhau network could not run the job: no compute node "
            "matched the job's constraints");
  EXPECT_EQ(r->items[0].error_code, Code::kUnsupported);
}

TEST_F(ExecutorTest, QueuedPastTheDeadlineIsStoppedAndReported) {
  StartFake({.schedule = {"Pending", "Queued"}});
  BacalhauExecutorOptions o = Options();
  o.deadline = 1500ms;
  auto ex = Make(o);
  ASSERT_TRUE(ex->Submit(MakeJob("slow", 2), outcomes_.For("slow")).ok());
  auto r = outcomes_.Wait("slow");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->items[0].error,
            "the Bacalhau network did not finish the job within 1 s (still "
            "Queued)");
  EXPECT_EQ(r->items[0].error_code, Code::kTimeout);
  std::string id = fake_->JobIds()[0];
  EXPECT_EQ(fake_->Count("DELETE", "/api/v1/orchestrator/jobs/" + id), 1u);
  EXPECT_EQ(fake_->StateOf(id), "Stopped");
  EXPECT_EQ(fake_->StopReason(id), "altscribe: deadline of 1 s passed while Queued");
  ex->Shutdown(jobs::Executor::kDrainAll);
  EXPECT_EQ(outcomes_.Calls("slow"), 1);
}

TEST_F(ExecutorTest, ServerErrorsOnSubmitAreRetriedAndALostAnswerIsFoundNotResubmitted) {
  StartFake();
  auto ex = Make(Options());
  fake_->FailNext("PUT", 503, "orchestrator is starting", 2);
  ASSERT_TRUE(ex->Submit(MakeJob("retry", 1), outcomes_.For("retry")).ok());
  ASSERT_TRUE(outcomes_.Wait("retry").ok());
  EXPECT_EQ(fake_->Count("PUT", "/api/v1/orchestrator/jobs"), 3u);
  EXPECT_EQ(fake_->JobIds().size(), 1u);

  fake_->LoseNextPutAnswers(1);  // created, but the client sees a 500
  ASSERT_TRUE(ex->Submit(MakeJob("lost", 1), outcomes_.For("lost")).ok());
  auto r = outcomes_.Wait("lost");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(fake_->Count("PUT", "/api/v1/orchestrator/jobs"), 4u);  // one PUT for "lost"
  EXPECT_EQ(fake_->JobIds().size(), 2u);

  // A GET failing with 500 is just retried on the next poll.
  fake_->FailNext("GET", 500, "raft: leadership lost", 3);
  ASSERT_TRUE(ex->Submit(MakeJob("flaky", 1), outcomes_.For("flaky")).ok());
  EXPECT_TRUE(outcomes_.Wait("flaky").ok());
}

TEST_F(ExecutorTest, RefusedSubmissionsAreRetryLaterWithOneLine) {
  StartFake({.api_key = "another-key-9999"});
  auto ex = Make(Options());  // holds test-key-4242: refused
  ASSERT_TRUE(ex->Submit(MakeJob("nokey", 1), outcomes_.For("nokey")).ok());
  auto r = outcomes_.Wait("nokey");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "bacalhau: PUT /api/v1/orchestrator/jobs: HTTP 401 Unauthorized: "
            "missing or invalid authorization token");
  EXPECT_EQ(fake_->Count("PUT", "/api/v1/orchestrator/jobs"), 1u);
  ExpectForgotten("nokey");

  fake_->FailNext("PUT", 400, "job type \"batch\" is disabled on this network");
  ASSERT_TRUE(ex->Submit(MakeJob("bad", 1), outcomes_.For("bad")).ok());
  auto bad = outcomes_.Wait("bad");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "bacalhau: PUT /api/v1/orchestrator/jobs: HTTP 400 Bad "
            "Request: job type \"batch\" is disabled on this network");
  // Refused at Submit(): invalid jobs and duplicates; `done` is never called for them.
  jobs::Job held = MakeJob("held", 1);
  held.images[0].url = "blob:bafy";
  held.images[0].bytes = std::make_shared<const std::vector<uint8_t>>(4, 1);
  EXPECT_FALSE(ex->Submit(held, outcomes_.For("held")).ok());
  ex->Shutdown(jobs::Executor::kDrainAll);
  EXPECT_EQ(outcomes_.Calls("held"), 0);
  EXPECT_EQ(ex->Submit(MakeJob("late", 1), outcomes_.For("late")).message(),
            "bacalhau: the executor is shut down");
}

TEST_F(ExecutorTest, ShutdownCancelsAndARestartResumesWithoutASecondPut) {
  StartFake({.schedule = {"Queued", "Running"}});
  {
    auto ex = Make(Options());
    ASSERT_TRUE(ex->Submit(MakeJob("long", 3), outcomes_.For("long")).ok());
    // Wait until the Bacalhau ID is recorded (the job is on the network).
    for (int i = 0; i < 6000; ++i) {
      auto rec = store_.Find("long");
      if (rec.ok() && rec->has_value() && !(*rec)->bacalhau_id.empty()) break;
      std::this_thread::sleep_for(5ms);
    }
    ex->Shutdown(50ms);
    auto r = outcomes_.Wait("long");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "bacalhau: shut down before job long finished (Bacalhau job " +
                                        fake_->JobIds()[0] +
                                        " keeps running; submitting the job again resumes it)");
    EXPECT_EQ(outcomes_.Calls("long"), 1);
  }
  std::string id = fake_->JobIds()[0];
  EXPECT_EQ(fake_->Count("DELETE", "/api/v1/orchestrator/jobs/"), 0u);  // left running
  ASSERT_TRUE(fake_->SetState(id, "Completed").ok());

  auto restarted = Make(Options());
  Outcomes after;
  auto resumed = restarted->Reconcile([&](const jobs::Job& job) {
    EXPECT_EQ(job.images.size(), 3u);
    return after.For(job.id);
  });
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_EQ(*resumed, 1u);
  auto r = after.Wait("long");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->items.size(), 3u);
  EXPECT_EQ(fake_->Count("PUT", "/api/v1/orchestrator/jobs"), 1u);
  restarted->Shutdown(jobs::Executor::kDrainAll);
  EXPECT_EQ(after.Calls("long"), 1);
  ExpectForgotten("long");
}

TEST_F(ExecutorTest, ARecordWithoutIdIsFoundByMetaOrSubmittedOnReconcile) {
  StartFake({.schedule = {"Completed"}});
  // "found": the PUT reached the network but the crash came before its answer was recorded.
  Client c({.endpoint = fake_->Url()});
  ASSERT_TRUE(c.Submit(*BuildPutJobRequest(MakeJob("found", 1), {})).ok());
  ASSERT_TRUE(store_.Put({"found", MakeJob("found", 1).ToJsonText(), ""}).ok());
  // "never": the crash came before the PUT.
  ASSERT_TRUE(store_.Put({"never", MakeJob("never", 2).ToJsonText(), ""}).ok());
  auto ex = Make(Options());
  auto resumed = ex->Reconcile([&](const jobs::Job& job) { return outcomes_.For(job.id); });
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(*resumed, 2u);
  EXPECT_TRUE(outcomes_.Wait("found").ok());
  EXPECT_TRUE(outcomes_.Wait("never").ok());
  EXPECT_EQ(fake_->Count("PUT", "/api/v1/orchestrator/jobs"), 2u);  // ours + "never" once
  EXPECT_EQ(fake_->JobIds().size(), 2u);
}

}  // namespace
}  // namespace altscribe::bacalhau
