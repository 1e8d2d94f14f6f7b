// The fetch policy against a real loopback HTTP server: allow-list (with redirects), the
// private-address guard, sha256 checks and in-memory bytes.
#include "jobs/fetch.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/sha256.h"
#include "http_server.h"

namespace altscribe::jobs {
namespace {

namespace t = altscribe::testing;

TEST(HostAllowedTest, ExactAndWildcardPatterns) {
  std::vector<std::string> p = {"cdn.bsky.app", "*.bsky.network"};
  EXPECT_TRUE(HostAllowed("cdn.bsky.app", p));
  EXPECT_TRUE(HostAllowed("CDN.Bsky.App.", p));
  EXPECT_TRUE(HostAllowed("morel.us-east.host.bsky.network", p));
  EXPECT_FALSE(HostAllowed("bsky.network", p));      // the wildcard needs a subdomain
  EXPECT_FALSE(HostAllowed("evilbsky.network", p));  // not a subdomain
  EXPECT_FALSE(HostAllowed("cdn.bsky.app.evil.com", p));
  EXPECT_FALSE(HostAllowed("127.0.0.1", p));
  EXPECT_TRUE(HostAllowed("anything.example", {}));  // no list: everything
}

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    server_.ServeBytes("/a.jpg", "JPEGDATA");
    policy_.limits.http.block_private_addresses = false;  // the server is on loopback
  }
  JobImage Image(const std::string& path) {
    JobImage im;
    im.url = server_.Url(path);
    return im;
  }
  static std::string Str(const ImageBytes& b) { return std::string(b->begin(), b->end()); }

  t::HttpServer server_;
  FetchPolicy policy_;
};

TEST_F(FetchTest, FetchesHttpUrls) {
  auto bytes = FetchImage(Image("/a.jpg"), policy_);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(Str(*bytes), "JPEGDATA");
}

TEST_F(FetchTest, HttpErrorsAreOneLine) {
  auto r = FetchImage(Image("/missing.jpg"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "the server answered HTTP 404 Not Found");
}

TEST_F(FetchTest, RefusesLocalPathsAndOtherSchemes) {
  for (std::string url : {"/etc/passwd", "file:///etc/passwd", "ftp://example.com/a.jpg"}) {
    JobImage im;
    im.url = url;
    auto r = FetchImage(im, policy_);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().message(), "not an http(s) URL") << url;
  }
}

TEST_F(FetchTest, BlockPrivateAddressesRefusesLoopback) {
  policy_.limits.http.block_private_addresses = true;
  auto r = FetchImage(Image("/a.jpg"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos) << r.status().message();
  EXPECT_EQ(server_.RequestCount("/a.jpg"), 0u);
}

TEST(FetchPolicyTest, TheGuardIsOnByDefault) {
  FetchPolicy policy;
  EXPECT_TRUE(policy.limits.http.block_private_addresses);
  EXPECT_FALSE(policy.limits.http.allow_loopback);
  JobImage im;
  im.url = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
  auto r = FetchImage(im, policy);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "refusing to connect to private address 169.254.169.254 (host 169.254.169.254)");
}

// Blob URLs whose host is, or resolves to, loopback, private, link-local or IPv6 loopback are
// refused after resolution (the tests' allow-loopback setting off), and nothing is requested.
TEST_F(FetchTest, BlobUrlsResolvingToPrivateAddressesAreRefused) {
  policy_.limits.http.block_private_addresses = true;
  policy_.limits.http.connect_timeout = std::chrono::milliseconds(4000);
  std::string port = std::to_string(server_.port());
  std::string blob = "/xrpc/com.atproto.sync.getBlob?did=did:plc:abc&cid=bafkreiabc";
  server_.ServeBytes("/xrpc/com.atproto.sync.getBlob", "JPEGDATA");
  for (std::string host :
       {"127.0.0.1:" + port, "localhost:" + port, "2130706433:" + port, "0x7f.1:" + port,
        "[::ffff:127.0.0.1]:" + port, "[::1]:" + port, std::string("10.0.0.1"),
        std::string("169.254.169.254"), std::string("[fe80::1]")}) {
    for (FetchPolicy policy : {policy_, [&] {
                                 FetchPolicy p = policy_;  // the hop-by-hop path too
                                 p.allow_hosts = {"127.0.0.1", "localhost",        "2130706433",
                                                  "0x7f.1",    "::ffff:127.0.0.1", "::1",
                                                  "10.0.0.1",  "169.254.169.254",  "fe80::1"};
                                 return p;
                               }()}) {
      JobImage im;
      im.url = "http://" + host + blob;
      auto start = std::chrono::steady_clock::now();
      auto r = FetchImage(im, policy);
      auto elapsed = std::chrono::steady_clock::now() - start;
      ASSERT_FALSE(r.ok()) << im.url;
      EXPECT_EQ(r.status().code(), Code::kNetwork) << im.url;
      EXPECT_EQ(r.status().message().rfind("refusing to connect to private address ", 0), 0u)
          << im.url << ": " << r.status().message();
      EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << im.url;  // no connect attempt
    }
  }
  EXPECT_EQ(server_.RequestCount("/xrpc/com.atproto.sync.getBlob"), 0u);
}

// With loopback allowed for the test server, a redirect from it to a private or metadata
// address is refused all the same — whether curl follows it or the allow-list path does.
TEST_F(FetchTest, RedirectFromALoopbackServerToAPrivateAddressIsRefused) {
  policy_.limits.http.block_private_addresses = true;
  policy_.limits.http.allow_loopback = true;
  policy_.limits.http.connect_timeout = std::chrono::milliseconds(4000);
  server_.Redirect("/meta.jpg", "http://169.254.169.254/latest/meta-data/");
  server_.Redirect("/ten.jpg", "http://10.0.0.1/a.jpg", 307);
  server_.Redirect("/v6.jpg", "http://[::ffff:192.168.0.1]/a.jpg", 301);
  server_.Redirect("/fine.jpg", "http://localhost:" + std::to_string(server_.port()) + "/a.jpg");
  FetchPolicy listed = policy_;
  listed.allow_hosts = {"127.0.0.1", "localhost", "169.254.169.254", "10.0.0.1",
                        "::ffff:192.168.0.1"};
  for (const FetchPolicy& policy : {policy_, listed}) {
    auto ok = FetchImage(Image("/fine.jpg"), policy);
    ASSERT_TRUE(ok.ok()) << ok.status().message();
    EXPECT_EQ(Str(*ok), "JPEGDATA");
    struct Case {
      const char* path;
      const char* message;
    } cases[] = {
        {"/meta.jpg",
         "refusing to connect to private address 169.254.169.254 (host 169.254.169.254)"},
        {"/ten.jpg", "refusing to connect to private address 10.0.0.1 (host 10.0.0.1)"},
        {"/v6.jpg",
         "refusing to connect to private address ::ffff:192.168.0.1 (host ::ffff:192.168.0.1)"},
    };
    for (const auto& c : cases) {
      auto start = std::chrono::steady_clock::now();
      auto r = FetchImage(Image(c.path), policy);
      auto elapsed = std::chrono::steady_clock::now() - start;
      ASSERT_FALSE(r.ok()) << c.path;
      EXPECT_EQ(r.status().code(), Code::kNetwork) << c.path;
      EXPECT_EQ(r.status().message(), c.message) << c.path;
      EXPECT_LT(elapsed, std::chrono::milliseconds(3000)) << c.path;
    }
  }
  EXPECT_EQ(server_.RequestCount("/meta.jpg"), 2u);  // served its redirect, once per policy
}

TEST_F(FetchTest, TimeLimitApplies) {
  server_.Stall("/slow.jpg", std::chrono::milliseconds(5000));
  policy_.limits.http.timeout = std::chrono::milliseconds(300);
  for (bool listed : {false, true}) {
    FetchPolicy policy = policy_;
    if (listed) policy.allow_hosts = {"127.0.0.1"};
    auto start = std::chrono::steady_clock::now();
    auto r = FetchImage(Image("/slow.jpg"), policy);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kTimeout) << r.status().message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  }
}

TEST_F(FetchTest, RedirectLimitAppliesWithoutAnAllowList) {
  server_.Redirect("/loop", "/loop");
  policy_.limits.http.max_redirects = 2;
  auto r = FetchImage(Image("/loop"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("too many redirects (more than 2)", 0), 0u)
      << r.status().message();
  EXPECT_EQ(server_.RequestCount("/loop"), 3u);
}

TEST_F(FetchTest, AllowListChecksTheNamedHost) {
  policy_.allow_hosts = {"cdn.bsky.app"};
  auto r = FetchImage(Image("/a.jpg"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "host '127.0.0.1' is not on the allow-list");
  EXPECT_EQ(server_.RequestCount("/a.jpg"), 0u);  // refused before any request
  policy_.allow_hosts = {"127.0.0.1"};
  auto ok = FetchImage(Image("/a.jpg"), policy_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(Str(*ok), "JPEGDATA");
}

TEST_F(FetchTest, AllowListChecksWhereRedirectsLead) {
  // 127.0.0.1 is allowed, "localhost" is not: a redirect from one to the other is refused.
  server_.Redirect("/hop", "http://localhost:" + std::to_string(server_.port()) + "/a.jpg");
  server_.Redirect("/stay", "/a.jpg");
  policy_.allow_hosts = {"127.0.0.1"};
  auto r = FetchImage(Image("/hop"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "redirected: host 'localhost' is not on the allow-list");
  EXPECT_EQ(server_.RequestCount("/a.jpg"), 0u);  // the refused hop was never requested
  auto ok = FetchImage(Image("/stay"), policy_);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(Str(*ok), "JPEGDATA");
}

TEST_F(FetchTest, AllowListFollowsAtMostMaxRedirects) {
  server_.Redirect("/loop", "/loop");
  policy_.allow_hosts = {"127.0.0.1"};
  policy_.limits.http.max_redirects = 2;
  auto r = FetchImage(Image("/loop"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "too many redirects (more than 2)");
  EXPECT_EQ(server_.RequestCount("/loop"), 3u);
}

TEST_F(FetchTest, SizeLimitApplies) {
  server_.ServeBytes("/big.jpg", std::string(5000, 'x'));
  policy_.limits.http.max_bytes = 1000;
  auto r = FetchImage(Image("/big.jpg"), policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
}

TEST_F(FetchTest, Sha256MustMatch) {
  JobImage im = Image("/a.jpg");
  im.sha256 = Sha256Hex("JPEGDATA");
  EXPECT_TRUE(FetchImage(im, policy_).ok());
  im.sha256 = Sha256Hex("something else");
  auto r = FetchImage(im, policy_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("image bytes do not match the job's sha256 (got ", 0), 0u)
      << r.status().message();
}

TEST_F(FetchTest, InMemoryBytesAreUsedWithoutFetching) {
  JobImage im = Image("/a.jpg");
  im.bytes = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>{'H', 'I'});
  policy_.allow_hosts = {"nowhere.example"};  // would refuse the URL
  auto r = FetchImage(im, policy_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->get(), im.bytes.get());  // the same buffer, not a copy
  EXPECT_EQ(server_.RequestCount("/a.jpg"), 0u);
  im.sha256 = Sha256Hex("HO");
  EXPECT_FALSE(FetchImage(im, policy_).ok());
}

}  // namespace
}  // namespace altscribe::jobs
