// The describe sampler against llama.cpp's own penalties(64, 1.1) + greedy chain: the same token
// at every step, on logits built to make the penalty matter (repeated tokens, negative and
// positive logits, exact ties), and on candidates that are not laid out by id.
#include "vision/sampler.h"

#include <gtest/gtest.h>
#include <llama.h>

#include <algorithm>
#include <random>
#include <vector>

namespace altscribe::vision {
namespace {

struct Sampler {
  llama_sampler* s;
  explicit Sampler(llama_sampler* p) : s(p) {}
  ~Sampler() { llama_sampler_free(s); }
  // What llama_sampler_sample does with a row of logits: candidates by id, apply, accept.
  llama_token Sample(const std::vector<llama_token_data>& candidates) {
    std::vector<llama_token_data> cur = candidates;
    llama_token_data_array a = {cur.data(), cur.size(), -1, false};
    llama_sampler_apply(s, &a);
    EXPECT_GE(a.selected, 0);
    const llama_token t = a.data[a.selected].id;
    llama_sampler_accept(s, t);
    return t;
  }
};

std::vector<llama_token_data> ById(const std::vector<float>& logits) {
  std::vector<llama_token_data> c(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    c[i] = {static_cast<llama_token>(i), logits[i], 0.0f};
  }
  return c;
}

// Logits where six favourite tokens, drawn afresh each step from a pool of 100, lead the rest
// and lie within the penalty's reach of each other: some are in the history, some not, so the
// penalty decides many steps; every fifth step all logits are negative
// (the penalty multiplies instead of dividing); every seventh holds an exact tie.
std::vector<float> Logits(std::mt19937& rng, int n_vocab, int step) {
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::normal_distribution<float> close(0.0f, 0.2f);
  const float shift = step % 5 == 0 ? -10.0f : 0.0f;
  std::vector<float> l(static_cast<size_t>(n_vocab));
  for (float& x : l) x = noise(rng) - 3.0f + shift;
  std::uniform_int_distribution<int> pool(0, std::min(n_vocab, 100) - 1);
  for (int j = 0; j < 6; ++j) l[static_cast<size_t>(pool(rng))] = 5.0f + shift + close(rng);
  if (step % 7 == 0) l[3] = l[9] = *std::max_element(l.begin(), l.end()) + 0.25f;  // a tie
  return l;
}

TEST(DescribeSampler, ChoosesWhatLlamaCppsPenaltiesAndGreedyChoose) {
  for (int n_vocab : {32, 1000, 32000}) {
    SCOPED_TRACE("n_vocab " + std::to_string(n_vocab));
    Sampler ours(NewDescribeSampler(nullptr)), ref(NewReferenceDescribeSampler(n_vocab));
    std::mt19937 rng(static_cast<unsigned>(n_vocab));
    int penalised_changes = 0;
    for (int step = 0; step < 400; ++step) {
      const std::vector<float> logits = Logits(rng, n_vocab, step);
      const llama_token a = ours.Sample(ById(logits));
      const llama_token b = ref.Sample(ById(logits));
      ASSERT_EQ(a, b) << "step " << step;
      penalised_changes +=
          a !=
          static_cast<llama_token>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }
    // The penalty really decided steps (otherwise this would only compare two argmaxes).
    EXPECT_GT(penalised_changes, 60);
  }
}

TEST(DescribeSampler, CandidatesInAnotherOrderGiveTheSameChoice) {
  const int n_vocab = 500;
  Sampler ours(NewDescribeSampler(nullptr)), ref(NewReferenceDescribeSampler(n_vocab));
  std::mt19937 rng(7);
  for (int step = 0; step < 200; ++step) {
    std::vector<llama_token_data> c = ById(Logits(rng, n_vocab, step));
    std::shuffle(c.begin(), c.end(), rng);
    if (step % 3 == 0) c.resize(c.size() / 2);  // a truncated candidate list
    ASSERT_EQ(ours.Sample(c), ref.Sample(c)) << "step " << step;
  }
}

TEST(DescribeSampler, ResetAndCloneKeepTheirOwnHistory) {
  Sampler a(NewDescribeSampler(nullptr));
  std::vector<float> flat(16, 0.5f);
  flat[2] = 0.54f;  // 0.54 / 1.1 < 0.5: once 2 is in the history, 0 wins
  EXPECT_EQ(a.Sample(ById(flat)), 2);
  Sampler b(llama_sampler_clone(a.s));
  EXPECT_EQ(a.Sample(ById(flat)), 0);
  EXPECT_EQ(b.Sample(ById(flat)), 0) << "the clone holds the history";
  llama_sampler_reset(a.s);
  EXPECT_EQ(a.Sample(ById(flat)), 2) << "reset forgets it";
}

}  // namespace
}  // namespace altscribe::vision
