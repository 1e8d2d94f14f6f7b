// seed_description STATE.db — stores a full description whose model text and OCR text are
// HTML/script injection attempts, as the bot would store them, and prints its id. The browser
// test then opens /d/<id> and checks that they render as text.
#include <cstdio>

#include "bot/full_description.h"
#include "bot/store.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: seed_description STATE.db\n");
    return 2;
  }
  auto store = altscribe::bot::Store::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "seed_description: %s\n", store.status().message().c_str());
    return 1;
  }
  altscribe::bot::FullDescription d;
  d.model = "altscribe-test-tiny";
  d.lang = "en";
  d.images = {
      {1, "A sign that reads <script>alert(1)</script> on a wall.",
       "\"><img src=x onerror=alert(2)>", ""},
      {2, "Second image: '><svg onload=alert(3)> & friends.", "", ""},
  };
  auto id = (*store)->SaveFullDescription("at://did:plc:browsertest/app.bsky.feed.post/3kxss",
                                          d.ToJsonText());
  if (!id.ok()) {
    std::fprintf(stderr, "seed_description: %s\n", id.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", id->c_str());
  return 0;
}
