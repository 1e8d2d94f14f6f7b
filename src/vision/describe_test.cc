// The describer stage end to end: real files and a real loopback HTTP server in, the tiny
// llama.cpp model in the middle, cleaned text or one specific error out.
#include "vision/describe.h"

#include <gtest/gtest.h>
#include <cstdint>

#include <fstream>

#include "http_server.h"
#include "image_fixtures.h"
#include "subprocess.h"
#include "test_env.h"
#include "text_image.h"
#include "vision/llama_model.h"

namespace altscribe::vision {
namespace {

namespace t = altscribe::testing;

class DescribeTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    delete model_;
    model_ = nullptr;
  }
  // The model is loaded once per suite, in the first SetUp, so that a load failure fails each
  // test (a failure in SetUpTestSuite would only mark them skipped).
  void SetUp() override {
    if (!model_) {
      auto m = LlamaVisionModel::Load(t::TinyModelOptions());
      ASSERT_TRUE(m.ok()) << m.status().message();
      model_ = std::move(m).value().release();
    }
    dir_ = t::MakeTempDir("describe");
    ASSERT_TRUE(server_.Start().ok());
  }

  std::string Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    return t::WriteWholeFile(dir_ + "/" + name, bytes);
  }
  Describer Make(DescribeOptions o = {}) {
    o.max_tokens = 24;
    return Describer(*model_, o);
  }

  static LlamaVisionModel* model_;
  std::string dir_;
  t::HttpServer server_;
};
LlamaVisionModel* DescribeTest::model_ = nullptr;

TEST_F(DescribeTest, EveryFormatGivesText) {
  Describer d = Make();
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    ImageFormat format;
  } cases[] = {{"a.jpg", t::MakeJpeg(320, 240), ImageFormat::kJpeg},
               {"a.png", t::MakePng(300, 200, true), ImageFormat::kPng},
               {"a.webp", t::MakeWebp(256, 256), ImageFormat::kWebp},
               {"a.gif", t::MakeGif(120, 90, 3), ImageFormat::kGif},
               {"a.bmp", t::MakeBmp(64, 64), ImageFormat::kBmp}};
  for (const auto& c : cases) {
    DescribeResult r = d.Describe(Write(c.name, c.bytes));
    ASSERT_TRUE(r.error.ok()) << c.name << ": " << r.error.message();
    EXPECT_FALSE(r.text.empty()) << c.name;
    EXPECT_EQ(r.format, c.format) << c.name;
    EXPECT_GT(r.timings.generated_tokens, 0);
    EXPECT_GT(r.timings.total_ms, 0);
  }
}

TEST_F(DescribeTest, FormatComesFromTheBytesNotTheName) {
  DescribeResult r = Make().Describe(Write("really-a-png.jpg", t::MakePng(64, 64)));
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  EXPECT_EQ(r.format, ImageFormat::kPng);
}

TEST_F(DescribeTest, BadInputsGetTheirOwnErrorAndTheNextImageStillWorks) {
  Describer d = Make();
  std::vector<uint8_t> jpeg = t::MakeJpeg(200, 150);
  std::vector<uint8_t> truncated(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2));
  std::string text = "hello, this is not a picture\n";
  struct Case {
    std::string source;
    Code code;
    std::string says;
  } cases[] = {
      {Write("empty.jpg", {}), Code::kInvalidArgument, "empty file (0 bytes)"},
      {Write("truncated.jpg", truncated), Code::kInvalidArgument, "truncated"},
      {Write("notes.jpg", std::vector<uint8_t>(text.begin(), text.end())), Code::kInvalidArgument,
       "not an image"},
      {Write("bomb.png", t::MakePngBomb(30000, 30000)), Code::kTooLarge, "30000"},
      {dir_ + "/missing.jpg", Code::kNotFound, "no such file"},
  };
  for (const auto& c : cases) {
    DescribeResult bad = d.Describe(c.source);
    EXPECT_EQ(bad.error.code(), c.code) << c.source << ": " << bad.error.message();
    EXPECT_NE(bad.error.message().find(c.says), std::string::npos)
        << c.source << ": " << bad.error.message();
    EXPECT_TRUE(bad.text.empty());
    DescribeResult good = d.Describe(Write("good.jpg", jpeg));
    EXPECT_TRUE(good.error.ok()) << "after " << c.source << ": " << good.error.message();
  }
}

TEST_F(DescribeTest, Urls) {
  std::vector<uint8_t> png = t::MakePng(100, 80);
  server_.ServeBytes("/cat.png", std::string(png.begin(), png.end()),
                     {.content_type = "image/png"});
  server_.ServeBytes("/page", "<!DOCTYPE html><html><body>Login</body></html>",
                     {.content_type = "image/jpeg"});  // lies about its type
  server_.ServeBytes("/huge.jpg", std::string(3'000'000, 'x'));
  server_.Redirect("/moved", "/cat.png");
  DescribeOptions o;
  o.source.http.max_bytes = 1'000'000;
  o.source.http.timeout = std::chrono::seconds(10);
  Describer d = Make(o);

  DescribeResult ok = d.Describe(server_.Url("/cat.png"));
  ASSERT_TRUE(ok.error.ok()) << ok.error.message();
  EXPECT_EQ(ok.format, ImageFormat::kPng);
  EXPECT_FALSE(ok.text.empty());
  EXPECT_TRUE(d.Describe(server_.Url("/moved")).error.ok());

  DescribeResult html = d.Describe(server_.Url("/page"));
  EXPECT_NE(html.error.message().find("looks like HTML"), std::string::npos)
      << html.error.message();
  DescribeResult huge = d.Describe(server_.Url("/huge.jpg"));
  EXPECT_EQ(huge.error.code(), Code::kTooLarge) << huge.error.message();
  DescribeResult missing = d.Describe(server_.Url("/nope.jpg"));
  EXPECT_EQ(missing.error.code(), Code::kNotFound);
  EXPECT_NE(missing.error.message().find("404"), std::string::npos) << missing.error.message();
  int port = t::FreeLoopbackPort();
  DescribeResult down = d.Describe("http://127.0.0.1:" + std::to_string(port) + "/a.jpg");
  EXPECT_EQ(down.error.code(), Code::kNetwork);
  EXPECT_NE(down.error.message().find("cannot connect"), std::string::npos) << down.error.message();
  DescribeResult ftp = d.Describe("ftp://example.com/a.jpg");
  EXPECT_NE(ftp.error.message().find("only http and https"), std::string::npos);
}

TEST_F(DescribeTest, PrivateAddressesCanBeRefused) {
  std::vector<uint8_t> png = t::MakePng(32, 32);
  server_.ServeBytes("/x.png", std::string(png.begin(), png.end()));
  DescribeOptions o;
  o.source.http.block_private_addresses = true;
  DescribeResult r = Make(o).Describe(server_.Url("/x.png"));
  EXPECT_EQ(r.error.code(), Code::kNetwork);
  EXPECT_EQ(server_.RequestCount("/x.png"), 0u) << "nothing may reach a private address";
}

TEST_F(DescribeTest, ModesShapeTheOutput) {
  std::string img = Write("m.jpg", t::MakeJpeg(64, 64));
  DescribeOptions o;
  o.mode = Mode::kHotdog;
  DescribeResult hot = Make(o).Describe(img);
  ASSERT_TRUE(hot.error.ok());
  EXPECT_TRUE(hot.text == "hotdog" || hot.text == "not hotdog") << hot.text;
  o.mode = Mode::kClassify;
  DescribeResult labels = Make(o).Describe(img);
  ASSERT_TRUE(labels.error.ok()) << labels.error.message();
  EXPECT_LE(labels.text.size(), DefaultMaxChars(Mode::kClassify));
}

TEST_F(DescribeTest, HugeImagesAreDownscaledBeforeTheModel) {
  DescribeOptions o;
  o.decode.max_side = 512;
  DescribeResult r = Make(o).Describe(Write("big.jpg", t::MakeJpeg(3000, 2000)));
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  EXPECT_EQ(r.width, 3000u);  // reports the source size
  EXPECT_EQ(r.height, 2000u);
}

// A screenshot-like image of known text: the alt text quotes it verbatim (the tiny model's words
// are noise; the OCR part is what is checked), the model was told it, and `ocr` holds it.
TEST_F(DescribeTest, TextInTheImageIsTranscribedVerbatim) {
  auto engine = ocr::OcrEngine::Create();
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  t::TextStyle style;
  style.px = 26;
  t::Canvas canvas(760, 150, t::Rgb{255, 255, 255});
  ASSERT_TRUE(
      canvas.DrawLines({"Total due: $1,284.50 (incl. tax)", "by 12/31/2026."}, 24, 24, style).ok());
  std::string img = Write("receipt.png", t::PngFromImage(canvas.image()));

  DescribeOptions o;
  o.ocr = engine->get();
  DescribeResult r = Make(o).Describe(img);
  ASSERT_TRUE(r.error.ok()) << r.error.message();
  EXPECT_EQ(r.ocr, "Total due: $1,284.50 (incl. tax)\nby 12/31/2026.");
  EXPECT_NE(r.text.find("Text in the image: “Total due: $1,284.50 (incl. tax) by 12/31/2026.”"),
            std::string::npos)
      << r.text;
  EXPECT_GT(r.timings.ocr_ms, 0);

  // In Spanish, the label follows the language; the text stays verbatim.
  o.lang = *Language::Parse("es");
  DescribeResult es = Make(o).Describe(img);
  EXPECT_NE(es.text.find("Texto en la imagen: «Total due: $1,284.50 (incl. tax) by 12/31/2026.»"),
            std::string::npos)
      << es.text;

  // A photo without text gets no transcription; with OCR off nothing is read.
  DescribeResult photo = Make(o).Describe(Write("p.jpg", t::MakeJpeg(320, 240)));
  EXPECT_EQ(photo.ocr, "");
  EXPECT_EQ(photo.text.find("Texto en la imagen"), std::string::npos);
  DescribeResult off = Make().Describe(img);
  EXPECT_EQ(off.ocr, "");
  EXPECT_EQ(off.timings.ocr_ms, 0);
}

}  // namespace
}  // namespace altscribe::vision
