// Tests of http::Send/Get against a real HTTP server on 127.0.0.1.
#include "http/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <thread>

#include "http_server.h"

namespace altscribe::http {
namespace {

using altscribe::testing::HttpReply;
using altscribe::testing::HttpRequest;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()); }

  altscribe::testing::HttpServer server_;
  Limits limits_;
};

// A port on 127.0.0.1 that nothing listens on.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(ClientTest, GetReturnsBodyAndContentType) {
  HttpReply reply;
  reply.body = "hello";
  reply.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  server_.Reply("/hello", reply);
  auto r = Get(server_.Url("/hello?x=1"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r->effective_url, server_.Url("/hello?x=1"));
  auto requests = server_.Requests("/hello");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/hello?x=1");
  EXPECT_EQ(requests[0].Header("User-Agent"), "altscribe/0.1");
  EXPECT_TRUE(requests[0].HasHeader("Accept-Encoding"));
}

TEST_F(ClientTest, ResponseHeadersOfTheFinalResponse) {
  server_.Reply("/limited", {.status = 429,
                             .headers = {{"RateLimit-Reset", "1700000000"}, {"Retry-After", "7"}},
                             .body = "{}"});
  server_.Redirect("/hop", "/limited");
  auto r = Get(server_.Url("/hop"), Limits{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->Header("ratelimit-reset"), "1700000000");
  EXPECT_EQ(r->Header("Retry-After"), "7");
  EXPECT_EQ(r->Header("Location"), "") << "headers of the redirect itself are not kept";
  EXPECT_EQ(r->Header("X-Missing"), "");
}

TEST_F(ClientTest, NonSuccessStatusIsNotAnError) {
  HttpReply reply;
  reply.status = 503;
  reply.body = "busy";
  server_.Reply("/busy", reply);
  auto r = Get(server_.Url("/busy"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
  r = Get(server_.Url("/nothing-here"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 404);
}

TEST_F(ClientTest, PostSendsBodyAndHeaders) {
  server_.Route("/echo", [](const HttpRequest& req) {
    HttpReply reply;
    reply.status = 201;
    reply.body = req.method + " " + req.body;
    return reply;
  });
  Request req;
  req.method = "POST";
  req.url = server_.Url("/echo");
  req.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer s3cret"}};
  req.body = std::string(200'000, 'x') + "{\"a\":1}";
  auto r = Send(req, limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "POST " + req.body);
  auto seen = server_.Requests("/echo");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(seen[0].Header("Authorization"), "Bearer s3cret");
  EXPECT_EQ(seen[0].body, req.body);
  EXPECT_FALSE(seen[0].HasHeader("Expect"));
}

TEST_F(ClientTest, OtherMethodsAndEmptyHeaderValues) {
  server_.Route("/m", [](const HttpRequest& req) {
    HttpReply reply;
    reply.body = req.method + ":" + req.body;
    return reply;
  });
  Request req;
  req.method = "put";
  req.url = server_.Url("/m");
  req.body = "data";
  req.headers = {{"X-Empty", ""}};
  auto r = Send(req, limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "PUT:data");
  EXPECT_TRUE(server_.Requests("/m")[0].HasHeader("X-Empty"));

  req.headers = {{"X-Bad", "a\r\nInjected: yes"}};
  EXPECT_EQ(Send(req, limits_).status().code(), Code::kInvalidArgument);
}

TEST_F(ClientTest, SizeLimitWithContentLength) {
  server_.ServeBytes("/big", std::string(5000, 'a'));
  limits_.max_bytes = 4000;
  auto r = Get(server_.Url("/big"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_EQ(r.status().message(), "response is larger than the 4.0 KB limit");
  limits_.max_bytes = 5000;
  r = Get(server_.Url("/big"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body.size(), 5000u);
}

TEST_F(ClientTest, SizeLimitWithoutContentLength) {
  server_.ServeBytes("/stream", std::string(300'000, 'b'), {.content_length = false});
  limits_.max_bytes = 100'000;
  auto r = Get(server_.Url("/stream"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_EQ(r.status().message(), "response is larger than the 100 KB limit");
  limits_.max_bytes = 300'000;
  r = Get(server_.Url("/stream"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body.size(), 300'000u);
}

TEST_F(ClientTest, FollowsRedirectsUpToTheLimit) {
  server_.Redirect("/r1", "/r2", 301);
  server_.Redirect("/r2", server_.Url("/r3"), 302);
  server_.Redirect("/r3", "/final", 307);
  server_.Reply("/final", HttpReply{.body = "landed"});
  limits_.max_redirects = 3;
  auto r = Get(server_.Url("/r1"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "landed");
  EXPECT_EQ(r->effective_url, server_.Url("/final"));

  limits_.max_redirects = 2;
  r = Get(server_.Url("/r1"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNetwork);
  EXPECT_THAT(r.status().message(), StartsWith("too many redirects (more than 2)"));
}

TEST_F(ClientTest, RedirectLoopStops) {
  server_.Redirect("/loop", "/loop");
  auto r = Get(server_.Url("/loop"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith("too many redirects (more than 3)"));
  EXPECT_EQ(server_.RequestCount("/loop"), 4u);
}

TEST_F(ClientTest, RedirectToFtpIsRefused) {
  server_.Redirect("/to-ftp", "ftp://127.0.0.1/file");
  auto r = Get(server_.Url("/to-ftp"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("unsupported URL scheme 'ftp' (only http and https)"));
}

TEST_F(ClientTest, RefusesOtherSchemesUpFront) {
  auto r = Get("ftp://127.0.0.1/file", limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "unsupported URL scheme 'ftp' (only http and https)");
  EXPECT_EQ(Get("file:///etc/passwd", limits_).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Get("not a url", limits_).status().code(), Code::kInvalidArgument);
}

TEST_F(ClientTest, ConnectionRefused) {
  int port = ClosedPort();
  auto r = Get("http://127.0.0.1:" + std::to_string(port) + "/", limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNetwork);
  EXPECT_EQ(r.status().message(),
            "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_F(ClientTest, UnresolvableHost) {
  auto r = Get("http://nope.invalid/", limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNetwork);
  EXPECT_EQ(r.status().message(), "could not resolve host nope.invalid");
}

TEST_F(ClientTest, TimesOutOnAStallingServer) {
  server_.Stall("/slow", std::chrono::milliseconds(5000));
  limits_.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto r = Get(server_.Url("/slow"), limits_);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_THAT(r.status().message(), StartsWith("timed out after 0.3 s"));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(ClientTest, TimesOutOnABodyThatStalls) {
  HttpReply reply;
  reply.body = std::string(1000, 'z');
  reply.stall_after = 10;
  reply.stall = std::chrono::milliseconds(5000);
  server_.Reply("/half", reply);
  limits_.timeout = std::chrono::milliseconds(300);
  auto r = Get(server_.Url("/half"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTimeout);
}

TEST_F(ClientTest, BlockPrivateAddressesRefusesLoopback) {
  server_.Reply("/secret", HttpReply{.body = "internal"});
  limits_.block_private_addresses = true;
  auto r = Get(server_.Url("/secret"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNetwork);
  EXPECT_EQ(r.status().message(),
            "refusing to connect to private address 127.0.0.1 (host 127.0.0.1)");
  EXPECT_EQ(server_.RequestCount("/secret"), 0u);

  r = Get("http://localhost:" + std::to_string(server_.port()) + "/secret", limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith("refusing to connect to private address "));
  EXPECT_THAT(r.status().message(), HasSubstr("(host localhost)"));
  EXPECT_EQ(server_.RequestCount("/secret"), 0u);

  limits_.block_private_addresses = false;
  r = Get(server_.Url("/secret"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body, "internal");
}

// Loopback in every spelling a URL allows — names, decimal, hex, octal, short and IPv6 forms —
// is refused after resolution, before any connection.
TEST_F(ClientTest, BlockPrivateAddressesRefusesEverySpellingOfLoopback) {
  server_.Reply("/secret", HttpReply{.body = "internal"});
  limits_.block_private_addresses = true;
  std::string port = std::to_string(server_.port());
  for (std::string host : {"127.0.0.1", "localhost", "2130706433", "0x7f.1", "0x7f000001",
                           "0177.0.0.1", "127.1", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                           "[0:0:0:0:0:ffff:127.0.0.1]", "0", "0.0.0.0", "[::]"}) {
    auto r = Get("http://" + host + ":" + port + "/secret", limits_);
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.status().code(), Code::kNetwork) << host;
    EXPECT_THAT(r.status().message(), StartsWith("refusing to connect to private address "))
        << host;
  }
  EXPECT_EQ(server_.RequestCount("/secret"), 0u);
}

// Private, link-local (cloud metadata) and IPv6 loopback targets are refused without a connection
// attempt: the refusal is immediate, not a connect timeout.
TEST_F(ClientTest, BlockPrivateAddressesRefusesPrivateAndMetadataTargets) {
  limits_.block_private_addresses = true;
  limits_.connect_timeout = std::chrono::milliseconds(4000);
  struct Case {
    const char* url;
    const char* message;
  } cases[] = {
      {"http://10.0.0.1/", "refusing to connect to private address 10.0.0.1 (host 10.0.0.1)"},
      {"http://169.254.169.254/latest/meta-data/",
       "refusing to connect to private address 169.254.169.254 (host 169.254.169.254)"},
      {"http://[::1]/", "refusing to connect to private address ::1 (host ::1)"},
      {"http://[::ffff:10.0.0.1]/",
       "refusing to connect to private address ::ffff:10.0.0.1 (host ::ffff:10.0.0.1)"},
      {"http://[fd00:ec2::254]/",
       "refusing to connect to private address fd00:ec2::254 (host fd00:ec2::254)"},
      {"http://192.168.1.1:8080/",
       "refusing to connect to private address 192.168.1.1 "
       "(host 192.168.1.1)"},
      {"https://0xa9fea9fe/",
       "refusing to connect to private address 169.254.169.254 "
       "(host 169.254.169.254)"},
  };
  for (const auto& c : cases) {
    auto start = std::chrono::steady_clock::now();
    auto r = Get(c.url, limits_);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_EQ(r.status().code(), Code::kNetwork) << c.url;
    EXPECT_EQ(r.status().message(), c.message) << c.url;
    EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << c.url;
  }
}

// allow_loopback (the tests' setting) opens loopback only: a loopback server's redirect to a
// private or metadata address is still refused, before any connection to it.
TEST_F(ClientTest, AllowLoopbackStillRefusesRedirectsToPrivateAddresses) {
  server_.Reply("/ok", HttpReply{.body = "fine"});
  server_.Redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
  server_.Redirect("/to-ten", "http://10.0.0.1/", 301);
  server_.Redirect("/to-mapped", "http://[::ffff:10.0.0.1]/", 307);
  server_.Redirect("/to-decimal", "http://167772161/", 308);  // 10.0.0.1
  server_.Redirect("/to-loopback", "http://localhost:" + std::to_string(server_.port()) + "/ok");
  limits_.block_private_addresses = true;
  limits_.allow_loopback = true;
  limits_.connect_timeout = std::chrono::milliseconds(4000);

  auto ok = Get(server_.Url("/ok"), limits_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->body, "fine");
  auto hop = Get(server_.Url("/to-loopback"), limits_);
  ASSERT_TRUE(hop.ok()) << hop.status().message();
  EXPECT_EQ(hop->body, "fine");

  struct Case {
    const char* path;
    const char* message;
  } cases[] = {
      {"/to-metadata",
       "refusing to connect to private address 169.254.169.254 (host 169.254.169.254)"},
      {"/to-ten", "refusing to connect to private address 10.0.0.1 (host 10.0.0.1)"},
      {"/to-mapped",
       "refusing to connect to private address ::ffff:10.0.0.1 (host ::ffff:10.0.0.1)"},
      {"/to-decimal", "refusing to connect to private address 10.0.0.1 (host 10.0.0.1)"},
  };
  for (const auto& c : cases) {
    auto start = std::chrono::steady_clock::now();
    auto r = Get(server_.Url(c.path), limits_);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.status().code(), Code::kNetwork) << c.path;
    EXPECT_EQ(r.status().message(), c.message) << c.path;
    EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << c.path;
    EXPECT_EQ(server_.RequestCount(c.path), 1u) << c.path;  // the hop before was served
  }

  // Without block_private_addresses, allow_loopback changes nothing: everything is allowed.
  limits_.block_private_addresses = false;
  auto plain = Get(server_.Url("/ok"), limits_);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
}

// A compressed body is limited by its decoded size: a gzip bomb stops at max_bytes.
TEST_F(ClientTest, DecompressionBombStopsAtTheSizeLimit) {
  std::string raw(8'000'000, '\0');
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY), Z_OK);  // gzip
  std::string gz(deflateBound(&z, raw.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  gz.resize(z.total_out);
  deflateEnd(&z);
  ASSERT_LT(gz.size(), 20'000u);
  server_.Reply("/bomb", HttpReply{.headers = {{"Content-Encoding", "gzip"}}, .body = gz});

  limits_.max_bytes = 1'000'000;
  auto r = Get(server_.Url("/bomb"), limits_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_EQ(r.status().message(), "response is larger than the 1.0 MB limit");

  limits_.max_bytes = 8'000'000;
  r = Get(server_.Url("/bomb"), limits_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->body.size(), raw.size());  // decoded
}

TEST_F(ClientTest, ConcurrentRequests) {
  server_.ServeBytes("/c", std::string(50'000, 'c'));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = Get(server_.Url("/c"), limits_);
      if (r.ok() && r->status == 200 && r->body.size() == 50'000) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
}

TEST(StatusTextTest, KnownAndUnknownCodes) {
  EXPECT_EQ(StatusText(404), "HTTP 404 Not Found");
  EXPECT_EQ(StatusText(503), "HTTP 503 Service Unavailable");
  EXPECT_EQ(StatusText(299), "HTTP 299");
}

}  // namespace
}  // namespace altscribe::http
