// bench/describe — how fast `altscribe describe` is, stage by stage.
//
// Prints three tables:
//   1. model load time (median of --loads runs);
//   2. per-image latency over --runs runs of one 640×480 JPEG through the whole describer
//      (decode → image encode + prefill → generation → cleanup), with tokens/s;
//   3. image decode throughput in megapixels/s for JPEG, PNG and WebP at 2048×1536, for
//      altscribe's decoders and, as the anchor in the same process, llama.cpp's own stb_image
//      path (mtmd_helper_bitmap_init_from_buf, what llama-mtmd-cli uses; it has no WebP).
//
// Without --model/--mmproj it generates the tiny test model into a temporary directory.
//   bench/describe [--model M --mmproj P] [--runs N] [--loads N] [--threads N] [--max-tokens N]
//                  [--ignore-eos]   (random-weight models: time exactly --max-tokens tokens)
#include <mtmd-helper.h>
#include <mtmd.h>
#include <unistd.h>
#include <cstdint>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "image_fixtures.h"
#include "models/test_model.h"
#include "vision/describe.h"
#include "vision/llama_model.h"

namespace {

using namespace altscribe;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int Fail(const std::string& m) {
  std::fprintf(stderr, "bench/describe: error: %s\n", m.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, mmproj;
  int runs = 10, loads = 3, threads = 0, max_tokens = 32;
  bool ignore_eos = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--model")
      model = next();
    else if (a == "--mmproj")
      mmproj = next();
    else if (a == "--runs")
      runs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--loads")
      loads = std::max(1, std::atoi(next().c_str()));
    else if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--max-tokens")
      max_tokens = std::max(1, std::atoi(next().c_str()));
    else if (a == "--ignore-eos")
      ignore_eos = true;
    else
      return Fail("unknown argument " + a);
  }
  std::string tmp;
  if (model.empty()) {
    tmp = (std::filesystem::temp_directory_path() / ("altscribe-bench-" + std::to_string(getpid())))
              .string();
    Status s = models::WriteTestModel(tmp, models::TestModelPreset::kTiny);
    if (!s.ok()) return Fail(s.message());
    model = tmp + "/model.gguf";
    mmproj = tmp + "/mmproj.gguf";
  }

  // 1. Model load.
  vision::LlamaModelOptions lo{
      .model_path = model, .mmproj_path = mmproj, .n_threads = threads, .ignore_eos = ignore_eos};
  std::vector<double> load_ms;
  std::unique_ptr<vision::LlamaVisionModel> m;
  for (int i = 0; i < loads; ++i) {
    m.reset();
    auto r = vision::LlamaVisionModel::Load(lo);
    if (!r.ok()) return Fail(r.status().message());
    m = std::move(r).value();
    load_ms.push_back(m->load_ms());
  }
  std::printf("model: %s (%s)\n", m->Name().c_str(), model.c_str());
  std::printf("backends: %s, llama.cpp %s\n\n", vision::LlamaBackends().c_str(),
              vision::LlamaCppVersion().c_str());
  std::printf("%-28s %10s\n", "model load", "ms");
  std::printf("%-28s %10.1f\n\n", "median", Median(load_ms));

  // 2. Per-image latency through the describer.
  std::vector<uint8_t> photo = testing::MakeJpeg(640, 480);
  vision::DescribeOptions opts;
  opts.max_tokens = max_tokens;
  vision::Describer d(*m, opts);
  std::vector<double> total, decode, encode, gen, tps;
  d.DescribeBytes("warmup.jpg", photo);
  int tokens = 0;
  for (int i = 0; i < runs; ++i) {
    auto r = d.DescribeBytes("photo.jpg", photo);
    if (!r.error.ok()) return Fail(r.error.message());
    total.push_back(r.timings.total_ms);
    decode.push_back(r.timings.decode_ms);
    encode.push_back(r.timings.encode_ms);
    gen.push_back(r.timings.generate_ms);
    tokens = r.timings.generated_tokens;
    if (r.timings.generate_ms > 0) tps.push_back(1000.0 * tokens / r.timings.generate_ms);
  }
  std::printf("per image, 640x480 JPEG, %d runs, %d tokens   median ms    p90 ms\n", runs, tokens);
  std::printf("%-44s %9.2f %9.2f\n", "decode + orient + downscale", Median(decode),
              Pct(decode, 0.9));
  std::printf("%-44s %9.2f %9.2f\n", "image encode + prefill", Median(encode), Pct(encode, 0.9));
  std::printf("%-44s %9.2f %9.2f\n", "generation", Median(gen), Pct(gen, 0.9));
  std::printf("%-44s %9.2f %9.2f\n", "total (describe one image)", Median(total), Pct(total, 0.9));
  std::printf("%-44s %9.1f\n\n", "generation tokens/s", Median(tps));

  // 3. Decode throughput: altscribe vs llama.cpp's stb_image helper (anchor), same bytes.
  mtmd_context_params mp = mtmd_context_params_default();
  mp.use_gpu = false;
  mp.warmup = false;
  mtmd_context* mctx = mtmd_init_from_file(mmproj.c_str(), nullptr, mp);
  const uint32_t W = 2048, H = 1536;
  const double mp_count = W * H / 1e6;
  struct Fmt {
    const char* name;
    std::vector<uint8_t> bytes;
    bool anchor;
  } fmts[] = {{"JPEG q90", testing::MakeJpeg(W, H, 90), true},
              {"PNG", testing::MakePng(W, H), true},
              {"WebP lossy", testing::MakeWebp(W, H), false}};
  vision::DecodeLimits full{.max_pixels = 100'000'000, .max_side = 0};
  std::printf("decode %ux%u (%.1f MP)      altscribe MP/s   stb (anchor) MP/s   ratio\n", W, H,
              mp_count);
  for (auto& f : fmts) {
    std::vector<double> ours, theirs;
    for (int i = 0; i < 5; ++i) {
      auto t0 = Clock::now();
      auto r = vision::DecodeImage(f.bytes, full);
      auto t1 = Clock::now();
      if (!r.ok()) return Fail(std::string(f.name) + ": " + r.status().message());
      ours.push_back(mp_count / (Ms(t0, t1) / 1000.0));
      if (f.anchor && mctx) {
        auto w = mtmd_helper_bitmap_init_from_buf(mctx, f.bytes.data(), f.bytes.size(), false,
                                                  mtmd_helper_init_opt_default());
        auto t2 = Clock::now();
        if (w.bitmap) {
          theirs.push_back(mp_count / (Ms(t1, t2) / 1000.0));
          mtmd_bitmap_free(w.bitmap);
        }
      }
    }
    if (theirs.empty()) {
      std::printf("%-28s %14.1f %19s %7s\n", f.name, Median(ours), "n/a", "-");
    } else {
      std::printf("%-28s %14.1f %19.1f %6.2fx\n", f.name, Median(ours), Median(theirs),
                  Median(ours) / Median(theirs));
    }
  }
  if (mctx) mtmd_free(mctx);
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return 0;
}
