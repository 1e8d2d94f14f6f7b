#include "serve/access.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "test_env.h"

namespace altscribe::serve {
namespace {

namespace t = altscribe::testing;
using Kind = AccessDecision::Kind;

TEST(Access, WithoutTokensOnlyLoopbackIsAllowed) {
  Access access({});
  EXPECT_EQ(access.Check("", "127.0.0.1").kind, Kind::kAllowed);
  EXPECT_EQ(access.Check("", "127.8.9.10").kind, Kind::kAllowed);
  EXPECT_EQ(access.Check("", "::1").kind, Kind::kAllowed);
  EXPECT_EQ(access.Check("", "::ffff:127.0.0.1").kind, Kind::kAllowed);
  AccessDecision d = access.Check("Bearer anything", "192.168.1.20");
  EXPECT_EQ(d.kind, Kind::kForbidden);
  EXPECT_NE(d.message.find("only loopback"), std::string::npos);
  EXPECT_EQ(access.Check("", "10.0.0.1").kind, Kind::kForbidden);
  EXPECT_EQ(access.Check("", "::ffff:10.0.0.1").kind, Kind::kForbidden);
  EXPECT_EQ(access.Check("", "not an address").kind, Kind::kForbidden);
}

TEST(Access, WithTokensEveryCallerNeedsOne) {
  Access access({"alpha-secret", "beta-secret"});
  EXPECT_EQ(access.Check("", "127.0.0.1").kind, Kind::kUnauthorized);
  EXPECT_EQ(access.Check("Bearer wrong", "127.0.0.1").kind, Kind::kUnauthorized);
  EXPECT_EQ(access.Check("Basic alpha-secret", "127.0.0.1").kind, Kind::kUnauthorized);
  EXPECT_EQ(access.Check("Bearer alpha-secre", "127.0.0.1").kind, Kind::kUnauthorized);
  AccessDecision d = access.Check("Bearer beta-secret", "203.0.113.9");
  EXPECT_EQ(d.kind, Kind::kAllowed);
  EXPECT_EQ(d.caller, "token 2");  // named by position, never by value
  EXPECT_EQ(access.Check("bearer alpha-secret", "::1").caller, "token 1");
}

TEST(Access, TokenFilesSkipCommentsAndRejectEmptyFiles) {
  std::string dir = t::MakeTempDir("access");
  std::string good = t::WriteWholeFile(dir + "/tokens", "# ops\nalpha\n\n  beta  \r\n");
  auto tokens = Access::ParseTokenFile(good);
  ASSERT_TRUE(tokens.ok()) << tokens.status().message();
  EXPECT_EQ(*tokens, (std::vector<std::string>{"alpha", "beta"}));
  std::string empty = t::WriteWholeFile(dir + "/empty", "# nothing\n\n");
  auto none = Access::ParseTokenFile(empty);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), empty + ": no token in the file");
  EXPECT_FALSE(Access::ParseTokenFile(dir + "/missing").ok());
}

TEST(Access, EnvironmentFileWinsOverTheVariable) {
  std::string file = t::WriteWholeFile(t::MakeTempDir("access-env") + "/t", "from-file\n");
  setenv("ALTSCRIBE_SERVE_TOKEN", "from-env", 1);
  auto env_only = Access::FromEnvironment();
  ASSERT_TRUE(env_only.ok());
  EXPECT_EQ(*env_only, std::vector<std::string>{"from-env"});
  setenv("ALTSCRIBE_SERVE_TOKEN_FILE", file.c_str(), 1);
  auto both = Access::FromEnvironment();
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(*both, std::vector<std::string>{"from-file"});
  unsetenv("ALTSCRIBE_SERVE_TOKEN_FILE");
  unsetenv("ALTSCRIBE_SERVE_TOKEN");
  EXPECT_TRUE(Access::FromEnvironment()->empty());
}

}  // namespace
}  // namespace altscribe::serve
