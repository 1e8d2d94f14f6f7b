// vision/model.h — the one interface every vision-language backend implements.
//
// Implementations: LlamaVisionModel (llama.cpp + libmtmd in-process, llama_model.h) and
// EndpointVisionModel (an OpenAI-compatible chat-completions server, endpoint_model.h).
#pragma once

#include <string>

#include "core/status.h"
#include "vision/image/image.h"
#include "vision/prompt.h"

namespace altscribe::vision {

struct ModelOutput {
  std::string text;        // raw model text (cleanup happens in the caller)
  double encode_ms = 0;    // image encode + prompt prefill (or the whole request for endpoints)
  double generate_ms = 0;  // token generation
  int prompt_tokens = 0;   // text + image tokens of the prompt
  int reused_tokens = 0;   // of which kept from the previous image (vision/prompt_eval.h)
  int image_tokens = 0;
  int generated_tokens = 0;
};

class VisionModel {
 public:
  virtual ~VisionModel() = default;

  // Generates a response to `prompt` about `image`, at most max_tokens tokens.
  // Thread-safe: implementations serialise or support concurrent calls themselves.
  virtual Result<ModelOutput> Generate(const Image& image, const Prompt& prompt,
                                       int max_tokens) = 0;

  // What produced the text, for JSON output and attribution ("smolvlm-256m-instruct-q8_0").
  virtual std::string Name() const = 0;

  // How many Generate() calls it pays to have in flight at once: callers with a pool of threads
  // (jobs::LocalExecutor, describe) run at least this many. 1 = one at a time is as fast.
  virtual int Concurrency() const { return 1; }
};

}  // namespace altscribe::vision
