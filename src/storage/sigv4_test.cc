// storage/sigv4_test.cc — SigV4 pieces against published vectors (AWS docs, RFC 4231).
#include "storage/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>

namespace altscribe::storage {
namespace {

std::string Hex(const std::string& raw) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// 2013-05-24T00:00:00Z, the time of AWS's presigned URL example.
std::chrono::system_clock::time_point May24_2013() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1369353600));
}

TEST(UriEncode, KeepsOnlyUnreservedBytes) {
  EXPECT_EQ(UriEncode("AZaz09-._~", false), "AZaz09-._~");
  EXPECT_EQ(UriEncode("a b+c:d/e", false), "a%20b%2Bc%3Ad%2Fe");
  EXPECT_EQ(UriEncode("a b+c:d/e", true), "a%20b%2Bc%3Ad/e");
  EXPECT_EQ(UriEncode("ü", true), "%C3%BC");
  EXPECT_EQ(UriEncode("%", true), "%25");
}

TEST(CanonicalQuery, EncodesAndSortsByName) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "jobs/a b"}, {"list-type", "2"}, {"max-keys", "5"}}),
            "list-type=2&max-keys=5&prefix=jobs%2Fa%20b");
  EXPECT_EQ(CanonicalQuery({}), "");
}

TEST(HmacSha256, Rfc4231TestCase2) {
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AmzDate, IsUtcBasicFormat) { EXPECT_EQ(AmzDate(May24_2013()), "20130524T000000Z"); }

// The example in the S3 docs, "Authenticating Requests: Using Query Parameters (AWS Signature
// Version 4)", with the key pair printed in those docs (a documentation example, not a
// credential of any account): the expected URL is the docs' own.
TEST(PresignUrl, MatchesTheAwsExample) {
  PresignRequest r;
  r.scheme = "https";
  r.host = "examplebucket.s3.amazonaws.com";
  r.encoded_path = "/test.txt";
  r.region = "us-east-1";
  r.access_key = "AKIAIOSFODNN7EXAMPLE";
  r.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  r.expires = std::chrono::seconds(86400);
  r.now = May24_2013();
  auto url = PresignUrl(r);
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(*url,
            "https://examplebucket.s3.amazonaws.com/test.txt"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(PresignUrl, SessionTokenIsSignedIn) {
  PresignRequest r;
  r.scheme = "http";
  r.host = "127.0.0.1:9000";
  r.encoded_path = "/b/k";
  r.region = "us-east-1";
  r.access_key = "AK";
  r.secret_key = "SK";
  r.now = May24_2013();
  auto plain = PresignUrl(r);
  r.session_token = "tok/en+";
  auto with_token = PresignUrl(r);
  ASSERT_TRUE(plain.ok() && with_token.ok());
  EXPECT_NE(with_token->find("&X-Amz-Security-Token=tok%2Fen%2B&"), std::string::npos);
  EXPECT_NE(plain->substr(plain->find("X-Amz-Signature=")),
            with_token->substr(with_token->find("X-Amz-Signature=")));
}

TEST(PresignUrl, RefusesExpiryOutsideS3Limits) {
  PresignRequest r;
  r.scheme = "http";
  r.host = "h";
  r.encoded_path = "/b/k";
  r.region = "us-east-1";
  r.access_key = "AK";
  r.secret_key = "SK";
  r.expires = std::chrono::seconds(0);
  auto zero = PresignUrl(r);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "presigned URL expiry must be 1 s to 7 days, not 0 s");
  r.expires = std::chrono::hours(24 * 7) + std::chrono::seconds(1);
  EXPECT_EQ(PresignUrl(r).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace altscribe::storage
