#include "test_env.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <cstdint>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace altscribe::testing {
namespace {
// The environment wins; otherwise the value CMake compiled in for this build tree.
std::string Env(const char* name, const char* built_in) {
  const char* v = std::getenv(name);
  if (v && *v) return v;
  if (!*built_in) ADD_FAILURE() << name << " is not set and has no built-in default";
  return built_in;
}
}  // namespace

std::string AltscribeBin() { return Env("ALTSCRIBE_TEST_BIN", ALTSCRIBE_TEST_BIN_DEFAULT); }
std::string TestDataDir() { return Env("ALTSCRIBE_TEST_DATA", ALTSCRIBE_TEST_DATA_DEFAULT); }
std::string TinyModelPath() {
  return Env("ALTSCRIBE_TEST_MODEL_DIR", ALTSCRIBE_TEST_MODEL_DIR_DEFAULT) + "/model.gguf";
}
std::string TinyMmprojPath() {
  return Env("ALTSCRIBE_TEST_MODEL_DIR", ALTSCRIBE_TEST_MODEL_DIR_DEFAULT) + "/mmproj.gguf";
}
std::string LlamaServerBin() {
  std::string v = Env("ALTSCRIBE_LLAMA_SERVER", ALTSCRIBE_LLAMA_SERVER_DEFAULT);
  return v.find("NOTFOUND") == std::string::npos ? v : "";
}

vision::LlamaModelOptions TinyModelOptions() {
  vision::LlamaModelOptions o;
  o.model_path = TinyModelPath();
  o.mmproj_path = TinyMmprojPath();
  o.n_threads = 2;
  o.n_ctx = 1024;
  return o;
}

std::string MakeTempDir(const std::string& name) {
  static std::atomic<int> counter{0};
  std::string dir = ::testing::TempDir() + "/altscribe-" + name + "-" + std::to_string(::getpid()) +
                    "-" + std::to_string(counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string WriteWholeFile(const std::string& path, std::string_view data) {
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
  return path;
}

std::string WriteWholeFile(const std::string& path, const std::vector<uint8_t>& data) {
  return WriteWholeFile(path,
                        std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

}  // namespace altscribe::testing
