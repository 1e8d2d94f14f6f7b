#include "vision/cleanup.h"

#include <gtest/gtest.h>

#include "core/text.h"

namespace altscribe::vision {
namespace {

TEST(Cleanup, StripsPreambles) {
  EXPECT_EQ(StripPreamble("Here is the alt text: A cat on a sofa."), "A cat on a sofa.");
  EXPECT_EQ(StripPreamble("Sure! Here's the alt text: A dog."), "A dog.");
  EXPECT_EQ(StripPreamble("The image shows a red bus in the rain."), "A red bus in the rain.");
  EXPECT_EQ(StripPreamble("Image of two birds."), "Two birds.");
  EXPECT_EQ(StripPreamble("In this image, a man waves."), "A man waves.");
  // Not a preamble: "the images" / a description that merely starts with "The".
  EXPECT_EQ(StripPreamble("The images on the wall are maps."), "The images on the wall are maps.");
  EXPECT_EQ(StripPreamble("The cat sleeps."), "The cat sleeps.");
  // Never strips everything.
  EXPECT_EQ(StripPreamble("Sure!"), "Sure!");
}

TEST(Cleanup, DefusesMentions) {
  EXPECT_EQ(DefuseMentions("sign says @bob.bsky.social hi"),
            "sign says @\xE2\x80\x8B"
            "bob.bsky.social hi");
  EXPECT_EQ(DefuseMentions("email a @ b"), "email a @ b");
}

TEST(Cleanup, StripsMarkdown) {
  EXPECT_EQ(StripMarkdown("**Bold** and `code`"), "Bold and code");
  EXPECT_EQ(StripMarkdown("# Title\n- one\n- two"), "Title\none\ntwo");
}

TEST(Cleanup, CutsAtTheLastSentenceWithinTheLimit) {
  std::string text = "A cat sits on a mat. It is orange. The mat is blue and very long indeed.";
  EXPECT_EQ(CutAtSentence(text, 40), "A cat sits on a mat. It is orange.");
  EXPECT_EQ(CutAtSentence(text, 1000), text);
  // "3.5" is not a sentence end.
  EXPECT_EQ(CutAtSentence("Version 3.5 of the app is shown here now.", 20),
            "Version 3.5 of the\xE2\x80\xA6");
}

TEST(Cleanup, CutsAtAWordWithEllipsisWhenNoSentenceEnds) {
  std::string out = CutAtSentence("one two three four five six seven eight", 20);
  EXPECT_EQ(out, "one two three four\xE2\x80\xA6");
  EXPECT_LE(Utf8Length(out), 20u);
}

TEST(Cleanup, CountsCharactersNotBytes) {
  std::string jp = "猫がソファで寝ている。外は雨が降っている。";
  EXPECT_EQ(CutAtSentence(jp, 12), "猫がソファで寝ている。");
}

TEST(Cleanup, AltModeEndToEnd) {
  std::string raw =
      "  Here is the alt text:\n\n**The image shows** a sign reading \"@alice was "
      "here\".</s>";
  std::string out = CleanOutput(raw, Mode::kAlt, 600);
  EXPECT_EQ(out,
            "A sign reading \"@\xE2\x80\x8B"
            "alice was here\".");
}

TEST(Cleanup, RemovesWrappingQuotes) {
  EXPECT_EQ(CleanOutput("\"A cat.\"", Mode::kAlt, 600), "A cat.");
  EXPECT_EQ(CleanOutput("\"Hi\" says the sign.", Mode::kAlt, 600), "\"Hi\" says the sign.");
}

TEST(Cleanup, StripsControlAndBidiCharacters) {
  EXPECT_EQ(StripControls("a\x1b[31mred\x01\x7f"), "a[31mred");
  EXPECT_EQ(StripControls("tab\there\r\nline"), "tab here\n\nline");
  EXPECT_EQ(StripControls("x\xC2\x85y"), "xy");                          // NEL (C1)
  EXPECT_EQ(StripControls("evil \xE2\x80\xAEtxt.exe"), "evil txt.exe");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(StripControls("caf\xC3\xA9 \xE2\x80\x94 ok"),
            "caf\xC3\xA9 \xE2\x80\x94 ok");  // é and em dash stay
  EXPECT_EQ(CleanOutput("A sign\x1b\x01 reads \"STOP\".", Mode::kAlt, 600),
            "A sign reads \"STOP\".");
}

TEST(Cleanup, HotdogIsBinary) {
  EXPECT_EQ(CleanOutput("Hotdog!", Mode::kHotdog, 10), "hotdog");
  EXPECT_EQ(CleanOutput("hot dog", Mode::kHotdog, 10), "hotdog");
  EXPECT_EQ(CleanOutput("Not hotdog.", Mode::kHotdog, 10), "not hotdog");
  EXPECT_EQ(CleanOutput("a cat", Mode::kHotdog, 10), "not hotdog");
  EXPECT_EQ(CleanOutput("", Mode::kHotdog, 10), "not hotdog");
}

TEST(Cleanup, ClassifyGivesShortLabels) {
  EXPECT_EQ(CleanOutput("Cat, Sofa, Indoor.", Mode::kClassify, 120), "cat, sofa, indoor");
  EXPECT_EQ(CleanOutput("- cat\n- sofa\n- pet\n- indoor\n- cushion\n- extra", Mode::kClassify, 120),
            "cat, sofa, pet, indoor, cushion");
  EXPECT_EQ(CleanOutput("a very long label that goes on and on without any end in sight",
                        Mode::kClassify, 120),
            "a very long label that goes on and on");
}

TEST(Cleanup, InvalidUtf8FromTheModelIsRepaired) {
  std::string out = CleanOutput("A caf\xC3\xA9 sign \xE2\x82", Mode::kAlt, 600);
  EXPECT_EQ(out, "A caf\xC3\xA9 sign");
  EXPECT_EQ(CleanOutput("Stray \xFF\xFE"
                        "bytes.",
                        Mode::kAlt, 600),
            "Stray bytes.");
}

}  // namespace
}  // namespace altscribe::vision
