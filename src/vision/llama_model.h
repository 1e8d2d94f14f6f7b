// vision/llama_model.h — a vision-language model run in-process by llama.cpp and libmtmd.
//
// Load() validates the files before handing them to llama.cpp, so a wrong path, a file that is
// not GGUF, swapped --model/--mmproj or a projector built for another model each get one clear
// line instead of a crash or a wall of loader logs. llama.cpp's own log goes to the altscribe log
// at debug level (ALTSCRIBE_LOG=debug shows it).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "vision/model.h"
#include "vision/prompt_eval.h"
#include "vision/sampler.h"

struct llama_context_params;
struct llama_model;
struct llama_context;
struct llama_sampler;
struct mtmd_context;

namespace altscribe::vision {

struct LlamaModelOptions {
  std::string model_path;     // text model GGUF
  std::string mmproj_path;    // multimodal projector GGUF
  std::string chat_template;  // "" = from the model, else from the projector type
  int n_threads = 0;          // 0 = all cores
  int n_gpu_layers = -1;      // -1 = all when a GPU backend is present, else 0
  int n_ctx = 8192;           // capped at the model's training context
  bool ignore_eos = false;    // benchmarks only: always generate max_tokens tokens
  // false: load and check the model and projector but create no context of its own (the batch
  // engine, batch_engine.h, makes one for K sequences); Generate() then fails.
  bool single_stream_context = true;
};

class LlamaVisionModel final : public VisionModel {
 public:
  static Result<std::unique_ptr<LlamaVisionModel>> Load(const LlamaModelOptions& options);
  ~LlamaVisionModel() override;
  LlamaVisionModel(const LlamaVisionModel&) = delete;
  LlamaVisionModel& operator=(const LlamaVisionModel&) = delete;

  // Serialised by an internal mutex (one llama context). The KV of the prompt's first text chunk
  // is kept for the next image with the same mode and language (vision/prompt_eval.h).
  Result<ModelOutput> Generate(const Image& image, const Prompt& prompt, int max_tokens) override;
  std::string Name() const override { return name_; }

  const std::string& chat_template() const { return template_name_; }
  double load_ms() const { return load_ms_; }

  // For the batch engine, which shares the loaded weights: the prompt in the chat template with
  // the image marker, the llama.cpp handles (owned by this object), and the load settings.
  Result<std::string> FormatPrompt(const Prompt& prompt) const;
  llama_model* llama() const { return model_; }
  mtmd_context* mtmd() const { return mtmd_; }
  bool ignore_eos() const { return ignore_eos_; }
  int n_threads() const { return n_threads_; }
  // The attention kernel every context over these weights must use so that a sequence gets the
  // same logits whether it is decoded alone or beside others (the batch engine's guarantee on the
  // CPU). On the CPU flash attention is off: ggml's CPU flash attention decodes a lone row with
  // the KV split across threads and several sequences without the split, two summation orders,
  // so a near-tie could go either way; the plain path computes each sequence's row the same in
  // both. With layers on a GPU it is llama.cpp's choice (auto): the GPU kernels change with the
  // number of rows anyway (see batch_engine.h).
  // REQUIRES: params != nullptr.
  void SetAttention(llama_context_params* params) const;
  bool cpu_only() const { return cpu_only_; }

 private:
  LlamaVisionModel() = default;

  llama_model* model_ = nullptr;
  llama_context* ctx_ = nullptr;
  mtmd_context* mtmd_ = nullptr;
  std::string name_;
  std::string template_name_;  // a built-in template name, or the model's own template text
  bool template_from_model_ = false;
  double load_ms_ = 0;
  int n_batch_ = 2048;
  HeldPrefix held_;  // the prompt prefix whose KV ctx_ keeps between images; GUARDED_BY(mu_)
  bool ignore_eos_ = false;
  bool cpu_only_ = true;  // no layer offloaded to a GPU
  int n_threads_ = 1;
  std::mutex mu_;
};

// Returns the projector type stored in an mmproj GGUF ("mlp", "qwen2.5vl", "gemma3", ...).
Result<std::string> ReadProjectorType(const std::string& mmproj_path);
// The llama.cpp built-in chat template used for a projector type when the model has none.
std::string TemplateForProjector(const std::string& projector_type);

// llama.cpp's version string and the compute backends this build can use ("CPU", "CUDA0").
std::string LlamaCppVersion();
std::string LlamaBackends();
// Routes llama.cpp/ggml/mtmd logging into the altscribe log (idempotent).
void InstallLlamaLogging();

}  // namespace altscribe::vision
