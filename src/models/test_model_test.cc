// The generated model pair: preset names, and that the tiny pair is byte for byte the same for
// the same seed (the GB-sized presets are made and run by bench/gpu.sh on the GPU machine).
#include "models/test_model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "test_env.h"

namespace altscribe::models {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(TestModel, PresetNames) {
  EXPECT_EQ(*ParseTestModelPreset("tiny"), TestModelPreset::kTiny);
  EXPECT_EQ(*ParseTestModelPreset("llava15-7b"), TestModelPreset::kLlava15_7b);
  EXPECT_EQ(*ParseTestModelPreset("llava15-7b-f16"), TestModelPreset::kLlava15_7bF16);
  auto bad = ParseTestModelPreset("llava-13b");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "unknown preset 'llava-13b' (use tiny, llava15-7b or llava15-7b-f16)");
}

TEST(TestModel, SameSeedSameBytesOtherSeedOtherWeights) {
  const std::string dir = altscribe::testing::MakeTempDir("testmodel");
  ASSERT_TRUE(WriteTestModel(dir + "/a", TestModelPreset::kTiny, 5).ok());
  ASSERT_TRUE(WriteTestModel(dir + "/b", TestModelPreset::kTiny, 5).ok());
  ASSERT_TRUE(WriteTestModel(dir + "/c", TestModelPreset::kTiny, 6).ok());
  for (const char* f : {"/model.gguf", "/mmproj.gguf"}) {
    const std::string a = Slurp(dir + "/a" + f);
    ASSERT_GT(a.size(), 100'000u) << f;
    EXPECT_EQ(a, Slurp(dir + "/b" + f)) << f;
    EXPECT_NE(a, Slurp(dir + "/c" + f)) << f;
  }
}

}  // namespace
}  // namespace altscribe::models
