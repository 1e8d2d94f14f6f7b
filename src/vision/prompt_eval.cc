#include "vision/prompt_eval.h"

#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include <string>

namespace altscribe::vision {

Result<PromptEval> EvalPrompt(mtmd_context* mtmd, llama_context* ctx,
                              const mtmd_input_chunks* chunks, int32_t seq, int n_batch,
                              HeldPrefix* held) {
  llama_memory_t mem = llama_get_memory(ctx);
  const size_t n_chunks = mtmd_input_chunks_size(chunks);
  std::vector<llama_token> lead;  // the first chunk's tokens, when it is text
  if (n_chunks > 0) {
    const mtmd_input_chunk* c0 = mtmd_input_chunks_get(chunks, 0);
    if (mtmd_input_chunk_get_type(c0) == MTMD_INPUT_CHUNK_TYPE_TEXT) {
      size_t n = 0;
      const llama_token* t = mtmd_input_chunk_get_tokens_text(c0, &n);
      lead.assign(t, t + n);
    }
  }
  PromptEval out;
  size_t first = 0;
  // Reuse only when something follows the prefix: the last chunk must be decoded for its logits.
  if (n_chunks > 1 && !lead.empty() && lead == held->tokens) {
    first = 1;
    out.n_past = static_cast<llama_pos>(lead.size());
    out.reused = static_cast<int>(lead.size());
    llama_memory_seq_rm(mem, seq, out.n_past, -1);
  } else {
    ForgetPrompt(ctx, seq, held);
  }
  for (size_t i = first; i < n_chunks; ++i) {
    llama_pos next = out.n_past;
    const int32_t rc =
        mtmd_helper_eval_chunk_single(mtmd, ctx, mtmd_input_chunks_get(chunks, i), out.n_past, seq,
                                      n_batch, /*logits_last=*/i + 1 == n_chunks, &next);
    if (rc != 0) {
      ForgetPrompt(ctx, seq, held);
      return Status::Model("the model failed to read the image (eval " + std::to_string(rc) + ")");
    }
    out.n_past = next;
    if (i == 0 && !lead.empty()) held->tokens = lead;
  }
  return out;
}

void ForgetPrompt(llama_context* ctx, int32_t seq, HeldPrefix* held) {
  held->tokens.clear();
  llama_memory_seq_rm(llama_get_memory(ctx), seq, -1, -1);
}

}  // namespace altscribe::vision
