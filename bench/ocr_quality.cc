// bench/ocr_quality — how exactly altscribe's OCR path transcribes text in images.
//
// Renders text images with Debian fonts (fontconfig families) whose ground truth is known:
// clean text in six fonts at 12–48 px, light text on dark, a tweet-like screenshot, meme
// captions (outlined capitals on a photo), rotated lines and text on a noisy photo. Reports the
// character error rate (edit distance / ground-truth length, whitespace collapsed, typographic
// quotes folded) per category for:
//   altscribe — ocr::OcrEngine as the describer uses it (enlargement pass, line filtering);
//   anchor    — the same Tesseract models, one pass at the original size, nothing filtered
//               (what calling Tesseract on the image directly gives).
// Usage: bench/ocr_quality [--save DIR] (writes the rendered images as PNG for inspection).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/files.h"
#include "image_fixtures.h"
#include "ocr/engine.h"
#include "text_image.h"
#include "vision/image/image.h"

using altscribe::ocr::OcrEngine;
using altscribe::ocr::OcrOptions;
using altscribe::testing::Canvas;
using altscribe::testing::Rgb;
using altscribe::testing::TextStyle;
using altscribe::vision::Image;

namespace {

const char* kSentences[] = {
    "The quick brown fox jumps over the lazy dog.",
    "Meeting moved to 3:45 PM on Friday, room 204B.",
    "Please keep your receipt; refunds take 5 to 7 days.",
    "Sphinx of black quartz, judge my vow!",
    "Total due: $1,284.50 (incl. tax) by 12/31/2026.",
    "Trains to Lisbon depart every 20 minutes from platform 9.",
    "Don't forget: the library closes early on Sundays.",
    "New record: 42,195 meters in 2 hours, 1 minute and 9 seconds.",
    "Wi-Fi password is on the back of the router.",
    "Jackdaws love my big sphinx of quartz.",
    "Breaking: city council approves the new bike lanes.",
    "Vote for the best photo before midnight.",
};
const char* kMemes[][2] = {
    {"WHEN THE CODE COMPILES", "ON THE FIRST TRY"},
    {"ONE DOES NOT SIMPLY", "SKIP THE ALT TEXT"},
    {"ME EXPLAINING THE BUG", "THE BUG IS A FEATURE"},
    {"NOBODY:", "ABSOLUTELY NOBODY:"},
};
const char* kFonts[] = {"DejaVu Sans",      "DejaVu Serif",    "Liberation Sans",
                        "Liberation Serif", "Liberation Mono", "Noto Sans"};

struct Case {
  std::string category;
  std::string name;
  Image image;
  std::string truth;
};

// Whitespace runs → one space, trimmed; typographic quotes and dashes folded to ASCII.
std::u32string Normalize(const std::string& s) {
  std::u32string out;
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    char32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += len;
    if (cp == U'\u2018' || cp == U'\u2019') cp = U'\'';
    if (cp == U'\u201C' || cp == U'\u201D') cp = U'"';
    if (cp == U'\u2013' || cp == U'\u2014') cp = U'-';
    if (cp == U' ' || cp == U'\n' || cp == U'\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(U' ');
    space = false;
    out.push_back(cp);
  }
  return out;
}

size_t EditDistance(const std::u32string& a, const std::u32string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

// A paragraph of `n` sentences starting at `first`, wrapped to `width`, on a plain background.
Case TextBlock(const std::string& category, const TextStyle& style, Rgb bg, int first, int n,
               int width) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += (i ? " " : "") + std::string(kSentences[(first + i) % std::size(kSentences)]);
  }
  int margin = std::max(12, style.px);
  auto lines = altscribe::testing::WrapText(text, style, width - 2 * margin).value();
  int height = static_cast<int>(lines.size() * style.px * style.line_spacing) + 2 * margin;
  Canvas c(width, height, bg);
  (void)c.DrawLines(lines, margin, margin, style).value();
  return {category, style.family + " " + std::to_string(style.px) + "px", c.image(), Join(lines)};
}

std::vector<Case> BuildCases() {
  std::vector<Case> cases;
  int k = 0;
  for (int px : {12, 16, 20, 24, 32, 48}) {
    for (const char* font : kFonts) {
      TextStyle s;
      s.family = font;
      s.px = px;
      s.color = Rgb{20, 20, 20};
      std::string cat = px < 16 ? "clean 12 px" : "clean 16-48 px";
      cases.push_back(TextBlock(cat, s, Rgb{255, 255, 255}, k++, 2, px <= 20 ? 640 : 1000));
    }
  }
  for (int px : {16, 24, 32}) {
    for (const char* font : {"DejaVu Sans", "Liberation Serif"}) {
      TextStyle s;
      s.family = font;
      s.px = px;
      s.color = Rgb{236, 240, 243};
      cases.push_back(TextBlock("light on dark", s, Rgb{21, 32, 43}, k++, 2, 800));
    }
  }
  // Tweet-like screenshots: avatar, bold name + grey handle, wrapped body, grey meta line.
  for (int i = 0; i < 4; ++i) {
    const bool dark = i % 2 == 1;
    Rgb bg = dark ? Rgb{21, 32, 43} : Rgb{255, 255, 255};
    Rgb fg = dark ? Rgb{231, 233, 234} : Rgb{15, 20, 25};
    Rgb grey = dark ? Rgb{139, 152, 165} : Rgb{83, 100, 113};
    TextStyle name{i < 2 ? "DejaVu Sans" : "Liberation Sans", true, 16, fg};
    TextStyle handle = name;
    handle.bold = false;
    handle.color = grey;
    TextStyle body = handle;
    body.px = 17;
    body.color = fg;
    TextStyle meta = handle;
    meta.px = 14;
    std::string who = i % 2 ? "Ada Lovelace" : "Grace Hopper";
    std::string at = i % 2 ? "@ada.bsky.social" : "@grace.example.com";
    std::string text = std::string(kSentences[(i * 3) % std::size(kSentences)]) + " " +
                       kSentences[(i * 3 + 1) % std::size(kSentences)] + " " +
                       kSentences[(i * 3 + 2) % std::size(kSentences)];
    auto body_lines = altscribe::testing::WrapText(text, body, 600 - 88).value();
    int h = 20 + 24 + 12 + static_cast<int>(body_lines.size() * 17 * 1.25) + 16 + 20 + 20;
    Canvas c(600, h, bg);
    c.FillCircle(40, 40, 22, Rgb{static_cast<uint8_t>(60 + 40 * i), 120, 200});
    std::string header = who + " " + at;
    (void)c.DrawLines({who}, 76, 20, name).value();
    int name_w = altscribe::testing::TextWidth(who, name).value() + 8;
    (void)c.DrawLines({at}, 76 + name_w, 20, handle).value();
    int y = 20 + 24 + 6;
    y += c.DrawLines(body_lines, 76, y, body).value() + 10;
    std::string stamp = "3:4" + std::to_string(i) + " PM - Nov 27, 2026 - 1" + std::to_string(i) +
                        " reposts - 2" + std::to_string(i) + "8 likes";
    (void)c.DrawLines({stamp}, 76, y, meta).value();
    cases.push_back({"screenshot", dark ? "dark" : "light", c.image(),
                     header + "\n" + Join(body_lines) + "\n" + stamp});
  }
  // Memes: outlined white capitals on a photo, top and bottom.
  for (size_t i = 0; i < std::size(kMemes); ++i) {
    Canvas c(640, 520, Rgb{});
    c.PhotoBackground(static_cast<uint32_t>(11 + i), 12);
    TextStyle s{
        i % 2 ? "Liberation Sans" : "DejaVu Sans", true, 44, Rgb{255, 255, 255}, 3, Rgb{0, 0, 0}};
    auto top = altscribe::testing::WrapText(kMemes[i][0], s, 600).value();
    auto bottom = altscribe::testing::WrapText(kMemes[i][1], s, 600).value();
    (void)c.DrawLines(top, 0, 14, s, 640).value();
    int bh = static_cast<int>(bottom.size() * 44 * 1.25);
    (void)c.DrawLines(bottom, 0, 520 - 14 - bh, s, 640).value();
    cases.push_back({"meme", std::to_string(i), c.image(), Join(top) + "\n" + Join(bottom)});
  }
  // Rotated lines.
  for (double deg : {-6.0, -3.0, 3.0, 6.0}) {
    TextStyle s{"DejaVu Sans", false, 24, Rgb{20, 20, 20}};
    s.rotate_deg = deg;
    Canvas c(820, 220, Rgb{250, 250, 250});
    std::string line = kSentences[k++ % std::size(kSentences)];
    (void)c.DrawLines({line}, 20, deg > 0 ? 130 : 40, s).value();
    cases.push_back({"rotated", std::to_string(static_cast<int>(deg)) + " deg", c.image(), line});
  }
  // Dark text on a washed-out noisy photo (a sign, a poster).
  for (int i = 0; i < 4; ++i) {
    Canvas c(900, 260, Rgb{});
    c.PhotoBackground(static_cast<uint32_t>(100 + i), 25);
    c.FillRect(0, 0, 900, 260, Rgb{255, 255, 255}, 140);
    TextStyle s{kFonts[i], i % 2 == 0, 28, Rgb{10, 10, 10}};
    auto lines =
        altscribe::testing::WrapText(std::string(kSentences[(i + 5) % std::size(kSentences)]) +
                                         " " + kSentences[(i + 6) % std::size(kSentences)],
                                     s, 860)
            .value();
    (void)c.DrawLines(lines, 20, 40, s).value();
    cases.push_back({"noisy photo", kFonts[i], c.image(), Join(lines)});
  }
  // Photos without text: anything read is a false transcription (reported as characters).
  for (uint32_t i = 0; i < 4; ++i) {
    if (i % 2 == 0) {
      cases.push_back({"no text (photo)", "synthetic",
                       altscribe::testing::SyntheticPhoto(640 + 320 * i, 480 + 240 * i), ""});
    } else {
      Canvas c(640 + 320 * i, 480 + 240 * i, Rgb{});
      c.PhotoBackground(200 + i, 20);
      cases.push_back({"no text (photo)", "blobs", c.image(), ""});
    }
  }
  return cases;
}

struct Tally {
  size_t errors = 0, chars = 0, images = 0;
  double ms = 0;
  double cer() const { return chars ? 100.0 * errors / chars : 0; }
};

}  // namespace

int main(int argc, char** argv) {
  std::string save_dir;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--save") save_dir = argv[i + 1];
  }
  auto engine = OcrEngine::Create();
  if (!engine.ok()) {
    std::fprintf(stderr, "bench/ocr_quality: error: %s\n", engine.status().message().c_str());
    return 1;
  }
  std::vector<Case> cases = BuildCases();
  OcrOptions ours;
  OcrOptions anchor;
  anchor.enlarge = false;  // one pass as given
  anchor.deskew = false;
  anchor.bright_text_pass = false;
  anchor.max_ms = 0;  // no time budget
  anchor.transcript.min_line_confidence = 0;
  anchor.transcript.min_alnum_share = 0;
  anchor.transcript.min_chars = 0;

  std::vector<std::string> order;
  std::map<std::string, Tally> ours_t, anchor_t;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    if (std::find(order.begin(), order.end(), c.category) == order.end()) {
      order.push_back(c.category);
    }
    if (!save_dir.empty()) {
      std::vector<uint8_t> png = altscribe::testing::PngFromImage(c.image);
      (void)altscribe::WriteFileAtomic(save_dir + "/" + std::to_string(i) + ".png", png.data(),
                                       png.size());
    }
    std::u32string truth = Normalize(c.truth);
    for (int which = 0; which < 2; ++which) {
      auto r = (*engine)->Read(c.image, which == 0 ? ours : anchor);
      if (!r.ok()) {
        std::fprintf(stderr, "bench/ocr_quality: error: %s\n", r.status().message().c_str());
        return 1;
      }
      size_t e = EditDistance(Normalize(r->transcript.text), truth);
      Tally& t = (which == 0 ? ours_t : anchor_t)[c.category];
      t.errors += e;
      t.chars += truth.size();
      t.images += 1;
      t.ms += r->ms;
      if (std::getenv("OCR_VERBOSE")) {
        std::printf("--- %s %s / %s: %zu errors (scale %.2f)\n%s\n", which ? "anchor" : "ours",
                    c.category.c_str(), c.name.c_str(), e, r->scale, r->transcript.text.c_str());
      }
    }
  }
  std::printf("OCR character error rate (lower is better); %zu images, Tesseract models eng\n",
              cases.size());
  std::printf("%-16s %6s %8s %12s %12s %9s %10s %10s\n", "category", "images", "chars", "altscribe",
              "anchor", "ratio", "ms/img", "anchor ms");
  for (const std::string& cat : order) {
    const Tally& o = ours_t[cat];
    const Tally& a = anchor_t[cat];
    if (o.chars == 0) {  // no text in these images: characters read are all false
      std::printf("%-16s %6zu %8s %9zu ch. %9zu ch. %9s %10.0f %10.0f\n", cat.c_str(), o.images,
                  "-", o.errors, a.errors, "", o.ms / o.images, a.ms / a.images);
      continue;
    }
    char ratio[32] = "no errors";
    if (o.errors > 0) std::snprintf(ratio, sizeof ratio, "%.2f", 1.0 * a.errors / o.errors);
    std::printf("%-16s %6zu %8zu %11.2f%% %11.2f%% %9s %10.0f %10.0f\n", cat.c_str(), o.images,
                o.chars, o.cer(), a.cer(), ratio, o.ms / o.images, a.ms / a.images);
  }
  const double clean = ours_t["clean 16-48 px"].cer(), meme = ours_t["meme"].cer();
  std::printf("targets: clean >= 16 px CER %.2f%% (<= 2%%) %s; memes %.2f%% (<= 8%%) %s\n", clean,
              clean <= 2 ? "met" : "MISSED", meme, meme <= 8 ? "met" : "MISSED");
  std::printf("ratio = anchor errors / altscribe errors (higher is better)\n");
  return 0;
}
