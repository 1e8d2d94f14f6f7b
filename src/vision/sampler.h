// vision/sampler.h — how every describe chooses its next token: greedy, with a repetition
// penalty of 1.1 on the tokens among the last 64 it chose (deterministic; small models stop
// looping).
//
// It chooses exactly what llama.cpp's chain penalties(64, 1.1, 0, 0) + greedy chooses, token for
// token (sampler_test compares them, ties and negative logits included), but reads the row of
// logits once and builds nothing: llama_sampler_sample copies the row into a candidate array and
// the penalties sampler looks each entry up in a hash map (~115 us a token at a 32k vocabulary,
// ~530 us at Qwen's 152k; bench/sampler). The batch engine samples K rows per decode step while
// the GPU waits, so that difference is multiplied by K on every step.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

struct llama_sampler;

namespace altscribe::vision {

class DescribeSampler {
 public:
  // The next token from one row of logits (indexed by token id, n_vocab > 0 of them); it goes
  // into the history. Not thread-safe; one sampler per sequence.
  int32_t Sample(const float* logits, int n_vocab);

  // Forgets the history (a new image).
  void Reset();

 private:
  void Count(int32_t token, int by);
  bool Penalised(int32_t token) const {
    const auto t = static_cast<uint32_t>(token);
    return t / 64 < marks_.size() && (marks_[t / 64] >> (t % 64) & 1);
  }

  std::deque<int32_t> last_;                     // the last 64 tokens chosen
  std::vector<std::pair<int32_t, int>> counts_;  // how often each occurs there (<= 64 entries)
  std::vector<uint64_t> marks_;                  // a bit per token id: counts_ holds it
};

// The same choice from llama.cpp's own samplers (for sampler_test and bench/sampler). The caller
// frees it with llama_sampler_free.
llama_sampler* NewReferenceDescribeSampler(int n_vocab);

}  // namespace altscribe::vision
