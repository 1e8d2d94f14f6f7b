// vision/cleanup.h — turns raw model output into text a screen reader can read.
//
// For alt/detail: valid UTF-8, no control or bidi-override characters, no chat-template leftovers,
// no preamble ("Here is the alt text:", "Sure!"), "The image shows X" becomes "X", no markdown,
// whitespace collapsed, @-mentions defused (a Bluesky client must never turn model output into a
// ping), and cut at the last sentence end within max_chars (or a word boundary with "…" when no
// sentence ends in range). classify gives "a, b, c"; hotdog gives exactly "hotdog" or "not hotdog".
// Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "vision/prompt.h"

namespace altscribe::vision {

std::string CleanOutput(std::string_view raw, Mode mode, size_t max_chars);

// The pieces, exposed for tests.
std::string StripPreamble(std::string_view text);
// Removes control characters (C0 except whitespace, DEL, C1) and bidirectional overrides
// (U+202A–U+202E, U+2066–U+2069) that could hide or reorder text; tabs/newlines become spaces.
std::string StripControls(std::string_view text);
std::string StripMarkdown(std::string_view text);
std::string DefuseMentions(std::string_view text);
std::string CutAtSentence(std::string_view text, size_t max_chars);

}  // namespace altscribe::vision
