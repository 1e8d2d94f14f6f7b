#include "ocr/transcript.h"

#include <gtest/gtest.h>

namespace altscribe::ocr {
namespace {

OcrLine Line(std::vector<std::pair<std::string, float>> words, Box box = {0, 0, 100, 20},
             bool para = false) {
  OcrLine l;
  l.box = box;
  l.new_paragraph = para;
  for (auto& [t, c] : words) l.words.push_back({t, c, Box{0, 0, 10, 20}});
  return l;
}

TEST(BuildTranscript, KeepsConfidentLinesVerbatimInOrder) {
  std::vector<OcrLine> lines = {Line({{"Meeting", 95}, {"at", 93}, {"3:45", 90}}, {}, true),
                                Line({{"room", 91}, {"204B.", 88}}),
                                Line({{"See", 92}, {"you!", 90}}, {}, true)};
  Transcript t = BuildTranscript(lines, 100, 100);
  EXPECT_EQ(t.text, "Meeting at 3:45\nroom 204B.\n\nSee you!");
  EXPECT_EQ(t.lines, 3);
  EXPECT_EQ(t.words, 7);
  EXPECT_GT(t.confidence, 85);
  EXPECT_LT(t.confidence, 96);
}

TEST(BuildTranscript, DropsLowConfidenceAndSymbolNoise) {
  std::vector<OcrLine> lines = {Line({{"ee", 30}, {"Ss", 40}}),           // unsure
                                Line({{"|", 90}, {"~", 91}, {"—", 92}}),  // not letters
                                Line({{"Real", 96}, {"words", 94}}, {0, 0, 50, 10})};
  Transcript t = BuildTranscript(lines, 100, 100);
  EXPECT_EQ(t.text, "Real words");
  EXPECT_EQ(t.lines, 1);
  EXPECT_DOUBLE_EQ(t.coverage, 0.05);
}

TEST(BuildTranscript, AnUnsureNameBesideAConfidentHandleIsKept) {
  Transcript t =
      BuildTranscript({Line({{"Ada", 50}, {"Lovelace", 50}, {"@ada.bsky.social", 92}})}, 100, 100);
  EXPECT_EQ(t.text, "Ada Lovelace @ada.bsky.social");
  // Mostly unsure: dropped.
  EXPECT_EQ(BuildTranscript({Line({{"Adaa", 50}, {"Lovelace", 50}, {"@x", 95}})}, 100, 100).text,
            "");
}

TEST(BuildTranscript, AnAvatarReadAsALetterBesideTheNameIsDropped) {
  OcrLine l;
  l.words = {{"@", 80, {0, 0, 44, 44}},
             {"Grace", 90, {50, 10, 90, 26}},
             {"Hopper", 90, {95, 10, 150, 26}}};
  EXPECT_EQ(BuildTranscript({l}, 200, 100).text, "Grace Hopper");
}

TEST(BuildTranscript, NothingWhenTooLittleIsLeft) {
  EXPECT_EQ(BuildTranscript({Line({{"a", 99}})}, 10, 10).text, "");
  EXPECT_EQ(BuildTranscript({}, 10, 10).text, "");
  Transcript t = BuildTranscript({Line({{"ab", 20}})}, 10, 10);
  EXPECT_EQ(t.text, "");
  EXPECT_EQ(t.words, 0);
  EXPECT_EQ(t.confidence, 0);
}

TEST(BuildTranscript, NonLatinTextCountsAsLetters) {
  Transcript t = BuildTranscript({Line({{"日本語のテキスト", 90}})}, 10, 10);
  EXPECT_EQ(t.text, "日本語のテキスト");
}

TEST(MedianWordHeight, IgnoresOneCharacterWords) {
  OcrLine l;
  l.words = {{"a", 90, {0, 0, 5, 80}},
             {"bb", 90, {0, 0, 5, 10}},
             {"cc", 90, {0, 0, 5, 12}},
             {"dd", 90, {0, 0, 5, 14}}};
  EXPECT_EQ(MedianWordHeight({l}), 12);
  EXPECT_EQ(MedianWordHeight({}), 0);
}

}  // namespace
}  // namespace altscribe::ocr
