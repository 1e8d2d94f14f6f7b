// serve/description_page.h — the HTML pages the server renders itself: the full description
// behind a shortened bot reply (GET /d/<id>) and the "no such description" page.
//
// Every piece of text from outside this file — model output, OCR text, errors, the model name,
// the post URI — is HTML-escaped (serve/html.h) and placed in element content only; the pages
// load no script, and the Content-Security-Policy the server sends with them forbids scripts
// anyway. The page's lang attribute comes from the description's language tag (validated).
#pragma once

#include <string>

#include "bot/full_description.h"

namespace altscribe::serve {

std::string RenderDescriptionPage(const bot::FullDescription& description);
std::string RenderDescriptionNotFoundPage();

}  // namespace altscribe::serve
