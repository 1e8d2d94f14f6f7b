#include "models/catalogue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <cstdint>

#include <set>

#include "core/sha256.h"

namespace altscribe::models {
namespace {

using ::testing::EndsWith;
using ::testing::StartsWith;

TEST(CatalogueTest, EntriesAreWellFormed) {
  const auto& all = Catalogue();
  ASSERT_GE(all.size(), 6u);
  std::set<std::string> names, files;
  uint64_t previous = 0;
  for (const auto& e : all) {
    SCOPED_TRACE(e.name);
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate name";
    EXPECT_EQ(e.name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ /"), std::string::npos);
    EXPECT_FALSE(e.description.empty());
    EXPECT_EQ(e.description.find('\n'), std::string::npos);
    EXPECT_THAT(e.chat_template, ::testing::AnyOf("smolvlm", "chatml", "gemma", "vicuna"));
    EXPECT_GE(e.approx_total_bytes(), previous) << "not sorted by size";
    previous = e.approx_total_bytes();
    for (const CatalogueFile* f : {&e.model, &e.mmproj}) {
      EXPECT_THAT(f->url, StartsWith("https://huggingface.co/" + e.repo + "/resolve/main/"));
      EXPECT_THAT(f->url, EndsWith(".gguf"));
      EXPECT_THAT(f->file, EndsWith(".gguf"));
      EXPECT_EQ(f->file.find('/'), std::string::npos);
      EXPECT_GT(f->approx_bytes, 1'000'000u);
      EXPECT_TRUE(f->sha256.empty() || IsSha256Hex(f->sha256));
      EXPECT_TRUE(files.insert(f->file).second) << "two entries share " << f->file;
    }
    EXPECT_THAT(e.mmproj.file, StartsWith("mmproj"));
  }
}

TEST(CatalogueTest, RecommendedPairs) {
  const CatalogueEntry* smol = FindCatalogueEntry("smolvlm-256m");
  ASSERT_NE(smol, nullptr);
  EXPECT_EQ(smol->hardware, Hardware::kCpu);
  EXPECT_EQ(smol->model.url,
            "https://huggingface.co/ggml-org/SmolVLM-256M-Instruct-GGUF/resolve/main/"
            "SmolVLM-256M-Instruct-Q8_0.gguf");
  EXPECT_EQ(smol->mmproj.file, "mmproj-SmolVLM-256M-Instruct-Q8_0.gguf");
  EXPECT_EQ(smol->chat_template, "smolvlm");

  const CatalogueEntry* gemma = FindCatalogueEntry("gemma3-4b");
  ASSERT_NE(gemma, nullptr);
  EXPECT_EQ(gemma->hardware, Hardware::kGpu);
  EXPECT_THAT(gemma->mmproj.url, EndsWith("/mmproj-model-f16.gguf"));
  EXPECT_EQ(gemma->mmproj.file, "mmproj-gemma-3-4b-it-f16.gguf");  // stored under a clear name

  for (const char* name : {"smolvlm2-2.2b", "qwen2.5-vl-3b", "qwen2.5-vl-7b", "llava-1.5-7b"}) {
    EXPECT_NE(FindCatalogueEntry(name), nullptr) << name;
  }
  EXPECT_EQ(FindCatalogueEntry("llava-1.5-7b")->chat_template, "vicuna");
  EXPECT_EQ(FindCatalogueEntry("qwen2.5-vl-7b")->chat_template, "chatml");
}

TEST(CatalogueTest, LookupIsCaseInsensitive) {
  EXPECT_EQ(FindCatalogueEntry("Gemma3-4B"), FindCatalogueEntry("gemma3-4b"));
  EXPECT_EQ(FindCatalogueEntry("nope"), nullptr);
  EXPECT_EQ(FindCatalogueEntry(""), nullptr);
  EXPECT_STREQ(HardwareName(Hardware::kCpu), "CPU");
  EXPECT_STREQ(HardwareName(Hardware::kGpu), "GPU");
}

}  // namespace
}  // namespace altscribe::models
