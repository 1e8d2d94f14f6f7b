// serve/web_assets.h — the files of the web page (src/serve/web/), compiled into the binary by
// embed_assets.cmake, so the page works without a CDN or files beside the executable.
#pragma once

#include <string_view>

namespace altscribe::serve {

struct WebAsset {
  std::string_view path;          // "/app.js"; the page itself is "/index.html"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// The asset served at `path`, or null.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace altscribe::serve
