#include "atproto/graphemes.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/utext.h>

#include <algorithm>
#include <memory>

namespace altscribe::atproto {
namespace {

enum class Kind { kCharacter, kSentence, kLine };

// This thread's iterator of `kind` (creating one is expensive; reuse is cheap). Null when ICU
// could not create it (missing data), which callers treat as "every code point is a boundary".
icu::BreakIterator* Iterator(Kind kind) {
  thread_local std::unique_ptr<icu::BreakIterator> iters[3];
  auto& it = iters[static_cast<int>(kind)];
  if (!it) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Locale& root = icu::Locale::getRoot();
    switch (kind) {
      case Kind::kCharacter:
        it.reset(icu::BreakIterator::createCharacterInstance(root, status));
        break;
      case Kind::kSentence:
        it.reset(icu::BreakIterator::createSentenceInstance(root, status));
        break;
      case Kind::kLine:
        it.reset(icu::BreakIterator::createLineInstance(root, status));
        break;
    }
    if (U_FAILURE(status)) it.reset();
  }
  return it.get();
}

// Length of the UTF-8 sequence that starts with byte `c` (1 for stray bytes).
size_t Utf8SeqLen(unsigned char c) {
  if (c >= 0xF0 && c <= 0xF4) return 4;
  if (c >= 0xE0) return c <= 0xEF ? 3 : 1;
  if (c >= 0xC2) return 2;
  return 1;
}

// Calls fn(offset) for each boundary after 0, in order, until fn returns false.
template <typename Fn>
void ForEachBoundary(Kind kind, std::string_view utf8, Fn fn) {
  if (utf8.empty()) return;
  icu::BreakIterator* it = Iterator(kind);
  UErrorCode status = U_ZERO_ERROR;
  UText* text = nullptr;
  if (it) text = utext_openUTF8(nullptr, utf8.data(), static_cast<int64_t>(utf8.size()), &status);
  if (!it || U_FAILURE(status)) {
    // No ICU data: fall back to code points, which never cuts inside a character.
    for (size_t i = 0; i < utf8.size();) {
      i = std::min(utf8.size(), i + Utf8SeqLen(static_cast<unsigned char>(utf8[i])));
      if (!fn(i)) break;
    }
    if (text) utext_close(text);
    return;
  }
  it->setText(text, status);
  if (U_SUCCESS(status)) {
    for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) {
      if (!fn(static_cast<size_t>(b))) break;
    }
  }
  // Detach the iterator from the UText before closing it (the iterator outlives this call).
  UText* empty = utext_openUTF8(nullptr, "", 0, &status);
  it->setText(empty, status);
  utext_close(text);
  utext_close(empty);
}

std::vector<size_t> Boundaries(Kind kind, std::string_view utf8) {
  std::vector<size_t> out{0};
  ForEachBoundary(kind, utf8, [&](size_t b) {
    out.push_back(b);
    return true;
  });
  return out;
}

}  // namespace

size_t CountGraphemes(std::string_view utf8) {
  size_t n = 0;
  ForEachBoundary(Kind::kCharacter, utf8, [&](size_t) {
    ++n;
    return true;
  });
  return n;
}

std::string_view GraphemePrefix(std::string_view utf8, size_t max_graphemes, size_t max_bytes) {
  if (utf8.size() <= max_bytes && utf8.size() <= max_graphemes) return utf8;  // fast path
  size_t end = 0;
  size_t n = 0;
  ForEachBoundary(Kind::kCharacter, utf8, [&](size_t b) {
    if (n >= max_graphemes || b > max_bytes) return false;
    ++n;
    end = b;
    return true;
  });
  return utf8.substr(0, end);
}

std::vector<size_t> GraphemeBoundaries(std::string_view utf8) {
  return Boundaries(Kind::kCharacter, utf8);
}

std::vector<size_t> SentenceBoundaries(std::string_view utf8) {
  return Boundaries(Kind::kSentence, utf8);
}

std::vector<size_t> LineBreakBoundaries(std::string_view utf8) {
  return Boundaries(Kind::kLine, utf8);
}

}  // namespace altscribe::atproto
