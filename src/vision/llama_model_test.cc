// Loads the generated tiny LLaVA-style pair with llama.cpp for real and checks every way a model
// path can be wrong gets its own clear error.
#include "vision/llama_model.h"

#include <gtest/gtest.h>
#include <cstdint>

#include <fstream>

#include "models/test_model.h"
#include "test_env.h"
#include "vision/image/image.h"

namespace altscribe::vision {
namespace {

using altscribe::testing::MakeTempDir;
using altscribe::testing::TinyMmprojPath;
using altscribe::testing::TinyModelPath;

Image Gradient(uint32_t w, uint32_t h) {
  Image img{w, h, std::vector<uint8_t>(size_t{w} * h * 3)};
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &img.rgb[(size_t{y} * w + x) * 3];
      p[0] = static_cast<uint8_t>(x * 255 / w);
      p[1] = static_cast<uint8_t>(y * 255 / h);
      p[2] = 128;
    }
  return img;
}

LlamaModelOptions Tiny() { return altscribe::testing::TinyModelOptions(); }

TEST(LlamaModel, LoadsTheTinyPairAndGeneratesDeterministically) {
  auto m = LlamaVisionModel::Load(Tiny());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->Name(), "altscribe-test-tiny");
  EXPECT_EQ((*m)->chat_template(), "vicuna");  // mlp projector, no template in the model
  Prompt p = BuildPrompt(Mode::kAlt, Language{});
  auto a = (*m)->Generate(Gradient(64, 48), p, 24);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_FALSE(a->text.empty());
  EXPECT_GT(a->generated_tokens, 0);
  EXPECT_LE(a->generated_tokens, 24);
  EXPECT_EQ(a->image_tokens, 16);  // 56 px / 14 px patches = 4 x 4
  EXPECT_GT(a->prompt_tokens, a->image_tokens);
  // Greedy decoding: the same image gives the same text; the context is reset between calls.
  auto b = (*m)->Generate(Gradient(64, 48), p, 24);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->text, b->text);
}

TEST(LlamaModel, DifferentImagesGiveDifferentText) {
  auto m = LlamaVisionModel::Load(Tiny());
  ASSERT_TRUE(m.ok()) << m.status().message();
  Prompt p = BuildPrompt(Mode::kAlt, Language{});
  Image dark{32, 32, std::vector<uint8_t>(32 * 32 * 3, 0)};
  auto a = (*m)->Generate(Gradient(64, 48), p, 16);
  auto b = (*m)->Generate(dark, p, 16);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->text, b->text) << "the image must reach the model";
}

// The KV of the prompt's first text chunk (template opening + system turn) is kept between
// images and reused when the next prompt starts the same; the text is exactly what a fresh model
// says, whatever came before; another mode or language starts from scratch.
TEST(LlamaModel, ThePromptPrefixIsKeptBetweenImagesAndTheTextIsTheSame) {
  auto m = LlamaVisionModel::Load(Tiny());
  ASSERT_TRUE(m.ok()) << m.status().message();
  const Prompt alt = BuildPrompt(Mode::kAlt, Language{});
  const Prompt detail = BuildPrompt(Mode::kDetail, Language{});
  auto german = Language::Parse("de");
  ASSERT_TRUE(german.ok());
  const Prompt alt_de = BuildPrompt(Mode::kAlt, *german);
  struct Step {
    const Prompt* prompt;
    uint32_t w, h;
    bool reused;  // whether the previous step left the same first chunk
  } steps[] = {{&alt, 64, 48, false},    {&alt, 40, 30, true},    {&alt, 90, 60, true},
               {&detail, 64, 48, false}, {&detail, 32, 32, true}, {&alt, 64, 48, false},
               {&alt_de, 64, 48, false}, {&alt_de, 50, 70, true}};
  for (const Step& s : steps) {
    SCOPED_TRACE(std::to_string(s.w) + "x" + std::to_string(s.h));
    auto got = (*m)->Generate(Gradient(s.w, s.h), *s.prompt, 20);
    ASSERT_TRUE(got.ok()) << got.status().message();
    auto fresh = LlamaVisionModel::Load(Tiny());
    ASSERT_TRUE(fresh.ok());
    auto want = (*fresh)->Generate(Gradient(s.w, s.h), *s.prompt, 20);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(got->text, want->text);
    EXPECT_EQ(got->prompt_tokens, want->prompt_tokens);
    EXPECT_EQ(want->reused_tokens, 0);
    if (s.reused) {
      // The system turn was kept: more than a few tokens, fewer than the text before the image.
      EXPECT_GT(got->reused_tokens, 20);
      EXPECT_LT(got->reused_tokens, got->prompt_tokens - got->image_tokens);
    } else {
      EXPECT_EQ(got->reused_tokens, 0);
    }
  }
}

TEST(LlamaModel, MissingModelFile) {
  auto o = Tiny();
  o.model_path = "/nonexistent/model.gguf";
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kNotFound);
  EXPECT_NE(m.status().message().find("model file not found: /nonexistent/model.gguf"),
            std::string::npos)
      << m.status().message();
}

TEST(LlamaModel, ModelThatIsNotGguf) {
  std::string p = MakeTempDir("notgguf") + "/model.gguf";
  std::ofstream(p) << "<html>this is a download error page</html>";
  auto o = Tiny();
  o.model_path = p;
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  EXPECT_NE(m.status().message().find("is not a GGUF file"), std::string::npos)
      << m.status().message();
}

TEST(LlamaModel, TruncatedGguf) {
  std::string p = MakeTempDir("truncgguf") + "/model.gguf";
  std::ofstream(p) << "GGUF\x03\x00\x00\x00garbage";
  auto o = Tiny();
  o.model_path = p;
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("damaged or truncated GGUF"), std::string::npos)
      << m.status().message();
}

TEST(LlamaModel, SwappedModelAndMmproj) {
  auto o = Tiny();
  std::swap(o.model_path, o.mmproj_path);
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("is a projector (mmproj), not a text model"),
            std::string::npos)
      << m.status().message();
}

TEST(LlamaModel, MmprojThatIsATextModel) {
  auto o = Tiny();
  o.mmproj_path = o.model_path;
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("not a multimodal projector"), std::string::npos)
      << m.status().message();
}

TEST(LlamaModel, MmprojThatDoesNotMatchTheModel) {
  // A text model 96 wide with a projector that outputs 64-wide embeddings.
  std::string dir = MakeTempDir("mismatch");
  ASSERT_TRUE(models::WriteTestModel(dir, models::TestModelPreset::kTiny, 7, {}, 96).ok());
  auto o = Tiny();
  o.model_path = dir + "/model.gguf";
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kModel);
  EXPECT_NE(m.status().message().find("does not work with model"), std::string::npos)
      << m.status().message();
  EXPECT_NE(m.status().message().find("mismatch"), std::string::npos) << m.status().message();
}

TEST(LlamaModel, MissingMmprojFlag) {
  auto o = Tiny();
  o.mmproj_path.clear();
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("no --mmproj given"), std::string::npos);
}

TEST(LlamaModel, UnknownChatTemplate) {
  auto o = Tiny();
  o.chat_template = "no-such-template";
  auto m = LlamaVisionModel::Load(o);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("unknown chat template 'no-such-template'"),
            std::string::npos)
      << m.status().message();
}

TEST(LlamaModel, TemplateFollowsTheProjector) {
  EXPECT_EQ(TemplateForProjector("mlp"), "vicuna");
  EXPECT_EQ(TemplateForProjector("qwen2.5vl_merger"), "chatml");
  EXPECT_EQ(TemplateForProjector("gemma3"), "gemma");
  EXPECT_EQ(TemplateForProjector("idefics3"), "smolvlm");
  EXPECT_EQ(*ReadProjectorType(TinyMmprojPath()), "mlp");
}

TEST(LlamaModel, ContextTooSmallForThePromptIsAClearError) {
  auto o = Tiny();
  o.n_ctx = 64;
  auto m = LlamaVisionModel::Load(o);
  ASSERT_TRUE(m.ok()) << m.status().message();
  auto r = (*m)->Generate(Gradient(32, 32), BuildPrompt(Mode::kAlt, Language{}), 32);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  // llama.cpp rounds tiny contexts up to its minimum (256); the message gives the real size.
  EXPECT_NE(r.status().message().find("more than the context of 256"), std::string::npos)
      << r.status().message();
}

TEST(LlamaModel, ReportsVersionAndBackends) {
  EXPECT_EQ(LlamaCppVersion(), "v0.4.0");
  EXPECT_NE(LlamaBackends().find("CPU"), std::string::npos) << LlamaBackends();
}

}  // namespace
}  // namespace altscribe::vision
