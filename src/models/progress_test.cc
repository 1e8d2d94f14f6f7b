#include "models/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace altscribe::models {
namespace {

using ::testing::HasSubstr;
using Clock = ProgressReporter::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

class Capture {
 public:
  Capture() : f_(open_memstream(&buf_, &size_)) {}
  ~Capture() {
    std::fclose(f_);
    std::free(buf_);
  }
  FILE* file() { return f_; }
  std::string text() {
    std::fflush(f_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  FILE* f_;
};

TEST(ProgressTest, FormatEta) {
  EXPECT_EQ(FormatEta(7), "0:07");
  EXPECT_EQ(FormatEta(125), "2:05");
  EXPECT_EQ(FormatEta(3723), "1:02:03");
  EXPECT_EQ(FormatEta(-1), "--:--");
}

TEST(ProgressTest, TtyLine) {
  ProgressReporter p("model.gguf", stderr, true, 100);
  std::string line = p.TtyLine(1'250'000'000, 2'500'000'000, 21'000'000);
  EXPECT_EQ(line,
            "model.gguf   50% [###############               ] 1.2 GB / 2.5 GB  21 MB/s  ETA 1:00");
  EXPECT_LT(line.size(), 100u);

  // Narrow terminals drop the bar, then shorten the label.
  ProgressReporter narrow("a-very-long-model-file-name-Q4_K_M.gguf", stderr, true, 40);
  line = narrow.TtyLine(500, 1000, 0);
  EXPECT_EQ(line.size(), 39u);
  EXPECT_EQ(line.find('['), std::string::npos);
  EXPECT_THAT(line, HasSubstr("50% 500 B / 1.0 KB"));

  EXPECT_EQ(p.TtyLine(3'000'000, 0, 0), "model.gguf  3.0 MB");
}

TEST(ProgressTest, PlainLine) {
  ProgressReporter p("model.gguf", stderr, false);
  EXPECT_EQ(p.PlainLine(450, 1000, 0), "model.gguf: 45% (450 B of 1.0 KB)");
  EXPECT_EQ(p.PlainLine(500'000, 1'000'000, 100'000),
            "model.gguf: 50% (500 KB of 1.0 MB, 100 KB/s, ETA 0:05)");
  EXPECT_EQ(p.PlainLine(3'000'000, 0, 1'000'000), "model.gguf: 3.0 MB (1.0 MB/s)");
}

TEST(ProgressTest, PlainOutputEveryTenPercentOrFiveSeconds) {
  Capture out;
  ProgressReporter p("f", out.file(), false);
  auto t = Clock::now();
  p.Update(0, 1000, t);                      // first state: printed
  p.Update(50, 1000, t + milliseconds(10));  // same decile, soon: not printed
  p.Update(120, 1000, t + seconds(1));       // 10%: printed
  p.Update(150, 1000, t + seconds(2));       // not printed
  p.Update(160, 1000, t + seconds(7));       // 5 s passed: printed
  p.Update(1000, 1000, t + seconds(8));      // 100%: printed
  p.Finish();
  std::string text = out.text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4) << text;
  EXPECT_THAT(text, HasSubstr("f: 0% (0 B of 1.0 KB)\n"));
  EXPECT_THAT(text, HasSubstr("f: 12% (120 B of 1.0 KB"));
  EXPECT_THAT(text, HasSubstr("f: 16% (160 B of 1.0 KB"));
  EXPECT_THAT(text, HasSubstr("f: 100% (1.0 KB of 1.0 KB"));
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ProgressTest, TtyRedrawsOneLine) {
  Capture out;
  ProgressReporter p("f", out.file(), true, 80);
  auto t = Clock::now();
  p.Update(0, 1000, t);
  p.Update(10, 1000, t + milliseconds(20));  // throttled
  p.Update(500, 1000, t + milliseconds(200));
  p.Update(1000, 1000, t + milliseconds(400));
  p.Finish();
  std::string text = out.text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3) << text;  // Finish() adds no redraw
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_THAT(text, HasSubstr("100% ["));
}

}  // namespace
}  // namespace altscribe::models
