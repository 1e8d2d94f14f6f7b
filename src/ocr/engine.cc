#include "ocr/engine.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "ocr/languages.h"

namespace altscribe::ocr {
namespace {

using Clock = std::chrono::steady_clock;

struct PixDeleter {
  void operator()(Pix* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

// An 8-bit Leptonica image whose pixel (x, y) is `value(rgb)` of the image's pixel.
template <typename F>
PixPtr MapToPix(const vision::Image& image, F value) {
  Pix* pix = pixCreate(static_cast<l_int32>(image.width), static_cast<l_int32>(image.height), 8);
  l_uint32* data = pixGetData(pix);
  const l_int32 wpl = pixGetWpl(pix);
  const uint8_t* p = image.rgb.data();
  for (uint32_t y = 0; y < image.height; ++y) {
    l_uint32* line = data + static_cast<size_t>(y) * wpl;
    for (uint32_t x = 0; x < image.width; ++x, p += 3) SET_DATA_BYTE(line, x, value(p));
  }
  return PixPtr(pix);
}

// 8-bit grey (ITU-R BT.601 luma).
PixPtr ToGreyPix(const vision::Image& image) {
  return MapToPix(image,
                  [](const uint8_t* p) { return (p[0] * 77 + p[1] * 150 + p[2] * 29 + 128) >> 8; });
}

// Recognises `pix`; *timed_out is set when `deadline_ms` (> 0) ran out first (nothing is kept).
std::vector<OcrLine> Recognize(tesseract::TessBaseAPI& api, Pix* pix, int deadline_ms,
                               bool* timed_out) {
  api.SetImage(pix);
  api.SetSourceResolution(300);
  std::vector<OcrLine> lines;
  tesseract::ETEXT_DESC monitor;
  if (deadline_ms > 0) monitor.set_deadline_msecs(deadline_ms);
  if (api.Recognize(deadline_ms > 0 ? &monitor : nullptr) != 0 || monitor.deadline_exceeded()) {
    *timed_out = deadline_ms > 0 && monitor.deadline_exceeded();
    api.Clear();
    return lines;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (!it) return lines;
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    if (lines.empty() || it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
      OcrLine line;
      line.new_paragraph = it->IsAtBeginningOf(tesseract::RIL_PARA);
      it->BoundingBox(tesseract::RIL_TEXTLINE, &line.box.x0, &line.box.y0, &line.box.x1,
                      &line.box.y1);
      lines.push_back(std::move(line));
    }
    OcrWord w;
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (text) w.text = text.get();
    w.confidence = it->Confidence(tesseract::RIL_WORD);
    it->BoundingBox(tesseract::RIL_WORD, &w.box.x0, &w.box.y0, &w.box.x1, &w.box.y1);
    lines.back().words.push_back(std::move(w));
  } while (it->Next(tesseract::RIL_WORD));
  api.Clear();
  return lines;
}

void ScaleBoxes(std::vector<OcrLine>* lines, double s) {
  auto scale = [s](Box* b) {
    b->x0 = static_cast<int>(b->x0 / s);
    b->y0 = static_cast<int>(b->y0 / s);
    b->x1 = static_cast<int>(std::ceil(b->x1 / s));
    b->y1 = static_cast<int>(std::ceil(b->y1 / s));
  };
  for (OcrLine& l : *lines) {
    scale(&l.box);
    for (OcrWord& w : l.words) scale(&w.box);
  }
}

std::vector<std::string> FindModels(const std::string& dir) {
  std::vector<std::string> models;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".traineddata") continue;
    std::string stem = e.path().stem().string();
    if (stem != "osd" && stem != "equ") models.push_back(stem);
  }
  std::sort(models.begin(), models.end());
  return models;
}

struct Pass {
  Transcript transcript;
  double scale = 1;
};

// Confident letters: what a pass is judged by.
constexpr double kFewChars = 40;
double Score(const Transcript& t) {
  int alnum = 0;
  for (unsigned char c : t.text) {
    if (c >= 0x80 || std::isalnum(c)) ++alnum;
  }
  return alnum * t.confidence / 100.0;
}

// How much to enlarge so that text lines are about options.target_line_height high, from a
// layout analysis (no recognition: cheap). Small images where no line is found are doubled.
// *lines gets the number of text lines the layout analysis found (0: nothing looks like text,
// and recognition is skipped).
double ScaleFor(tesseract::TessBaseAPI& api, Pix* pix, const vision::Image& image,
                const OcrOptions& options, int* lines) {
  api.SetImage(pix);
  api.SetSourceResolution(300);
  std::vector<int> heights;
  std::unique_ptr<tesseract::PageIterator> it(api.AnalyseLayout());
  if (it) {
    do {
      int x0, y0, x1, y1;
      if (it->BoundingBox(tesseract::RIL_TEXTLINE, &x0, &y0, &x1, &y1) && x1 - x0 > y1 - y0) {
        heights.push_back(y1 - y0);
      }
    } while (it->Next(tesseract::RIL_TEXTLINE));
  }
  api.Clear();
  *lines = static_cast<int>(heights.size());
  double scale = 1;
  if (!heights.empty()) {
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    const int median = std::max(1, heights[heights.size() / 2]);
    if (median * 3 < options.target_line_height * 2) {
      scale = static_cast<double>(options.target_line_height) / median;
    }
  }
  const double pixels = static_cast<double>(image.width) * image.height;
  scale = std::min({scale, 4.0, std::sqrt(static_cast<double>(options.max_pixels) / pixels)});
  return scale >= 1.25 ? scale : 1.0;
}

// Straightens text that is tilted by 1–15 degrees (a photographed page, a rotated caption).
PixPtr Deskew(PixPtr grey) {
  PixPtr binary(pixThresholdToBinary(grey.get(), 128));
  if (!binary) return grey;
  l_float32 angle = 0, conf = 0;
  if (pixFindSkew(binary.get(), &angle, &conf) != 0 || conf < 3.0f || std::fabs(angle) < 1.0f) {
    return grey;
  }
  l_float32 mean = 255;
  pixGetAverageMasked(grey.get(), nullptr, 0, 0, 4, L_MEAN_ABSVAL, &mean);
  PixPtr rotated(pixRotate(grey.get(), static_cast<l_float32>(angle * M_PI / 180.0),
                           L_ROTATE_AREA_MAP, mean < 128 ? L_BRING_IN_BLACK : L_BRING_IN_WHITE, 0,
                           0));
  return rotated ? std::move(rotated) : std::move(grey);
}

PixPtr BrightTextMask(const vision::Image& image) {
  return MapToPix(image, [](const uint8_t* p) {
    const int lo = std::min({p[0], p[1], p[2]}), hi = std::max({p[0], p[1], p[2]});
    return lo >= 200 && hi - lo <= 40 ? 0 : 255;
  });
}

}  // namespace

struct OcrEngine::Pool {
  std::mutex mu;
  std::map<std::string, std::vector<std::unique_ptr<tesseract::TessBaseAPI>>> idle;
};

OcrEngine::OcrEngine(std::string tessdata_dir, std::vector<std::string> installed)
    : tessdata_dir_(std::move(tessdata_dir)),
      installed_(std::move(installed)),
      pool_(std::make_unique<Pool>()) {}

OcrEngine::~OcrEngine() = default;

Result<std::unique_ptr<OcrEngine>> OcrEngine::Create(const std::string& tessdata_dir) {
  std::string dir = tessdata_dir;
  if (dir.empty()) {
    if (const char* env = std::getenv("TESSDATA_PREFIX"); env && *env) dir = env;
  }
  if (dir.empty()) {
    // Tesseract's own default (where Debian's tesseract-ocr-* packages install): ask an
    // uninitialised instance.
    tesseract::TessBaseAPI probe;
    probe.Init(nullptr, "eng", tesseract::OEM_LSTM_ONLY);
    if (const char* path = probe.GetDatapath(); path && *path) dir = path;
    probe.End();
  }
  std::vector<std::string> models = FindModels(dir);
  if (std::find(models.begin(), models.end(), "eng") == models.end()) {
    return Status::NotFound("no Tesseract English model in '" + dir +
                            "' (install tesseract-ocr-eng, or set TESSDATA_PREFIX)");
  }
  return std::unique_ptr<OcrEngine>(new OcrEngine(dir, std::move(models)));
}

Result<OcrResult> OcrEngine::Read(const vision::Image& image, const OcrOptions& options) {
  auto start = Clock::now();
  OcrResult result;
  result.languages = TesseractLanguages(options.langs, installed_);
  if (image.width == 0 || image.height == 0) return result;

  std::unique_ptr<tesseract::TessBaseAPI> api;
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    auto& idle = pool_->idle[result.languages];
    if (!idle.empty()) {
      api = std::move(idle.back());
      idle.pop_back();
    }
  }
  if (!api) {
    api = std::make_unique<tesseract::TessBaseAPI>();
    if (api->Init(tessdata_dir_.c_str(), result.languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
      return Status::Internal("Tesseract could not load '" + result.languages + "' from " +
                              tessdata_dir_);
    }
    api->SetVariable("debug_file", "/dev/null");  // no warnings on stderr
  }

  // Each pass reads one rendering of the image; the pass whose transcript holds the most
  // confident text wins.
  auto read = [&](Pix* pix) {
    Pass pass;
    int layout_lines = -1;  // unknown when not measured
    pass.scale = options.enlarge ? ScaleFor(*api, pix, image, options, &layout_lines) : 1.0;
    if (layout_lines == 0) return pass;  // no text line at all: recognition would read noise
    PixPtr big;
    if (pass.scale > 1) {
      big.reset(pixScaleGrayLI(pix, static_cast<l_float32>(pass.scale),
                               static_cast<l_float32>(pass.scale)));
    }
    const double spent = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    const int left = options.max_ms > 0 ? std::max(1, options.max_ms - static_cast<int>(spent)) : 0;
    bool timed_out = false;
    std::vector<OcrLine> lines = Recognize(*api, big ? big.get() : pix, left, &timed_out);
    result.timed_out = result.timed_out || timed_out;
    ScaleBoxes(&lines, pass.scale);
    pass.transcript = BuildTranscript(lines, image.width, image.height, options.transcript);
    return pass;
  };
  PixPtr grey = ToGreyPix(image);
  if (options.deskew) grey = Deskew(std::move(grey));
  Pass best = read(grey.get());
  if (options.bright_text_pass && Score(best.transcript) < kFewChars) {
    // Meme captions: white letters with a dark outline over a photo. Keep only near-white,
    // unsaturated pixels, as dark text on white.
    PixPtr mask = BrightTextMask(image);
    if (options.deskew) mask = Deskew(std::move(mask));
    Pass bright = read(mask.get());
    if (Score(bright.transcript) > Score(best.transcript)) best = std::move(bright);
  }
  result.transcript = std::move(best.transcript);
  result.scale = best.scale;
  {
    std::lock_guard<std::mutex> lock(pool_->mu);
    pool_->idle[result.languages].push_back(std::move(api));
  }
  result.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

}  // namespace altscribe::ocr
