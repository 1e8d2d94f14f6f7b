#include "http/url.h"

#include <gtest/gtest.h>

namespace altscribe::http {
namespace {

TEST(UrlTest, ParsesHttpAndHttps) {
  auto u = ParseHttpUrl("https://huggingface.co/org/repo/resolve/main/model.gguf?download=1");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "huggingface.co");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/org/repo/resolve/main/model.gguf");
  EXPECT_EQ(HostPort(*u), "huggingface.co:443");

  u = ParseHttpUrl("HTTP://127.0.0.1:8080");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/");

  u = ParseHttpUrl("http://[::1]:9/x");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(HostPort(*u), "[::1]:9");
}

TEST(UrlTest, RejectsOtherSchemesAndGarbage) {
  auto u = ParseHttpUrl("ftp://example.com/file");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(u.status().message(), "unsupported URL scheme 'ftp' (only http and https)");

  EXPECT_EQ(ParseHttpUrl("file:///etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("example.com/x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("http://exa mple.com/").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseHttpUrl("").status().code(), Code::kInvalidArgument);
}

TEST(UrlTest, IsHttpUrl) {
  EXPECT_TRUE(IsHttpUrl("http://x"));
  EXPECT_TRUE(IsHttpUrl("HTTPS://x"));
  EXPECT_FALSE(IsHttpUrl("photo.jpg"));
  EXPECT_FALSE(IsHttpUrl("ftp://x"));
  EXPECT_FALSE(IsHttpUrl("/tmp/http://x"));
}

TEST(UrlTest, FileName) {
  EXPECT_EQ(UrlFileName("https://h/a/b/model.gguf"), "model.gguf");
  EXPECT_EQ(UrlFileName("https://h/a/model%20v2.gguf?download=true#x"), "model v2.gguf");
  EXPECT_EQ(UrlFileName("https://h/"), "");
  EXPECT_EQ(UrlFileName("https://h"), "");
  EXPECT_EQ(UrlFileName("https://h/a/.."), "");
  EXPECT_EQ(UrlFileName("https://h/a/..%2F..%2Fetc"), "");
  EXPECT_EQ(UrlFileName("https://h/a/%00x"), "");
}

TEST(UrlTest, DisplayDropsCredentials) {
  EXPECT_EQ(UrlForDisplay("https://user:secret@h.example/x?y=1"), "https://h.example/x?y=1");
  EXPECT_EQ(UrlForDisplay("https://h.example/a@b"), "https://h.example/a@b");
  EXPECT_EQ(UrlForDisplay("not a url"), "not a url");
}

}  // namespace
}  // namespace altscribe::http
