// storage/result_archive_test.cc — results archived in real S3 servers (s3rver, Swift), read
// back, and delivered by ArchivingExecutor whether or not the archive works.
#include "storage/result_archive.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "s3_servers.h"
#include "storage/archiving_executor.h"

namespace altscribe::storage {
namespace {

using altscribe::testing::S3rverServer;
using altscribe::testing::S3TestServer;
using altscribe::testing::SwiftS3Server;

constexpr char kJobId[] = "at://did:plc:abc/app.bsky.feed.post/3k";

jobs::Job MakeJob(const std::string& id, int images = 1) {
  jobs::Job job;
  job.id = id;
  for (int i = 0; i < images; ++i) {
    jobs::JobImage image;
    image.url = "https://cdn.example/img" + std::to_string(i) + ".jpg";
    job.images.push_back(image);
  }
  return job;
}

jobs::JobResult MakeResult(const jobs::Job& job, const std::string& text) {
  jobs::JobResult r;
  r.id = job.id;
  for (size_t i = 0; i < job.images.size(); ++i) {
    jobs::JobItem item;
    item.index = static_cast<int>(i);
    item.text = text + " " + std::to_string(i);
    r.items.push_back(item);
  }
  r.model = "tiny";
  r.worker = "test@loopback";
  r.timings.total_ms = 12.5;
  return r;
}

// An executor that finishes every job at once, on the submitting thread; jobs whose id starts
// with "lost" come back as not finished.
class ImmediateExecutor : public jobs::Executor {
 public:
  Status Submit(jobs::Job job, Done done) override {
    if (job.id.rfind("lost", 0) == 0) {
      done(Status::Network("worker lost"));
    } else {
      done(MakeResult(job, "described"));
    }
    return Status::Ok();
  }
  void Shutdown(std::chrono::milliseconds) override {}
};

S3Options OptionsFor(const S3TestServer& server, const std::string& bucket) {
  auto o = S3Options::Parse("s3://" + bucket + "/alt?endpoint=" + server.endpoint() +
                            "&region=us-east-1&path_style=1");
  EXPECT_TRUE(o.ok()) << o.status().message();
  return *o;
}

S3Credentials CredentialsFor(const S3TestServer& server) {
  return S3Credentials{server.access_key(), server.secret_key(), ""};
}

void CheckRoundTrip(const S3TestServer& server) {
  auto archive = ResultArchive::Open(OptionsFor(server, "archive"), CredentialsFor(server));
  ASSERT_TRUE(archive.ok()) << archive.status().message();
  const ResultArchive& a = **archive;
  EXPECT_EQ(a.KeyFor(kJobId),
            "alt/results/at%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F3k.json");

  auto none = a.Load(kJobId);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->has_value());

  jobs::Job job = MakeJob(kJobId, 2);
  ASSERT_TRUE(a.Store(MakeResult(job, "first")).ok());
  jobs::JobResult second = MakeResult(job, "second");
  Status stored = a.Store(second);
  ASSERT_TRUE(stored.ok()) << stored.message();
  // Stored twice (a redelivered job): still one object, holding the last result.
  auto page = a.client().ListObjects("archive", "alt/results/");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, a.KeyFor(kJobId));
  auto head = a.client().HeadObject("archive", a.KeyFor(kJobId));
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->content_type, "application/json");

  auto loaded = a.Load(kJobId);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->ToJsonText(), second.ToJsonText());
  EXPECT_EQ((*loaded)->items[1].text, "second 1");

  // Opening again (a restarted bot) finds the same result; the bucket is not recreated.
  auto reopened = ResultArchive::Open(OptionsFor(server, "archive"), CredentialsFor(server));
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  auto again = (*reopened)->Load(kJobId);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->ToJsonText(), second.ToJsonText());

  // Objects that are not a result for that job are clear errors.
  ASSERT_TRUE(a.client().PutObject("archive", a.KeyFor("bad"), "not json").ok());
  auto bad = a.Load("bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("results archive: archive/alt/results/bad.json: ", 0), 0u)
      << bad.status().message();
  ASSERT_TRUE(a.client().PutObject("archive", a.KeyFor("other"), second.ToJsonText()).ok());
  EXPECT_EQ(a.Load("other").status().message(),
            "results archive: archive/alt/results/other.json holds the result of another job");
}

void CheckExecutorArchivesEveryResult(const S3TestServer& server) {
  auto opened = ResultArchive::Open(OptionsFor(server, "executor"), CredentialsFor(server));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::shared_ptr<const ResultArchive> archive = std::move(opened).value();
  ArchivingExecutor executor(std::make_unique<ImmediateExecutor>(), archive);
  for (const std::string& id :
       {std::string(kJobId), std::string("job-2"), std::string("job:3+plus")}) {
    jobs::Job job = MakeJob(id, 2);
    auto result = jobs::SubmitAndWait(executor, job);
    ASSERT_TRUE(result.ok()) << result.status().message();
    EXPECT_EQ(result->id, id);
    ASSERT_EQ(result->items.size(), 2u);
    auto stored = archive->Load(id);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    ASSERT_TRUE(stored->has_value()) << id << " is in the bucket when done() runs";
    EXPECT_EQ((*stored)->ToJsonText(), result->ToJsonText());
  }
  // A job that did not finish is passed through, and nothing is archived for it.
  auto lost = jobs::SubmitAndWait(executor, MakeJob("lost-1"));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().message(), "worker lost");
  auto nothing = archive->Load("lost-1");
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->has_value());
  auto page = archive->client().ListObjects("executor", "alt/results/");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects.size(), 3u);
  executor.Shutdown(jobs::Executor::kDrainAll);
}

TEST(ResultArchiveS3rver, RoundTrip) {
  S3rverServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  CheckRoundTrip(server);
}

TEST(ResultArchiveS3rver, ExecutorArchivesEveryResult) {
  S3rverServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  CheckExecutorArchivesEveryResult(server);
}

// The same against a server that verifies signatures (one server for both: slow to start).
TEST(ResultArchiveSwift, RoundTripAndExecutor) {
  SwiftS3Server server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  {
    SCOPED_TRACE("RoundTrip");
    CheckRoundTrip(server);
  }
  {
    SCOPED_TRACE("ExecutorArchivesEveryResult");
    CheckExecutorArchivesEveryResult(server);
  }
}

TEST(ArchivingExecutor, ArchiveDownStillDeliversTheResult) {
  S3rverServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  auto opened = ResultArchive::Open(OptionsFor(server, "down"), CredentialsFor(server));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::shared_ptr<const ResultArchive> archive = std::move(opened).value();
  ArchivingExecutor executor(std::make_unique<ImmediateExecutor>(), archive);
  server.Stop();

  ::testing::internal::CaptureStderr();
  auto result = jobs::SubmitAndWait(executor, MakeJob("job-while-s3-is-down", 1));
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->id, "job-while-s3-is-down");
  ASSERT_EQ(result->items.size(), 1u);
  EXPECT_EQ(result->items[0].text, "described 0");
  std::string expected_start =
      "altscribe: warn: results archive: s3: PUT down/alt/results/job-while-s3-is-down.json: "
      "cannot connect to 127.0.0.1:";
  EXPECT_EQ(log.rfind(expected_start, 0), 0u) << log;
  EXPECT_NE(log.find("; result delivered without it\n"), std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << "one line: " << log;
}

TEST(ResultArchive, OpenFailsClearlyWhenTheServerIsDown) {
  S3rverServer server;
  ASSERT_TRUE(server.status().ok()) << server.status().message();
  S3Options options = OptionsFor(server, "never");
  server.Stop();
  auto archive = ResultArchive::Open(options, CredentialsFor(server));
  ASSERT_FALSE(archive.ok());
  EXPECT_EQ(archive.status().code(), Code::kNetwork);
  EXPECT_EQ(archive.status().message().rfind("s3: PUT never: cannot connect to 127.0.0.1:", 0), 0u)
      << archive.status().message();
}

}  // namespace
}  // namespace altscribe::storage
