#include "vision/grounding.h"

#include <gtest/gtest.h>

namespace altscribe::vision {
namespace {

Language Lang(const char* tag) { return *Language::Parse(tag); }

TEST(Grounding, PictureWithTextGetsTheTranscriptionAfterTheDescription) {
  EXPECT_EQ(GroundedText("A cafe chalkboard on a sidewalk.", "Coffee $3\nTea $2", ImageKind::kPhoto,
                         Lang("en")),
            "A cafe chalkboard on a sidewalk. Text in the image: “Coffee $3 Tea $2”");
}

TEST(Grounding, TextHeavyImageGetsTheTranscriptionFirstAndOneSentence) {
  EXPECT_EQ(GroundedText("A screenshot of a post. It has a blue avatar. More words.",
                         "Meeting moved to 3:45 PM", ImageKind::kTextHeavy, Lang("en")),
            "Text in the image: “Meeting moved to 3:45 PM” A screenshot of a post.");
}

TEST(Grounding, LabelAndQuotesFollowTheLanguage) {
  EXPECT_EQ(GroundedText("", "Hola", ImageKind::kPhoto, Lang("es")), "Texto en la imagen: «Hola»");
  EXPECT_EQ(GroundedText("", "Hallo", ImageKind::kPhoto, Lang("de-AT")), "Text im Bild: „Hallo“");
  EXPECT_EQ(GroundedText("", "こんにちは", ImageKind::kPhoto, Lang("ja")),
            "画像内の文字：「こんにちは」");
  EXPECT_EQ(GroundedText("", "Salut", ImageKind::kPhoto, Lang("fr")),
            "Texte dans l’image : « Salut »");
  EXPECT_EQ(GroundedText("", "Oi", ImageKind::kPhoto, Lang("pt-BR")), "Texto na imagem: “Oi”");
  EXPECT_EQ(TextLabelFor(Lang("ko")).label, "Text in the image: ");
}

TEST(Grounding, NoTranscriptLeavesTheDescriptionAlone) {
  EXPECT_EQ(GroundedText("A dog.", "", ImageKind::kPhoto, Lang("en")), "A dog.");
  EXPECT_EQ(GroundedText("A dog.", " \n ", ImageKind::kTextHeavy, Lang("en")), "A dog.");
}

TEST(Grounding, LongTranscriptionsAreCutAtAWord) {
  std::string words;
  for (int i = 0; i < 400; ++i) words += "word" + std::to_string(i) + " ";
  std::string out = GroundedText("", words, ImageKind::kTextHeavy, Lang("en"), 100);
  EXPECT_LE(out.size(), 100 + 40u);
  EXPECT_NE(out.find("…”"), std::string::npos);
  EXPECT_NE(out.find("“word0 word1 word2"), std::string::npos);
  EXPECT_EQ(out.find(" …"), std::string::npos) << "cut at a word, not after a space";
}

TEST(Grounding, KindFromTheTranscript) {
  ocr::Transcript none;
  EXPECT_EQ(KindOf(none), ImageKind::kPhoto);
  ocr::Transcript sign{"STOP", 95, 1, 1, 0.01};
  EXPECT_EQ(KindOf(sign), ImageKind::kPhoto);
  ocr::Transcript page{"many words", 90, 60, 8, 0.4};
  EXPECT_EQ(KindOf(page), ImageKind::kTextHeavy);
}

TEST(Grounding, FirstSentence) {
  EXPECT_EQ(FirstSentence("One. Two."), "One.");
  EXPECT_EQ(FirstSentence("No end"), "No end");
  EXPECT_EQ(FirstSentence("3.5 stars. Good."), "3.5 stars.");
  EXPECT_EQ(FirstSentence("猫です。犬です。"), "猫です。");
}

}  // namespace
}  // namespace altscribe::vision
