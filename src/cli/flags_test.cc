#include "cli/flags.h"

#include <gtest/gtest.h>
#include <cstdint>

#include <cstdlib>
#include <fstream>

namespace altscribe::cli {
namespace {

TEST(Flags, ParsesFormsAndPositionals) {
  std::string model;
  int64_t n = 0;
  bool json = false;
  FlagSet f("describe");
  f.String("model", &model, "m");
  f.Int("max-tokens", &n, "n");
  f.Bool("json", &json, "j");
  std::vector<std::string> pos;
  ASSERT_TRUE(
      f.Parse({"a.jpg", "--model", "m.gguf", "--max-tokens=7", "--json", "b.png"}, &pos).ok());
  EXPECT_EQ(model, "m.gguf");
  EXPECT_EQ(n, 7);
  EXPECT_TRUE(json);
  EXPECT_EQ(pos, (std::vector<std::string>{"a.jpg", "b.png"}));
}

TEST(Flags, EnvironmentFillsFlagsNotGiven) {
  ::setenv("ALTSCRIBE_MAX_TOKENS", "42", 1);
  ::setenv("ALTSCRIBE_MODEL", "from-env.gguf", 1);
  std::string model;
  int64_t n = 0;
  FlagSet f("describe");
  f.String("model", &model, "m");
  f.Int("max-tokens", &n, "n");
  std::vector<std::string> pos;
  ASSERT_TRUE(f.Parse({"--model", "flag.gguf"}, &pos).ok());
  EXPECT_EQ(model, "flag.gguf");  // the command line wins
  EXPECT_EQ(n, 42);
  ::unsetenv("ALTSCRIBE_MAX_TOKENS");
  ::unsetenv("ALTSCRIBE_MODEL");
}

TEST(Flags, ClearErrors) {
  int64_t n = 0;
  FlagSet f("describe");
  f.Int("max-tokens", &n, "n");
  std::vector<std::string> pos;
  Status s = f.Parse({"--nope"}, &pos);
  EXPECT_EQ(s.message(), "unknown flag --nope (see altscribe describe --help)");
  s = f.Parse({"--max-tokens", "lots"}, &pos);
  EXPECT_EQ(s.message(), "--max-tokens expects a whole number, got 'lots'");
  s = f.Parse({"--max-tokens"}, &pos);
  EXPECT_EQ(s.message(), "--max-tokens needs a value");
  ::setenv("ALTSCRIBE_MAX_TOKENS", "x", 1);
  s = f.Parse({}, &pos);
  EXPECT_EQ(s.message(), "ALTSCRIBE_MAX_TOKENS expects a whole number, got 'x'");
  ::unsetenv("ALTSCRIBE_MAX_TOKENS");
}

TEST(Flags, HelpStopsParsing) {
  FlagSet f("describe");
  std::vector<std::string> pos;
  ASSERT_TRUE(f.Parse({"--help", "--nope"}, &pos).ok());
  EXPECT_TRUE(f.help_requested());
}

TEST(Flags, SecretsComeFromEnvOrFile) {
  ::unsetenv("ALTSCRIBE_TEST_SECRET");
  ::unsetenv("ALTSCRIBE_TEST_SECRET_FILE");
  EXPECT_EQ(*ReadSecret("ALTSCRIBE_TEST_SECRET"), "");
  std::string p = testing::TempDir() + "/secret";
  std::ofstream(p) << "s3cret\n";
  ::setenv("ALTSCRIBE_TEST_SECRET_FILE", p.c_str(), 1);
  EXPECT_EQ(*ReadSecret("ALTSCRIBE_TEST_SECRET"), "s3cret");
  ::setenv("ALTSCRIBE_TEST_SECRET", "direct", 1);
  EXPECT_EQ(*ReadSecret("ALTSCRIBE_TEST_SECRET"), "direct");
  ::unsetenv("ALTSCRIBE_TEST_SECRET");
  ::setenv("ALTSCRIBE_TEST_SECRET_FILE", "/nonexistent/secret", 1);
  auto r = ReadSecret("ALTSCRIBE_TEST_SECRET");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ALTSCRIBE_TEST_SECRET_FILE"), std::string::npos);
  ::unsetenv("ALTSCRIBE_TEST_SECRET_FILE");
}

}  // namespace
}  // namespace altscribe::cli
