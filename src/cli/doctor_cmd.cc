// altscribe doctor — what this build can do, what is installed, what is missing and how to fix it.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "core/files.h"
#include "models/catalogue.h"
#include "models/store.h"
#include "ocr/engine.h"
#include "vision/llama_model.h"

namespace altscribe::cli {

int RunDoctor(const std::vector<std::string>& argv) {
  std::string dir;
  FlagSet flags("doctor");
  flags.String("model-dir", &dir, "model directory to check (default: see below)", "DIR");
  std::vector<std::string> rest;
  if (Status s = flags.Parse(argv, &rest); !s.ok()) {
    PrintError("doctor", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf(
        "Usage: altscribe doctor [--model-dir DIR]\n\nChecks the llama.cpp build, "
        "compute backends and installed models.\n\n%s",
        flags.Usage().c_str());
    return 0;
  }
  if (dir.empty()) dir = models::DefaultModelDir();
  int problems = 0;
  std::printf("altscribe %s\n", ALTSCRIBE_VERSION);
  std::printf("llama.cpp %s\n", vision::LlamaCppVersion().c_str());
  std::string backends = vision::LlamaBackends();
  std::printf("compute backends: %s\n", backends.c_str());
  if (backends.find("CUDA") == std::string::npos) {
    std::printf(
        "  note: no GPU backend; 7B models will be slow. For NVIDIA GPUs rebuild with "
        "ALTSCRIBE_CUDA=1 scripts/setup\n");
  }
  if (auto ocr = ocr::OcrEngine::Create(); ocr.ok()) {
    std::string models;
    for (const std::string& m : (*ocr)->installed()) models += (models.empty() ? "" : " ") + m;
    std::printf("OCR (Tesseract): %s\n", models.c_str());
  } else {
    ++problems;
    std::printf("OCR (Tesseract): problem: %s\n", ocr.status().message().c_str());
  }

  std::printf("model directory: %s\n", dir.c_str());
  auto installed = models::ListInstalled(dir);
  if (!installed.ok()) {
    std::printf("  problem: %s\n", installed.status().message().c_str());
    ++problems;
  } else {
    int pairs = 0;
    for (const auto& e : models::Catalogue()) {
      bool has_model = false, has_proj = false;
      for (const auto& f : *installed) {
        has_model |= f.name == e.model.file;
        has_proj |= f.name == e.mmproj.file;
      }
      if (has_model && has_proj) {
        ++pairs;
        std::printf("  ready: %s (%s)\n    --model %s/%s --mmproj %s/%s\n", e.name.c_str(),
                    models::HardwareName(e.hardware), dir.c_str(), e.model.file.c_str(),
                    dir.c_str(), e.mmproj.file.c_str());
      } else if (has_model || has_proj) {
        ++problems;
        std::printf("  incomplete: %s is missing its %s; run: altscribe model pull %s\n",
                    e.name.c_str(), has_model ? "mmproj" : "text model", e.name.c_str());
      }
    }
    for (const auto& f : *installed) {
      std::printf("  file: %s (%s)\n", f.name.c_str(), FormatBytes(f.size).c_str());
    }
    if (pairs == 0) {
      ++problems;
      std::printf(
          "  missing: no complete model pair installed. Get one with\n"
          "    altscribe model pull smolvlm-256m   (small, runs on a CPU)\n"
          "  or see 'altscribe model list'; for tests, 'altscribe model make-test --out "
          "DIR' writes a tiny random one.\n");
    }
  }
  std::printf(problems ? "\n%d thing(s) to fix, see above.\n" : "\nall good.\n", problems);
  return problems ? 1 : 0;
}

}  // namespace altscribe::cli
