// tests/support/test_env.h — where tests find the binary, test data and the tiny model.
//
// CMake compiles in this build tree's paths; ALTSCRIBE_TEST_BIN, ALTSCRIBE_TEST_DATA,
// ALTSCRIBE_TEST_MODEL_DIR and ALTSCRIBE_LLAMA_SERVER in the environment override them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vision/llama_model.h"

namespace altscribe::testing {

std::string AltscribeBin();   // the built altscribe executable
std::string TestDataDir();    // <repo>/testdata
std::string TinyModelPath();  // <build>/testmodel/model.gguf (made by the make_test_model fixture)
std::string TinyMmprojPath();
std::string LlamaServerBin();
// Options that load the tiny model pair with 2 threads and a 1024-token context.
vision::LlamaModelOptions
TinyModelOptions();  // llama-server from the same llama.cpp build ("" if not built)

// A fresh empty directory under the test temp dir, unique per call.
std::string MakeTempDir(const std::string& name);

// Deterministic pseudo-random bytes (the same n and seed give the same bytes).
std::string RandomBytes(size_t n, unsigned seed = 1);
// The whole file ("" when it cannot be read).
std::string ReadWholeFile(const std::string& path);
// Writes `data` to `path` (binary) and returns the path.
std::string WriteWholeFile(const std::string& path, std::string_view data);
std::string WriteWholeFile(const std::string& path, const std::vector<uint8_t>& data);

}  // namespace altscribe::testing
