// storage/s3_client_test.cc — the S3 client against real servers on loopback: s3rver (quick,
// does not check signatures) and Swift's S3 layer (checks SigV4, so signing bugs fail here).
#include "storage/s3_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "http/client.h"
#include "s3_servers.h"
#include "test_env.h"

namespace altscribe::storage {
namespace {

using altscribe::testing::S3rverServer;
using altscribe::testing::S3TestServer;
using altscribe::testing::SwiftS3Server;

S3Client MakeClient(const S3TestServer& server, bool path_style = true, std::string secret = "") {
  S3ClientOptions o;
  o.endpoint = path_style ? server.endpoint() : server.vhost_endpoint();
  o.path_style = path_style;
  S3Credentials c{server.access_key(), secret.empty() ? server.secret_key() : secret, ""};
  auto client = S3Client::Create(o, c);
  EXPECT_TRUE(client.ok()) << client.status().message();
  return std::move(client).value();
}

std::vector<std::string> AllKeys(const S3Client& client, const std::string& bucket,
                                 const std::string& prefix, int max_keys, int* pages) {
  std::vector<std::string> keys;
  std::string token;
  *pages = 0;
  while (true) {
    auto page = client.ListObjects(bucket, prefix, token, max_keys);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok()) return keys;
    ++*pages;
    EXPECT_LE(page->objects.size(), static_cast<size_t>(max_keys));
    for (const auto& o : page->objects) keys.push_back(o.key);
    if (!page->truncated) return keys;
    token = page->next_continuation_token;
  }
}

void CheckObjectLifecycle(const S3TestServer& server) {
  S3Client s3 = MakeClient(server);
  ASSERT_TRUE(s3.CreateBucket("life").ok()) << s3.CreateBucket("life").message();
  Status again = s3.CreateBucket("life");
  EXPECT_TRUE(again.ok()) << "CreateBucket is idempotent: " << again.message();

  std::string body = R"({"id":"job-1","text":"a lighthouse"})";
  Status put = s3.PutObject("life", "results/job-1.json", body, "application/json");
  ASSERT_TRUE(put.ok()) << put.message();
  auto got = s3.GetObject("life", "results/job-1.json");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, body);

  auto head = s3.HeadObject("life", "results/job-1.json");
  ASSERT_TRUE(head.ok()) << head.status().message();
  EXPECT_EQ(head->size, body.size());
  EXPECT_EQ(head->content_type, "application/json");
  EXPECT_FALSE(head->etag.empty());

  // Replacing keeps one object with the new bytes.
  ASSERT_TRUE(s3.PutObject("life", "results/job-1.json", "{}", "application/json").ok());
  EXPECT_EQ(*s3.GetObject("life", "results/job-1.json"), "{}");
  int pages = 0;
  EXPECT_EQ(AllKeys(s3, "life", "", 1000, &pages), std::vector<std::string>{"results/job-1.json"});

  // Binary bodies round-trip; the size limit refuses bigger ones.
  std::string blob = altscribe::testing::RandomBytes(300'000, 7);
  ASSERT_TRUE(s3.PutObject("life", "blob.bin", blob).ok());
  EXPECT_EQ(*s3.GetObject("life", "blob.bin"), blob);
  auto too_big = s3.GetObject("life", "blob.bin", 100'000);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), Code::kTooLarge);
  EXPECT_EQ(too_big.status().message(),
            "s3: GET life/blob.bin: response is larger than the 100 KB limit");

  ASSERT_TRUE(s3.DeleteObject("life", "results/job-1.json").ok());
  auto gone = s3.GetObject("life", "results/job-1.json");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), Code::kNotFound);
  EXPECT_EQ(gone.status().message(),
            "s3: GET life/results/job-1.json: 404 NoSuchKey: The specified key does not exist.");
  auto head_gone = s3.HeadObject("life", "results/job-1.json");
  ASSERT_FALSE(head_gone.ok());
  EXPECT_EQ(head_gone.status().code(), Code::kNotFound);
  EXPECT_EQ(head_gone.status().message(), "s3: HEAD life/results/job-1.json: 404 Not Found");
  EXPECT_TRUE(s3.DeleteObject("life", "results/job-1.json").ok()) << "deleting twice is fine";

  auto no_bucket = s3.GetObject("no-such-bucket", "k");
  ASSERT_FALSE(no_bucket.ok());
  EXPECT_EQ(no_bucket.status().code(), Code::kNotFound);
  EXPECT_NE(no_bucket.status().message().find("s3: GET no-such-bucket/k: 404 NoSuchBucket"),
            std::string::npos)
      << no_bucket.status().message();
}

void CheckKeysThatNeedEncoding(const S3TestServer& server) {
  const std::vector<std::string> keys = {"a b.json",
                                         "c+d.json",
                                         "e:f.json",
                                         "at%3A%2F%2Fdid.json",
                                         "dir/sub/x=y&z.json",
                                         "ünïcödé/ключ 🖼.json",
                                         "~tilde'quote(paren)!*.json"};
  for (bool path_style : {true, false}) {
    SCOPED_TRACE(path_style ? "path style" : "virtual-host style");
    S3Client s3 = MakeClient(server, path_style);
    std::string bucket = path_style ? "keys-path" : "keys-vhost";
    ASSERT_TRUE(s3.CreateBucket(bucket).ok()) << s3.CreateBucket(bucket).message();
    for (const std::string& key : keys) {
      Status put = s3.PutObject(bucket, key, "body of " + key, "text/plain");
      ASSERT_TRUE(put.ok()) << key << ": " << put.message();
    }
    for (const std::string& key : keys) {
      auto got = s3.GetObject(bucket, key);
      ASSERT_TRUE(got.ok()) << key << ": " << got.status().message();
      EXPECT_EQ(*got, "body of " + key);
      EXPECT_TRUE(s3.HeadObject(bucket, key).ok()) << key;
    }
    int pages = 0;
    std::vector<std::string> listed = AllKeys(s3, bucket, "", 1000, &pages);
    std::vector<std::string> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(listed, sorted);
    auto under = AllKeys(s3, bucket, "ünïcödé/", 1000, &pages);
    EXPECT_EQ(under, std::vector<std::string>{"ünïcödé/ключ 🖼.json"});
    for (const std::string& key : keys) EXPECT_TRUE(s3.DeleteObject(bucket, key).ok()) << key;
    EXPECT_TRUE(AllKeys(s3, bucket, "", 1000, &pages).empty());
  }
}

void CheckListWithPrefixAndContinuation(const S3TestServer& server) {
  S3Client s3 = MakeClient(server);
  ASSERT_TRUE(s3.CreateBucket("listing").ok()) << s3.CreateBucket("listing").message();
  std::vector<std::string> wanted;
  for (int i = 0; i < 7; ++i) {
    std::string key = "results/job-" + std::to_string(i) + ".json";
    wanted.push_back(key);
    ASSERT_TRUE(s3.PutObject("listing", key, std::to_string(i)).ok());
  }
  ASSERT_TRUE(s3.PutObject("listing", "other/x.json", "x").ok());
  ASSERT_TRUE(s3.PutObject("listing", "resultsX.json", "x").ok());

  int pages = 0;
  EXPECT_EQ(AllKeys(s3, "listing", "results/", 3, &pages), wanted);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(AllKeys(s3, "listing", "results/", 7, &pages), wanted);
  EXPECT_EQ(pages, 1);
  EXPECT_EQ(AllKeys(s3, "listing", "", 1000, &pages).size(), 9u);
  EXPECT_TRUE(AllKeys(s3, "listing", "nothing/", 2, &pages).empty());

  auto page = s3.ListObjects("listing", "results/", "", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].size, 1u);
  EXPECT_FALSE(page->objects[0].etag.empty());

  EXPECT_EQ(s3.ListObjects("listing", "", "", 0).status().message(),
            "s3: LIST listing: max-keys must be 1..1000");
}

void CheckPresignedGetNeedsNoCredentials(const S3TestServer& server) {
  S3Client s3 = MakeClient(server);
  ASSERT_TRUE(s3.CreateBucket("shared").ok()) << s3.CreateBucket("shared").message();
  ASSERT_TRUE(s3.PutObject("shared", "out/a b+c.json", "{\"ok\":true}", "application/json").ok());
  auto url = s3.PresignGet("shared", "out/a b+c.json", std::chrono::seconds(300));
  ASSERT_TRUE(url.ok()) << url.status().message();
  http::Limits limits;
  auto fetched = http::Get(*url, limits);  // plain GET: no credentials, no signing
  ASSERT_TRUE(fetched.ok()) << fetched.status().message();
  EXPECT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_EQ(fetched->body, "{\"ok\":true}");
}

constexpr char kWrongSecret[] = "not-the-secret-Zq8w";

void CheckWrongSecretIsRefusedAndWritesNothing(const S3TestServer& server) {
  S3Client good = MakeClient(server);
  ASSERT_TRUE(good.CreateBucket("guarded").ok()) << good.CreateBucket("guarded").message();
  S3Client bad = MakeClient(server, true, kWrongSecret);
  Status put = bad.PutObject("guarded", "results/x.json", "{}", "application/json");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.message(),
            "s3: PUT guarded/results/x.json: 403 SignatureDoesNotMatch: The request signature "
            "we calculated does not match the signature you provided. Check your key and "
            "signing method.");
  EXPECT_EQ(put.message().find('\n'), std::string::npos);
  auto head = good.HeadObject("guarded", "results/x.json");
  EXPECT_EQ(head.status().code(), Code::kNotFound) << "nothing was written";
  int pages = 0;
  EXPECT_TRUE(AllKeys(good, "guarded", "", 1000, &pages).empty());
}

void CheckTheSecretNeverAppearsInAnError(const S3TestServer& server) {
  S3Client bad = MakeClient(server, true, kWrongSecret);
  S3Client good = MakeClient(server);
  ASSERT_TRUE(good.CreateBucket("secrets").ok()) << good.CreateBucket("secrets").message();
  ASSERT_TRUE(good.PutObject("secrets", "k", "v").ok());
  std::vector<Status> errors = {
      bad.CreateBucket("secrets2"),
      bad.PutObject("secrets", "k2", "v"),
      bad.GetObject("secrets", "k").status(),
      bad.HeadObject("secrets", "k").status(),
      bad.DeleteObject("secrets", "k"),
      bad.ListObjects("secrets", "").status(),
      bad.GetObject("Bad_Bucket", "k").status(),
      good.GetObject("secrets", "missing").status(),
  };
  S3ClientOptions closed;
  closed.endpoint = "http://127.0.0.1:" + std::to_string(altscribe::testing::FreeLoopbackPort());
  auto unreachable = S3Client::Create(closed, S3Credentials{"test:tester", kWrongSecret, ""});
  ASSERT_TRUE(unreachable.ok());
  errors.push_back(unreachable->PutObject("secrets", "k", "v"));
  for (const Status& e : errors) {
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.message().find(kWrongSecret), std::string::npos) << e.message();
    EXPECT_EQ(e.message().find("testing"), std::string::npos) << e.message();
    EXPECT_EQ(e.message().find('\n'), std::string::npos) << e.message();
  }
  EXPECT_EQ(errors.back().code(), Code::kNetwork);
  EXPECT_EQ(errors.back().message().rfind("s3: PUT secrets/k: cannot connect to 127.0.0.1:", 0), 0u)
      << errors.back().message();
}

void CheckPresignedUrlExpiresAndCannotBeTampered(const S3TestServer& server) {
  S3Client s3 = MakeClient(server);
  ASSERT_TRUE(s3.CreateBucket("presign").ok()) << s3.CreateBucket("presign").message();
  ASSERT_TRUE(s3.PutObject("presign", "ünï/job 1.json", "{\"id\":1}", "application/json").ok());
  http::Limits limits;

  auto url = s3.PresignGet("presign", "ünï/job 1.json", std::chrono::seconds(60));
  ASSERT_TRUE(url.ok()) << url.status().message();
  auto ok = http::Get(*url, limits);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->body, "{\"id\":1}");

  // Signed two hours ago for one minute: expired.
  auto old = s3.PresignGet("presign", "ünï/job 1.json", std::chrono::seconds(60),
                           std::chrono::system_clock::now() - std::chrono::hours(2));
  ASSERT_TRUE(old.ok());
  auto expired = http::Get(*old, limits);
  ASSERT_TRUE(expired.ok()) << expired.status().message();
  EXPECT_EQ(expired->status, 403);
  EXPECT_NE(expired->body.find("<Code>AccessDenied</Code>"), std::string::npos) << expired->body;
  EXPECT_EQ(expired->body.find("{\"id\":1}"), std::string::npos);

  // One hex digit of the signature changed.
  std::string tampered = *url;
  char& last = tampered.back();
  last = last == '0' ? '1' : '0';
  auto refused = http::Get(tampered, limits);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos)
      << refused->body;

  // Another key under the same signature.
  std::string other_key = *url;
  other_key.replace(other_key.find("job%201"), 7, "job%202");
  auto wrong_key = http::Get(other_key, limits);
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_EQ(wrong_key->status, 403);

  // A presigned URL signed with the wrong secret.
  S3Client bad = MakeClient(server, true, kWrongSecret);
  auto forged =
      http::Get(*bad.PresignGet("presign", "ünï/job 1.json", std::chrono::seconds(60)), limits);
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(forged->status, 403);
}

// s3rver: quick to start, one server per test.
class S3rverClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.status().ok()) << server_.status().message(); }
  S3rverServer server_;
};

TEST_F(S3rverClientTest, ObjectLifecycle) { CheckObjectLifecycle(server_); }
TEST_F(S3rverClientTest, KeysThatNeedEncoding) { CheckKeysThatNeedEncoding(server_); }
TEST_F(S3rverClientTest, ListWithPrefixAndContinuation) {
  CheckListWithPrefixAndContinuation(server_);
}
TEST_F(S3rverClientTest, PresignedGetNeedsNoCredentials) {
  CheckPresignedGetNeedsNoCredentials(server_);
}

// Swift verifies SigV4, so every check runs against it too, and the ones that need a server
// that says no run only here. One server for all: it takes seconds to start.
TEST(SwiftS3Client, EveryOperationWithVerifiedSignatures) {
  SwiftS3Server server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  using Check = void (*)(const S3TestServer&);
  const std::pair<const char*, Check> checks[] = {
      {"ObjectLifecycle", &CheckObjectLifecycle},
      {"KeysThatNeedEncoding", &CheckKeysThatNeedEncoding},
      {"ListWithPrefixAndContinuation", &CheckListWithPrefixAndContinuation},
      {"PresignedGetNeedsNoCredentials", &CheckPresignedGetNeedsNoCredentials},
      {"WrongSecretIsRefusedAndWritesNothing", &CheckWrongSecretIsRefusedAndWritesNothing},
      {"TheSecretNeverAppearsInAnError", &CheckTheSecretNeverAppearsInAnError},
      {"PresignedUrlExpiresAndCannotBeTampered", &CheckPresignedUrlExpiresAndCannotBeTampered},
  };
  for (const auto& [name, check] : checks) {
    SCOPED_TRACE(name);
    check(server);
  }
}

TEST(S3Client, CreateRefusesBadConfiguration) {
  S3Credentials c{"AK", "SK", ""};
  S3ClientOptions o;
  o.endpoint = "http://127.0.0.1:9/path";
  EXPECT_EQ(S3Client::Create(o, c).status().message(),
            "s3: endpoint 'http://127.0.0.1:9/path' must be scheme://host[:port] without a path");
  o.endpoint = "ftp://h";
  EXPECT_EQ(S3Client::Create(o, c).status().message(),
            "s3: endpoint: unsupported URL scheme 'ftp' (only http and https)");
  o.endpoint = "http://127.0.0.1:9";
  EXPECT_EQ(S3Client::Create(o, S3Credentials{"AK", "", ""}).status().message(),
            "s3: empty access key id or secret access key");
  auto client = S3Client::Create(o, c);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->PutObject("Bad_Bucket", "k", "v").message(),
            "s3: invalid bucket name 'Bad_Bucket' (3-63 characters: a-z, 0-9, '-', '.')");
  EXPECT_EQ(client->PutObject("bucket", std::string(1025, 'k'), "v").message(),
            "s3: key is 1025 bytes, over S3's 1024-byte limit");
  EXPECT_EQ(client->PutObject("bucket", "", "v").message(), "s3: PUT bucket: empty key");
}

}  // namespace
}  // namespace altscribe::storage
