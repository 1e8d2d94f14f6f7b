#include "vision/prompt_eval.h"

#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>

#include <string>

namespace altscribe::vision {

namespace {

// The first chunk's tokens when it is text, else empty.
std::vector<int32_t> LeadingText(const mtmd_input_chunks* chunks) {
  std::vector<int32_t> lead;
  if (mtmd_input_chunks_size(chunks) > 0) {
    const mtmd_input_chunk* c0 = mtmd_input_chunks_get(chunks, 0);
    if (mtmd_input_chunk_get_type(c0) == MTMD_INPUT_CHUNK_TYPE_TEXT) {
      size_t n = 0;
      const llama_token* t = mtmd_input_chunk_get_tokens_text(c0, &n);
      lead.assign(t, t + n);
    }
  }
  return lead;
}

}  // namespace

Result<mtmd_input_chunks*> TokenizePrompt(mtmd_context* mtmd, const Image& image,
                                          const std::string& text) {
  mtmd_bitmap* bitmap = mtmd_bitmap_init(image.width, image.height, image.rgb.data());
  mtmd_input_chunks* chunks = mtmd_input_chunks_init();
  mtmd_input_text input = {text.c_str(), text.size(), /*add_special=*/true,
                           /*parse_special=*/true};
  const mtmd_bitmap* bitmaps[] = {bitmap};
  const int32_t rc = mtmd_tokenize(mtmd, chunks, &input, bitmaps, 1);
  mtmd_bitmap_free(bitmap);
  if (rc != 0) {
    mtmd_input_chunks_free(chunks);
    return Status::Model("could not prepare the image for the model (mtmd_tokenize " +
                         std::to_string(rc) + ")");
  }
  return chunks;
}

int CountImageTokens(const mtmd_input_chunks* chunks) {
  int n = 0;
  for (size_t i = 0; i < mtmd_input_chunks_size(chunks); ++i) {
    const mtmd_input_chunk* c = mtmd_input_chunks_get(chunks, i);
    if (mtmd_input_chunk_get_type(c) == MTMD_INPUT_CHUNK_TYPE_IMAGE) {
      n += static_cast<int>(mtmd_input_chunk_get_n_tokens(c));
    }
  }
  return n;
}

bool CanReuse(const HeldPrefix& held, const mtmd_input_chunks* chunks) {
  // Something must follow the prefix: the last chunk is decoded for its logits.
  return mtmd_input_chunks_size(chunks) > 1 && !held.tokens.empty() &&
         LeadingText(chunks) == held.tokens;
}

Result<PromptEval> EvalPrompt(mtmd_context* mtmd, llama_context* ctx,
                              const mtmd_input_chunks* chunks, int32_t seq, int n_batch,
                              HeldPrefix* held) {
  llama_memory_t mem = llama_get_memory(ctx);
  const size_t n_chunks = mtmd_input_chunks_size(chunks);
  const std::vector<int32_t> lead = LeadingText(chunks);
  PromptEval out;
  size_t first = 0;
  if (CanReuse(*held, chunks)) {
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
