// The describe sampler against llama.cpp's own penalties(64, 1.1) + greedy chain: the same token
// at every step, on logits built to make the penalty matter (repeated tokens, negative and
// positive logits, exact ties, the edges of the row, tokens leaving the 64-token window).
#include "vision/sampler.h"

#include <gtest/gtest.h>
#include <llama.h>

#include <algorithm>
#include <random>
#include <vector>

namespace altscribe::vision {
namespace {

// llama.cpp's chain as llama_sampler_sample runs it: candidates by id, apply, accept.
struct Reference {
  llama_sampler* s;
  explicit Reference(int n_vocab) : s(NewReferenceDescribeSampler(n_vocab)) {}
  ~Reference() { llama_sampler_free(s); }
  llama_token Sample(const std::vector<float>& logits);
};

std::vector<llama_token_data> ById(const std::vector<float>& logits) {
  std::vector<llama_token_data> c(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    c[i] = {static_cast<llama_token>(i), logits[i], 0.0f};
  }
  return c;
}

llama_token Reference::Sample(const std::vector<float>& logits) {
  std::vector<llama_token_data> cur = ById(logits);
  llama_token_data_array a = {cur.data(), cur.size(), -1, false};
  llama_sampler_apply(s, &a);
  EXPECT_GE(a.selected, 0);
  const llama_token t = a.data[a.selected].id;
  llama_sampler_accept(s, t);
  return t;
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
    DescribeSampler ours;
    Reference ref(n_vocab);
    std::mt19937 rng(static_cast<unsigned>(n_vocab));
    int penalised_changes = 0;
    for (int step = 0; step < 400; ++step) {
      const std::vector<float> logits = Logits(rng, n_vocab, step);
      const llama_token a = ours.Sample(logits.data(), n_vocab);
      ASSERT_EQ(a, ref.Sample(logits)) << "step " << step;
      penalised_changes +=
          a !=
          static_cast<llama_token>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }
    // The penalty really decided steps (otherwise this would only compare two argmaxes).
    EXPECT_GT(penalised_changes, 60);
  }
}

// Token 0 and the last token are penalised like any other (the edges of the row).
TEST(DescribeSampler, TheFirstAndLastTokensArePenalisedToo) {
  for (int first_or_last : {0, 15}) {
    DescribeSampler ours;
    Reference ref(16);
    std::vector<float> row(16, 0.5f);
    row[static_cast<size_t>(first_or_last)] = 0.54f;  // 0.54 / 1.1 < 0.5 once penalised
    for (int step = 0; step < 3; ++step) {
      ASSERT_EQ(ours.Sample(row.data(), 16), ref.Sample(row)) << first_or_last << " " << step;
    }
  }
}

TEST(DescribeSampler, ResetForgetsTheHistoryAndACopyKeepsIt) {
  DescribeSampler a;
  std::vector<float> row(16, 0.5f);
  row[2] = 0.54f;  // 0.54 / 1.1 < 0.5: once 2 is in the history, 0 wins
  EXPECT_EQ(a.Sample(row.data(), 16), 2);
  DescribeSampler b = a;
  EXPECT_EQ(a.Sample(row.data(), 16), 0);
  EXPECT_EQ(b.Sample(row.data(), 16), 0) << "the copy holds the history";
  a.Reset();
  EXPECT_EQ(a.Sample(row.data(), 16), 2) << "reset forgets it";
}

// After 64 more tokens a token leaves the history and is no longer penalised.
TEST(DescribeSampler, OnlyTheLastSixtyFourTokensArePenalised) {
  DescribeSampler ours;
  Reference ref(200);
  std::vector<float> row(200, -1.0f);
  for (int step = 0; step < 300; ++step) {
    row[static_cast<size_t>(step % 130)] = 2.0f + 0.001f * static_cast<float>(step % 7);
    ASSERT_EQ(ours.Sample(row.data(), 200), ref.Sample(row)) << "step " << step;
  }
}

}  // namespace
}  // namespace altscribe::vision
