#include "vision/llama_model.h"

#include <ggml-backend.h>
#include <gguf.h>
#include <llama.h>
#include <mtmd-helper.h>
#include <mtmd.h>
#include <cstdint>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include <cerrno>
#include "core/log.h"
#include "core/text.h"

#ifndef ALTSCRIBE_LLAMA_CPP_VERSION
#define ALTSCRIBE_LLAMA_CPP_VERSION "unknown"
#endif

namespace altscribe::vision {
namespace {

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The last error line llama.cpp/mtmd logged on this thread: loaders report causes only there.
thread_local std::string t_last_error;

void LogCallback(ggml_log_level level, const char* text, void*) {
  std::string_view line = Trim(text ? text : "");
  if (line.empty()) return;
  if (level == GGML_LOG_LEVEL_ERROR) t_last_error = std::string(line);
  LogDebug(std::string("llama.cpp: ") + std::string(line));
}

// The cause from the last error llama.cpp logged, as one line: "clip_init: error: mismatch
// between ... \nhint: ..." becomes "mismatch between ...".
std::string TakeLastError() {
  std::string e = std::move(t_last_error);
  t_last_error.clear();
  e = std::string(Trim(e.substr(0, e.find('\n'))));
  for (bool stripped = true; stripped;) {
    stripped = false;
    auto p = e.find(": ");
    if (p != std::string::npos && p < 40 && e.substr(0, p).find(' ') == std::string::npos) {
      e = e.substr(p + 2);  // "clip_init: " or "error: "
      stripped = true;
    }
  }
  return e.empty() ? "see ALTSCRIBE_LOG=debug for llama.cpp's log" : e;
}

// Reads the GGUF header and returns general.architecture, or a clear error.
Result<std::string> GgufArchitecture(const std::string& path, const char* what) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT) {
      return Status::NotFound(std::string(what) + " file not found: " + path +
                              " (see altscribe model list, or altscribe model make-test)");
    }
    return Status::IoError(std::string(what) + " file " + path + ": " + std::strerror(errno));
  }
  char magic[4] = {};
  size_t n = std::fread(magic, 1, 4, f);
  std::fclose(f);
  if (n < 4 || std::memcmp(magic, "GGUF", 4) != 0) {
    return Status::InvalidArgument(std::string(what) + " file " + path +
                                   " is not a GGUF file (expected a .gguf from llama.cpp)");
  }
  gguf_init_params p = {/*no_alloc=*/true, /*ctx=*/nullptr};
  gguf_context* g = gguf_init_from_file(path.c_str(), p);
  if (!g) {
    return Status::InvalidArgument(std::string(what) + " file " + path +
                                   " is a damaged or truncated GGUF file");
  }
  std::string arch;
  if (int64_t k = gguf_find_key(g, "general.architecture"); k >= 0) arch = gguf_get_val_str(g, k);
  gguf_free(g);
  return arch;
}

}  // namespace

void InstallLlamaLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(LogCallback, nullptr);
    mtmd_helper_log_set(LogCallback, nullptr);
    llama_backend_init();
  });
}

std::string LlamaCppVersion() { return ALTSCRIBE_LLAMA_CPP_VERSION; }

std::string LlamaBackends() {
  InstallLlamaLogging();
  std::string out;
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    ggml_backend_dev_t d = ggml_backend_dev_get(i);
    if (!out.empty()) out += ", ";
    out += ggml_backend_dev_name(d);
    if (ggml_backend_dev_type(d) != GGML_BACKEND_DEVICE_TYPE_CPU) {
      out += std::string(" (") + ggml_backend_dev_description(d) + ")";
    }
  }
  return out;
}

Result<std::string> ReadProjectorType(const std::string& mmproj_path) {
  gguf_init_params p = {/*no_alloc=*/true, /*ctx=*/nullptr};
  gguf_context* g = gguf_init_from_file(mmproj_path.c_str(), p);
  if (!g) return Status::InvalidArgument(mmproj_path + " is not a readable GGUF file");
  std::string type;
  for (const char* key : {"clip.projector_type", "clip.vision.projector_type"}) {
    if (int64_t k = gguf_find_key(g, key); k >= 0 && type.empty()) type = gguf_get_val_str(g, k);
  }
  gguf_free(g);
  return type;
}

std::string TemplateForProjector(const std::string& t) {
  if (t == "qwen2vl_merger" || t == "qwen2.5vl_merger" || t == "qwen2vl" || t == "qwen25vl" ||
      t == "qwen3vl_merger") {
    return "chatml";
  }
  if (t == "gemma3") return "gemma";
  if (t == "idefics3") return "smolvlm";
  if (t == "mlp" || t == "mlp_norm" || t == "ldp" || t == "ldpv2") return "vicuna";
  return "chatml";
}

Result<std::unique_ptr<LlamaVisionModel>> LlamaVisionModel::Load(const LlamaModelOptions& o) {
  InstallLlamaLogging();
  auto start = Clock::now();
  if (o.model_path.empty()) {
    return Status::InvalidArgument(
        "no model given: pass --model FILE.gguf --mmproj FILE.gguf "
        "or --endpoint URL");
  }
  if (o.mmproj_path.empty()) {
    return Status::InvalidArgument(
        "no --mmproj given: vision models need the projector file "
        "(mmproj-*.gguf) beside the model");
  }
  ASSIGN_OR_RETURN(std::string arch, GgufArchitecture(o.model_path, "model"));
  ASSIGN_OR_RETURN(std::string proj_arch, GgufArchitecture(o.mmproj_path, "mmproj"));
  if (arch == "clip") {
    return Status::InvalidArgument("--model " + o.model_path +
                                   " is a projector (mmproj), not a text model; swap --model "
                                   "and --mmproj?");
  }
  if (proj_arch != "clip") {
    return Status::InvalidArgument("--mmproj " + o.mmproj_path + " is a " +
                                   (proj_arch.empty() ? "non-projector" : proj_arch) +
                                   " model, not a multimodal projector (mmproj-*.gguf)");
  }

  std::unique_ptr<LlamaVisionModel> m(new LlamaVisionModel());
  const bool gpu = llama_supports_gpu_offload();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = o.n_gpu_layers >= 0 ? o.n_gpu_layers : (gpu ? 999 : 0);
  t_last_error.clear();
  m->model_ = llama_model_load_from_file(o.model_path.c_str(), mp);
  if (!m->model_) {
    return Status::Model("cannot load model " + o.model_path + ": " + TakeLastError());
  }

  const int threads =
      o.n_threads > 0 ? o.n_threads : std::max(1u, std::thread::hardware_concurrency());
  llama_context_params cp = llama_context_default_params();
  int train_ctx = llama_model_n_ctx_train(m->model_);
  cp.n_ctx = static_cast<uint32_t>(train_ctx > 0 ? std::min(o.n_ctx, train_ctx) : o.n_ctx);
  m->n_batch_ = static_cast<int>(std::min<uint32_t>(cp.n_ctx, 2048));
  cp.n_batch = static_cast<uint32_t>(m->n_batch_);
  cp.n_ubatch = static_cast<uint32_t>(m->n_batch_);  // non-causal image chunks need one ubatch
  cp.n_seq_max = 1;
  cp.n_threads = threads;
  cp.n_threads_batch = threads;
  cp.no_perf = true;
  m->cpu_only_ = !(gpu && mp.n_gpu_layers > 0);
  m->SetAttention(&cp);
  m->n_threads_ = threads;
  if (o.single_stream_context) m->ctx_ = llama_init_from_model(m->model_, cp);
  if (o.single_stream_context && !m->ctx_) {
    return Status::Model("cannot create a context for " + o.model_path + ": " + TakeLastError());
  }

  mtmd_context_params mparams = mtmd_context_params_default();
  mparams.use_gpu = gpu && mp.n_gpu_layers > 0;
  mparams.print_timings = false;
  mparams.n_threads = threads;
  mparams.warmup = false;
  m->mtmd_ = mtmd_init_from_file(o.mmproj_path.c_str(), m->model_, mparams);
  if (!m->mtmd_) {
    return Status::Model("mmproj " + o.mmproj_path + " does not work with model " + o.model_path +
                         ": " + TakeLastError());
  }
  if (!mtmd_support_vision(m->mtmd_)) {
    return Status::Unsupported("mmproj " + o.mmproj_path + " has no vision encoder");
  }

  char desc[256] = {};
  llama_model_meta_val_str(m->model_, "general.name", desc, sizeof desc);
  m->name_ = desc[0] ? desc : o.model_path.substr(o.model_path.find_last_of('/') + 1);

  if (!o.chat_template.empty()) {
    m->template_name_ = o.chat_template;
  } else if (const char* t = llama_model_chat_template(m->model_, nullptr); t && *t) {
    m->template_name_ = t;
    m->template_from_model_ = true;
  } else {
    ASSIGN_OR_RETURN(std::string ptype, ReadProjectorType(o.mmproj_path));
    m->template_name_ = TemplateForProjector(ptype);
  }
  // Fail now, not on the first image, if the template is unusable.
  auto probe = m->FormatPrompt(Prompt{"s", "u"});
  if (!probe.ok() && m->template_from_model_) {
    ASSIGN_OR_RETURN(std::string ptype, ReadProjectorType(o.mmproj_path));
    LogInfo("the model's chat template is not one llama.cpp knows; using " +
            TemplateForProjector(ptype));
    m->template_name_ = TemplateForProjector(ptype);
    m->template_from_model_ = false;
    probe = m->FormatPrompt(Prompt{"s", "u"});
  }
  if (!probe.ok()) return probe.status();
  m->ignore_eos_ = o.ignore_eos;
  m->load_ms_ = MsSince(start);
  return m;
}

LlamaVisionModel::~LlamaVisionModel() {
  if (mtmd_) mtmd_free(mtmd_);
  if (ctx_) llama_free(ctx_);
  if (model_) llama_model_free(model_);
}

void LlamaVisionModel::SetAttention(llama_context_params* params) const {
  params->flash_attn_type = cpu_only_ ? LLAMA_FLASH_ATTN_TYPE_DISABLED : LLAMA_FLASH_ATTN_TYPE_AUTO;
}

Result<std::string> LlamaVisionModel::FormatPrompt(const Prompt& prompt) const {
  std::string user = std::string(mtmd_default_marker()) + "\n" + prompt.user;
  llama_chat_message msgs[2] = {{"system", prompt.system.c_str()}, {"user", user.c_str()}};
  std::vector<char> buf(4096 + 2 * (prompt.system.size() + user.size()));
  int n = llama_chat_apply_template(template_name_.c_str(), msgs, 2, true, buf.data(),
                                    static_cast<int32_t>(buf.size()));
  if (n > static_cast<int>(buf.size())) {
    buf.resize(static_cast<size_t>(n));
    n = llama_chat_apply_template(template_name_.c_str(), msgs, 2, true, buf.data(), n);
  }
  if (n < 0) {
    return Status::InvalidArgument(
        "unknown chat template '" +
        (template_from_model_ ? std::string("(from the model)") : template_name_) +
        "' (use --chat-template vicuna, chatml, gemma, smolvlm, llama3 ...)");
  }
  return std::string(buf.data(), static_cast<size_t>(n));
}

Result<ModelOutput> LlamaVisionModel::Generate(const Image& image, const Prompt& prompt,
                                               int max_tokens) {
  if (!ctx_) return Status::Internal("this model was loaded without a context (batch engine)");
  ModelOutput out;
  ASSIGN_OR_RETURN(std::string text, FormatPrompt(prompt));

  auto t0 = Clock::now();
  ASSIGN_OR_RETURN(mtmd_input_chunks * chunks, TokenizePrompt(mtmd_, image, text));
  auto free_chunks = [&] { mtmd_input_chunks_free(chunks); };
  const size_t n_prompt = mtmd_helper_get_n_tokens(chunks);
  out.image_tokens = CountImageTokens(chunks);
  const uint32_t n_ctx = llama_n_ctx(ctx_);
  if (n_prompt + static_cast<size_t>(max_tokens) > n_ctx) {
    free_chunks();
    return Status::TooLarge("the image and prompt need " + std::to_string(n_prompt) +
                            " tokens plus " + std::to_string(max_tokens) +
                            " to generate, more than the context of " + std::to_string(n_ctx) +
                            " (raise --ctx or lower --max-side)");
  }

  // Tokenizing and preprocessing above run unlocked (mtmd_tokenize is thread-safe): concurrent
  // callers prepare their images while another one's is being generated.
  const double prepare_ms = MsSince(t0);
  std::lock_guard<std::mutex> lock(mu_);
  const auto t_eval = Clock::now();
  auto eval = EvalPrompt(mtmd_, ctx_, chunks, 0, n_batch_, &held_);
  free_chunks();
  if (!eval.ok()) return eval.status();
  out.prompt_tokens = static_cast<int>(n_prompt);
  out.reused_tokens = eval->reused;
  out.encode_ms = prepare_ms + MsSince(t_eval);

  auto t1 = Clock::now();
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  DescribeSampler sampler;
  const int n_vocab = llama_vocab_n_tokens(vocab);
  std::string generated;
  char piece[256];
  Status status;
  for (int i = 0; i < max_tokens; ++i) {
    llama_token tok = sampler.Sample(llama_get_logits_ith(ctx_, -1), n_vocab);
    if (!ignore_eos_ && llama_vocab_is_eog(vocab, tok)) break;
    int n = llama_token_to_piece(vocab, tok, piece, sizeof piece, 0, /*special=*/false);
    if (n > 0) generated.append(piece, static_cast<size_t>(n));
    ++out.generated_tokens;
    if (i + 1 == max_tokens) break;
    llama_batch batch = llama_batch_get_one(&tok, 1);
    if (llama_decode(ctx_, batch) != 0) {
      status = Status::Model("the model failed while generating (llama_decode)");
      break;
    }
  }
  if (!status.ok()) {
    ForgetPrompt(ctx_, 0, &held_);
    return status;
  }
  out.generate_ms = MsSince(t1);
  out.text = std::move(generated);
  return out;
}

}  // namespace altscribe::vision
