#include "vision/sampler.h"

#include <llama.h>

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace altscribe::vision {
namespace {

constexpr int kLastN = 64;
constexpr float kRepeatPenalty = 1.1f;

// The penalised-greedy state: the last kLastN accepted tokens and how often each occurs there.
struct PenalisedGreedy {
  std::deque<llama_token> prev;
  std::vector<std::pair<llama_token, int>> counts;  // at most kLastN distinct tokens

  void Accept(llama_token t) {
    Bump(t, +1);
    if (prev.size() >= static_cast<size_t>(kLastN)) {
      Bump(prev.front(), -1);
      prev.pop_front();
    }
    prev.push_back(t);
  }
  void Bump(llama_token t, int by) {
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i].first == t) {
        counts[i].second += by;
        if (counts[i].second == 0) {
          counts[i] = counts.back();
          counts.pop_back();
        }
        return;
      }
    }
    if (by > 0) counts.emplace_back(t, by);
  }
};

// llama.cpp's penalty on one candidate (penalty_freq = penalty_present = 0).
void Penalise(llama_token_data& d) {
  if (d.logit <= 0) {
    d.logit *= kRepeatPenalty;
  } else {
    d.logit /= kRepeatPenalty;
  }
}

void Apply(llama_sampler* smpl, llama_token_data_array* cur_p) {
  auto* st = static_cast<PenalisedGreedy*>(smpl->ctx);
  llama_token_data* data = cur_p->data;
  const size_t n = cur_p->size;
  for (const auto& [token, count] : st->counts) {
    // llama_sampler_sample lays the candidates out by id; anything else is searched.
    if (token >= 0 && static_cast<size_t>(token) < n && data[token].id == token) {
      Penalise(data[token]);
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (data[i].id == token) Penalise(data[i]);
      }
    }
  }
  // Greedy: the first largest logit, as llama_sampler_greedy. The best logit is kept in a
  // variable: reloading data[best] each time makes a load-compare-select chain the CPU cannot
  // overlap (5x slower at 32k entries).
  int64_t best = 0;
  float best_logit = n > 0 ? data[0].logit : 0.0f;
  for (size_t i = 1; i < n; ++i) {
    if (data[i].logit > best_logit) {
      best_logit = data[i].logit;
      best = static_cast<int64_t>(i);
    }
  }
  cur_p->selected = best;
  cur_p->sorted = false;
}

const char* Name(const llama_sampler*) { return "altscribe-penalised-greedy"; }
void AcceptToken(llama_sampler* smpl, llama_token t) {
  static_cast<PenalisedGreedy*>(smpl->ctx)->Accept(t);
}
void Reset(llama_sampler* smpl) { *static_cast<PenalisedGreedy*>(smpl->ctx) = PenalisedGreedy{}; }
llama_sampler* Clone(const llama_sampler* smpl);
void Free(llama_sampler* smpl) { delete static_cast<PenalisedGreedy*>(smpl->ctx); }

llama_sampler_i* Interface() {
  static llama_sampler_i iface = [] {
    llama_sampler_i i{};  // the backend-sampling hooks stay null: CPU sampling only
    i.name = Name;
    i.accept = AcceptToken;
    i.apply = Apply;
    i.reset = Reset;
    i.clone = Clone;
    i.free = Free;
    return i;
  }();
  return &iface;
}

llama_sampler* Clone(const llama_sampler* smpl) {
  return llama_sampler_init(Interface(),
                            new PenalisedGreedy(*static_cast<const PenalisedGreedy*>(smpl->ctx)));
}

}  // namespace

llama_sampler* NewDescribeSampler(const llama_model*) {
  llama_sampler* chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
  llama_sampler_chain_add(chain, llama_sampler_init(Interface(), new PenalisedGreedy()));
  return chain;
}

llama_sampler* NewReferenceDescribeSampler(int n_vocab) {
  llama_sampler* smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
  llama_sampler_chain_add(
      smpl, llama_sampler_init_penalties(n_vocab, kLastN, kRepeatPenalty, 0.0f, 0.0f));
  llama_sampler_chain_add(smpl, llama_sampler_init_greedy());
  return smpl;
}

}  // namespace altscribe::vision
