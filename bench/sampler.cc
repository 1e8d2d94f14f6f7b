// bench/sampler — CPU time to choose one token with the describe sampler (vision/sampler.h)
// against llama.cpp's own penalties(64, 1.1) + greedy chain (the anchor), in the same process, at
// the vocabulary sizes of LLaVA-1.5 (32,000) and Qwen2.5-VL (152,064). Each sample does what
// llama_sampler_sample does: candidates laid out by id from a row of logits, apply, accept. The
// batch engine does this K times per decode step on its scheduler thread while the GPU waits, so
// the table also shows the time per step at K = 64.
//
//   bench/sampler [--samples N]   (default 3000 per sampler and vocabulary)
#include <llama.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "vision/sampler.h"

namespace {

// Microseconds per token over `samples` tokens; logits drift so the history holds many tokens.
// `choose` picks from a row of logits: llama.cpp's chain (as llama_sampler_sample runs it) or
// ours.
template <typename Choose>
double MicrosPerToken(Choose choose, int n_vocab, int samples, llama_token* checksum) {
  std::mt19937 rng(42);
  std::normal_distribution<float> noise(0.0f, 2.0f);
  std::vector<float> logits(static_cast<size_t>(n_vocab));
  for (float& x : logits) x = noise(rng);
  std::uniform_int_distribution<int> any(0, n_vocab - 1);
  auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < samples; ++s) {
    const llama_token t = choose(logits.data());
    *checksum = *checksum * 31 + t;
    logits[static_cast<size_t>(any(rng))] += 3.0f;  // a new favourite now and then
  }
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return us / samples;
}

}  // namespace

int main(int argc, char** argv) {
  int samples = 3000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--samples" && i + 1 < argc) {
      samples = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: bench/sampler [--samples N]\n");
      return 2;
    }
  }
  std::printf("%-10s %22s %16s %8s %22s\n", "vocabulary", "llama.cpp chain us/tok",
              "altscribe us/tok", "ratio", "K=64 step ms (ours)");
  for (int n_vocab : {32000, 152064}) {
    llama_token ref_sum = 0, our_sum = 0;
    llama_sampler* chain = altscribe::vision::NewReferenceDescribeSampler(n_vocab);
    std::vector<llama_token_data> cur(static_cast<size_t>(n_vocab));
    const double ref = MicrosPerToken(
        [&](const float* row) {
          for (int i = 0; i < n_vocab; ++i) cur[static_cast<size_t>(i)] = {i, row[i], 0.0f};
          llama_token_data_array a = {cur.data(), cur.size(), -1, false};
          llama_sampler_apply(chain, &a);
          const llama_token t = a.data[a.selected].id;
          llama_sampler_accept(chain, t);
          return t;
        },
        n_vocab, samples, &ref_sum);
    llama_sampler_free(chain);
    altscribe::vision::DescribeSampler sampler;
    const double ours = MicrosPerToken(
        [&](const float* row) { return sampler.Sample(row, n_vocab); }, n_vocab, samples, &our_sum);
    std::printf("%-10d %22.1f %16.1f %7.1fx %22.2f%s\n", n_vocab, ref, ours, ref / ours,
                64 * ours / 1000, ref_sum == our_sum ? "" : "  (DIFFERENT TOKENS)");
    if (ref_sum != our_sum) return 1;
  }
  return 0;
}
