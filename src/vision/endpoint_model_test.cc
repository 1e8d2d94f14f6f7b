// The OpenAI-compatible backend against llama.cpp's own llama-server (built from the same
// source, serving the tiny model on loopback), and against a scripted loopback server for the
// failure cases a real server rarely produces on demand.
#include "vision/endpoint_model.h"

#include <gtest/gtest.h>
#include <cstdint>

#include <nlohmann/json.hpp>
#include <thread>

#include "http_server.h"
#include "image_fixtures.h"
#include "subprocess.h"
#include "test_env.h"
#include "vision/describe.h"

namespace altscribe::vision {
namespace {

namespace t = altscribe::testing;
using json = nlohmann::json;

Image Solid(uint32_t w, uint32_t h, uint8_t v) {
  return Image{w, h, std::vector<uint8_t>(size_t{w} * h * 3, v)};
}

TEST(EndpointUrl, AcceptsBaseV1OrFullPath) {
  EXPECT_EQ(CompletionsUrl("http://h:1"), "http://h:1/v1/chat/completions");
  EXPECT_EQ(CompletionsUrl("http://h:1/"), "http://h:1/v1/chat/completions");
  EXPECT_EQ(CompletionsUrl("http://h:1/v1"), "http://h:1/v1/chat/completions");
  EXPECT_EQ(CompletionsUrl("https://h/api/v1/chat/completions"),
            "https://h/api/v1/chat/completions");
}

TEST(EndpointModel, RefusesBadConfiguration) {
  auto a = EndpointVisionModel::Create({.url = "ftp://h", .model = "m"});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("http:// or https://"), std::string::npos);
  auto b = EndpointVisionModel::Create({.url = "http://h"});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("--endpoint-model"), std::string::npos);
}

TEST(EndpointModel, SendsPromptImageAndKeyInTheOpenAiShape) {
  t::HttpServer server;
  ASSERT_TRUE(server.Start().ok());
  server.Route("/v1/chat/completions", [](const t::HttpRequest&) {
    t::HttpReply r;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = R"({"choices":[{"message":{"role":"assistant","content":"A grey square."}}],
                 "usage":{"prompt_tokens":700,"completion_tokens":5}})";
    return r;
  });
  auto m = EndpointVisionModel::Create(
      {.url = server.Url("/v1"), .model = "llava:7b", .api_key = "sk-test-123"});
  ASSERT_TRUE(m.ok());
  Prompt p = BuildPrompt(Mode::kAlt, Language{});
  auto out = (*m)->Generate(Solid(40, 30, 128), p, 77);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->text, "A grey square.");
  EXPECT_EQ(out->prompt_tokens, 700);
  EXPECT_EQ(out->generated_tokens, 5);

  auto reqs = server.Requests("/v1/chat/completions");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].Header("Authorization"), "Bearer sk-test-123");
  json body = json::parse(reqs[0].body);
  EXPECT_EQ(body["model"], "llava:7b");
  EXPECT_EQ(body["max_tokens"], 77);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], p.system);
  const json& parts = body["messages"][1]["content"];
  EXPECT_EQ(parts[0]["text"], p.user);
  std::string url = parts[1]["image_url"]["url"];
  EXPECT_EQ(url.rfind("data:image/jpeg;base64,/9j/", 0), 0u) << url.substr(0, 40);
}

TEST(EndpointModel, ServerErrorsAreOneClearLine) {
  t::HttpServer server;
  ASSERT_TRUE(server.Start().ok());
  server.Reply("/v1/chat/completions",
               {.status = 500, .body = R"({"error":{"message":"model is loading"}})"});
  server.Reply("/junk/v1/chat/completions", {.status = 200, .body = "<html>proxy</html>"});
  auto m = EndpointVisionModel::Create({.url = server.Url(""), .model = "m"});
  ASSERT_TRUE(m.ok());
  auto r = (*m)->Generate(Solid(8, 8, 0), Prompt{"s", "u"}, 8);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("answered HTTP 500"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("model is loading"), std::string::npos);

  auto junk = EndpointVisionModel::Create({.url = server.Url("/junk"), .model = "m"});
  auto r2 = (*junk)->Generate(Solid(8, 8, 0), Prompt{"s", "u"}, 8);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.status().message().find("not a chat completion"), std::string::npos)
      << r2.status().message();

  int port = t::FreeLoopbackPort();
  auto down = EndpointVisionModel::Create(
      {.url = "http://127.0.0.1:" + std::to_string(port), .model = "m"});
  auto r3 = (*down)->Generate(Solid(8, 8, 0), Prompt{"s", "u"}, 8);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().code(), Code::kNetwork);
}

// llama-server from the same llama.cpp build, serving the tiny model.
class LlamaServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string bin = t::LlamaServerBin();
    ASSERT_FALSE(bin.empty()) << "llama-server was not built (scripts/setup builds it)";
    port_ = t::FreeLoopbackPort();
    std::string lib = bin.substr(0, bin.rfind("/bin/")) + "/lib";
    log_ = t::MakeTempDir("llama-server") + "/server.log";
    server_ = std::make_unique<t::BackgroundProcess>(
        std::vector<std::string>{bin,
                                 "-m",
                                 t::TinyModelPath(),
                                 "--mmproj",
                                 t::TinyMmprojPath(),
                                 "--host",
                                 "127.0.0.1",
                                 "--port",
                                 std::to_string(port_),
                                 "-c",
                                 "2048",
                                 "-np",
                                 "1",
                                 "-t",
                                 "2",
                                 "--no-jinja",
                                 "--chat-template",
                                 "vicuna",
                                 "--no-webui",
                                 "--no-warmup"},
        std::vector<std::string>{"LD_LIBRARY_PATH=" + lib}, log_);
    http::Limits l{.timeout = std::chrono::milliseconds(2000)};
    for (int i = 0; i < 300; ++i) {
      auto r = http::Get(Base() + "/health", l);
      if (r.ok() && r->status == 200) return;
      ASSERT_TRUE(server_->running()) << "llama-server exited; see " << log_;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "llama-server did not become healthy in 30 s; see " << log_;
  }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  int port_ = 0;
  std::string log_;
  std::unique_ptr<t::BackgroundProcess> server_;
};

TEST_F(LlamaServerTest, DescribesThroughTheEndpoint) {
  auto m = EndpointVisionModel::Create({.url = Base(), .model = "tiny"});
  ASSERT_TRUE(m.ok());
  DescribeOptions o;
  o.max_tokens = 16;
  Describer d(**m, o);
  std::vector<uint8_t> jpeg = t::MakeJpeg(200, 120);
  DescribeResult r = d.DescribeBytes("upload.jpg", jpeg);
  ASSERT_TRUE(r.error.ok()) << r.error.message() << " (server log: " << log_ << ")";
  EXPECT_FALSE(r.text.empty());
  EXPECT_GT(r.timings.generated_tokens, 0);
  EXPECT_GT(r.timings.prompt_tokens, 16) << "the image tokens must be part of the prompt";
}

}  // namespace
}  // namespace altscribe::vision
