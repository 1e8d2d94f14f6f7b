#include "cli/flags.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/log.h"

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
  ::chmod(p.c_str(), 0600);  // as a secret file should be (no warning)
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

// What the code under test writes to stderr (the log) while `fn` runs.
template <typename Fn>
std::string StderrOf(Fn fn) {
  std::string path = testing::TempDir() + "/stderr-" + std::to_string(::getpid());
  std::fflush(stderr);
  int saved = ::dup(2);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, 2);
  ::close(fd);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::ifstream in(path);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(path.c_str());
  return out;
}

TEST(Flags, SecretFileReadableByOthersIsReadWithOneWarning) {
  SetLogLevel(LogLevel::kWarn);
  std::string p = testing::TempDir() + "/open-secret";
  std::ofstream(p) << "hunter2-very-secret\n";
  ASSERT_EQ(::chmod(p.c_str(), 0644), 0);
  Result<std::string> secret = Status::Internal("not read");
  std::string log = StderrOf([&] { secret = ReadSecretFile(p); });
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(*secret, "hunter2-very-secret");
  EXPECT_EQ(log, "altscribe: warn: secret file " + p +
                     " is readable or writable by group or others (mode 0644); run chmod 600 " + p +
                     "\n");
  EXPECT_EQ(log.find("hunter2"), std::string::npos);

  // Group-writable, and through ReadSecret's $NAME_FILE: the same one line.
  ASSERT_EQ(::chmod(p.c_str(), 0620), 0);
  ::unsetenv("ALTSCRIBE_TEST_SECRET");
  ::setenv("ALTSCRIBE_TEST_SECRET_FILE", p.c_str(), 1);
  log = StderrOf([&] { secret = ReadSecret("ALTSCRIBE_TEST_SECRET"); });
  ::unsetenv("ALTSCRIBE_TEST_SECRET_FILE");
  ASSERT_TRUE(secret.ok()) << secret.status().message();
  EXPECT_EQ(*secret, "hunter2-very-secret");
  EXPECT_NE(log.find("(mode 0620); run chmod 600 " + p), std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  EXPECT_EQ(log.find("hunter2"), std::string::npos);

  // Owner-only: no warning.
  for (mode_t mode : {0600, 0400}) {
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
    log = StderrOf([&] { secret = ReadSecretFile(p); });
    ASSERT_TRUE(secret.ok()) << secret.status().message();
    EXPECT_EQ(*secret, "hunter2-very-secret");
    EXPECT_EQ(log, "") << std::oct << mode;
  }
  ::unlink(p.c_str());
}

void RegisterTwice() {
  FlagSet f("serve");
  int64_t a = 0, b = 0;
  f.Int("threads", &a, "model threads");
  f.Int("threads", &b, "HTTP threads");
}

TEST(FlagSetDeathTest, AFlagRegisteredTwiceIsAProgrammingError) {
  EXPECT_DEATH(RegisterTwice(), "flag --threads registered twice");
}

}  // namespace
}  // namespace altscribe::cli
