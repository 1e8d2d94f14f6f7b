#include "vision/sampler.h"

#include <llama.h>

#include <algorithm>
#include <utility>

namespace altscribe::vision {
namespace {

constexpr int kLastN = 64;
constexpr float kRepeatPenalty = 1.1f;

// llama.cpp's repetition penalty on one logit (penalty_freq = penalty_present = 0).
float Penalise(float logit) { return logit <= 0 ? logit * kRepeatPenalty : logit / kRepeatPenalty; }

}  // namespace

int32_t DescribeSampler::Sample(const float* logits, int n_vocab) {
  if (marks_.size() * 64 < static_cast<size_t>(n_vocab)) marks_.resize((n_vocab + 63) / 64, 0);
  // Greedy over the penalised row: the first largest value, as llama_sampler_greedy (compare with
  // '>' from index 0). The best value lives in a variable: re-reading it through the best index
  // each time makes a load-compare-select chain the CPU cannot overlap.
  int32_t best = 0;
  float best_logit = Penalised(0) ? Penalise(logits[0]) : logits[0];
  for (int32_t i = 1; i < n_vocab; ++i) {
    float v = logits[i];
    if (Penalised(i)) [[unlikely]] {
      v = Penalise(v);
    }
    if (v > best_logit) {
      best_logit = v;
      best = i;
    }
  }
  // The history, as llama.cpp's penalties sampler keeps it.
  Count(best, +1);
  if (last_.size() >= static_cast<size_t>(kLastN)) {
    Count(last_.front(), -1);
    last_.pop_front();
  }
  last_.push_back(best);
  return best;
}

void DescribeSampler::Reset() {
  last_.clear();
  counts_.clear();
  std::fill(marks_.begin(), marks_.end(), 0);
}

void DescribeSampler::Count(int32_t token, int by) {
  const auto t = static_cast<uint32_t>(token);  // < n_vocab: Sample() sized marks_ for it
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i].first != token) continue;
    counts_[i].second += by;
    if (counts_[i].second == 0) {
      counts_[i] = counts_.back();
      counts_.pop_back();
      marks_[t / 64] &= ~(uint64_t{1} << (t % 64));
    }
    return;
  }
  if (by > 0) {
    counts_.emplace_back(token, by);
    marks_[t / 64] |= uint64_t{1} << (t % 64);
  }
}

llama_sampler* NewReferenceDescribeSampler(int n_vocab) {
  llama_sampler* smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
  llama_sampler_chain_add(
      smpl, llama_sampler_init_penalties(n_vocab, kLastN, kRepeatPenalty, 0.0f, 0.0f));
  llama_sampler_chain_add(smpl, llama_sampler_init_greedy());
  return smpl;
}

}  // namespace altscribe::vision
