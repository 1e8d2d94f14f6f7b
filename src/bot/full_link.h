// bot/full_link.h — when a reply links its full description (--public-url), and what is stored.
//
// A reply links <public-url>/d/<id> (bot/full_description.h) when it had to be split into several
// posts, or when the text read from one of its images (OCR) is longer than kLongOcrGraphemes,
// since a reply never quotes that much of it. Pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bot/composer.h"
#include "bot/full_description.h"

namespace altscribe::bot {

// OCR text longer than this (in graphemes) is "long": its reply links the full description.
inline constexpr size_t kLongOcrGraphemes = 200;

// The stored document for one reply: every described or failed image, in index order, with
// its text (or its failure reason as `error`) and the OCR text `ocr` holds for its 1-based
// index. Images that already have alt text are left out.
FullDescription FullDescriptionFor(const std::vector<ImageOutcome>& outcomes,
                                   const std::map<int, std::string>& ocr, std::string_view model,
                                   std::string_view lang, std::string_view post_uri);

// True when a reply of `reply_posts` posts about `doc` should link it: more than one post, or an
// image's OCR text over kLongOcrGraphemes.
bool NeedsFullDescription(size_t reply_posts, const FullDescription& doc);

}  // namespace altscribe::bot
