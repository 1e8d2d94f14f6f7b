#include "atproto/graphemes.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace altscribe::atproto {
namespace {

const std::string kFamily =
    "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466";     // 👨‍👩‍👧‍👦
const std::string kJapanFlag = "\U0001F1EF\U0001F1F5";                // 🇯🇵
const std::string kThumbsTone = "\U0001F44D\U0001F3FD";               // 👍🏽
const std::string kKeycapOne = "1\uFE0F\u20E3";                       // 1️⃣
const std::string kRainbowFlag = "\U0001F3F3\uFE0F\u200D\U0001F308";  // 🏳️‍🌈
const std::string kEAcute = "e\u0301";                                // é as e + combining acute

struct CountCase {
  const char* name;
  std::string text;
  size_t graphemes;
};

TEST(GraphemesTest, Counts) {
  const std::vector<CountCase> cases = {
      {"empty", "", 0},
      {"ascii", "hello", 5},
      {"precomposed é", "caf\u00E9", 4},
      {"combining é", "caf" + kEAcute, 4},
      {"stacked combining marks", "a\u0301\u0302\u0303", 1},
      {"ZWJ family", kFamily, 1},
      {"two flags", kJapanFlag + "\U0001F1E9\U0001F1EA", 2},
      {"odd regional indicator", kJapanFlag + "\U0001F1E9", 2},
      {"skin tone", kThumbsTone, 1},
      {"keycap", kKeycapOne, 1},
      {"rainbow flag", kRainbowFlag, 1},
      {"emoji text", "I ❤\uFE0F " + kFamily + "!", 6},
      {"CJK", "日本語のテキスト", 8},
      {"Hangul syllables", "한국어", 3},
      {"Hangul jamo", "\u1100\u1161\u11A8", 1},
      {"Arabic", "مرحبا بالعالم", 13},
      {"Hebrew with points", "שָׁלוֹם", 4},
      {"CRLF", "a\r\nb", 3},
      {"tabs and newlines", "a\tb\nc", 5},
      {"invalid UTF-8",
       "a\xFF"
       "b",
       3},
      {"truncated sequence", "ab\xE6\x97", 3},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CountGraphemes(c.text), c.graphemes) << c.name;
  }
}

TEST(GraphemesTest, BoundariesAreByteOffsets) {
  std::string s = "a" + kFamily + kEAcute + "日";
  std::vector<size_t> want = {0, 1, 1 + kFamily.size(), 1 + kFamily.size() + 3, s.size()};
  EXPECT_EQ(GraphemeBoundaries(s), want);
  EXPECT_EQ(GraphemeBoundaries(""), std::vector<size_t>{0});
}

TEST(GraphemesTest, PrefixNeverCutsAGrapheme) {
  std::string s = kFamily + "abc" + kJapanFlag;
  EXPECT_EQ(GraphemePrefix(s, 0), "");
  EXPECT_EQ(GraphemePrefix(s, 1), kFamily);
  EXPECT_EQ(GraphemePrefix(s, 2), kFamily + "a");
  EXPECT_EQ(GraphemePrefix(s, 4), kFamily + "abc");
  EXPECT_EQ(GraphemePrefix(s, 5), s);
  EXPECT_EQ(GraphemePrefix(s, 100), s);
  // The byte limit also lands on a boundary: a cluster that does not fit whole is left out.
  EXPECT_EQ(GraphemePrefix(s, 100, kFamily.size() - 1), "");
  EXPECT_EQ(GraphemePrefix(s, 100, kFamily.size() + 2), kFamily + "ab");
  EXPECT_EQ(GraphemePrefix(s, 100, s.size() - 1), kFamily + "abc");
  EXPECT_EQ(GraphemePrefix("caf" + kEAcute + "s", 4), "caf" + kEAcute);
  EXPECT_EQ(GraphemePrefix("caf" + kEAcute, 100, 4), "caf");
  EXPECT_EQ(GraphemePrefix("日本語", 2), "日本");
  EXPECT_EQ(GraphemePrefix("日本語", 10, 7), "日本");
}

TEST(GraphemesTest, PostSizedText) {
  std::string emoji;
  for (int i = 0; i < 400; ++i) emoji += kFamily;
  EXPECT_EQ(CountGraphemes(emoji), 400u);
  std::string_view p = GraphemePrefix(emoji, 300, 3000);
  EXPECT_EQ(p.size() % kFamily.size(), 0u);
  EXPECT_LE(p.size(), 3000u);
  EXPECT_EQ(CountGraphemes(p), 3000 / kFamily.size());  // the byte limit binds first
}

TEST(GraphemesTest, Sentences) {
  EXPECT_EQ(SentenceBoundaries("Hello there. How are you? Fine!"),
            (std::vector<size_t>{0, 13, 26, 31}));
  std::string ja = "今日は晴れです。明日は雨です。";
  EXPECT_EQ(SentenceBoundaries(ja), (std::vector<size_t>{0, 24, ja.size()}));
  std::string ar = "مرحبا؟ كيف حالك.";
  EXPECT_EQ(SentenceBoundaries(ar), (std::vector<size_t>{0, 13, ar.size()}));
  EXPECT_EQ(SentenceBoundaries("no end"), (std::vector<size_t>{0, 6}));
  EXPECT_EQ(SentenceBoundaries(""), std::vector<size_t>{0});
}

TEST(GraphemesTest, LineBreaks) {
  EXPECT_EQ(LineBreakBoundaries("hello world"), (std::vector<size_t>{0, 6, 11}));
  EXPECT_EQ(LineBreakBoundaries("日本語"), (std::vector<size_t>{0, 3, 6, 9}));
  // Never inside a cluster.
  std::string s = kFamily + kFamily;
  for (size_t b : LineBreakBoundaries(s)) EXPECT_EQ(b % kFamily.size(), 0u);
}

TEST(GraphemesTest, ThreadSafe) {
  std::vector<std::thread> threads;
  std::vector<size_t> counts(8);
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&counts, t] {
      for (int i = 0; i < 200; ++i) counts[t] += CountGraphemes(kFamily + "ab" + kJapanFlag);
    });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 200u * 4);
}

}  // namespace
}  // namespace altscribe::atproto
