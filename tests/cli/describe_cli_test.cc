// altscribe describe as a user runs it: the real binary, real files, a real loopback HTTP
// server, the generated tiny model. Checks the output contract (plain and --json), that every
// bad input gets its own one-line error naming it, that the other images are still described,
// and the exit codes.
#include <gtest/gtest.h>
#include <cstdint>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http_server.h"
#include "image_fixtures.h"
#include "models/test_model.h"
#include "subprocess.h"
#include "test_env.h"
#include "text_image.h"

namespace altscribe {
namespace {

namespace t = altscribe::testing;
using json = nlohmann::json;

class DescribeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = t::MakeTempDir("cli");
    ASSERT_TRUE(server_.Start().ok());
  }
  std::string Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    return t::WriteWholeFile(dir_ + "/" + name, bytes);
  }
  t::ProcessResult Describe(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {
        t::AltscribeBin(),   "describe",  "--model", t::TinyModelPath(), "--mmproj",
        t::TinyMmprojPath(), "--threads", "2",       "--max-tokens",     "24"};
    argv.insert(argv.end(), args.begin(), args.end());
    return t::RunProcess(argv, env);
  }
  std::string dir_;
  t::HttpServer server_;
};

TEST_F(DescribeCli, JsonForEveryFormat) {
  std::vector<std::string> files = {
      Write("a.png", t::MakePng(300, 200)), Write("b.jpg", t::MakeJpeg(320, 240)),
      Write("c.webp", t::MakeWebp(200, 200)), Write("d.gif", t::MakeGif(100, 80, 2))};
  std::vector<std::string> args = {"--json"};
  args.insert(args.end(), files.begin(), files.end());
  t::ProcessResult r = Describe(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["images"].size(), 4u) << r.out;
  const char* formats[] = {"PNG", "JPEG", "WebP", "GIF"};
  for (size_t i = 0; i < 4; ++i) {
    const json& img = doc["images"][i];
    EXPECT_EQ(img["source"], files[i]);
    ASSERT_TRUE(img["alt"].is_string()) << img.dump();
    const std::string alt = img["alt"];
    EXPECT_FALSE(alt.empty());
    EXPECT_TRUE(std::none_of(alt.begin(), alt.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        << "control characters in alt text: " << img["alt"].dump();
    EXPECT_TRUE(img["error"].is_null());
    EXPECT_EQ(img["format"], formats[i]);
    EXPECT_GT(img["timings"]["generated_tokens"].get<int>(), 0);
  }
  EXPECT_EQ(doc["model"], "altscribe-test-tiny");
  EXPECT_GT(doc["timings"]["model_load_ms"].get<double>(), 0);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(DescribeCli, PlainOutputIsOneLinePerImage) {
  std::string a = Write("a.png", t::MakePng(64, 64));
  std::string b = Write("b.jpg", t::MakeJpeg(64, 64));
  t::ProcessResult one = Describe({a});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 1);
  EXPECT_NE(one.out.rfind(a, 0), 0u) << "one image: just the text";
  t::ProcessResult two = Describe({a, b});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(two.out.rfind(a + ": ", 0), 0u) << two.out;
  EXPECT_NE(two.out.find("\n" + b + ": "), std::string::npos) << two.out;
}

TEST_F(DescribeCli, EveryBadInputHasItsOwnErrorAndNothingIsLost) {
  std::vector<uint8_t> jpeg = t::MakeJpeg(240, 180);
  std::vector<uint8_t> half(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2));
  std::string note = "shopping list: eggs, milk\n";
  server_.ServeBytes("/login", "<!doctype html><html><head><title>Sign in</title></head></html>",
                     {.content_type = "text/html"});
  server_.ServeBytes("/big.jpg", std::string(2'500'000, '\xff'));
  const int dead_port = t::FreeLoopbackPort();

  struct Case {
    std::string source, says;
  } bad[] = {
      {Write("empty.jpg", {}), "empty file (0 bytes)"},
      {Write("truncated.jpg", half), "truncated"},
      {Write("list.jpg", std::vector<uint8_t>(note.begin(), note.end())), "not an image"},
      {Write("bomb.png", t::MakePngBomb(30000, 30000)), "30000"},
      {dir_ + "/no-such-photo.jpg", "no such file"},
      {"http://127.0.0.1:" + std::to_string(dead_port) + "/a.jpg", "cannot connect"},
      {server_.Url("/login"), "looks like HTML"},
      {server_.Url("/big.jpg"), "limit"},
  };
  std::string good1 = Write("good1.jpg", jpeg), good2 = Write("good2.png", t::MakePng(90, 60));
  std::vector<std::string> args = {"--json", "--max-mb", "1", good1};
  for (const auto& c : bad) args.push_back(c.source);
  args.push_back(good2);
  t::ProcessResult r = Describe(args);

  EXPECT_EQ(r.exit_code, 1) << "any failed image makes the exit status 1";
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["images"].size(), std::size(bad) + 2);
  for (int i : {0, static_cast<int>(std::size(bad)) + 1}) {
    EXPECT_TRUE(doc["images"][i]["alt"].is_string()) << doc["images"][i].dump();
    EXPECT_TRUE(doc["images"][i]["error"].is_null());
  }
  std::vector<std::string> err_lines;
  for (size_t p = 0, q; (q = r.err.find('\n', p)) != std::string::npos; p = q + 1) {
    err_lines.push_back(r.err.substr(p, q - p));
  }
  ASSERT_EQ(err_lines.size(), std::size(bad)) << r.err;
  for (size_t i = 0; i < std::size(bad); ++i) {
    const json& img = doc["images"][i + 1];
    EXPECT_TRUE(img["alt"].is_null());
    ASSERT_TRUE(img["error"].is_string()) << img.dump();
    EXPECT_NE(img["error"].get<std::string>().find(bad[i].says), std::string::npos)
        << bad[i].source << ": " << img["error"];
    // stderr: "altscribe describe: error: SOURCE: cause", one line each, in order.
    EXPECT_EQ(err_lines[i].rfind("altscribe describe: error: " + bad[i].source + ": ", 0), 0u)
        << err_lines[i];
  }
  // The 30000x30000 PNG (2.7 GB of pixels) was refused before decoding.
  EXPECT_LT(r.max_rss_kb, 400 * 1024) << "peak RSS " << r.max_rss_kb << " kB";
}

// --batch K runs the images through the batch engine, K at a time in one context: the output is
// the one-at-a-time output exactly (same text, same order), and a bad image still fails alone.
TEST_F(DescribeCli, BatchGivesTheSameTextAsOneAtATimeAndABadImageFailsAlone) {
  std::vector<uint8_t> jpeg = t::MakeJpeg(240, 180);
  std::vector<uint8_t> half(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2));
  std::vector<std::string> args = {"--json",
                                   Write("a.jpg", jpeg),
                                   Write("b.png", t::MakePng(300, 200)),
                                   Write("cut.jpg", half),
                                   Write("c.webp", t::MakeWebp(200, 120)),
                                   Write("d.gif", t::MakeGif(100, 80, 2)),
                                   Write("e.png", t::MakePng(64, 90))};
  t::ProcessResult one = Describe(args);
  args.insert(args.begin(), {"--batch", "3"});
  t::ProcessResult batched = Describe(args);
  EXPECT_EQ(one.exit_code, 1) << one.err;
  EXPECT_EQ(batched.exit_code, 1) << batched.err;
  json a = json::parse(one.out), b = json::parse(batched.out);
  ASSERT_EQ(a["images"].size(), 6u);
  ASSERT_EQ(b["images"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(a["images"][i]["source"].get<std::string>());
    EXPECT_EQ(b["images"][i]["source"], a["images"][i]["source"]);
    if (i == 2) {
      EXPECT_TRUE(b["images"][i]["alt"].is_null());
      EXPECT_NE(b["images"][i]["error"].get<std::string>().find("truncated"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(a["images"][i]["alt"].is_string()) << a["images"][i].dump();
    EXPECT_EQ(b["images"][i]["alt"], a["images"][i]["alt"]);
    EXPECT_EQ(b["images"][i]["timings"]["generated_tokens"],
              a["images"][i]["timings"]["generated_tokens"]);
  }
  EXPECT_EQ(batched.err, one.err) << "the same one error line";
}

// --batch out of range or with an endpoint is a usage error; --require-gpu where no GPU can be
// used (a CPU-only build, or a CUDA build with no visible device) is one line and exit 1.
TEST_F(DescribeCli, BatchAndRequireGpuProblemsAreOneLine) {
  std::string img = Write("x.jpg", t::MakeJpeg(32, 32));
  for (const char* k : {"0", "257"}) {
    t::ProcessResult r = Describe({"--batch", k, img});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, std::string("altscribe describe: error: --batch must be between 1 and 256 "
                                 "(got ") +
                         k + ")\n");
    EXPECT_TRUE(r.out.empty());
  }
  t::ProcessResult e =
      t::RunProcess({t::AltscribeBin(), "describe", "--endpoint", "http://127.0.0.1:9/v1",
                     "--endpoint-model", "m", "--batch", "4", img});
  EXPECT_EQ(e.exit_code, 2) << e.err;
  EXPECT_NE(e.err.find("--batch and --require-gpu are for an in-process --model"),
            std::string::npos)
      << e.err;
  t::ProcessResult g = Describe({"--require-gpu", img}, {"CUDA_VISIBLE_DEVICES="});
  EXPECT_EQ(g.exit_code, 1) << g.err;
  EXPECT_EQ(std::count(g.err.begin(), g.err.end(), '\n'), 1) << g.err;
  EXPECT_EQ(g.err.rfind("altscribe describe: error: --require-gpu: ", 0), 0u) << g.err;
  EXPECT_TRUE(g.out.empty());
}

TEST_F(DescribeCli, ModelProblemsAreOneLineAndExit1) {
  std::string jpg = Write("x.jpg", t::MakeJpeg(32, 32));
  std::string notgguf = dir_ + "/fake.gguf";
  std::ofstream(notgguf) << "Not Found";
  std::string mismatch = t::MakeTempDir("cli-mismatch");
  ASSERT_TRUE(models::WriteTestModel(mismatch, models::TestModelPreset::kTiny, 3, {}, 96).ok());
  struct Case {
    std::vector<std::string> argv;
    std::string says;
  } cases[] = {
      {{"--model", dir_ + "/missing.gguf", "--mmproj", t::TinyMmprojPath()},
       "model file not found"},
      {{"--model", notgguf, "--mmproj", t::TinyMmprojPath()}, "is not a GGUF file"},
      {{"--model", t::TinyModelPath(), "--mmproj", notgguf}, "is not a GGUF file"},
      {{"--model", mismatch + "/model.gguf", "--mmproj", t::TinyMmprojPath()}, "mismatch"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {t::AltscribeBin(), "describe"};
    argv.insert(argv.end(), c.argv.begin(), c.argv.end());
    argv.push_back(jpg);
    t::ProcessResult r = t::RunProcess(argv);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(DescribeCli, UsageErrorsExit2) {
  t::ProcessResult r = t::RunProcess({t::AltscribeBin(), "describe", "--bogus", "x.jpg"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "altscribe describe: error: unknown flag --bogus (see altscribe describe --help)\n");
  r = t::RunProcess({t::AltscribeBin(), "describe", "--mode", "poem", "x.jpg"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown mode 'poem'"), std::string::npos);
  r = t::RunProcess({t::AltscribeBin(), "describe", "x.jpg"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no model"), std::string::npos);
  r = t::RunProcess({t::AltscribeBin(), "frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(DescribeCli, FlagsAlsoComeFromTheEnvironment) {
  std::string img = Write("e.jpg", t::MakeJpeg(32, 32));
  t::ProcessResult r = t::RunProcess(
      {t::AltscribeBin(), "describe", img},
      {"ALTSCRIBE_MODEL=" + t::TinyModelPath(), "ALTSCRIBE_MMPROJ=" + t::TinyMmprojPath(),
       "ALTSCRIBE_MODE=hotdog", "ALTSCRIBE_THREADS=2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out == "hotdog\n" || r.out == "not hotdog\n") << r.out;
}

TEST_F(DescribeCli, HelpExplainsItself) {
  t::ProcessResult top = t::RunProcess({t::AltscribeBin(), "--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* word : {"describe", "model", "doctor", "ALTSCRIBE_"}) {
    EXPECT_NE(top.out.find(word), std::string::npos) << word;
  }
  t::ProcessResult d = t::RunProcess({t::AltscribeBin(), "describe", "--help"});
  EXPECT_EQ(d.exit_code, 0);
  for (const char* word : {"--model", "--mmproj", "--endpoint", "--mode", "--lang", "--json",
                           "--max-tokens", "ALTSCRIBE_ENDPOINT_KEY"}) {
    EXPECT_NE(d.out.find(word), std::string::npos) << word;
  }
}

TEST_F(DescribeCli, DoctorReportsTheBuild) {
  t::ProcessResult r = t::RunProcess({t::AltscribeBin(), "doctor"},
                                     {"ALTSCRIBE_MODEL_DIR=" + t::MakeTempDir("doctor-empty")});
  EXPECT_NE(r.out.find("llama.cpp v0.4.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CPU"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OCR (Tesseract): "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" eng"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("altscribe model pull"), std::string::npos)
      << "with no models installed, doctor says how to get one:\n"
      << r.out;
}

// The words in an image come out verbatim: in "alt" (quoted after the label) and in "ocr";
// --ocr=false leaves them to the model.
TEST_F(DescribeCli, TextInImagesIsTranscribedAndOcrCanBeTurnedOff) {
  t::TextStyle style;
  style.px = 28;
  t::Canvas canvas(700, 110, t::Rgb{255, 255, 255});
  ASSERT_TRUE(canvas.DrawLines({"Trains to Lisbon leave from platform 9."}, 20, 30, style).ok());
  std::string sign = Write("sign.png", t::PngFromImage(canvas.image()));
  t::ProcessResult r = Describe({"--json", "--lang", "fr", sign});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json img = json::parse(r.out)["images"][0];
  EXPECT_EQ(img["ocr"], "Trains to Lisbon leave from platform 9.");
  EXPECT_NE(img["alt"].get<std::string>().find(
                "Texte dans l’image : « Trains to Lisbon leave from platform 9. »"),
            std::string::npos)
      << img.dump();
  EXPECT_GT(img["timings"]["ocr_ms"].get<double>(), 0);

  t::ProcessResult off = Describe({"--json", "--ocr=false", sign});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  json plain = json::parse(off.out)["images"][0];
  EXPECT_TRUE(plain["ocr"].is_null());
  EXPECT_EQ(plain["alt"].get<std::string>().find("Text in the image"), std::string::npos);
  EXPECT_EQ(plain["timings"]["ocr_ms"], 0);
}

}  // namespace
}  // namespace altscribe
