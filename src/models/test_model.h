// models/test_model.h — generates a deterministic random-weight LLaVA-style model pair.
//
// DIR/model.gguf is a llama-architecture text model with a byte-level SentencePiece-style vocab;
// DIR/mmproj.gguf is a CLIP vision encoder with an `mlp` projector. llama.cpp and libmtmd load
// and run them; the text they produce is gibberish, but every stage of the pipeline runs for real.
// `tiny` is about 2 MB and runs in milliseconds on a CPU; `llava15-7b` has LLaVA-1.5-7B's shapes
// (Q4_0 text ~3.8 GB, F16 CLIP ViT-L/14-336 ~0.6 GB) to measure real speed; `llava15-7b-f16`
// the same with F16 text weights (~13.5 GB). Same preset and seed, same bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"

namespace altscribe::models {

enum class TestModelPreset { kTiny, kLlava15_7b, kLlava15_7bF16 };

Result<TestModelPreset> ParseTestModelPreset(const std::string& name);

// Writes DIR/model.gguf and DIR/mmproj.gguf (atomically, each via a temporary file).
// `progress` (may be empty) is called with a fraction in [0, 1] for the big preset.
// `text_embd` != 0 overrides the text model's embedding width only (the projector keeps the
// preset's), which writes a pair that does NOT match: for testing that mismatch is reported.
Status WriteTestModel(const std::string& dir, TestModelPreset preset, uint64_t seed = 42,
                      const std::function<void(double)>& progress = {}, int64_t text_embd = 0);

}  // namespace altscribe::models
