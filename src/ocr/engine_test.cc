#include "ocr/engine.h"

#include <gtest/gtest.h>

#include <thread>

#include "image_fixtures.h"
#include "text_image.h"

namespace altscribe::ocr {
namespace {

using testing::Canvas;
using testing::Rgb;
using testing::TextStyle;

vision::Image TextImage(const std::vector<std::string>& lines, int px, Rgb fg, Rgb bg,
                        const std::string& family = "DejaVu Sans") {
  TextStyle s;
  s.family = family;
  s.px = px;
  s.color = fg;
  Canvas c(900, static_cast<uint32_t>(lines.size() * px * 1.25 + 2 * px), bg);
  EXPECT_TRUE(c.DrawLines(lines, px, px, s).ok());
  return c.image();
}

class OcrEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = OcrEngine::Create();
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(*e);
  }
  std::unique_ptr<OcrEngine> engine_;
};

TEST_F(OcrEngineTest, ReadsRenderedTextExactly) {
  auto r = engine_->Read(TextImage({"Meeting moved to 3:45 PM on Friday,", "room 204B."}, 28,
                                   Rgb{20, 20, 20}, Rgb{255, 255, 255}),
                         {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->transcript.text, "Meeting moved to 3:45 PM on Friday,\nroom 204B.");
  EXPECT_EQ(r->languages, "eng");
  EXPECT_GT(r->transcript.confidence, 80);
}

TEST_F(OcrEngineTest, EnlargesSmallTextAndReadsLightOnDark) {
  auto r = engine_->Read(TextImage({"Wi-Fi password is on the back of the router."}, 12,
                                   Rgb{236, 240, 243}, Rgb{21, 32, 43}),
                         {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->transcript.text, "Wi-Fi password is on the back of the router.");
  EXPECT_GT(r->scale, 1.5);
}

TEST_F(OcrEngineTest, PhotoWithoutTextGivesNoTranscript) {
  auto r = engine_->Read(testing::SyntheticPhoto(640, 480), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->transcript.text, "");
  auto empty = engine_->Read(vision::Image{}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->transcript.text, "");
}

TEST_F(OcrEngineTest, UsesThePostLanguagesModel) {
  auto r = engine_->Read(
      TextImage({"La reunión es mañana a las diez."}, 32, Rgb{0, 0, 0}, Rgb{255, 255, 255}),
      {.langs = {"es"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->languages, "spa+eng");
  EXPECT_EQ(r->transcript.text, "La reunión es mañana a las diez.");
}

TEST_F(OcrEngineTest, ConcurrentReadsGiveTheSameText) {
  vision::Image img =
      TextImage({"Sphinx of black quartz, judge my vow!"}, 24, Rgb{0, 0, 0}, Rgb{255, 255, 255});
  std::vector<std::string> got(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = engine_->Read(img, {});
      if (r.ok()) got[i] = r->transcript.text;
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& g : got) EXPECT_EQ(g, "Sphinx of black quartz, judge my vow!");
}

TEST(OcrEngineCreate, MissingTessdataIsOneClearError) {
  auto e = OcrEngine::Create("/nonexistent-tessdata");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("tesseract-ocr-eng"), std::string::npos);
}

}  // namespace
}  // namespace altscribe::ocr
