// vision/grounding.h — puts the text OCR read into the alt text, verbatim.
//
// Pure functions. Models misread text; Tesseract, when confident, does not (bench/ocr_quality).
// So the words in an image come from OCR and the model describes the rest:
//   - a text-heavy image (screenshot, document, meme) gets the transcription first, then one
//     sentence from the model: "Text in the image: “…” A screenshot of a post by …";
//   - a picture with some text gets the model's description, then the transcription.
// The label and the quotation marks follow the reply language (en, es, pt, ja, de, fr; others
// get English). Long transcriptions are cut at a word boundary with "…" (the bot continues in
// the thread; the full text stays in the result's `ocr` field).
#pragma once

#include <string>
#include <string_view>

#include "ocr/transcript.h"
#include "vision/prompt.h"

namespace altscribe::vision {

// Text-heavy when text lines cover much of the image or there are many words.
ImageKind KindOf(const ocr::Transcript& transcript);

// "Text in the image" in `lang`, and its quotation marks.
struct TextLabel {
  std::string_view label;  // with the space that follows it, if the language puts one
  std::string_view open, close;
};
TextLabel TextLabelFor(const Language& lang);

// The alt text from the model's (cleaned) `description` and OCR's `transcript` (empty: the
// description unchanged). `max_transcript_bytes` caps the quoted text.
std::string GroundedText(std::string_view description, std::string_view transcript, ImageKind kind,
                         const Language& lang, size_t max_transcript_bytes = 1500);

// The first sentence of `text` (up to and including ". ", "! ", "? ", "。"), or all of it.
std::string_view FirstSentence(std::string_view text);

}  // namespace altscribe::vision
