// altscribe describe — alt text for image files and URLs.
#include <unistd.h>
#include <cstdint>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/model_flags.h"
#include "core/log.h"
#include "serve/describe_json.h"
#include "vision/describe.h"
#include "vision/endpoint_model.h"
#include "vision/llama_model.h"

namespace altscribe::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kHelp = R"(Usage: altscribe describe [options] IMAGE...

Writes alt text for each IMAGE (a file path or an http/https URL), one per line:
just the text for one image, "IMAGE: text" for several. Loads the model once.
The format is detected from the bytes (JPEG, PNG, WebP, GIF first frame, BMP).
Exit status: 0 when every image was described, 1 when any failed (the others are
still described), 2 for a usage error.

Model (in-process llama.cpp, or an OpenAI-compatible server):
  --model FILE.gguf --mmproj FILE.gguf      see 'altscribe model list'
  --endpoint URL --endpoint-model NAME      Ollama, vLLM, llama-server; an API key
                                            is read from ALTSCRIBE_ENDPOINT_KEY
                                            (or the file in ALTSCRIBE_ENDPOINT_KEY_FILE)

Options:
)";

struct Args {
  ModelFlags model;
  std::string mode = "alt", lang = "en";
  bool json = false, block_private = false;
  int64_t max_tokens = 0, max_chars = 0, max_side = 2048, max_megapixels = 64;
  int64_t max_mb = 20, timeout = 20;
};

}  // namespace

void PrintError(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "altscribe %s: error: %s\n", command.c_str(), message.c_str());
}

int RunDescribe(const std::vector<std::string>& argv) {
  Args a;
  FlagSet flags("describe");
  AddModelFlags(flags, &a.model);
  flags.String("mode", &a.mode, "alt (default), detail, classify or hotdog", "MODE");
  flags.String("lang", &a.lang, "language to write in, e.g. en, de, pt-BR (default en)", "CODE");
  flags.Bool("json", &a.json, "print one JSON object with every image, errors and timings");
  flags.Int("max-tokens", &a.max_tokens, "tokens to generate per image (default by mode)");
  flags.Int("max-chars", &a.max_chars, "characters kept, cut at a sentence end (default by mode)");
  flags.Int("max-side", &a.max_side, "downscale images whose longer side is larger (default 2048)");
  flags.Int("max-megapixels", &a.max_megapixels,
            "refuse larger images before decoding (default 64)");
  flags.Int("max-mb", &a.max_mb, "largest file or download in MB (default 20)");
  flags.Int("timeout", &a.timeout, "seconds allowed for each URL download (default 20)");
  flags.Bool("block-private", &a.block_private,
             "refuse URLs that resolve to loopback/private addresses (for untrusted URLs)");
  std::vector<std::string> images;
  if (Status s = flags.Parse(argv, &images); !s.ok()) {
    PrintError("describe", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s%s", kHelp, flags.Usage().c_str());
    return 0;
  }
  auto usage_error = [](const std::string& m) {
    PrintError("describe", m);
    return 2;
  };
  if (images.empty()) return usage_error("no images given (see altscribe describe --help)");
  auto mode = vision::ParseMode(a.mode);
  if (!mode.ok()) return usage_error(mode.status().message());
  auto lang = vision::Language::Parse(a.lang);
  if (!lang.ok()) return usage_error(lang.status().message());
  if (a.max_side < 0 || a.max_megapixels <= 0 || a.max_mb <= 0 || a.timeout <= 0) {
    return usage_error("--max-side, --max-megapixels, --max-mb and --timeout must be positive");
  }
  vision::DescribeOptions opts;
  opts.mode = *mode;
  opts.lang = *lang;
  opts.max_tokens = static_cast<int>(a.max_tokens);
  opts.max_chars = static_cast<size_t>(a.max_chars);
  opts.decode.max_side = static_cast<uint32_t>(a.max_side);
  opts.decode.max_pixels = static_cast<uint64_t>(a.max_megapixels) * 1'000'000;
  opts.source.max_file_bytes = static_cast<uint64_t>(a.max_mb) * 1'000'000;
  opts.source.http.max_bytes = opts.source.max_file_bytes;
  opts.source.http.timeout = std::chrono::seconds(a.timeout);
  opts.source.http.block_private_addresses = a.block_private;

  if (Status s = CheckModelFlags(a.model); !s.ok()) return usage_error(s.message());
  a.model.max_tokens = static_cast<int>(a.max_tokens);
  // Load the model once.
  double load_ms = 0;
  auto loaded = LoadModel(a.model, &load_ms);
  if (!loaded.ok()) {
    PrintError("describe", loaded.status().message());
    return 1;
  }
  std::unique_ptr<vision::VisionModel> model = std::move(loaded).value();
  auto ocr = LoadOcr(a.model);
  if (!ocr.ok()) {
    PrintError("describe", ocr.status().message());
    return 1;
  }
  opts.ocr = ocr->get();

  vision::Describer describer(*model, opts);
  const bool progress = isatty(STDERR_FILENO) && images.size() > 1;
  json out_images = json::array();
  int failed = 0;
  auto start = std::chrono::steady_clock::now();
  // With a batching model (--batch K) K images are described at once; output stays in order.
  std::vector<std::optional<vision::DescribeResult>> results(images.size());
  std::mutex mu;
  std::condition_variable ready;
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  const size_t workers =
      std::min(images.size(), static_cast<size_t>(std::max(1, model->Concurrency())));
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < images.size();) {
        vision::DescribeResult r = describer.Describe(images[i]);
        std::lock_guard<std::mutex> l(mu);
        results[i] = std::move(r);
        ready.notify_all();
      }
    });
  }
  for (size_t i = 0; i < images.size(); ++i) {
    if (progress) {
      std::fprintf(stderr, "\033[K[%zu/%zu] %s\r", i + 1, images.size(), images[i].c_str());
    }
    vision::DescribeResult r;
    {
      std::unique_lock<std::mutex> l(mu);
      ready.wait(l, [&] { return results[i].has_value(); });
      r = std::move(*results[i]);
      results[i].reset();
    }
    if (progress) std::fprintf(stderr, "\033[K");
    if (!r.error.ok()) {
      ++failed;
      PrintError("describe", images[i] + ": " + r.error.message());
    }
    if (a.json) {
      out_images.push_back(serve::DescribeResultJson(r));
    } else if (r.error.ok()) {
      if (images.size() == 1) {
        std::printf("%s\n", r.text.c_str());
      } else {
        std::printf("%s: %s\n", images[i].c_str(), r.text.c_str());
      }
      std::fflush(stdout);
    }
  }
  for (auto& t : pool) t.join();
  if (a.json) {
    double total =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    json doc = serve::DescribeDocumentJson(out_images, model->Name(), opts, load_ms, total);
    std::printf("%s\n", doc.dump(2).c_str());
  }
  return failed ? 1 : 0;
}

}  // namespace altscribe::cli
