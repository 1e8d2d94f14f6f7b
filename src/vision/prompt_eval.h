// vision/prompt_eval.h — evaluating one tokenized prompt (text and image chunks) into one
// sequence of a llama context, reusing the KV of the prompt's first text chunk when the sequence
// already holds it.
//
// For a given mode and language every prompt begins with the same text chunk: the chat template's
// opening and the system turn with the alt-text rules (hundreds of tokens for describe), before
// the image. A sequence keeps that chunk's KV from one image to the next (HeldPrefix); when the
// next prompt's first chunk is the same token for token, only the image and what follows are
// evaluated. The reuse is exact, never approximate: the first chunk is always decoded by itself,
// at positions 0..n-1, so the KV kept is bit for bit what evaluating it again would write, and the
// text is the same with or without the reuse (llama_model_test and batch_engine_test check it).
// A first chunk that differs in any token is evaluated from scratch (no partial prefix: that
// would decode the rest of the chunk in another batch shape).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/model.h"

struct llama_context;
struct mtmd_context;
struct mtmd_input_chunks;

namespace altscribe::vision {

// Tokenizes `text` (the formatted prompt, with one image marker) with `image`: the text tokens
// and the projector's preprocessing of the image. Thread-safe (mtmd_tokenize is). The caller
// frees the chunks with mtmd_input_chunks_free. Fails with a Model error naming the mtmd code.
Result<mtmd_input_chunks*> TokenizePrompt(mtmd_context* mtmd, const Image& image,
                                          const std::string& text);
// The image tokens among `chunks`.
int CountImageTokens(const mtmd_input_chunks* chunks);

// The first text chunk of the last prompt whose KV the sequence holds at positions 0..n-1
// (empty: nothing reusable). Owned by whoever owns the sequence; one per sequence.
struct HeldPrefix {
  std::vector<int32_t> tokens;  // llama_token
};

struct PromptEval {
  int32_t n_past = 0;  // the position after the prompt (llama_pos)
  int reused = 0;      // prompt tokens whose KV was kept instead of evaluated
};

// Empties `seq` beyond the reusable prefix (all of it when the first chunk differs), evaluates
// the remaining chunks (logits for the prompt's last token) and records the first chunk in *held.
// On failure the sequence is emptied, *held cleared, and the error says the model could not read
// the image. REQUIRES: held != nullptr; chunks is non-empty; not called concurrently on one ctx.
Result<PromptEval> EvalPrompt(mtmd_context* mtmd, llama_context* ctx,
                              const mtmd_input_chunks* chunks, int32_t seq, int n_batch,
                              HeldPrefix* held);

// Whether EvalPrompt would keep the held prefix for `chunks` (their first chunk is text, equal to
// the held one, and something follows it).
bool CanReuse(const HeldPrefix& held, const mtmd_input_chunks* chunks);

// Forgets the held prefix and frees every cell of `seq`. REQUIRES: held != nullptr.
void ForgetPrompt(llama_context* ctx, int32_t seq, HeldPrefix* held);

}  // namespace altscribe::vision
