// bench/batch — images/s of the batched engine (vision/batch_engine.h) against the single-stream
// path (LlamaVisionModel) of the same build, on the same model, in the same run.
//
// Every image is one 336x336 picture (RGB, decoded already: this times the model, not the
// decoder) with the alt-text prompt; every image generates exactly --max-tokens tokens (EOS
// ignored). Single-stream: --single images one after another (after one warm-up), seconds per
// image = median of encode + prefill + generation. Batched, for each K in --k: --per-k-images
// images (default 2K, at least 4) submitted at once to an engine with K sequences, after one
// warm-up image; images/s = images / wall time from the first submit to the last answer. The
// text of each batched image is compared with the single-stream text of the same image.
//
//   bench/batch [--model M --mmproj P] [--k 1,8,32,64] [--single N] [--per-k-images N]
//               [--max-tokens N] [--side PX] [--threads N] [--json FILE] [--write-image FILE]
//               [--full-prompt]  (the describe prompt instead of the anchors' one-line prompt)
//               [--varied]  (budgets spread over [max/2, 3max/2], as answers ending at different
//                            lengths; each K > 1 also runs with its gaps left open, the anchor
//                            for BatchEngine's compaction: ubatch/step and moves show it)
// Without --model it generates the tiny test model into a temporary directory.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "image_fixtures.h"
#include "models/test_model.h"
#include "vision/batch_engine.h"
#include "vision/image/image.h"
#include "vision/llama_model.h"
#include "vision/prompt.h"

namespace {

using namespace altscribe;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

double Sec(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
int Fail(const std::string& m) {
  std::fprintf(stderr, "bench/batch: error: %s\n", m.c_str());
  return 1;
}

// Picture i: the synthetic photo, tinted by i so every image has its own pixels.
vision::Image Picture(const vision::Image& base, int i) {
  vision::Image img = base;
  for (size_t p = 0; p < img.rgb.size(); p += 3) {
    img.rgb[p + (i % 3)] = static_cast<uint8_t>(img.rgb[p + (i % 3)] ^ ((i * 29) & 0x3f));
  }
  return img;
}

std::vector<int> ParseList(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (int v = std::atoi(item.c_str()); v > 0) out.push_back(v);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, mmproj, json_path, image_path;
  std::vector<int> ks = {1, 8, 32, 64};
  int single = 5, per_k = 0, max_tokens = 128, side = 336, threads = 0;
  bool full_prompt = false, varied = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--model")
      model = next();
    else if (a == "--mmproj")
      mmproj = next();
    else if (a == "--k")
      ks = ParseList(next());
    else if (a == "--single")
      single = std::max(1, std::atoi(next().c_str()));
    else if (a == "--per-k-images")
      per_k = std::max(1, std::atoi(next().c_str()));
    else if (a == "--max-tokens")
      max_tokens = std::max(1, std::atoi(next().c_str()));
    else if (a == "--side")
      side = std::max(14, std::atoi(next().c_str()));
    else if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--full-prompt")
      full_prompt = true;
    else if (a == "--varied")
      varied = true;
    else if (a == "--json")
      json_path = next();
    else if (a == "--write-image")
      image_path = next();
    else
      return Fail("unknown argument " + a);
  }
  if (ks.empty()) return Fail("--k needs a list like 1,8,32");
  std::string tmp;
  if (model.empty()) {
    tmp = (std::filesystem::temp_directory_path() / ("altscribe-batch-" + std::to_string(getpid())))
              .string();
    if (Status s = models::WriteTestModel(tmp, models::TestModelPreset::kTiny); !s.ok()) {
      return Fail(s.message());
    }
    model = tmp + "/model.gguf";
    mmproj = tmp + "/mmproj.gguf";
  }
  const vision::Image base =
      testing::SyntheticPhoto(static_cast<uint32_t>(side), static_cast<uint32_t>(side));
  if (!image_path.empty()) {  // the same pixels for llama-mtmd-cli, as a binary PPM (stb_image
                              // reads it; no codec library needed)
    std::ofstream ppm(image_path, std::ios::binary);
    ppm << "P6\n" << base.width << " " << base.height << "\n255\n";
    ppm.write(reinterpret_cast<const char*>(base.rgb.data()),
              static_cast<std::streamsize>(base.rgb.size()));
  }
  // The anchors' prompt: the image and one short instruction (~40 tokens with the template), not
  // the describe prompt (~700 tokens of style rules), unless --full-prompt.
  const vision::Prompt prompt =
      full_prompt ? vision::BuildPrompt(vision::Mode::kAlt, vision::Language{})
                  : vision::Prompt{"", "Describe this image for someone who cannot see it."};
  vision::LlamaModelOptions lo{
      .model_path = model, .mmproj_path = mmproj, .n_threads = threads, .ignore_eos = true};
  json doc = {{"model", model}, {"max_tokens", max_tokens}, {"side", side}};

  // Single stream, on a thread of its own that ends before the batched runs. ggml's CPU threads
  // are an OpenMP team per calling thread; a team left idle on this thread would make libgomp
  // stop spinning in every team (more threads than cores) and slow the batch engine's thread
  // for no reason of its own (on 2 cores: 0.07 s/image at K=1 instead of 0.025).
  // Image i's token budget: all --max-tokens, or with --varied spread over [max/2, 3max/2] (mean
  // about max), as answers that end at different lengths.
  auto budget = [&](int i) {
    return varied ? max_tokens / 2 + (i * 37) % (max_tokens + 1) : max_tokens;
  };
  std::vector<std::string> single_text;
  int single_rc = 0;
  std::thread([&] {
    single_rc = [&]() -> int {
      auto m = vision::LlamaVisionModel::Load(lo);
      if (!m.ok()) return Fail(m.status().message());
      doc["model_name"] = (*m)->Name();
      doc["backends"] = vision::LlamaBackends();
      std::printf("model: %s\nbackends: %s, llama.cpp %s\n", (*m)->Name().c_str(),
                  vision::LlamaBackends().c_str(), vision::LlamaCppVersion().c_str());
      if (auto w = (*m)->Generate(Picture(base, 999), prompt, max_tokens); !w.ok()) {
        return Fail(w.status().message());
      }
      std::vector<double> per_image, encode, gen;
      int image_tokens = 0, prompt_tokens = 0;
      double total_s = 0;
      long total_tokens = 0;
      for (int i = 0; i < single; ++i) {
        auto t0 = Clock::now();
        auto r = (*m)->Generate(Picture(base, i), prompt, budget(i));
        if (!r.ok()) return Fail(r.status().message());
        per_image.push_back(Sec(t0, Clock::now()));
        total_s += per_image.back();
        total_tokens += r->generated_tokens;
        encode.push_back(r->encode_ms / 1000);
        gen.push_back(r->generate_ms / 1000);
        single_text.push_back(r->text);
        image_tokens = r->image_tokens;
        prompt_tokens = r->prompt_tokens;
      }
      // Budgets differ with --varied: then the mean, over the same images as the batched runs.
      const double s = varied ? total_s / single : Median(per_image);
      doc["single"] = {{"images", single},
                       {"s_per_image", s},
                       {"images_per_s", 1 / s},
                       {"tokens_per_s", varied ? total_tokens / total_s : max_tokens / s},
                       {"encode_prefill_s", Median(encode)},
                       {"generate_s", Median(gen)},
                       {"image_tokens", image_tokens},
                       {"prompt_tokens", prompt_tokens}};
      std::printf("%d-token prompt (%d image tokens), %s new tokens per image, EOS ignored\n\n",
                  prompt_tokens, image_tokens,
                  varied ? (std::to_string(max_tokens / 2) + "-" +
                            std::to_string(max_tokens / 2 + max_tokens))
                               .c_str()
                         : std::to_string(max_tokens).c_str());
      return 0;
    }();
  }).join();
  if (single_rc != 0) return single_rc;
  std::printf("%-18s %7s %9s %10s %10s %9s %10s %11s %7s\n", "engine", "images", "s/image",
              "images/s", "tokens/s", "peak K", "same text", "ubatch/step", "moves");
  const json& s1 = doc["single"];
  std::printf("%-18s %7d %9.3f %10.2f %10.1f %9d %10s\n", "single-stream", single,
              s1["s_per_image"].get<double>(), s1["images_per_s"].get<double>(),
              s1["tokens_per_s"].get<double>(), 1, "-");

  // Batched, for each K.
  doc["batched"] = json::array();
  struct Run {
    int k;
    bool compact;
  };
  std::vector<Run> runs;
  for (int k : ks) {
    runs.push_back({k, true});
    // The anchor for closing gaps: the same images with the gaps left open.
    if (varied && k > 1) runs.push_back({k, false});
  }
  for (const Run& run : runs) {
    const int k = run.k;
    const std::string name = "batched K=" + std::to_string(k) + (run.compact ? "" : " gaps");
    auto e = vision::BatchEngine::Load(lo, {.max_batch = k,
                                            .max_tokens = varied ? 2 * max_tokens : max_tokens,
                                            .compact = run.compact});
    if (!e.ok()) {
      std::printf("%-14s %s\n", name.c_str(), e.status().message().c_str());
      doc["batched"].push_back({{"k", k}, {"error", e.status().message()}});
      continue;
    }
    if (auto w = (*e)->Generate(Picture(base, 999), prompt, max_tokens); !w.ok()) {
      return Fail(w.status().message());
    }
    const int n = per_k > 0 ? per_k : std::max(4, 2 * k);
    std::mutex mu;
    std::condition_variable cv;
    int answered = 0, failed = 0, same = 0, compared = 0;
    long tokens = 0;
    std::vector<double> latency;
    std::string first_error;
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      (*e)->Submit(Picture(base, i), prompt, budget(i), [&, i](Result<vision::ModelOutput> r) {
        std::lock_guard<std::mutex> l(mu);
        latency.push_back(Sec(t0, Clock::now()));
        if (!r.ok()) {
          ++failed;
          if (first_error.empty()) first_error = r.status().message();
        } else {
          tokens += r->generated_tokens;
          if (i < static_cast<int>(single_text.size())) {
            ++compared;
            same += r->text == single_text[i];
          }
        }
        ++answered;
        cv.notify_all();
      });
    }
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return answered == n; });
    }
    const double wall = Sec(t0, Clock::now());
    if (failed) return Fail("K=" + std::to_string(k) + ": " + first_error);
    auto st = (*e)->stats();
    const double ubatch_per_step =
        st.decode_steps ? static_cast<double>(st.ubatches) / static_cast<double>(st.decode_steps)
                        : 0;
    json row = {{"k", k},
                {"compact", run.compact},
                {"ubatches_per_step", ubatch_per_step},
                {"moves", st.moves},
                {"images", n},
                {"wall_s", wall},
                {"images_per_s", n / wall},
                {"s_per_image", wall / n},
                {"tokens_per_s", tokens / wall},
                {"median_latency_s", Median(latency)},
                {"peak_live", st.peak_live},
                {"context_per_image", (*e)->context_per_image()},
                {"same_text", same},
                {"compared", compared}};
    doc["batched"].push_back(row);
    std::printf("%-18s %7d %9.3f %10.2f %10.1f %9d %7d/%d %11.2f %7llu\n", name.c_str(), n,
                wall / n, n / wall, tokens / wall, st.peak_live, same, compared, ubatch_per_step,
                static_cast<unsigned long long>(st.moves));
  }
  if (!json_path.empty()) std::ofstream(json_path) << doc.dump(1) << "\n";
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return 0;
}
