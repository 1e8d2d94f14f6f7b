#include "bot/full_link.h"

#include <algorithm>

#include "atproto/graphemes.h"

namespace altscribe::bot {

FullDescription FullDescriptionFor(const std::vector<ImageOutcome>& outcomes,
                                   const std::map<int, std::string>& ocr, std::string_view model,
                                   std::string_view lang, std::string_view post_uri) {
  FullDescription doc;
  doc.model = std::string(model);
  doc.lang = std::string(lang);
  doc.post_uri = std::string(post_uri);
  std::vector<ImageOutcome> sorted = outcomes;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ImageOutcome& a, const ImageOutcome& b) { return a.index < b.index; });
  for (const ImageOutcome& o : sorted) {
    if (o.kind == ImageOutcome::Kind::kAlreadyHasAlt) continue;
    FullDescription::Image img;
    img.index = o.index;
    const bool described = o.kind != ImageOutcome::Kind::kFailed && !o.text.empty();
    if (described) {
      img.text = o.text;
    } else {
      img.error = o.text.empty() ? "the image could not be read" : o.text;
    }
    if (auto it = ocr.find(o.index); it != ocr.end()) img.ocr = it->second;
    doc.images.push_back(std::move(img));
  }
  return doc;
}

bool NeedsFullDescription(size_t reply_posts, const FullDescription& doc) {
  if (doc.images.empty()) return false;
  if (reply_posts > 1) return true;
  return std::any_of(doc.images.begin(), doc.images.end(), [](const FullDescription::Image& i) {
    return atproto::CountGraphemes(i.ocr) > kLongOcrGraphemes;
  });
}

}  // namespace altscribe::bot
