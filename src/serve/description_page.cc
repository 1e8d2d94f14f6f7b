#include "serve/description_page.h"

#include "serve/html.h"
#include "vision/prompt.h"

namespace altscribe::serve {
namespace {

constexpr const char* kStyle = R"(
body{font:1.05rem/1.6 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.ocr{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f3f3;padding:.75rem;border-radius:4px;
font-family:ui-monospace,monospace}
.note{color:#4a4a4a;font-size:.95rem}
@media (prefers-color-scheme:dark){body{color:#eee;background:#121212}.ocr{background:#262626}
.note{color:#c8c8c8}}
)";

std::string Page(const std::string& lang, const std::string& title, const std::string& main) {
  return "<!doctype html>\n<html lang=\"" + HtmlEscape(lang) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"robots\" content=\"noindex\">\n<title>" +
         HtmlEscape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n" +
         main + "</main>\n</body>\n</html>\n";
}

}  // namespace

std::string RenderDescriptionPage(const bot::FullDescription& d) {
  auto lang = vision::Language::Parse(d.lang);
  const std::string tag = lang.ok() ? lang->tag : "en";
  const size_t n = d.images.size();
  std::string main = "<h1>Image descriptions</h1>\n";
  main +=
      "<p class=\"note\">The full text of an altscribe reply that was too long for one post. "
      "Written by " +
      HtmlEscape(d.model.empty() ? "an AI model" : d.model) +
      " — please check it before using it as alt text.</p>\n";
  for (const auto& image : d.images) {
    std::string heading =
        n > 1 ? "Image " + std::to_string(image.index) + " of " + std::to_string(n) : "Image";
    main += "<section aria-labelledby=\"image-" + std::to_string(image.index) + "\">\n";
    main +=
        "<h2 id=\"image-" + std::to_string(image.index) + "\">" + HtmlEscape(heading) + "</h2>\n";
    if (!image.error.empty()) {
      main += "<p class=\"text\">This image could not be described: " + HtmlEscape(image.error) +
              "</p>\n";
    } else {
      main += "<p class=\"text\">" + HtmlEscape(image.text) + "</p>\n";
    }
    if (!image.ocr.empty()) {
      main += "<h3>Text in the image</h3>\n<p class=\"ocr\">" + HtmlEscape(image.ocr) + "</p>\n";
    }
    main += "</section>\n";
  }
  if (d.images.empty()) main += "<p>This reply had no descriptions.</p>\n";
  return Page(tag, "Image descriptions — altscribe", main);
}

std::string RenderDescriptionNotFoundPage() {
  return Page("en", "Not found — altscribe",
              "<h1>No such description</h1>\n<p>This link does not lead to a stored "
              "description. It may be mistyped, or the description was removed.</p>\n");
}

}  // namespace altscribe::serve
