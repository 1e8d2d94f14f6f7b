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

// U+200B, the one defusing character.
#define ZW "\xE2\x80\x8B"

TEST(Cleanup, DefusesMentionsLinksAndHashtagsInModelOutput) {
  // Each of these, as the model wrote it, and as it must leave cleanup: no client can turn it
  // into a mention, a link or a tag, and it reads the same.
  struct Case {
    const char* raw;
    const char* clean;
  } cases[] = {
      {"A sign that says @someone.bsky.social hello.",
       "A sign that says @" ZW "someone" ZW ".bsky" ZW ".social hello."},
      {"Scan https://evil.example/x now.", "Scan https:" ZW "//evil" ZW ".example/x now."},
      {"Scan HTTP://Evil.Example:8080/a?b=c now.",
       "Scan HTTP:" ZW "//Evil" ZW ".Example:8080/a?b=c now."},
      {"A poster for www.evil.example today.", "A poster for www" ZW ".evil" ZW ".example today."},
      {"Go to evil.example.com/path for more.",
       "Go to evil" ZW ".example" ZW ".com/path for more."},
      {"The banner reads #tag and #Caf\xC3\xA9.",
       "The banner reads #" ZW "tag and #" ZW "Caf\xC3\xA9."},
      {"Fullwidth \xEF\xBC\x83tag and \xEF\xBC\xA0name.",
       "Fullwidth \xEF\xBC\x83" ZW "tag and \xEF\xBC\xA0" ZW "name."},
      {"Mail alice@example.com today.", "Mail alice@" ZW "example" ZW ".com today."},
      {"A shop at xn--80ak6aa92e.com sells \xD0\xBF\xD1\x80\xD0\xB8.\xD1\x80\xD1\x84 hats.",
       "A shop at xn--80ak6aa92e" ZW ".com sells \xD0\xBF\xD1\x80\xD0\xB8" ZW
       ".\xD1\x80\xD1\x84 hats."},
      {"It ends with evil.example.", "It ends with evil" ZW ".example."},
      {"(see evil.example)", "(see evil" ZW ".example)"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CleanOutput(c.raw, Mode::kAlt, 600), c.clean) << c.raw;
    EXPECT_EQ(CleanOutput(c.raw, Mode::kDetail, 600), c.clean) << c.raw;
    // Idempotent: cleaning the cleaned text changes nothing.
    EXPECT_EQ(CleanOutput(c.clean, Mode::kAlt, 600), c.clean) << c.raw;
  }
  // Whatever was defused, no "x.y" pair, "://" or "#x" is left anywhere.
  for (const auto& c : cases) {
    std::string out = CleanOutput(c.raw, Mode::kAlt, 600);
    EXPECT_EQ(out.find("://"), std::string::npos) << out;
    EXPECT_EQ(out.find("#t"), std::string::npos) << out;
    EXPECT_EQ(out.find("@s"), std::string::npos) << out;
  }
  EXPECT_EQ(CleanOutput("Tags: #cat, https://evil.example", Mode::kClassify, 120),
            "tags: #" ZW "cat, https:" ZW "//evil" ZW ".example");
}

TEST(Cleanup, OrdinaryTextIsNotDefused) {
  for (const char* text : {
           "Version 3.5 of the app, v1.2.3, at 10:30 on 12.05.2024.",
           "A ratio of 16:9 and a price of $4.99, e.g. a U.S.A. flag, i.e. red.",
           "Dr. Smith holds a Ph.D. at 3 p.m. in St. Louis.",
           "A C# book, F# notes, a # sign and a keycap #\xEF\xB8\x8F\xE2\x83\xA3.",
           "An email sign @ the door, and a 2.5mm cable at 1.5x speed.",
           "A cat. \xF0\x9F\x90\x88 A dog.",
           "\xE7\x8C\xAB\xE3\x81\x8C\xE5\xAF\x9D\xE3\x81\xA6\xE3\x81\x84\xE3\x82\x8B\xE3\x80\x82",
       }) {
    EXPECT_EQ(CleanOutput(text, Mode::kAlt, 600), text);
  }
}

TEST(Cleanup, DefusingComesBeforeTheLengthCap) {
  // The cap counts the inserted characters, so the result is within max_chars, still defused.
  std::string raw = "Visit https://evil.example/abcdef and also www.spam.example now please.";
  std::string out = CleanOutput(raw, Mode::kAlt, 40);
  EXPECT_LE(Utf8Length(out), 40u) << out;
  EXPECT_EQ(out.find("://"), std::string::npos) << out;
  EXPECT_EQ(out.find("evil.example"), std::string::npos) << out;
  EXPECT_EQ(out.rfind("Visit https:" ZW "//evil" ZW ".example/abcdef", 0), 0u) << out;
  // A long answer is capped at the limit.
  std::string longer;
  for (int i = 0; i < 100; ++i) longer += "A cat sits. ";
  EXPECT_LE(Utf8Length(CleanOutput(longer, Mode::kAlt, 300)), 300u);
}

TEST(Cleanup, DefusePiecesOnTheirOwn) {
  EXPECT_EQ(DefuseLinks("ftp://a.example"), "ftp:" ZW "//a" ZW ".example");
  EXPECT_EQ(DefuseLinks("time 10:30, 3.5 and a..b"), "time 10:30, 3.5 and a..b");
  EXPECT_EQ(DefuseLinks("a..evil.example"), "a..evil" ZW ".example");
  EXPECT_EQ(DefuseHashtags("#1 and #_x and #-"), "#" ZW "1 and #" ZW "_x and #-");
  EXPECT_EQ(DefuseMentions("@_x"), "@" ZW "_x");
  EXPECT_EQ(Defuse("@a.example #b c.example"), "@" ZW "a" ZW ".example #" ZW "b c" ZW ".example");
}

#undef ZW

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
