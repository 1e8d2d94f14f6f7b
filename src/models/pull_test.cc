// Tests of models::Pull against a real HTTP server on 127.0.0.1.
#include "models/pull.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/sha256.h"
#include "http_server.h"
#include "models/catalogue.h"
#include "test_env.h"

namespace altscribe::models {
namespace {

using altscribe::testing::RandomBytes;
using altscribe::testing::ReadWholeFile;
using altscribe::testing::WriteWholeFile;

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    dir_ = altscribe::testing::MakeTempDir("pull");
    out_ = open_memstream(&out_buf_, &out_size_);
    options_.dir = dir_;
    options_.out = out_;
    options_.tty = false;
  }
  void TearDown() override {
    std::fclose(out_);
    std::free(out_buf_);
  }
  std::string Output() {
    std::fflush(out_);
    return std::string(out_buf_, out_size_);
  }

  altscribe::testing::HttpServer server_;
  std::string dir_;
  char* out_buf_ = nullptr;
  size_t out_size_ = 0;
  FILE* out_ = nullptr;
  PullOptions options_;
};

TEST_F(PullTest, DownloadsAndVerifiesAFile) {
  std::string data = RandomBytes(400'000);
  server_.ServeBytes("/repo/resolve/main/model.gguf", data);
  options_.target = server_.Url("/repo/resolve/main/model.gguf?download=true");
  options_.sha256 = Sha256Hex(data);
  Status s = Pull(options_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadWholeFile(dir_ + "/model.gguf"), data);
  EXPECT_EQ(DirEntries(dir_), std::vector<std::string>{"model.gguf"});
  std::string out = Output();
  EXPECT_THAT(out, HasSubstr("model.gguf: downloading from "));
  EXPECT_THAT(out, HasSubstr("model.gguf: 100% (400 KB of 400 KB"));
  EXPECT_THAT(out, HasSubstr("model.gguf: verifying SHA-256"));
  EXPECT_THAT(out, HasSubstr("model.gguf: saved " + dir_ + "/model.gguf (400 KB)"));

  // A second pull finds it and fetches nothing.
  s = Pull(options_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_THAT(Output(), HasSubstr("model.gguf: already present (400 KB), skipping"));
  EXPECT_EQ(server_.RequestCount("/repo/resolve/main/model.gguf"), 1u);
}

TEST_F(PullTest, ResumesAnInterruptedDownload) {
  std::string data = RandomBytes(500'000, 2);
  server_.ServeBytes("/model.gguf", data, {.cut_after = 123'456});
  options_.target = server_.Url("/model.gguf");
  options_.sha256 = Sha256Hex(data);
  Status s = Pull(options_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNetwork);
  EXPECT_THAT(s.message(), HasSubstr("run again to resume"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/model.gguf"));
  EXPECT_EQ(ReadWholeFile(dir_ + "/model.gguf.part"), data.substr(0, 123'456));

  s = Pull(options_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadWholeFile(dir_ + "/model.gguf"), data);
  EXPECT_EQ(DirEntries(dir_), std::vector<std::string>{"model.gguf"});
  auto requests = server_.Requests("/model.gguf");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].HasHeader("Range"));
  EXPECT_EQ(requests[1].Header("Range"), "bytes=123456-");
  EXPECT_THAT(Output(), HasSubstr("model.gguf: resuming at 123 KB from "));
}

TEST_F(PullTest, ChecksumMismatchLeavesNothing) {
  std::string data = RandomBytes(10'000, 3);
  server_.ServeBytes("/model.gguf", data);
  options_.target = server_.Url("/model.gguf");
  std::string wrong = Sha256Hex("something else");
  options_.sha256 = wrong;
  Status s = Pull(options_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_THAT(s.message(), StartsWith("checksum mismatch for model.gguf: expected " + wrong +
                                      ", got " + Sha256Hex(data)));
  EXPECT_TRUE(DirEntries(dir_).empty());
}

TEST_F(PullTest, ChecksumIsCaseInsensitiveAndValidated) {
  std::string data = RandomBytes(1'000, 4);
  server_.ServeBytes("/model.gguf", data);
  options_.target = server_.Url("/model.gguf");
  std::string upper = Sha256Hex(data);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  options_.sha256 = upper;
  Status s = Pull(options_);
  ASSERT_TRUE(s.ok()) << s.message();

  options_.sha256 = "abc";
  s = Pull(options_);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "--sha256 expects 64 hex digits, got 'abc'");
}

TEST_F(PullTest, NotFoundWritesNothing) {
  options_.target = server_.Url("/missing.gguf");
  Status s = Pull(options_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "HTTP 404 Not Found from " + server_.Url("/missing.gguf"));
  EXPECT_TRUE(DirEntries(dir_).empty());
}

TEST_F(PullTest, DiskFullIsAClearErrorAndLeavesNoFinalFile) {
  std::string data = RandomBytes(1'000'000, 5);
  server_.ServeBytes("/big.gguf", data);
  options_.target = server_.Url("/big.gguf");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    options_.out = std::fopen("/dev/null", "w");
    Status st = Pull(options_);
    std::string msg = st.ok() ? "OK" : st.message();
    (void)!::write(pipe_fds[1], msg.data(), msg.size());
    ::_exit(st.ok() ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus)) << "child died of signal " << WTERMSIG(wstatus);
  EXPECT_EQ(WEXITSTATUS(wstatus), 1);
  EXPECT_THAT(msg, StartsWith("disk full or file too large while writing " + dir_ +
                              "/big.gguf.part: File too large"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/big.gguf"));
}

TEST_F(PullTest, PullsACataloguePairFromAMirror) {
  const CatalogueEntry* entry = FindCatalogueEntry("smolvlm-256m");
  ASSERT_NE(entry, nullptr);
  std::string model = RandomBytes(30'000, 6), mmproj = RandomBytes(20'000, 7);
  std::string base = "/" + entry->repo + "/resolve/main/";
  server_.ServeBytes(base + entry->model.file, model);
  server_.ServeBytes(base + entry->mmproj.file, mmproj);
  options_.target = "SmolVLM-256M";
  options_.hf_endpoint = server_.Url("/");
  options_.hf_token = "hf_secret";
  Status s = Pull(options_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadWholeFile(dir_ + "/" + entry->model.file), model);
  EXPECT_EQ(ReadWholeFile(dir_ + "/" + entry->mmproj.file), mmproj);
  EXPECT_EQ(server_.Requests(base + entry->model.file)[0].Header("Authorization"),
            "Bearer hf_secret");
  EXPECT_THAT(Output(), HasSubstr("smolvlm-256m is ready: altscribe describe --model " + dir_ +
                                  "/" + entry->model.file));
}

TEST_F(PullTest, TokenGoesOnlyToHuggingFace) {
  server_.ServeBytes("/model.gguf", "GGUF");
  options_.target = server_.Url("/model.gguf");
  options_.hf_token = "hf_secret";
  ASSERT_TRUE(Pull(options_).ok());
  EXPECT_FALSE(server_.Requests("/model.gguf")[0].HasHeader("Authorization"));
}

TEST_F(PullTest, BadTargets) {
  options_.target = "no-such-model";
  Status s = Pull(options_);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(),
            "unknown model 'no-such-model' (see 'altscribe model list', or give an http(s) URL)");

  options_.target = "smolvlm-256m";
  options_.sha256 = std::string(64, 'a');
  EXPECT_EQ(Pull(options_).code(), Code::kInvalidArgument);

  options_.sha256 = "";
  options_.target = server_.Url("/");
  s = Pull(options_);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_THAT(s.message(), StartsWith("cannot tell a file name from URL"));

  options_.target = "ftp://example.com/model.gguf";
  s = Pull(options_);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "unsupported URL scheme 'ftp' (only http and https)");
  EXPECT_TRUE(DirEntries(dir_).empty());
}

TEST_F(PullTest, RefusesWhileAnotherProcessHoldsThePartFile) {
  server_.ServeBytes("/model.gguf", "GGUF");
  options_.target = server_.Url("/model.gguf");
  int fd = ::open((dir_ + "/model.gguf.part").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // a different open file description: conflicts
  Status s = Pull(options_);
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("is being written by another altscribe process"));
  ::close(fd);
  EXPECT_EQ(server_.RequestCount("/model.gguf"), 0u);
  EXPECT_TRUE(Pull(options_).ok());
}

}  // namespace
}  // namespace altscribe::models
