// models/catalogue.h — the built-in list of recommended vision model pairs.
//
// Each entry is a text model GGUF plus its multimodal projector (mmproj) GGUF, both fetched
// from Hugging Face "resolve" URLs, with the llama.cpp chat template it needs. Sizes are
// approximate (as Hugging Face lists them, rounded): for display and disk-space hints only,
// never for checking a download. A sha256 is set only where it was confirmed; empty otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace altscribe::models {

enum class Hardware { kCpu, kGpu };  // what the model is a good fit for

struct CatalogueFile {
  std::string file;           // local name in the model directory (projectors: mmproj-*.gguf)
  std::string url;            // https://huggingface.co/<repo>/resolve/main/<file in repo>
  uint64_t approx_bytes = 0;  // approximate size
  std::string sha256;         // lowercase hex, or "" when not known
};

struct CatalogueEntry {
  std::string name;         // "smolvlm-256m": what `altscribe model pull` takes
  std::string description;  // one line
  Hardware hardware = Hardware::kCpu;
  std::string repo;  // Hugging Face repository
  CatalogueFile model;
  CatalogueFile mmproj;
  std::string chat_template;  // llama.cpp built-in template name ("smolvlm", "chatml", ...)

  uint64_t approx_total_bytes() const { return model.approx_bytes + mmproj.approx_bytes; }
};

// All entries, smallest first.
const std::vector<CatalogueEntry>& Catalogue();

// The entry with this name (case-insensitive), or nullptr.
const CatalogueEntry* FindCatalogueEntry(std::string_view name);

// "CPU" or "GPU".
const char* HardwareName(Hardware hardware);

}  // namespace altscribe::models
