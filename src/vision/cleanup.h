// vision/cleanup.h — turns raw model output into text a screen reader can read.
//
// For alt/detail: valid UTF-8, no control or bidi-override characters, no chat-template leftovers,
// no preamble ("Here is the alt text:", "Sure!"), "The image shows X" becomes "X", no markdown,
// whitespace collapsed, mentions, links and hashtags defused (see Defuse below), and cut at the
// last sentence end within max_chars (or a word boundary with "…" when no sentence ends in range):
// max_chars counts characters (code points), the zero-width spaces included. classify gives
// "a, b, c" (defused too); hotdog gives exactly "hotdog" or "not hotdog".
//
// Defusing: model output must never become a link, a mention or a hashtag in any client (Bluesky
// facet detection, linkify-style auto-linking), yet read the same aloud and look the same. The
// one technique is a ZERO WIDTH SPACE (U+200B), which screen readers skip and no linkifier reads
// through (it is neither whitespace to `\s` nor a host or tag character)
// (written <ZWSP> below):
//   @name        → @<ZWSP>name          after every @ (or fullwidth ＠) followed by an ASCII
//                  letter, digit or _;
//   scheme://    → scheme:<ZWSP>//      between the colon and the slashes (http, https, any);
//   a.b.example  → a<ZWSP>.b<ZWSP>.example  before every dot of a dotted name whose last label
//                  is 2+ letters (or xn--…): www.…, bare domains, hosts in URLs, the domain of an
//                  e-mail address or a handle;
//   #tag, ＃tag   → #<ZWSP>tag, ＃<ZWSP>tag  after # or fullwidth ＃ followed by a tag character
//                  (a letter, digit or _ of any script).
// Left alone: decimals and versions (3.5, v1.2), times (10:30), abbreviations with one-letter
// parts (e.g., U.S.A.), "C#" and "#" before a space, emoji keycaps (#️⃣). A name that only
// looks like a domain ("dog.The" from a missing space) gets the invisible space too: harmless.
// Defusing is idempotent (already defused text is unchanged). Pure functions.
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
// The defusing steps described above; Defuse applies all three.
std::string Defuse(std::string_view text);
std::string DefuseMentions(std::string_view text);
std::string DefuseLinks(std::string_view text);
std::string DefuseHashtags(std::string_view text);
std::string CutAtSentence(std::string_view text, size_t max_chars);

}  // namespace altscribe::vision
