// The orchestrator client against the wire fake: shapes, paging, one-line APIErrors, auth.
#include "bacalhau/client.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "bacalhau/fake_server.h"
#include "bacalhau/job_spec.h"

namespace altscribe::bacalhau {
namespace {

using testing::FakeOptions;
using testing::FakeOrchestrator;

jobs::Job OneImageJob(const std::string& id) {
  jobs::Job job;
  job.id = id;
  job.images.push_back({.url = "https://cdn.example.com/a.jpg"});
  return job;
}

class ClientTest : public ::testing::Test {
 protected:
  void StartFake(FakeOptions o) {
    fake_ = std::make_unique<FakeOrchestrator>(std::move(o));
    ASSERT_TRUE(fake_->Start().ok());
  }
  Client MakeClient(const std::string& key = "") {
    ClientOptions o;
    o.endpoint = fake_->Url();
    o.api_key = key;
    return Client(o);
  }
  std::unique_ptr<FakeOrchestrator> fake_;
};

TEST_F(ClientTest, SubmitFollowAndReadResults) {
  StartFake({.api_key = "k-123456"});
  Client c = MakeClient("k-123456");
  EXPECT_EQ(*c.Version(), "v1.9.3");
  EXPECT_TRUE(c.Alive().ok());
  auto id = c.Submit(*BuildPutJobRequest(OneImageJob("job-1"), {}));
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->rfind("j-", 0), 0u);
  std::vector<std::string> states;
  for (int i = 0; i < 4; ++i) states.push_back(c.Get(*id, false)->state);
  EXPECT_EQ(states, (std::vector<std::string>{"Pending", "Queued", "Running", "Completed"}));
  auto info = c.Get(*id, true);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->our_job_id, "job-1");
  ASSERT_EQ(info->executions.size(), 1u);
  EXPECT_EQ(info->executions[0].compute_state, 9);
  EXPECT_TRUE(info->executions[0].has_run_output);
  EXPECT_FALSE(info->executions[0].stdout_truncated);
  EXPECT_EQ(c.Executions(*id)->size(), 1u);
  auto results = c.Results(*id);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].type, "s3PreSigned");
  auto archive = c.FetchPresigned((*results)[0].presigned_url);
  ASSERT_TRUE(archive.ok()) << archive.status().message();
  // The pre-signed GET went without our key; every API call carried it.
  for (const auto& r : fake_->Requests()) {
    if (r.path.rfind("/results/", 0) == 0) {
      EXPECT_EQ(r.authorization, "");
    } else if (r.path.rfind("/api/v1/orchestrator/", 0) == 0) {
      EXPECT_EQ(r.authorization, "Bearer k-123456");
    }
  }
}

TEST_F(ClientTest, ListByLabelReadsEveryPage) {
  StartFake({.page_size = 1});
  Client c = MakeClient();
  for (const char* id : {"a", "b", "c"})
    ASSERT_TRUE(c.Submit(*BuildPutJobRequest(OneImageJob(id), {})).ok());
  auto list = c.ListByLabel("app", "altscribe");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].our_job_id, "c");
  EXPECT_EQ(c.ListByLabel("app", "other")->size(), 0u);
  EXPECT_EQ(fake_->Count("GET", "/api/v1/orchestrator/jobs"), 4u);  // 3 pages + 1
}

TEST_F(ClientTest, ApiErrorsAreOneLineAndNeverShowTheKey) {
  StartFake({.api_key = "right-key-abcdef"});
  auto body = *BuildPutJobRequest(OneImageJob("x"), {});
  auto unauthorized = MakeClient("wrong-key-123456").Submit(body);
  EXPECT_EQ(unauthorized.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(unauthorized.status().message(),
            "bacalhau: PUT /api/v1/orchestrator/jobs: HTTP 401 Unauthorized: missing or invalid "
            "authorization token");
  Client c = MakeClient("right-key-abcdef");
  fake_->FailNext("PUT", 500, "boltdb: database is locked\nretry later");
  auto server = c.Submit(body);
  EXPECT_EQ(server.status().code(), Code::kNetwork);
  EXPECT_EQ(server.status().message(),
            "bacalhau: PUT /api/v1/orchestrator/jobs: HTTP 500 Internal Server Error: boltdb: "
            "database is locked retry later");
  nlohmann::json bad = body;
  bad["Job"]["Tasks"][0]["Resources"]["GPU"] = 1;
  auto invalid = c.Submit(bad);
  EXPECT_EQ(invalid.status().message(),
            "bacalhau: PUT /api/v1/orchestrator/jobs: HTTP 400 Bad Request: invalid job spec: "
            "Job.Tasks[0].Resources.GPU: expected string, got number");
  EXPECT_EQ(fake_->Rejections().size(), 1u);
  auto missing = c.Get("j-nope", false);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "bacalhau: GET /api/v1/orchestrator/jobs/j-nope: HTTP 404 Not Found: job not found: "
            "j-nope");
  for (const Status& st : {unauthorized.status(), server.status(), invalid.status()}) {
    EXPECT_EQ(st.message().find("key-"), std::string::npos);
    EXPECT_EQ(st.message().find('\n'), std::string::npos);
  }
}

TEST(ClientKey, FromEnvOrFile) {
  setenv("BACALHAU_API_KEY", "  env-key \n", 1);
  EXPECT_EQ(*LoadApiKey(), "env-key");
  unsetenv("BACALHAU_API_KEY");
  std::string path = ::testing::TempDir() + "/bacalhau_key";
  FILE* f = fopen(path.c_str(), "w");
  fputs("file-key\n", f);
  fclose(f);
  setenv("BACALHAU_API_KEY_FILE", path.c_str(), 1);
  EXPECT_EQ(*LoadApiKey(), "file-key");
  setenv("BACALHAU_API_KEY_FILE", "/nonexistent/bacalhau_key", 1);
  EXPECT_EQ(LoadApiKey().status().message(),
            "cannot read BACALHAU_API_KEY_FILE /nonexistent/bacalhau_key");
  unsetenv("BACALHAU_API_KEY_FILE");
  EXPECT_EQ(*LoadApiKey(), "");
}

}  // namespace
}  // namespace altscribe::bacalhau
