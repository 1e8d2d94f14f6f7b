#include "cli/model_flags.h"

#include <unistd.h>

#include <cstdio>

#include "core/log.h"
#include "vision/batch_engine.h"
#include "vision/endpoint_model.h"
#include "vision/gpu_check.h"
#include "vision/llama_model.h"

namespace altscribe::cli {

void AddModelFlags(FlagSet& flags, ModelFlags* a) {
  flags.String("model", &a->model, "text model GGUF", "FILE");
  flags.String("mmproj", &a->mmproj, "multimodal projector GGUF for --model", "FILE");
  flags.String("endpoint", &a->endpoint, "OpenAI-compatible server instead of --model", "URL");
  flags.String("endpoint-model", &a->endpoint_model, "model name to ask the endpoint for", "NAME");
  flags.Int("threads", &a->threads, "CPU threads for the model (default: all cores)");
  flags.Int("gpu-layers", &a->gpu_layers, "layers to offload to the GPU (default: all if present)");
  flags.Int("ctx", &a->ctx, "context size in tokens (default 8192; per image with --batch)");
  flags.Int("batch", &a->batch,
            "images generating together in one model context (default 1; try 8-64 on a GPU)");
  flags.Bool("require-gpu", &a->require_gpu,
             "fail when no GPU is usable instead of running on the CPU");
  flags.String("chat-template", &a->chat_template,
               "override the chat template: vicuna, chatml, gemma, smolvlm, ...", "NAME");
  flags.Bool("ocr", &a->ocr,
             "read text in images with Tesseract and quote it verbatim (default true; "
             "--ocr=false turns it off)");
}

Result<std::unique_ptr<ocr::OcrEngine>> LoadOcr(const ModelFlags& a) {
  if (!a.ocr) return std::unique_ptr<ocr::OcrEngine>();
  auto engine = ocr::OcrEngine::Create();
  if (!engine.ok()) return engine.status().WithPrefix("OCR (--ocr=false to go without)");
  return std::move(engine).value();
}

Status CheckModelFlags(const ModelFlags& a) {
  if (!a.endpoint.empty() && !a.model.empty()) {
    return Status::InvalidArgument("give either --model or --endpoint, not both");
  }
  if (a.batch < 1 || a.batch > 256) {
    return Status::InvalidArgument("--batch must be between 1 and 256 (got " +
                                   std::to_string(a.batch) + ")");
  }
  if (!a.endpoint.empty() && (a.batch > 1 || a.require_gpu)) {
    return Status::InvalidArgument(
        "--batch and --require-gpu are for an in-process --model, not --endpoint");
  }
  if (!a.endpoint.empty()) {
    return vision::EndpointVisionModel::Create({.url = a.endpoint, .model = a.endpoint_model})
        .status();
  }
  if (a.model.empty()) {
    return Status::InvalidArgument(
        "no model: pass --model FILE.gguf --mmproj FILE.gguf or --endpoint URL (see altscribe "
        "model list)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<vision::VisionModel>> LoadModel(const ModelFlags& a, double* load_ms) {
  if (load_ms) *load_ms = 0;
  RETURN_IF_ERROR(CheckModelFlags(a));
  if (!a.endpoint.empty()) {
    vision::EndpointOptions eo;
    eo.url = a.endpoint;
    eo.model = a.endpoint_model;
    ASSIGN_OR_RETURN(eo.api_key, ReadSecret("ALTSCRIBE_ENDPOINT_KEY"));
    ASSIGN_OR_RETURN(auto m, vision::EndpointVisionModel::Create(std::move(eo)));
    return std::unique_ptr<vision::VisionModel>(std::move(m));
  }
  vision::LlamaModelOptions lo;
  lo.model_path = a.model;
  lo.mmproj_path = a.mmproj;
  lo.chat_template = a.chat_template;
  lo.n_threads = static_cast<int>(a.threads);
  lo.n_gpu_layers = static_cast<int>(a.gpu_layers);
  lo.n_ctx = static_cast<int>(a.ctx);
  std::string warning;
  RETURN_IF_ERROR(vision::CheckGpu(vision::ProbeGpu(), a.require_gpu, &warning));
  if (!warning.empty()) LogWarn(warning);
  const bool tty = isatty(STDERR_FILENO);
  if (tty) std::fprintf(stderr, "loading %s ...\r", a.model.c_str());
  std::unique_ptr<vision::VisionModel> model;
  double ms = 0;
  if (a.batch > 1) {
    vision::BatchEngineOptions bo;
    bo.max_batch = static_cast<int>(a.batch);
    bo.max_tokens = a.max_tokens > 0 ? a.max_tokens : 512;
    auto m = vision::BatchEngine::Load(lo, bo);
    if (tty) std::fprintf(stderr, "\033[K");
    if (!m.ok()) return m.status();
    ms = (*m)->load_ms();
    model = std::move(m).value();
  } else {
    auto m = vision::LlamaVisionModel::Load(lo);
    if (tty) std::fprintf(stderr, "\033[K");
    if (!m.ok()) return m.status();
    ms = (*m)->load_ms();
    model = std::move(m).value();
  }
  if (load_ms) *load_ms = ms;
  LogInfo("loaded " + model->Name() + " in " + std::to_string(static_cast<int>(ms)) + " ms" +
          (a.batch > 1 ? " (--batch " + std::to_string(a.batch) + ")" : ""));
  return model;
}

}  // namespace altscribe::cli
