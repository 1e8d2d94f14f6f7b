// serve/html.h — escaping text for HTML.
//
// Everything that did not come from this program's own templates (model output, OCR text, ids
// from the URL) goes through HtmlEscape() before it is put into a page: & < > " ' become
// character references, so the text can sit in element content or a quoted attribute value and
// never become markup. Invalid UTF-8 is replaced (U+FFFD) first, so a broken byte cannot swallow
// the markup after it.
#pragma once

#include <string>
#include <string_view>

namespace altscribe::serve {

std::string HtmlEscape(std::string_view text);

}  // namespace altscribe::serve
