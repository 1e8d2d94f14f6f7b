// cli/model_flags.h — the MODEL FLAGS every command that runs a model shares, and loading it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/flags.h"
#include "core/status.h"
#include "ocr/engine.h"
#include "vision/model.h"

namespace altscribe::cli {

struct ModelFlags {
  std::string model, mmproj, endpoint, endpoint_model, chat_template;
  int64_t threads = 0, gpu_layers = -1, ctx = 8192;
  int64_t batch = 1;         // --batch K: images generating together in one context (K > 1)
  bool require_gpu = false;  // --require-gpu: fail instead of falling back to the CPU
  bool ocr = true;           // read the text in images with Tesseract and quote it verbatim
  // Not a flag: the largest per-image token budget the command will ask for, which sizes the
  // batch engine's memory (0 = 512, the largest default of the modes).
  int max_tokens = 0;
};

// Registers --model --mmproj --endpoint --endpoint-model --threads --gpu-layers --ctx --batch
// --require-gpu --chat-template --ocr.
void AddModelFlags(FlagSet& flags, ModelFlags* out);

// Usage problems of the model flags (no model, both --model and --endpoint, an endpoint without
// --endpoint-model or with another scheme): InvalidArgument, for exit status 2. OK otherwise.
Status CheckModelFlags(const ModelFlags& flags);

// Loads the in-process model or connects the endpoint (API key from ALTSCRIBE_ENDPOINT_KEY or
// ALTSCRIBE_ENDPOINT_KEY_FILE); calls CheckModelFlags first. `load_ms` (may be null) gets the
// load time. With --batch K > 1 the in-process model is a vision::BatchEngine (Concurrency() K:
// callers that run K describes at once get them generated together). A build with a GPU
// backend but no usable GPU logs one warning and runs on the CPU, or fails with --require-gpu.
Result<std::unique_ptr<vision::VisionModel>> LoadModel(const ModelFlags& flags, double* load_ms);

// The OCR engine for --ocr (the default): nullptr when --ocr=false; an error saying what to
// install (or to pass --ocr=false) when Tesseract's English model is missing.
Result<std::unique_ptr<ocr::OcrEngine>> LoadOcr(const ModelFlags& flags);

}  // namespace altscribe::cli
