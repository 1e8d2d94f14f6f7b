// The embedded executor end to end: the tiny llama.cpp model, real image bytes, a loopback HTTP
// server for URLs. A "gate" in front of the real model holds generation still where a test needs
// to act while work is inside the model (shutdown while busy).
#include "jobs/local_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "http_server.h"
#include "image_fixtures.h"
#include "test_env.h"
#include "vision/llama_model.h"

namespace altscribe::jobs {
namespace {

namespace t = altscribe::testing;
using namespace std::chrono_literals;

// The real model behind a gate: Generate() waits until Open(). Counts who is waiting.
class GatedModel final : public vision::VisionModel {
 public:
  explicit GatedModel(vision::VisionModel& inner) : inner_(inner) {}
  Result<vision::ModelOutput> Generate(const vision::Image& image, const vision::Prompt& prompt,
                                       int max_tokens) override {
    {
      std::unique_lock<std::mutex> l(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(l, [this] { return open_; });
    }
    return inner_.Generate(image, prompt, max_tokens);
  }
  std::string Name() const override { return inner_.Name(); }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitEntered(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, 30s, [&] { return entered_ >= n; });
  }

 private:
  vision::VisionModel& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

// Collects outcomes by job id; counts calls so "exactly once" can be checked.
class Outcomes {
 public:
  Executor::Done For(const std::string& id) {
    return [this, id](Result<JobResult> r) {
      std::lock_guard<std::mutex> l(mu_);
      ++calls_[id];
      order_.push_back(id);
      results_.insert_or_assign(id, std::move(r));
      cv_.notify_all();
    };
  }
  bool WaitFor(const std::set<std::string>& ids, std::chrono::milliseconds timeout = 60s) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] {
      for (const auto& id : ids) {
        if (!results_.count(id)) return false;
      }
      return true;
    });
  }
  bool Has(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    return results_.count(id) > 0;
  }
  Result<JobResult> Get(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    return results_.at(id);
  }
  int Calls(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    return calls_[id];
  }
  std::vector<std::string> Order() {
    std::lock_guard<std::mutex> l(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;
  std::map<std::string, Result<JobResult>> results_;
  std::vector<std::string> order_;
};

JobImage Bytes(const std::vector<uint8_t>& data, const std::string& label = "blob") {
  JobImage im;
  im.url = label;
  im.bytes = std::make_shared<const std::vector<uint8_t>>(data);
  return im;
}

JobImage Url(const std::string& url) {
  JobImage im;
  im.url = url;
  return im;
}

Job MakeJob(const std::string& id, std::vector<JobImage> images) {
  Job job;
  job.id = id;
  job.images = std::move(images);
  return job;
}

std::vector<uint8_t> DarkJpeg() {
  return t::JpegFromImage(vision::Image{48, 48, std::vector<uint8_t>(48 * 48 * 3, 10)});
}

class LocalExecutorTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }
  void SetUp() override {
    if (!model_) {
      auto m = vision::LlamaVisionModel::Load(t::TinyModelOptions());
      ASSERT_TRUE(m.ok()) << m.status().message();
      model_ = std::move(m).value().release();
    }
    ASSERT_TRUE(server_.Start().ok());
  }
  static LocalExecutorOptions Options(int threads, int max_tokens = 8) {
    LocalExecutorOptions o;
    o.threads = threads;
    o.max_tokens = max_tokens;
    o.worker_name = "test-worker";
    o.fetch.limits.http.block_private_addresses = false;  // the test server is on loopback
    return o;
  }
  std::string ServeImage(const std::string& path, const std::vector<uint8_t>& bytes,
                         std::chrono::milliseconds delay = 0ms) {
    server_.ServeBytes(path, std::string(bytes.begin(), bytes.end()), {.delay = delay});
    return server_.Url(path);
  }

  static vision::LlamaVisionModel* model_;
  t::HttpServer server_;
};
vision::LlamaVisionModel* LocalExecutorTest::model_ = nullptr;

TEST_F(LocalExecutorTest, ThreeImagesGiveThreeItemsInImageOrder) {
  std::vector<JobImage> images = {
      Url(ServeImage("/slow.jpg", t::MakeJpeg(320, 240), 300ms)),  // finishes last
      Bytes(t::PngFromImage(t::QuadrantImage(64, 64)), "quadrants.png"),
      Bytes(DarkJpeg(), "dark.jpg")};
  LocalExecutor ex(*model_, Options(3, 32));

  // What each image gets on its own (generation is greedy, so deterministic).
  std::vector<std::string> alone;
  for (size_t i = 0; i < images.size(); ++i) {
    auto r = SubmitAndWait(ex, MakeJob("alone-" + std::to_string(i), {images[i]}));
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(r->items[0].ok()) << *r->items[0].error;
    alone.push_back(r->items[0].text);
  }
  EXPECT_EQ(std::set<std::string>(alone.begin(), alone.end()).size(), 3u)
      << "different images should give different text, or the order check proves nothing";

  auto r = SubmitAndWait(ex, MakeJob("three", images));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->id, "three");
  EXPECT_EQ(r->model, model_->Name());
  EXPECT_EQ(r->worker, "test-worker");
  ASSERT_EQ(r->items.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r->items[i].index, i);
    ASSERT_TRUE(r->items[i].ok()) << *r->items[i].error;
    EXPECT_EQ(r->items[i].text, alone[i]) << "item " << i << " is not image " << i << "'s text";
  }
  EXPECT_GE(r->timings.total_ms, 300);
  EXPECT_GE(r->timings.load_ms, 300);
  EXPECT_GT(r->timings.generated_tokens, 0);
  EXPECT_TRUE(CheckResultMatches(MakeJob("three", images), *r).ok());
  // The result is valid on the wire.
  EXPECT_TRUE(JobResult::FromJson(r->ToJsonText()).ok());
}

TEST_F(LocalExecutorTest, ABadImageGetsAnErrorItemAndTheOthersAreDescribed) {
  auto jpeg = t::MakeJpeg(200, 150);
  std::vector<uint8_t> truncated(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  std::string text = "this is a text file, not a picture\n";
  Job job =
      MakeJob("mixed", {Bytes(jpeg, "good.jpg"),
                        Bytes(std::vector<uint8_t>(text.begin(), text.end()), "notes.jpg"),
                        Bytes(truncated, "cut.jpg"), Url(ServeImage("/ok.png", t::MakePng(80, 60))),
                        Url(server_.Url("/gone.jpg"))});
  LocalExecutor ex(*model_, Options(2));
  auto r = SubmitAndWait(ex, job);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->items.size(), 5u);
  EXPECT_TRUE(r->items[0].ok());
  EXPECT_FALSE(r->items[0].text.empty());
  ASSERT_FALSE(r->items[1].ok());
  EXPECT_EQ(r->items[1].text, "");
  EXPECT_NE(r->items[1].error->find("not an image"), std::string::npos) << *r->items[1].error;
  EXPECT_EQ(r->items[1].error_code, Code::kInvalidArgument);
  ASSERT_FALSE(r->items[2].ok());
  EXPECT_NE(r->items[2].error->find("truncated"), std::string::npos) << *r->items[2].error;
  EXPECT_TRUE(r->items[3].ok()) << r->items[3].error.value_or("");
  ASSERT_FALSE(r->items[4].ok());
  EXPECT_EQ(*r->items[4].error, "the server answered HTTP 404 Not Found");
  EXPECT_EQ(r->items[4].error_code, Code::kNotFound);
}

TEST_F(LocalExecutorTest, FetchingOverlapsWithOtherJobs) {
  // Job "slow" waits 800 ms for its image; with two workers, "fast" is described meanwhile.
  LocalExecutor ex(*model_, Options(2));
  Outcomes out;
  ASSERT_TRUE(
      ex.Submit(MakeJob("slow", {Url(ServeImage("/slow.jpg", DarkJpeg(), 800ms))}), out.For("slow"))
          .ok());
  ASSERT_TRUE(ex.Submit(MakeJob("fast", {Bytes(DarkJpeg())}), out.For("fast")).ok());
  ASSERT_TRUE(out.WaitFor({"slow", "fast"}));
  EXPECT_EQ(out.Order(), (std::vector<std::string>{"fast", "slow"}));
  EXPECT_TRUE(out.Get("slow").ok() && out.Get("slow")->items[0].ok());
}

TEST_F(LocalExecutorTest, RefusesInvalidJobsAndOtherModels) {
  LocalExecutor ex(*model_, Options(1));
  Outcomes out;
  Status st = ex.Submit(MakeJob("none", {}), out.For("none"));
  EXPECT_EQ(st.message(), "job.images: has no images");
  st = ex.Submit(MakeJob("path", {Url("/etc/passwd")}), out.For("path"));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  Job other = MakeJob("other", {Bytes(DarkJpeg())});
  other.model = "llava-v1.5-7b";
  st = ex.Submit(other, out.For("other"));
  EXPECT_EQ(st.message(), "job 'other' asks for model 'llava-v1.5-7b', but this executor runs '" +
                              model_->Name() + "'");
  Job same = other;
  same.id = "same";
  same.model = model_->Name();
  EXPECT_TRUE(ex.Submit(same, out.For("same")).ok());
  ex.Shutdown(Executor::kDrainAll);
  EXPECT_EQ(out.Order(), std::vector<std::string>{"same"});  // refused jobs get no callback
}

TEST_F(LocalExecutorTest, ShutdownDrainsEveryAcceptedJob) {
  LocalExecutor ex(*model_, Options(2));
  Outcomes out;
  std::set<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    std::string id = "drain-" + std::to_string(i);
    ids.insert(id);
    ASSERT_TRUE(
        ex.Submit(MakeJob(id, {Bytes(DarkJpeg()), Bytes(t::MakePng(40, 40))}), out.For(id)).ok());
  }
  ex.Shutdown(Executor::kDrainAll);
  EXPECT_EQ(ex.InFlight(), 0u);
  for (const auto& id : ids) {
    ASSERT_TRUE(out.Has(id)) << id << " was not finished when Shutdown() returned";
    auto r = out.Get(id);
    ASSERT_TRUE(r.ok()) << id << ": " << r.status().message();
    EXPECT_TRUE(r->items[0].ok() && r->items[1].ok());
    EXPECT_EQ(out.Calls(id), 1);
  }
  Status late = ex.Submit(MakeJob("late", {Bytes(DarkJpeg())}), out.For("late"));
  EXPECT_EQ(late.message(), "the local executor is shut down");
  ex.Shutdown(Executor::kDrainAll);  // idempotent
  EXPECT_FALSE(out.Has("late"));
}

TEST_F(LocalExecutorTest, ShutdownCancelsQueuedJobsAndFinishesRunningOnes) {
  GatedModel gated(*model_);
  LocalExecutor ex(gated, Options(2));
  Outcomes out;
  // Both images of "running" enter the model (two workers); the other jobs wait in the queue.
  ASSERT_TRUE(ex.Submit(MakeJob("running", {Bytes(DarkJpeg()), Bytes(t::MakePng(40, 40))}),
                        out.For("running"))
                  .ok());
  ASSERT_TRUE(gated.WaitEntered(2));
  ASSERT_TRUE(ex.Submit(MakeJob("queued-1", {Bytes(DarkJpeg())}), out.For("queued-1")).ok());
  ASSERT_TRUE(
      ex.Submit(MakeJob("queued-2", {Bytes(DarkJpeg()), Bytes(DarkJpeg())}), out.For("queued-2"))
          .ok());

  std::atomic<bool> returned{false};
  std::thread stopper([&] {
    ex.Shutdown(0ms);
    returned = true;
  });
  // Queued jobs are cancelled at once, while the model is still busy.
  ASSERT_TRUE(out.WaitFor({"queued-1", "queued-2"}));
  for (const char* id : {"queued-1", "queued-2"}) {
    auto r = out.Get(id);
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.status().message(), "cancelled: the executor shut down");
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(out.Has("running"));
  EXPECT_FALSE(returned) << "Shutdown() must wait for the work inside the model";
  gated.Open();
  stopper.join();
  auto r = out.Get("running");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->items[0].ok() && r->items[1].ok());
  for (const char* id : {"running", "queued-1", "queued-2"}) EXPECT_EQ(out.Calls(id), 1) << id;
}

TEST_F(LocalExecutorTest, AJobThatLosesATaskIsCancelledAsAWhole) {
  GatedModel gated(*model_);
  LocalExecutor ex(gated, Options(1));
  Outcomes out;
  // One worker: image 0 is in the model, image 1 waits in the queue.
  ASSERT_TRUE(
      ex.Submit(MakeJob("half", {Bytes(DarkJpeg()), Bytes(DarkJpeg())}), out.For("half")).ok());
  ASSERT_TRUE(gated.WaitEntered(1));
  std::thread stopper([&] { ex.Shutdown(0ms); });
  // Once Submit() is refused, Shutdown() has dropped the queue (both happen under one lock).
  // (Probes accepted before that are queued behind image 1 and cancelled with it.)
  auto deadline = std::chrono::steady_clock::now() + 30s;
  for (int i = 0;; ++i) {
    std::string id = "probe-" + std::to_string(i);
    if (!ex.Submit(MakeJob(id, {Bytes(DarkJpeg())}), out.For(id)).ok()) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(1ms);
  }
  gated.Open();
  stopper.join();
  auto r = out.Get("half");
  EXPECT_FALSE(r.ok()) << "a job with an undescribed image must not look finished";
  EXPECT_EQ(out.Calls("half"), 1);
}

TEST_F(LocalExecutorTest, ShutdownGraceLetsWorkFinish) {
  GatedModel gated(*model_);
  LocalExecutor ex(gated, Options(1));
  Outcomes out;
  ASSERT_TRUE(ex.Submit(MakeJob("a", {Bytes(DarkJpeg())}), out.For("a")).ok());
  ASSERT_TRUE(ex.Submit(MakeJob("b", {Bytes(DarkJpeg())}), out.For("b")).ok());
  ASSERT_TRUE(gated.WaitEntered(1));
  auto start = std::chrono::steady_clock::now();
  std::thread opener([&] {
    std::this_thread::sleep_for(100ms);
    gated.Open();
  });
  ex.Shutdown(20s);
  opener.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "returns once idle, not at the end";
  ASSERT_TRUE(out.Has("a") && out.Has("b"));
  EXPECT_TRUE(out.Get("a").ok());
  EXPECT_TRUE(out.Get("b").ok()) << "b was queued, but the grace period let it run";
}

TEST_F(LocalExecutorTest, DestructorCancelsWhatIsLeftAndCallsBackOnce) {
  Outcomes out;
  GatedModel gated(*model_);
  {
    auto ex = std::make_unique<LocalExecutor>(gated, Options(1));
    ASSERT_TRUE(ex->Submit(MakeJob("first", {Bytes(DarkJpeg())}), out.For("first")).ok());
    ASSERT_TRUE(ex->Submit(MakeJob("second", {Bytes(DarkJpeg())}), out.For("second")).ok());
    ASSERT_TRUE(gated.WaitEntered(1));
    std::thread destroyer([&] { ex.reset(); });
    ASSERT_TRUE(out.WaitFor({"second"}));
    gated.Open();
    destroyer.join();
  }
  EXPECT_TRUE(out.Get("first").ok());
  EXPECT_FALSE(out.Get("second").ok());
  EXPECT_EQ(out.Calls("first"), 1);
  EXPECT_EQ(out.Calls("second"), 1);
}

}  // namespace
}  // namespace altscribe::jobs
