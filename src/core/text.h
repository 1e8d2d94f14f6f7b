// core/text.h — UTF-8 text helpers shared by the prompt, cleanup and CLI code.
#pragma once

#include <string>
#include <string_view>

namespace altscribe {

// Removes ASCII whitespace at both ends.
std::string_view Trim(std::string_view s);
// Replaces every run of whitespace (ASCII, and U+00A0/U+2028/U+2029) with one space, trimmed.
std::string CollapseWhitespace(std::string_view s);
std::string AsciiLower(std::string_view s);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
// Returns `s` with every invalid UTF-8 sequence replaced by U+FFFD and a cut-off sequence at the
// end dropped (model output can stop in the middle of a character).
std::string SanitizeUtf8(std::string_view s);
// Number of Unicode code points in valid UTF-8.
size_t Utf8Length(std::string_view s);
// The longest prefix of `s` with at most `max_bytes` bytes that ends on a character boundary.
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

}  // namespace altscribe
