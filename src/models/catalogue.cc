#include "models/catalogue.h"

#include <cstdint>

#include "core/text.h"

namespace altscribe::models {
namespace {

constexpr uint64_t kMB = 1'000'000;

CatalogueFile HfFile(const std::string& repo, const std::string& file_in_repo,
                     uint64_t approx_bytes, const std::string& local_name = "") {
  return {local_name.empty() ? file_in_repo : local_name,
          "https://huggingface.co/" + repo + "/resolve/main/" + file_in_repo, approx_bytes, ""};
}

std::vector<CatalogueEntry> Build() {
  std::vector<CatalogueEntry> c;
  auto add = [&c](std::string name, std::string description, Hardware hw, std::string repo,
                  std::string model_file, uint64_t model_bytes, std::string mmproj_file,
                  uint64_t mmproj_bytes, std::string chat_template,
                  std::string mmproj_local_name = "") {
    CatalogueEntry e;
    e.name = std::move(name);
    e.description = std::move(description);
    e.hardware = hw;
    e.model = HfFile(repo, model_file, model_bytes);
    e.mmproj = HfFile(repo, mmproj_file, mmproj_bytes, mmproj_local_name);
    e.repo = std::move(repo);
    e.chat_template = std::move(chat_template);
    c.push_back(std::move(e));
  };
  add("smolvlm-256m", "SmolVLM 256M: tiny and fast, short rough descriptions; any CPU",
      Hardware::kCpu, "ggml-org/SmolVLM-256M-Instruct-GGUF", "SmolVLM-256M-Instruct-Q8_0.gguf",
      175 * kMB, "mmproj-SmolVLM-256M-Instruct-Q8_0.gguf", 104 * kMB, "smolvlm");
  add("smolvlm2-2.2b", "SmolVLM2 2.2B: good descriptions at CPU speed", Hardware::kCpu,
      "ggml-org/SmolVLM2-2.2B-Instruct-GGUF", "SmolVLM2-2.2B-Instruct-Q4_K_M.gguf", 1'110 * kMB,
      "mmproj-SmolVLM2-2.2B-Instruct-Q8_0.gguf", 565 * kMB, "smolvlm");
  add("qwen2.5-vl-3b", "Qwen2.5-VL 3B: accurate, reads text in images; GPU or a fast CPU",
      Hardware::kGpu, "ggml-org/Qwen2.5-VL-3B-Instruct-GGUF", "Qwen2.5-VL-3B-Instruct-Q4_K_M.gguf",
      1'930 * kMB, "mmproj-Qwen2.5-VL-3B-Instruct-Q8_0.gguf", 845 * kMB, "chatml");
  // These repositories' projectors have generic or unusual names; they are stored as
  // mmproj-<model>-f16.gguf, like the others.
  add("gemma3-4b", "Gemma 3 4B: fluent, detailed descriptions; GPU recommended", Hardware::kGpu,
      "ggml-org/gemma-3-4b-it-GGUF", "gemma-3-4b-it-Q4_K_M.gguf", 2'490 * kMB,
      "mmproj-model-f16.gguf", 851 * kMB, "gemma", "mmproj-gemma-3-4b-it-f16.gguf");
  add("llava-1.5-7b", "LLaVA 1.5 7B: the classic baseline; GPU recommended", Hardware::kGpu,
      "second-state/Llava-v1.5-7B-GGUF", "llava-v1.5-7b-Q4_K_M.gguf", 4'080 * kMB,
      "llava-v1.5-7b-mmproj-model-f16.gguf", 624 * kMB, "vicuna", "mmproj-llava-v1.5-7b-f16.gguf");
  add("qwen2.5-vl-7b", "Qwen2.5-VL 7B: the most accurate here, reads text well; GPU",
      Hardware::kGpu, "ggml-org/Qwen2.5-VL-7B-Instruct-GGUF", "Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf",
      4'680 * kMB, "mmproj-Qwen2.5-VL-7B-Instruct-Q8_0.gguf", 853 * kMB, "chatml");
  return c;
}

}  // namespace

const std::vector<CatalogueEntry>& Catalogue() {
  static const std::vector<CatalogueEntry> catalogue = Build();
  return catalogue;
}

const CatalogueEntry* FindCatalogueEntry(std::string_view name) {
  std::string wanted = AsciiLower(Trim(name));
  for (const auto& e : Catalogue()) {
    if (e.name == wanted) return &e;
  }
  return nullptr;
}

const char* HardwareName(Hardware hardware) { return hardware == Hardware::kGpu ? "GPU" : "CPU"; }

}  // namespace altscribe::models
