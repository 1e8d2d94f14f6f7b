#include "vision/grounding.h"

#include "core/text.h"

namespace altscribe::vision {
namespace {

struct LabelRow {
  std::string_view lang;
  TextLabel label;
};
constexpr LabelRow kLabels[] = {
    {"en", {"Text in the image: ", "“", "”"}}, {"es", {"Texto en la imagen: ", "«", "»"}},
    {"pt", {"Texto na imagem: ", "“", "”"}},   {"fr", {"Texte dans l’image : ", "« ", " »"}},
    {"de", {"Text im Bild: ", "„", "“"}},      {"ja", {"画像内の文字：", "「", "」"}},
};

// `text` cut to at most `max` bytes at a space (or a code point boundary), with "…".
std::string CutAtWord(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  std::string_view head = Utf8Prefix(text, max);
  size_t space = head.find_last_of(" \n");
  if (space != std::string_view::npos && space > max / 2) head = head.substr(0, space);
  return std::string(head) + "…";
}

}  // namespace

ImageKind KindOf(const ocr::Transcript& t) {
  if (t.text.empty()) return ImageKind::kPhoto;
  return t.coverage >= 0.12 || t.words >= 25 || t.lines >= 4 ? ImageKind::kTextHeavy
                                                             : ImageKind::kPhoto;
}

TextLabel TextLabelFor(const Language& lang) {
  std::string primary = AsciiLower(lang.tag.substr(0, lang.tag.find('-')));
  for (const LabelRow& r : kLabels) {
    if (r.lang == primary) return r.label;
  }
  return kLabels[0].label;
}

std::string_view FirstSentence(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '.' || c == '!' || c == '?') && i + 1 < text.size() && text[i + 1] == ' ') {
      return text.substr(0, i + 1);
    }
    if (text.substr(i, 3) == "。" && i + 3 < text.size()) return text.substr(0, i + 3);
  }
  return text;
}

std::string GroundedText(std::string_view description, std::string_view transcript, ImageKind kind,
                         const Language& lang, size_t max_transcript_bytes) {
  std::string quoted = CollapseWhitespace(transcript);
  if (quoted.empty()) return std::string(description);
  TextLabel l = TextLabelFor(lang);
  std::string text_part = std::string(l.label) + std::string(l.open) +
                          CutAtWord(quoted, max_transcript_bytes) + std::string(l.close);
  if (description.empty()) return text_part;
  if (kind == ImageKind::kTextHeavy) {
    return text_part + " " + std::string(FirstSentence(description));
  }
  return std::string(description) + " " + text_part;
}

}  // namespace altscribe::vision
