// cli/model_flags.h — the MODEL FLAGS every command that runs a model shares, and loading it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/flags.h"
#include "core/status.h"
#include "vision/model.h"

namespace altscribe::cli {

struct ModelFlags {
  std::string model, mmproj, endpoint, endpoint_model, chat_template;
  int64_t threads = 0, gpu_layers = -1, ctx = 8192;
};

// Registers --model --mmproj --endpoint --endpoint-model --threads --gpu-layers --ctx
// --chat-template.
void AddModelFlags(FlagSet& flags, ModelFlags* out);

// Usage problems of the model flags (no model, both --model and --endpoint, an endpoint without
// --endpoint-model or with another scheme): InvalidArgument, for exit status 2. OK otherwise.
Status CheckModelFlags(const ModelFlags& flags);

// Loads the in-process model or connects the endpoint (API key from ALTSCRIBE_ENDPOINT_KEY or
// ALTSCRIBE_ENDPOINT_KEY_FILE); calls CheckModelFlags first. `load_ms` (may be null) gets the
// load time.
Result<std::unique_ptr<vision::VisionModel>> LoadModel(const ModelFlags& flags, double* load_ms);

}  // namespace altscribe::cli
