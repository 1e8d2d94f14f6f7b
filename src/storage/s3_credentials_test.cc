// storage/s3_credentials_test.cc — credentials from the environment and from a file.
#include "storage/s3_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "test_env.h"

namespace altscribe::storage {
namespace {

using altscribe::testing::MakeTempDir;
using altscribe::testing::WriteWholeFile;

// A placeholder standing in for a secret key (not a credential of anything): the tests check it
// is read back and never shown in an error or the log.
constexpr char kPlaceholder[] = "placeholder-value-for-tests";

class EnvGuard {
 public:
  EnvGuard() { Clear(); }
  ~EnvGuard() { Clear(); }

 private:
  static void Clear() {
    for (const char* n : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
      ::unsetenv(n);
    }
  }
};

TEST(S3Credentials, FromEnv) {
  EnvGuard guard;
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", kPlaceholder, 1);
  auto c = S3Credentials::FromEnv();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(c->secret_access_key, kPlaceholder);
  EXPECT_EQ(c->session_token, "");
  ::setenv("AWS_SESSION_TOKEN", "token", 1);
  EXPECT_EQ(S3Credentials::FromEnv()->session_token, "token");
}

TEST(S3Credentials, FromEnvMissingSecret) {
  EnvGuard guard;
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
  auto c = S3Credentials::FromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNotFound);
  EXPECT_EQ(c.status().message(),
            "S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use "
            "--s3-credentials-file");
}

TEST(S3Credentials, FromFile) {
  std::string path = MakeTempDir("creds") + "/s3.txt";
  WriteWholeFile(path, std::string("# comment\n\n  access_key_id = test:tester \n") +
                           "secret_access_key=" + kPlaceholder + "\nsession_token = tok\n");
  ::chmod(path.c_str(), 0600);
  ::testing::internal::CaptureStderr();
  auto c = S3Credentials::FromFile(path);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "test:tester");
  EXPECT_EQ(c->secret_access_key, kPlaceholder);
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(log, "");
}

TEST(S3Credentials, WarnsWhenOthersCanReadTheFile) {
  std::string path = MakeTempDir("creds") + "/s3.txt";
  WriteWholeFile(path,
                 std::string("access_key_id = AK\nsecret_access_key = ") + kPlaceholder + "\n");
  ::chmod(path.c_str(), 0644);
  ::testing::internal::CaptureStderr();
  auto c = S3Credentials::FromFile(path);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NE(log.find("S3 credentials file " + path +
                     " is readable or writable by group or others (mode 0644); run chmod 600"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(kPlaceholder), std::string::npos);
}

TEST(S3Credentials, BadFilesAreOneLineErrorsWithoutTheSecret) {
  std::string dir = MakeTempDir("creds");
  struct Case {
    std::string text;
    std::string message;  // after "<path>"
  };
  std::string s = kPlaceholder;
  const Case cases[] = {
      {"access_key_id = AK\n" + s + "\n", ":2: expected key = value"},
      {"access_key_id = AK\nsecret = " + s + "\n",
       ":2: unknown key 'secret' (expected access_key_id, secret_access_key, session_token)"},
      {"access_key_id = AK\n" + s + "x=y\n",
       ":2: unknown key (expected access_key_id, secret_access_key, session_token)"},
      {"access_key_id = AK\naccess_key_id = AK2\n", ":2: access_key_id given twice"},
      {"access_key_id =\n", ":1: access_key_id is empty"},
      {"secret_access_key = " + s + "\n", ": access_key_id is missing"},
      {"access_key_id = AK\n", ": secret_access_key is missing"},
  };
  int i = 0;
  for (const Case& c : cases) {
    std::string path = dir + "/c" + std::to_string(i++);
    WriteWholeFile(path, c.text);
    ::chmod(path.c_str(), 0600);
    auto r = S3Credentials::FromFile(path);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), path + c.message);
    EXPECT_EQ(r.status().message().find(kPlaceholder), std::string::npos);
  }
  auto missing = S3Credentials::FromFile(dir + "/none");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir + "/none"), std::string::npos);
}

}  // namespace
}  // namespace altscribe::storage
