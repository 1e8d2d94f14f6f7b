// storage/s3_options_test.cc — the --results-s3 URL form, and every malformed one.
#include "storage/s3_options.h"

#include <gtest/gtest.h>

namespace altscribe::storage {
namespace {

TEST(S3Options, FullForm) {
  auto o = S3Options::Parse(
      "s3://alt-results/prod/v1?endpoint=http://127.0.0.1:4569&region=eu-west-1&path_style=1");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->bucket, "alt-results");
  EXPECT_EQ(o->prefix, "prod/v1/");
  EXPECT_EQ(o->endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(o->region, "eu-west-1");
  EXPECT_TRUE(o->path_style);
  S3ClientOptions c = o->ClientOptions();
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_TRUE(c.path_style);
}

TEST(S3Options, DefaultsAreAwsVirtualHost) {
  auto o = S3Options::Parse("s3://bucket");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->prefix, "");
  EXPECT_EQ(o->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(o->region, "us-east-1");
  EXPECT_FALSE(o->path_style);
  auto eu = S3Options::Parse("s3://bucket/?region=eu-central-1");
  ASSERT_TRUE(eu.ok());
  EXPECT_EQ(eu->endpoint, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(eu->prefix, "");
}

TEST(S3Options, EndpointImpliesPathStyleUnlessSaid) {
  auto o = S3Options::Parse("s3://bucket/p/?endpoint=http%3A%2F%2Fs3.localhost%3A9000%2F");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->endpoint, "http://s3.localhost:9000");
  EXPECT_EQ(o->prefix, "p/");
  EXPECT_TRUE(o->path_style);
  auto vhost = S3Options::Parse("s3://bucket?endpoint=http://s3.localhost:9000&path_style=0");
  ASSERT_TRUE(vhost.ok());
  EXPECT_FALSE(vhost->path_style);
}

TEST(S3Options, ToUrlParsesBack) {
  auto o = S3Options::Parse("s3://bucket/a b/c?endpoint=http://127.0.0.1:1&path_style=0");
  ASSERT_TRUE(o.ok()) << o.status().message();
  auto again = S3Options::Parse(o->ToUrl());
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->bucket, o->bucket);
  EXPECT_EQ(again->prefix, "a b/c/");
  EXPECT_EQ(again->endpoint, o->endpoint);
  EXPECT_EQ(again->region, o->region);
  EXPECT_EQ(again->path_style, o->path_style);
}

TEST(S3Options, BadUrlsAreOneLineErrors) {
  struct Case {
    const char* url;
    const char* message;
  };
  const Case cases[] = {
      {"http://bucket/x", "expected s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path_style=0|1]"},
      {"s3://", "no bucket in the URL"},
      {"s3:///prefix", "no bucket in the URL"},
      {"s3://Bad_Bucket", "invalid bucket name 'Bad_Bucket' (3-63 characters: a-z, 0-9, '-', '.')"},
      {"s3://ab", "invalid bucket name 'ab' (3-63 characters: a-z, 0-9, '-', '.')"},
      {"s3://AKIA:secret@bucket",
       "credentials do not go in the URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
       "--s3-credentials-file"},
      {"s3://bucket?regoin=x",
       "unknown parameter 'regoin' (expected endpoint, region, path_style)"},
      {"s3://bucket?region=a&region=b", "parameter 'region' given twice"},
      {"s3://bucket?region=", "empty region"},
      {"s3://bucket?path_style=yes", "path_style must be 0 or 1, not 'yes'"},
      {"s3://bucket?endpoint=ftp://x",
       "endpoint: unsupported URL scheme 'ftp' (only http and https)"},
      {"s3://bucket?endpoint=http://h:1/path",
       "endpoint 'http://h:1/path' must be http(s)://host[:port] without a path"},
      {"s3://bucket?endpoint=http://k:s@h:1",
       "credentials do not go in the endpoint URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
       "or --s3-credentials-file"},
      {"s3://bucket/%zz", "bad percent-encoding in the prefix"},
  };
  for (const Case& c : cases) {
    auto o = S3Options::Parse(c.url);
    ASSERT_FALSE(o.ok()) << c.url;
    EXPECT_EQ(o.status().code(), Code::kInvalidArgument) << c.url;
    EXPECT_EQ(o.status().message(), c.message) << c.url;
  }
}

}  // namespace
}  // namespace altscribe::storage
