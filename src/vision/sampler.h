// vision/sampler.h — the sampler every describe uses: greedy, with a repetition penalty of 1.1 on
// the tokens among the last 64 generated (deterministic, and small models stop looping).
//
// It chooses exactly what llama.cpp's chain penalties(64, 1.1, 0, 0) + greedy chooses, token for
// token (sampler_test compares them on random logits), but does less work: llama.cpp's penalties
// look every vocabulary entry up in a hash map (~0.1 ms a token at a 32k vocabulary, more at
// Qwen's 152k), this touches only the penalised tokens and then finds the largest logit. The
// batch engine samples K sequences per decode step on its one scheduler thread while the GPU
// waits, so that difference is multiplied by K on every step.
#pragma once

struct llama_model;
struct llama_sampler;

namespace altscribe::vision {

// A new describe sampler (a llama.cpp sampler chain holding the one penalised-greedy sampler, so
// llama_sampler_sample reuses the chain's candidate buffer). The caller frees it with
// llama_sampler_free. `model` may be null (the vocabulary size is not needed).
llama_sampler* NewDescribeSampler(const llama_model* model);

// The same choice built from llama.cpp's own samplers: the reference sampler_test compares with.
llama_sampler* NewReferenceDescribeSampler(int n_vocab);

}  // namespace altscribe::vision
