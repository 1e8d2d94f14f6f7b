// bench/gpu/make_model — `make_model PRESET DIR`: writes DIR/model.gguf and DIR/mmproj.gguf for a
// test-model preset (models/test_model.h), as `altscribe model make-test` does, for the standalone
// GPU benchmark build that has no altscribe binary.
#include <cstdio>
#include <string>

#include "models/test_model.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_model tiny|llava15-7b|llava15-7b-f16 DIR\n");
    return 2;
  }
  auto preset = altscribe::models::ParseTestModelPreset(argv[1]);
  if (!preset.ok()) {
    std::fprintf(stderr, "make_model: error: %s\n", preset.status().message().c_str());
    return 2;
  }
  if (auto s = altscribe::models::WriteTestModel(argv[2], *preset); !s.ok()) {
    std::fprintf(stderr, "make_model: error: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
