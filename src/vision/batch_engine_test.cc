// The batch engine on the tiny model (CPU): the same text as the single-stream path for every
// image, whatever K and whenever an image was admitted; a prompt that does not fit fails alone;
// many images through a small K all complete; out of memory at start is one clear line.
#include "vision/batch_engine.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_env.h"
#include "vision/image/image.h"
#include "vision/prompt.h"

namespace altscribe::vision {
namespace {

// Image n: a gradient whose slope and tint depend on n, so every image gets its own text.
Image Picture(int n) {
  const uint32_t w = 40 + 8 * (n % 5), h = 32 + 6 * (n % 3);
  Image img{w, h, std::vector<uint8_t>(size_t{w} * h * 3)};
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &img.rgb[(size_t{y} * w + x) * 3];
      p[0] = static_cast<uint8_t>((x * (n + 3) * 37) / w);
      p[1] = static_cast<uint8_t>((y * 255) / h);
      p[2] = static_cast<uint8_t>(n * 53);
    }
  return img;
}

// Budgets differ, so images finish at different times and later ones join running ones.
int Budget(int n) { return 12 + 5 * (n % 4); }

LlamaModelOptions Tiny(bool ignore_eos) {
  LlamaModelOptions o = altscribe::testing::TinyModelOptions();
  o.ignore_eos = ignore_eos;
  return o;
}

// What the single-stream path says for images 0..n-1.
std::vector<ModelOutput> SingleStream(int n, bool ignore_eos) {
  auto m = LlamaVisionModel::Load(Tiny(ignore_eos));
  EXPECT_TRUE(m.ok()) << m.status().message();
  std::vector<ModelOutput> out;
  if (!m.ok()) return out;
  Prompt p = BuildPrompt(Mode::kAlt, Language{});
  for (int i = 0; i < n; ++i) {
    auto r = (*m)->Generate(Picture(i), p, Budget(i));
    EXPECT_TRUE(r.ok()) << r.status().message();
    out.push_back(r.ok() ? *r : ModelOutput{});
  }
  return out;
}

// Collects answers from the scheduler thread.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::map<int, Result<ModelOutput>> by_image;
  void Put(int i, Result<ModelOutput> r) {
    std::lock_guard<std::mutex> l(mu);
    by_image.emplace(i, std::move(r));
    cv.notify_all();
  }
  void WaitFor(size_t n) {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return by_image.size() >= n; });
  }
};

class BatchEngineK : public ::testing::TestWithParam<int> {};

TEST_P(BatchEngineK, SameTextAsSingleStreamWithImagesAdmittedWhileOthersGenerate) {
  const int k = GetParam();
  const int total = 2 * k + 3;
  for (bool ignore_eos : {true, false}) {
    SCOPED_TRACE(ignore_eos ? "EOS ignored" : "stops at EOS");
    const std::vector<ModelOutput> want = SingleStream(total, ignore_eos);
    ASSERT_EQ(want.size(), static_cast<size_t>(total));
    // Two sampling threads: the rows of K = 8 steps are sampled on the pool.
    auto engine = BatchEngine::Load(Tiny(ignore_eos),
                                    {.max_batch = k, .max_tokens = 64, .sample_threads = 2});
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    BatchEngine& e = **engine;
    const Prompt p = BuildPrompt(Mode::kAlt, Language{});
    Answers answers;
    std::atomic<int> next{k};
    // The first K images at once; every answer submits the next image, so images 2K.. are
    // admitted while the others are in the middle of their generation.
    std::function<void(int)> submit = [&](int i) {
      e.Submit(Picture(i), p, Budget(i), [&, i](Result<ModelOutput> r) {
        answers.Put(i, std::move(r));
        int n = next++;
        if (n < total) submit(n);
      });
    };
    for (int i = 0; i < k; ++i) submit(i);
    answers.WaitFor(total);
    for (int i = 0; i < total; ++i) {
      const auto& got = answers.by_image.at(i);
      ASSERT_TRUE(got.ok()) << "image " << i << ": " << got.status().message();
      EXPECT_EQ(got->text, want[i].text) << "image " << i;
      EXPECT_EQ(got->generated_tokens, want[i].generated_tokens) << "image " << i;
      EXPECT_EQ(got->prompt_tokens, want[i].prompt_tokens) << "image " << i;
      EXPECT_EQ(got->image_tokens, 16);
    }
    BatchEngineStats s = e.stats();
    EXPECT_EQ(s.admitted, static_cast<uint64_t>(total));
    // Images K.. went into slots that held the same prompt prefix: it was kept, not evaluated.
    EXPECT_GT(s.reused_tokens, static_cast<uint64_t>(20 * (total - k)));
    // Every budget outlasts K admissions: the engine really had K sequences in flight, and
    // decoded them together.
    if (ignore_eos) {
      EXPECT_EQ(s.peak_live, k);
    }
    if (ignore_eos && k > 1) {
      EXPECT_GT(s.multi_decode_steps, 0u);
    }
    if (ignore_eos && k >= 8) {
      EXPECT_GT(s.pooled_steps, 0u);
    }
    // Gaps were closed before every step: each decode was one ubatch.
    EXPECT_EQ(s.ubatches, s.decode_steps);
    EXPECT_LE(s.peak_live, k);
  }
}

// Callers on many threads at once, with the batched decode and with one decode per sequence:
// every image gets the single-stream text either way; only the batched run shares decodes.
TEST_P(BatchEngineK, ConcurrentCallersGetTheSingleStreamTextWithEitherDecode) {
  const int k = GetParam();
  const int total = 2 * k + 3;
  const std::vector<ModelOutput> want = SingleStream(total, true);
  for (bool per_sequence : {false, true}) {
    SCOPED_TRACE(per_sequence ? "one decode per sequence" : "one decode for all");
    auto engine = BatchEngine::Load(
        Tiny(true), {.max_batch = k, .max_tokens = 64, .per_sequence_decode = per_sequence});
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    const Prompt p = BuildPrompt(Mode::kAlt, Language{});
    std::vector<Result<ModelOutput>> got(total, Status::Internal("not run"));
    std::vector<std::thread> threads;
    for (int i = 0; i < total; ++i) {
      threads.emplace_back([&, i] { got[i] = (*engine)->Generate(Picture(i), p, Budget(i)); });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < total; ++i) {
      ASSERT_TRUE(got[i].ok()) << "image " << i << ": " << got[i].status().message();
      EXPECT_EQ(got[i]->text, want[i].text) << "image " << i;
      EXPECT_EQ(got[i]->generated_tokens, Budget(i));
      EXPECT_EQ(got[i]->prompt_tokens, want[i].prompt_tokens);
    }
    BatchEngineStats s = (*engine)->stats();
    EXPECT_EQ(s.admitted, static_cast<uint64_t>(total));
    EXPECT_LE(s.peak_live, k);
    if (k > 1 && !per_sequence) {
      EXPECT_GT(s.peak_live, 1);
      EXPECT_GT(s.multi_decode_steps, 0u);
    } else {
      EXPECT_EQ(s.multi_decode_steps, 0u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(K, BatchEngineK, ::testing::Values(1, 4, 8));

// Images of two modes, one after another, through K = 2: each mode keeps a slot holding its
// prompt prefix, so from the third image on every prefix is reused, and the text is still exactly
// what a fresh single-stream model says.
TEST(BatchEngine, EachPromptPrefixKeepsASlotAndTheTextIsUnchanged) {
  const Prompt alt = BuildPrompt(Mode::kAlt, Language{});
  const Prompt detail = BuildPrompt(Mode::kDetail, Language{});
  auto engine = BatchEngine::Load(Tiny(false), {.max_batch = 2, .max_tokens = 64});
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("image " + std::to_string(i));
    const Prompt& p = i % 2 ? detail : alt;
    auto got = (*engine)->Generate(Picture(i), p, 16);
    ASSERT_TRUE(got.ok()) << got.status().message();
    auto fresh = LlamaVisionModel::Load(Tiny(false));
    ASSERT_TRUE(fresh.ok());
    auto want = (*fresh)->Generate(Picture(i), p, 16);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(got->text, want->text);
    if (i < 2) {
      EXPECT_EQ(got->reused_tokens, 0);
    } else {
      EXPECT_GT(got->reused_tokens, 20);
    }
  }
}

// Images 1 and 3 of four finish first and leave gaps (slots 1 and 3): the image in slot 2 is
// moved down into slot 1, so each following step is one ubatch again, and every text is still
// the single-stream text.
TEST(BatchEngine, AGapLeftByAFinishedImageIsClosedAndTheTextIsUnchanged) {
  const int budgets[] = {40, 10, 40, 10};
  const Prompt p = BuildPrompt(Mode::kAlt, Language{});
  std::vector<ModelOutput> want;
  {
    auto single = LlamaVisionModel::Load(Tiny(true));
    ASSERT_TRUE(single.ok());
    for (int i = 0; i < 4; ++i) {
      auto r = (*single)->Generate(Picture(i), p, budgets[i]);
      ASSERT_TRUE(r.ok());
      want.push_back(*r);
    }
  }
  auto engine = BatchEngine::Load(Tiny(true), {.max_batch = 4, .max_tokens = 64});
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  Answers answers;
  for (int i = 0; i < 4; ++i) {
    (*engine)->Submit(Picture(i), p, budgets[i],
                      [&, i](Result<ModelOutput> r) { answers.Put(i, std::move(r)); });
  }
  answers.WaitFor(4);
  for (int i = 0; i < 4; ++i) {
    const auto& got = answers.by_image.at(i);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->text, want[static_cast<size_t>(i)].text) << "image " << i;
    EXPECT_EQ(got->generated_tokens, budgets[i]);
  }
  BatchEngineStats s = (*engine)->stats();
  EXPECT_GE(s.moves, 1u);
  EXPECT_EQ(s.ubatches, s.decode_steps);
}

TEST(BatchEngine, APromptThatDoesNotFitFailsOnlyItsOwnImage) {
  const std::vector<ModelOutput> want = SingleStream(3, true);
  auto engine = BatchEngine::Load(Tiny(true), {.max_batch = 4, .max_tokens = 64});
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  BatchEngine& e = **engine;
  const int share = e.context_per_image();
  EXPECT_EQ(share % 256, 0);
  Prompt huge = BuildPrompt(Mode::kAlt, Language{});
  for (int i = 0; i < share; ++i) huge.user += " word";
  Answers answers;
  const Prompt p = BuildPrompt(Mode::kAlt, Language{});
  e.Submit(Picture(0), p, Budget(0), [&](Result<ModelOutput> r) { answers.Put(0, std::move(r)); });
  e.Submit(Picture(9), huge, 16, [&](Result<ModelOutput> r) { answers.Put(9, std::move(r)); });
  e.Submit(Picture(1), p, Budget(1), [&](Result<ModelOutput> r) { answers.Put(1, std::move(r)); });
  // A budget larger than the share fails the same way.
  e.Submit(Picture(2), p, share, [&](Result<ModelOutput> r) { answers.Put(3, std::move(r)); });
  e.Submit(Picture(2), p, Budget(2), [&](Result<ModelOutput> r) { answers.Put(2, std::move(r)); });
  answers.WaitFor(5);
  for (int bad : {9, 3}) {
    const auto& r = answers.by_image.at(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kTooLarge);
    EXPECT_NE(r.status().message().find("more than the " + std::to_string(share)),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("--batch 4"), std::string::npos);
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
  for (int i = 0; i < 3; ++i) {
    const auto& r = answers.by_image.at(i);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->text, want[i].text);
  }
  // The engine goes on serving after the failures.
  auto again = e.Generate(Picture(1), p, Budget(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->text, want[1].text);
}

TEST(BatchEngine, ManyImagesThroughASmallBatchAllComplete) {
  const int kImages = 24, kThreads = 6;
  const std::vector<ModelOutput> want = SingleStream(4, false);
  auto engine = BatchEngine::Load(Tiny(false), {.max_batch = 2, .max_tokens = 64});
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_EQ((*engine)->Concurrency(), 2);
  const Prompt p = BuildPrompt(Mode::kAlt, Language{});
  std::vector<Result<ModelOutput>> got(kImages, Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kImages; i += kThreads)
        got[i] = (*engine)->Generate(Picture(i % 4), p, Budget(i % 4));
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kImages; ++i) {
    ASSERT_TRUE(got[i].ok()) << "image " << i << ": " << got[i].status().message();
    EXPECT_EQ(got[i]->text, want[i % 4].text) << "image " << i;
  }
  BatchEngineStats s = (*engine)->stats();
  EXPECT_EQ(s.admitted, static_cast<uint64_t>(kImages));
  EXPECT_LE(s.peak_live, 2);
}

TEST(BatchEngine, ABadBatchSizeIsAUsageError) {
  for (int k : {0, -1, 257}) {
    auto e = BatchEngine::Load(Tiny(false), {.max_batch = k});
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), Code::kInvalidArgument);
    EXPECT_NE(e.status().message().find("--batch must be between 1 and 256"), std::string::npos);
  }
}

TEST(BatchEngine, ShuttingDownWithImagesInFlightAnswersEveryOne) {
  Answers answers;
  {
    auto engine = BatchEngine::Load(Tiny(true), {.max_batch = 2, .max_tokens = 64});
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    const Prompt p = BuildPrompt(Mode::kAlt, Language{});
    for (int i = 0; i < 6; ++i) {
      (*engine)->Submit(Picture(i), p, 40,
                        [&, i](Result<ModelOutput> r) { answers.Put(i, std::move(r)); });
    }
  }  // destroyed with images still waiting
  ASSERT_EQ(answers.by_image.size(), 6u);
  for (auto& [i, r] : answers.by_image) {
    if (!r.ok()) {
      EXPECT_EQ(r.status().message(), "the model is shutting down") << i;
    }
  }
}

long VmSizeBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stol(line.substr(7)) * 1024;
  }
  return 0;
}

TEST(BatchEngineDeathTest, OutOfMemoryAtStartSuggestsASmallerBatch) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // In a child process whose address space has room for the weights but not for the KV memory
  // of 256 sequences x 2048 tokens (256 MB for the tiny model).
  EXPECT_EXIT(
      {
        LlamaModelOptions o = Tiny(false);
        o.n_ctx = 2048;
        auto weights = LlamaVisionModel::Load(o);  // map the files and start the threads first
        rlimit lim{};
        lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(VmSizeBytes() + (96l << 20));
        setrlimit(RLIMIT_AS, &lim);
        auto e = BatchEngine::Load(o, {.max_batch = 256, .max_tokens = 2048});
        std::fprintf(stderr, "%s\n", e.ok() ? "loaded" : e.status().message().c_str());
        std::exit(e.ok() ? 1 : 0);
      },
      ::testing::ExitedWithCode(0),
      "cannot create a context for --batch 256 \\(256 images x 2048 tokens, about [0-9.]+ GiB of "
      "KV memory\\): out of memory\\? Try a smaller --batch");
}

}  // namespace
}  // namespace altscribe::vision
