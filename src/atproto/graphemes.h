// atproto/graphemes.h — Unicode text segmentation (UAX #29 / UAX #14) with ICU.
//
// Bluesky limits a post to 300 extended grapheme clusters (what a reader sees as one character:
// a ZWJ family emoji, a flag made of two regional indicators, or e + U+0301 each count once) and
// 3000 UTF-8 bytes. These functions count and cut text on those boundaries, and find where long
// text may be split (sentence ends, line-break opportunities). All offsets are UTF-8 byte offsets
// into the input. Invalid UTF-8 is tolerated: each ill-formed sequence counts as one grapheme.
// ICU's data is Unicode 15 (ICU 72); a server with newer data may count a few exotic sequences
// differently, so callers that must stay under a limit keep a small margin.
// Thread-safe: each thread uses its own ICU iterators.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace altscribe::atproto {

// Number of extended grapheme clusters in `utf8`.
size_t CountGraphemes(std::string_view utf8);

// The longest prefix of `utf8` with at most `max_graphemes` graphemes and at most `max_bytes`
// bytes that ends on a grapheme boundary (never inside a character or a cluster).
std::string_view GraphemePrefix(std::string_view utf8, size_t max_graphemes,
                                size_t max_bytes = std::string_view::npos);

// Grapheme boundaries: 0, ..., utf8.size() (just {0} for empty text).
std::vector<size_t> GraphemeBoundaries(std::string_view utf8);

// Sentence boundaries (UAX #29): offsets where a sentence starts, from 0 to utf8.size(). Handles
// '.', '!', '?', '。', '！', '？' and friends; trailing spaces stay with the sentence before.
std::vector<size_t> SentenceBoundaries(std::string_view utf8);

// Line-break opportunities (UAX #14): offsets where text may wrap — after spaces, between CJK
// ideographs, after hyphens — from 0 to utf8.size(). The word-level fallback for splitting.
std::vector<size_t> LineBreakBoundaries(std::string_view utf8);

}  // namespace altscribe::atproto
