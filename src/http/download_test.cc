// Tests of http::DownloadToFile against a real HTTP server on 127.0.0.1.
#include "http/download.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <cstdint>

#include <filesystem>
#include <fstream>
#include <random>

#include "http_server.h"
#include "test_env.h"

namespace altscribe::http {
namespace {

using altscribe::testing::RandomBytes;
using altscribe::testing::ReadWholeFile;
using altscribe::testing::WriteWholeFile;

using altscribe::testing::BytesOptions;
using altscribe::testing::HttpReply;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class DownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    dir_ = altscribe::testing::MakeTempDir("download");
    part_ = dir_ + "/file.part";
  }

  altscribe::testing::HttpServer server_;
  std::string dir_, part_;
  DownloadOptions options_;
};

TEST_F(DownloadTest, DownloadsAWholeFile) {
  std::string data = RandomBytes(300'000, 7);
  server_.ServeBytes("/f", data);
  uint64_t last_done = 0, last_total = 0;
  int calls = 0;
  options_.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
    ++calls;
  };
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size, data.size());
  EXPECT_EQ(r->transferred, data.size());
  EXPECT_EQ(r->resumed_from, 0u);
  EXPECT_FALSE(r->already_complete);
  EXPECT_EQ(ReadWholeFile(part_), data);
  EXPECT_GT(calls, 1);
  EXPECT_EQ(last_done, data.size());
  EXPECT_EQ(last_total, data.size());
  EXPECT_FALSE(server_.Requests("/f")[0].HasHeader("Range"));
}

TEST_F(DownloadTest, ResumesAfterAnInterruptedTransfer) {
  std::string data = RandomBytes(200'000, 7);
  server_.ServeBytes("/f", data, {.cut_after = 70'000});
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNetwork);
  EXPECT_THAT(r.status().message(), HasSubstr("got 70 KB of 200 KB, run again to resume"));
  EXPECT_EQ(ReadWholeFile(part_), data.substr(0, 70'000));

  r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->resumed_from, 70'000u);
  EXPECT_EQ(r->transferred, 130'000u);
  EXPECT_EQ(r->size, data.size());
  EXPECT_EQ(ReadWholeFile(part_), data);
  auto requests = server_.Requests("/f");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].Header("Range"), "bytes=70000-");
}

TEST_F(DownloadTest, RestartsWhenTheServerIgnoresRange) {
  std::string data = RandomBytes(50'000, 7);
  server_.ServeBytes("/f", data, {.ranges = false});
  WriteWholeFile(part_, std::string(20'000, 'x'));  // not even the right bytes
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->resumed_from, 0u);
  EXPECT_EQ(ReadWholeFile(part_), data);
  EXPECT_EQ(server_.Requests("/f")[0].Header("Range"), "bytes=20000-");
}

TEST_F(DownloadTest, AlreadyCompleteFileGets416) {
  std::string data = RandomBytes(10'000, 7);
  server_.ServeBytes("/f", data);
  WriteWholeFile(part_, data);
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->already_complete);
  EXPECT_EQ(r->size, data.size());
  EXPECT_EQ(r->transferred, 0u);
  EXPECT_EQ(ReadWholeFile(part_), data);
}

TEST_F(DownloadTest, PartialFileLongerThanTheRemoteStartsOver) {
  std::string data = RandomBytes(10'000, 7);
  server_.ServeBytes("/f", data);
  WriteWholeFile(part_, RandomBytes(15'000, 99));
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->already_complete);
  EXPECT_EQ(ReadWholeFile(part_), data);
  auto requests = server_.Requests("/f");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[1].HasHeader("Range"));
}

TEST_F(DownloadTest, NotFoundWritesNothing) {
  auto r = DownloadToFile(server_.Url("/missing.gguf"), part_, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "HTTP 404 Not Found from " + server_.Url("/missing.gguf"));
  EXPECT_FALSE(std::filesystem::exists(part_));
}

TEST_F(DownloadTest, ServerErrorKeepsThePartialFile) {
  server_.Reply("/f", HttpReply{.status = 503, .body = "maintenance"});
  WriteWholeFile(part_, "abc");
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNetwork);
  EXPECT_EQ(r.status().message(), "HTTP 503 Service Unavailable from " + server_.Url("/f"));
  EXPECT_EQ(ReadWholeFile(part_), "abc");
}

TEST_F(DownloadTest, FollowsRedirects) {
  std::string data = RandomBytes(5'000, 7);
  server_.Redirect("/resolve/main/f", "/cdn/f");
  server_.ServeBytes("/cdn/f", data);
  auto r = DownloadToFile(server_.Url("/resolve/main/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadWholeFile(part_), data);
  EXPECT_EQ(r->effective_url, server_.Url("/cdn/f"));
}

TEST_F(DownloadTest, CloseDelimitedBody) {
  std::string data = RandomBytes(80'000, 7);
  server_.ServeBytes("/f", data, {.ranges = false, .content_length = false});
  uint64_t last_total = 1;
  options_.progress = [&](uint64_t, uint64_t total) { last_total = total; };
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(ReadWholeFile(part_), data);
  EXPECT_EQ(last_total, 0u);
}

TEST_F(DownloadTest, SizeLimit) {
  server_.ServeBytes("/f", RandomBytes(20'000, 7));
  options_.max_bytes = 10'000;
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_EQ(r.status().message(), server_.Url("/f") + " is larger than the 10 KB limit");

  server_.ServeBytes("/g", RandomBytes(20'000, 7), {.content_length = false});
  r = DownloadToFile(server_.Url("/g"), dir_ + "/g.part", options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
}

TEST_F(DownloadTest, StalledTransferTimesOutAndKeepsWhatArrived) {
  HttpReply reply;
  reply.body = RandomBytes(100'000, 7);
  reply.stall_after = 500;  // curl averages the speed over a few seconds: keep that low
  reply.stall = std::chrono::milliseconds(30'000);
  server_.Reply("/f", reply);
  options_.low_speed_bytes = 1000;
  options_.low_speed_time = std::chrono::seconds(1);
  auto start = std::chrono::steady_clock::now();
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.status().code(), Code::kTimeout);
  EXPECT_THAT(r.status().message(), StartsWith("transfer from 127.0.0.1:"));
  EXPECT_THAT(r.status().message(), HasSubstr("stalled"));
  EXPECT_EQ(ReadWholeFile(part_), reply.body.substr(0, 500));
}

TEST_F(DownloadTest, UnwritablePath) {
  server_.ServeBytes("/f", "data");
  auto r = DownloadToFile(server_.Url("/f"), dir_ + "/no/such/dir/f.part", options_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
  EXPECT_THAT(r.status().message(), StartsWith("cannot open " + dir_ + "/no/such/dir/f.part: "));
}

TEST_F(DownloadTest, BlockPrivateAddresses) {
  server_.ServeBytes("/f", "data");
  options_.block_private_addresses = true;
  auto r = DownloadToFile(server_.Url("/f"), part_, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith("refusing to connect to private address"));
  EXPECT_FALSE(std::filesystem::exists(part_));
}

TEST_F(DownloadTest, RejectsBadUrls) {
  EXPECT_EQ(DownloadToFile("ftp://x/y", part_, options_).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace altscribe::http
