// POST /v1/describe and the other routes against the real server on loopback, with the tiny
// model loaded by llama.cpp; one test runs the altscribe binary itself.
#include "serve/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "bot/full_description.h"
#include "http/client.h"
#include "http_server.h"
#include "image_fixtures.h"
#include "subprocess.h"
#include "test_env.h"
#include "vision/llama_model.h"

namespace altscribe::serve {
namespace {

namespace t = altscribe::testing;
using json = nlohmann::json;

vision::VisionModel& TinyModel() {
  static vision::VisionModel* model = [] {
    auto m = vision::LlamaVisionModel::Load(t::TinyModelOptions());
    if (!m.ok()) {
      ADD_FAILURE() << m.status().message();
      std::abort();
    }
    return m->release();
  }();
  return *model;
}

std::string AsString(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// A multipart/form-data body with an "image" file and optional text fields.
struct Multipart {
  std::string boundary = "altscribe-test-boundary-7d1f";
  std::string body;
  void File(const std::string& name, const std::string& filename, const std::string& type,
            const std::string& data) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
            "\"; filename=\"" + filename + "\"\r\nContent-Type: " + type + "\r\n\r\n" + data +
            "\r\n";
  }
  void Field(const std::string& name, const std::string& value) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  }
  std::string Finish() { return body + "--" + boundary + "--\r\n"; }
  std::string ContentType() const { return "multipart/form-data; boundary=" + boundary; }
};

class ServeTest : public ::testing::Test {
 protected:
  // Starts a server with `options` (port 0, the tiny model, 16 tokens unless set).
  void StartServer(ServerOptions options, bool ready = true) {
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.api.describe.max_tokens == 0) options.api.describe.max_tokens = 16;
    server_ = std::make_unique<Server>(std::move(options));
    ASSERT_TRUE(server_->Start().ok());
    if (ready) server_->SetModel(&TinyModel(), 1.0);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  http::Response Send(const std::string& method, const std::string& path, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request r;
    r.method = method;
    r.url = Url(path);
    r.body = std::move(body);
    r.headers = std::move(headers);
    http::Limits limits;
    limits.timeout = std::chrono::seconds(60);
    auto resp = http::Send(r, limits);
    EXPECT_TRUE(resp.ok()) << resp.status().message();
    return resp.ok() ? *resp : http::Response{};
  }
  http::Response Upload(const std::string& bytes, const std::string& type = "image/png",
                        std::vector<std::pair<std::string, std::string>> headers = {},
                        std::vector<std::pair<std::string, std::string>> fields = {}) {
    Multipart m;
    m.File("image", "photo.png", type, bytes);
    for (const auto& [k, v] : fields) m.Field(k, v);
    headers.push_back({"Content-Type", m.ContentType()});
    return Send("POST", "/v1/describe", m.Finish(), headers);
  }
  // The JSON error body every 4xx carries.
  static json ErrorBody(const http::Response& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    if (j.is_object()) {
      EXPECT_EQ(j.value("status", 0), r.status);
      EXPECT_FALSE(j.value("error", std::string()).empty()) << r.body;
    }
    return j;
  }

  std::string png_ = AsString(t::MakePng(64, 48));
  std::unique_ptr<Server> server_;
};

TEST_F(ServeTest, GoodUploadAnswersTheJsonOfDescribe) {
  StartServer({});
  http::Response r = Upload(png_, "image/png", {}, {{"lang", "de"}, {"mode", "detail"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  json doc = json::parse(r.body);
  ASSERT_EQ(doc["images"].size(), 1u);
  const json& image = doc["images"][0];
  EXPECT_TRUE(image["alt"].is_string());
  EXPECT_FALSE(image["alt"].get<std::string>().empty());
  EXPECT_TRUE(image["error"].is_null());
  EXPECT_EQ(image["source"], "photo.png");
  EXPECT_EQ(image["format"], "PNG");
  EXPECT_EQ(image["width"], 64);
  EXPECT_EQ(image["height"], 48);
  EXPECT_GT(image["timings"]["generated_tokens"].get<int>(), 0);
  EXPECT_EQ(doc["model"], TinyModel().Name());
  EXPECT_EQ(doc["mode"], "detail");
  EXPECT_EQ(doc["lang"], "de");
  EXPECT_TRUE(doc["timings"].contains("model_load_ms"));
}

TEST_F(ServeTest, RawImageBodyAndQueryOptionsWork) {
  StartServer({});
  http::Response r = Send("POST", "/v1/describe?lang=fr", png_, {{"Content-Type", "image/png"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["lang"], "fr");
}

TEST_F(ServeTest, TokenIsRequiredWhenConfigured) {
  ServerOptions o;
  o.api.tokens = {"first-token", "s3cret-token"};
  StartServer(o);
  http::Response none = Upload(png_);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ErrorBody(none)["code"], "unauthorized");
  EXPECT_EQ(none.Header("WWW-Authenticate"), "Bearer");
  http::Response wrong = Upload(png_, "image/png", {{"Authorization", "Bearer s3cret-tokeN"}});
  EXPECT_EQ(wrong.status, 401);
  ErrorBody(wrong);
  http::Response right = Upload(png_, "image/png", {{"Authorization", "Bearer s3cret-token"}});
  EXPECT_EQ(right.status, 200) << right.body;
  // The page and health stay public.
  EXPECT_EQ(Send("GET", "/").status, 200);
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

TEST_F(ServeTest, OversizedBodiesGet413) {
  ServerOptions o;
  o.max_body_bytes = 100'000;
  StartServer(o);
  http::Response r = Upload(std::string(200'000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorBody(r)["code"], "payload_too_large");
  http::Response raw =
      Send("POST", "/v1/describe", std::string(150'000, '\0'), {{"Content-Type", "image/png"}});
  EXPECT_EQ(raw.status, 413);
  ErrorBody(raw);
  // A small image still goes through.
  EXPECT_EQ(Upload(png_).status, 200);
}

TEST_F(ServeTest, ImagesOverThePixelLimitGet413) {
  StartServer({});
  http::Response r = Upload(AsString(t::MakePngBomb(30000, 30000)));
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(ErrorBody(r)["error"].get<std::string>().find("MP limit"), std::string::npos);
}

TEST_F(ServeTest, NonImagesGet415) {
  StartServer({});
  http::Response text = Upload("just some notes, not a picture\n", "image/png");
  EXPECT_EQ(text.status, 415);
  json body = ErrorBody(text);
  EXPECT_EQ(body["code"], "not_an_image");
  EXPECT_EQ(body["error"], "not an image: looks like text");
  http::Response form =
      Send("POST", "/v1/describe", "a=b", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(ErrorBody(form)["code"], "unsupported_media_type");
}

TEST_F(ServeTest, BadRequestsGet400WithJson) {
  StartServer({});
  EXPECT_EQ(ErrorBody(Upload(png_, "image/png", {}, {{"mode", "poem"}}))["code"], "bad_mode");
  EXPECT_EQ(ErrorBody(Upload(png_, "image/png", {}, {{"lang", "x!"}}))["code"], "bad_lang");
  auto bad_json = Send("POST", "/v1/describe", "{", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(ErrorBody(bad_json)["code"], "bad_json");
  auto no_url = Send("POST", "/v1/describe", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(ErrorBody(no_url)["code"], "missing_url");
  auto ftp = Send("POST", "/v1/describe", R"({"url":"ftp://example.com/a.png"})",
                  {{"Content-Type", "application/json"}});
  EXPECT_EQ(ftp.status, 400);
  EXPECT_EQ(ErrorBody(ftp)["code"], "bad_url");
  Multipart m;
  m.Field("lang", "en");
  auto no_image = Send("POST", "/v1/describe", m.Finish(), {{"Content-Type", m.ContentType()}});
  EXPECT_EQ(ErrorBody(no_image)["code"], "missing_image");
  auto unknown = Send("GET", "/v2/nothing");
  EXPECT_EQ(unknown.status, 404);
  ErrorBody(unknown);
}

TEST_F(ServeTest, PerIpRateLimitAnswers429WithRetryAfter) {
  ServerOptions o;
  o.api.ip_limit = {.per_minute = 2, .burst = 2};
  StartServer(o);
  EXPECT_EQ(Upload(png_).status, 200);
  EXPECT_EQ(Upload(png_).status, 200);
  http::Response r = Upload(png_);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(ErrorBody(r)["code"], "rate_limited");
  int retry = std::stoi(r.Header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 30);
}

TEST_F(ServeTest, PerTokenRateLimitAnswers429) {
  ServerOptions o;
  o.api.tokens = {"tok-a", "tok-b"};
  o.api.token_limit = {.per_minute = 1, .burst = 1};
  StartServer(o);
  EXPECT_EQ(Upload(png_, "image/png", {{"Authorization", "Bearer tok-a"}}).status, 200);
  http::Response r = Upload(png_, "image/png", {{"Authorization", "Bearer tok-a"}});
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(ErrorBody(r)["error"].get<std::string>().find("for this token"), std::string::npos);
  EXPECT_FALSE(r.Header("Retry-After").empty());
  // Another token has its own bucket.
  EXPECT_EQ(Upload(png_, "image/png", {{"Authorization", "Bearer tok-b"}}).status, 200);
}

TEST_F(ServeTest, UrlsAtPrivateAddressesAreRefused) {
  t::HttpServer images;
  ASSERT_TRUE(images.Start().ok());
  images.ServeBytes("/cat.png", png_, {.content_type = "image/png"});
  StartServer({});  // default policy: private addresses blocked
  for (const std::string& url :
       {images.Url("/cat.png"), "http://localhost:" + std::to_string(images.port()) + "/cat.png"}) {
    http::Response r = Send("POST", "/v1/describe", json{{"url", url}}.dump(),
                            {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 403) << url;
    json body = ErrorBody(r);
    EXPECT_EQ(body["code"], "private_address");
    EXPECT_NE(body["error"].get<std::string>().find("private address"), std::string::npos);
  }
  EXPECT_EQ(images.RequestCount("/cat.png"), 0u);  // nothing was fetched
}

TEST_F(ServeTest, UrlsAreFetchedUnderThePolicy) {
  t::HttpServer images;
  ASSERT_TRUE(images.Start().ok());
  images.ServeBytes("/cat.png", png_, {.content_type = "image/png"});
  images.ServeBytes("/notes.txt", "hello, no picture here\n", {.content_type = "image/png"});
  ServerOptions o;
  o.api.fetch.limits.http.block_private_addresses = false;  // a test network on loopback
  StartServer(o);
  auto post = [&](const std::string& url) {
    return Send("POST", "/v1/describe", json{{"url", url}, {"lang", "es"}}.dump(),
                {{"Content-Type", "application/json"}});
  };
  http::Response ok = post(images.Url("/cat.png"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  json doc = json::parse(ok.body);
  EXPECT_EQ(doc["images"][0]["source"], images.Url("/cat.png"));
  EXPECT_EQ(doc["lang"], "es");
  EXPECT_EQ(post(images.Url("/notes.txt")).status, 415);
  http::Response missing = post(images.Url("/missing.png"));
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(ErrorBody(missing)["code"], "fetch_failed");
}

TEST_F(ServeTest, HealthAndDescribeWaitForTheModel) {
  StartServer({}, /*ready=*/false);
  http::Response health = Send("GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(json::parse(health.body)["status"], "starting");
  http::Response early = Upload(png_);
  EXPECT_EQ(early.status, 503);
  EXPECT_EQ(ErrorBody(early)["code"], "not_ready");
  EXPECT_EQ(early.Header("Retry-After"), "5");
  server_->SetModel(&TinyModel(), 1.0);
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  EXPECT_EQ(Upload(png_).status, 200);
}

TEST_F(ServeTest, MetricsCountRequestsStagesAndErrors) {
  StartServer({});
  ASSERT_EQ(Upload(png_).status, 200);
  Upload("not an image at all");
  // Requests are counted after their answer is sent: wait for the 415 to be counted.
  http::Response m;
  for (int i = 0; i < 50; ++i) {
    m = Send("GET", "/metrics");
    if (m.body.find("code=\"415\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4");
  for (const char* want :
       {"altscribe_http_requests_total{route=\"/v1/describe\",code=\"200\"}",
        "altscribe_http_requests_total{route=\"/v1/describe\",code=\"415\"}",
        "altscribe_stage_seconds_bucket{stage=\"generate\",le=\"+Inf\"}",
        "altscribe_errors_total{kind=\"not_an_image\"}", "altscribe_generated_tokens_total ",
        "altscribe_tokens_per_second ", "altscribe_ready 1", "altscribe_workers{kind=\"http\"} 8",
        "altscribe_queue_depth{queue=\"describe_requests\"} 0"}) {
    EXPECT_NE(m.body.find(want), std::string::npos) << want;
  }
}

TEST_F(ServeTest, PageAndAssetsAreServedFromTheBinary) {
  StartServer({});
  http::Response page = Send("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<label for=\"file\""), std::string::npos);
  EXPECT_NE(page.body.find("aria-live"), std::string::npos);
  EXPECT_NE(page.Header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  http::Response js = Send("GET", "/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(js.body.find("/v1/describe"), std::string::npos);
  EXPECT_EQ(Send("GET", "/style.css").status, 200);
  EXPECT_EQ(Send("GET", "/missing.js").status, 404);
}

TEST_F(ServeTest, DescriptionPagesComeFromTheStoreEscaped) {
  auto store = bot::Store::Open(t::MakeTempDir("serve-d") + "/bot.db");
  ASSERT_TRUE(store.ok());
  bot::FullDescription d;
  d.model = "tiny";
  d.images = {{1, "<script>alert(1)</script> and \"><img src=x onerror=alert(2)>", "EXIT", ""}};
  auto id = (*store)->SaveFullDescription("at://did:plc:x/app.bsky.feed.post/1", d.ToJsonText());
  ASSERT_TRUE(id.ok());
  ServerOptions o;
  o.descriptions = store->get();
  StartServer(o);
  http::Response page = Send("GET", "/d/" + *id);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_EQ(page.body.find("<img"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.Header("Content-Security-Policy").find("script-src"), std::string::npos);
  EXPECT_NE(page.Header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(Send("GET", "/d/AAAAAAAAAAAAAAAAAAAAAA").status, 404);
  EXPECT_EQ(Send("GET", "/d/..%2Fetc").status, 404);
}

TEST(ServeListen, AddressesParse) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseListenAddress("0.0.0.0:8080", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(ParseListenAddress("[::1]:9", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(ParseListenAddress(":0", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_FALSE(ParseListenAddress("localhost", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("h:70000", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress("h:http", &host, &port).ok());
}

// Polls /healthz for up to 30 s while the server runs; true once it answers 200.
bool WaitUntilReady(const std::string& base, t::BackgroundProcess& server) {
  for (int i = 0; i < 300 && server.running(); ++i) {
    auto r = http::Get(base + "/healthz", {});
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The binary: the token comes from the environment, the model loads, /healthz turns ready.
TEST(ServeBinary, ServesWithATokenFromAFile) {
  std::string dir = t::MakeTempDir("serve-bin");
  std::string token_file = t::WriteWholeFile(dir + "/tokens", "bin-secret\n");
  int port = t::FreeLoopbackPort();
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  t::BackgroundProcess server(
      {t::AltscribeBin(), "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--model",
       t::TinyModelPath(), "--mmproj", t::TinyMmprojPath(), "--threads", "2", "--max-tokens", "8"},
      {"ALTSCRIBE_SERVE_TOKEN_FILE=" + token_file}, dir + "/serve.log");
  ASSERT_TRUE(WaitUntilReady(base, server)) << t::ReadWholeFile(dir + "/serve.log");
  http::Request req;
  req.method = "POST";
  req.url = base + "/v1/describe";
  req.headers = {{"Content-Type", "image/png"}};
  req.body = AsString(t::MakePng(32, 32));
  auto denied = http::Send(req, {});
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, 401);
  req.headers.push_back({"Authorization", "Bearer bin-secret"});
  auto allowed = http::Send(req, {});
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->status, 200) << allowed->body;
  std::string log = t::ReadWholeFile(dir + "/serve.log");
  EXPECT_NE(log.find("API token required"), std::string::npos) << log;
  EXPECT_EQ(log.find("bin-secret"), std::string::npos);  // never logged

  t::ProcessResult help = t::RunProcess({t::AltscribeBin(), "serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("POST /v1/describe"), std::string::npos);
  EXPECT_NE(help.out.find("ALTSCRIBE_SERVE_TOKEN_FILE"), std::string::npos);
}

// serve --batch 4: eight uploads at once are generated together in one context, and each gets
// exactly the alt text `altscribe describe` (one image at a time) gives for the same file.
TEST(ServeBinary, BatchAnswersConcurrentUploadsWithTheOneAtATimeText) {
  std::string dir = t::MakeTempDir("serve-batch");
  std::vector<std::string> files;
  for (int i = 0; i < 8; ++i) {
    files.push_back(t::WriteWholeFile(dir + "/img" + std::to_string(i) + ".png",
                                      AsString(t::MakePng(40 + 13 * i, 30 + 7 * (i % 3)))));
  }
  std::vector<std::string> argv = {t::AltscribeBin(), "describe",
                                   "--model",         t::TinyModelPath(),
                                   "--mmproj",        t::TinyMmprojPath(),
                                   "--threads",       "2",
                                   "--max-tokens",    "16",
                                   "--json"};
  argv.insert(argv.end(), files.begin(), files.end());
  t::ProcessResult one = t::RunProcess(argv);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  json want = json::parse(one.out)["images"];
  ASSERT_EQ(want.size(), files.size());

  int port = t::FreeLoopbackPort();
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  t::BackgroundProcess server(
      {t::AltscribeBin(), "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--model",
       t::TinyModelPath(), "--mmproj", t::TinyMmprojPath(), "--threads", "2", "--max-tokens", "16",
       "--batch", "4"},
      {"ALTSCRIBE_LOG=info"}, dir + "/serve.log");
  ASSERT_TRUE(WaitUntilReady(base, server)) << t::ReadWholeFile(dir + "/serve.log");
  std::vector<Result<http::Response>> got(files.size(), Status::Internal("not sent"));
  std::vector<std::thread> clients;
  for (size_t i = 0; i < files.size(); ++i) {
    clients.emplace_back([&, i] {
      http::Request req;
      req.method = "POST";
      req.url = base + "/v1/describe";
      req.headers = {{"Content-Type", "image/png"}};
      req.body = t::ReadWholeFile(files[i]);
      got[i] = http::Send(req, {});
    });
  }
  for (auto& c : clients) c.join();
  for (size_t i = 0; i < files.size(); ++i) {
    ASSERT_TRUE(got[i].ok()) << got[i].status().message();
    ASSERT_EQ(got[i]->status, 200) << got[i]->body;
    json doc = json::parse(got[i]->body);
    ASSERT_TRUE(doc["images"][0]["alt"].is_string()) << got[i]->body;
    EXPECT_EQ(doc["images"][0]["alt"], want[i]["alt"]) << files[i];
  }
  const std::string log = t::ReadWholeFile(dir + "/serve.log");
  EXPECT_NE(log.find("batch engine: 4 sequences"), std::string::npos) << log;
}

}  // namespace
}  // namespace altscribe::serve
