// The job spec: its fields as Bacalhau wants them, the inline job, and no secrets anywhere.
#include "bacalhau/job_spec.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "bacalhau/schema_check.h"
#include "core/sha256.h"

extern char** environ;

namespace altscribe::bacalhau {
namespace {

using json = nlohmann::json;

jobs::Job TwoImageJob() {
  jobs::Job job;
  job.id = "at://did:plc:abc/app.bsky.feed.post/3k";
  job.images.push_back({.url = "https://cdn.bsky.app/img/feed_fullsize/plain/a@jpeg"});
  job.images.push_back({.url = "https://pds.example.com/xrpc/com.atproto.sync.getBlob?cid=b"});
  return job;
}

testing::SchemaCheck Schema() {
  auto s = testing::SchemaCheck::Load(ALTSCRIBE_BACALHAU_TESTDATA);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return std::move(s).value();
}

TEST(JobSpec, FieldsAreTheOnesBacalhauReads) {
  JobSpecOptions o;
  o.image = "registry.example/altscribe-worker:1";
  o.constraints = {{"gpu", "=", {"true"}}};
  auto body = BuildPutJobRequest(TwoImageJob(), o);
  ASSERT_TRUE(body.ok()) << body.status().message();
  const json& job = (*body)["Job"];
  EXPECT_EQ((*body)["Force"], false);
  EXPECT_EQ(job["Type"], "batch");
  EXPECT_EQ(job["Count"], 1);
  EXPECT_FALSE(job.contains("Name"));
  EXPECT_FALSE(job.contains("ID"));
  EXPECT_EQ(job["Labels"], json({{"app", "altscribe"}}));
  EXPECT_EQ(job["Meta"], json({{"altscribe-job", "at://did:plc:abc/app.bsky.feed.post/3k"}}));
  EXPECT_EQ(job["Constraints"][0], json({{"Key", "gpu"}, {"Operator", "="}, {"Values", {"true"}}}));
  ASSERT_EQ(job["Tasks"].size(), 1u);
  const json& task = job["Tasks"][0];
  EXPECT_EQ(task["Name"], "main");
  EXPECT_EQ(task["Engine"]["Type"], "docker");
  EXPECT_EQ(task["Engine"]["Params"]["Image"], "registry.example/altscribe-worker:1");
  EXPECT_EQ(task["Engine"]["Params"]["Entrypoint"], json({"altscribe"}));
  EXPECT_EQ(task["Engine"]["Params"]["Parameters"],
            json({"worker", "--job", "/inputs/job.json", "--out", "/outputs/result.json"}));
  // Resources are strings on the wire.
  EXPECT_EQ(task["Resources"], json({{"CPU", "2"}, {"Memory", "16Gb"}, {"GPU", "1"}}));
  EXPECT_EQ(task["ResultPaths"], json::parse(R"([{"Name":"outputs","Path":"/outputs"}])"));
  EXPECT_EQ(task["Publisher"], json({{"Type", "s3managed"}}));
  EXPECT_EQ(task["Network"]["Type"], "HTTP");
  EXPECT_EQ(task["Network"]["Domains"], json({"cdn.bsky.app", "pds.example.com"}));
  EXPECT_EQ(task["Timeouts"],
            json({{"QueueTimeout", 120}, {"ExecutionTimeout", 300}, {"TotalTimeout", 600}}));
  EXPECT_FALSE(task.contains("Env"));
  Status valid = Schema().Check(*body, "apimodels.PutJobRequest");
  EXPECT_TRUE(valid.ok()) << valid.message();
}

TEST(JobSpec, InlineInputDecodesBackToTheJobWithTheHeldBytesHash) {
  jobs::Job job = TwoImageJob();
  auto bytes = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>{1, 2, 3});
  job.images[0].bytes = bytes;
  auto body = BuildPutJobRequest(job, {});
  ASSERT_TRUE(body.ok()) << body.status().message();
  const json& input = (*body)["Job"]["Tasks"][0]["InputSources"][0];
  EXPECT_EQ(input["Target"], "/inputs/job.json");
  EXPECT_EQ(input["Source"]["Type"], "inline");
  std::string url = input["Source"]["Params"]["URL"];
  EXPECT_EQ(url.rfind("data:application/json;base64,", 0), 0u);
  auto text = DecodeDataUrl(url);
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto back = jobs::Job::FromJson(*text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, job.id);
  ASSERT_EQ(back->images.size(), 2u);
  EXPECT_EQ(back->images[1].url, job.images[1].url);
  EXPECT_EQ(back->images[0].sha256, Sha256Hex(std::string("\x01\x02\x03", 3)));
  EXPECT_FALSE(back->images[1].sha256.has_value());
}

TEST(JobSpec, CarriesNoCredentialThisProcessHolds) {
  setenv("BACALHAU_API_KEY", "bac-key-5f1c0a9e", 1);
  setenv("ALTSCRIBE_APP_PASSWORD", "app-pass-77aa-bb11", 1);
  setenv("ALTSCRIBE_ENDPOINT_KEY", "sk-endpoint-3141592653", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-2718281828", 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIAFAKE0000", 1);
  JobSpecOptions o;
  o.publisher = "s3";
  o.s3_bucket = "results";
  o.s3_region = "eu-west-1";
  auto body = BuildPutJobRequest(TwoImageJob(), o);
  ASSERT_TRUE(body.ok()) << body.status().message();
  std::string text = body->dump();
  auto inline_job = DecodeDataUrl(
      (*body)["Job"]["Tasks"][0]["InputSources"][0]["Source"]["Params"]["URL"].get<std::string>());
  ASSERT_TRUE(inline_job.ok());
  int scanned = 0;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    std::string name = entry.substr(0, eq), value = entry.substr(eq + 1);
    bool credential = false;
    for (const char* word : {"KEY", "SECRET", "TOKEN", "PASSWORD", "PASS", "CREDENTIAL", "AUTH"}) {
      credential = credential || name.find(word) != std::string::npos;
    }
    if (!credential || value.size() < 6) continue;
    ++scanned;
    EXPECT_EQ(text.find(value), std::string::npos) << name << " is in the spec";
    EXPECT_EQ(inline_job->find(value), std::string::npos) << name << " is in the inline job";
  }
  EXPECT_GE(scanned, 5);
  EXPECT_EQ((*body)["Job"]["Tasks"][0]["Publisher"],
            json::parse(R"({"Type":"s3","Params":{"Bucket":"results","Region":"eu-west-1"}})"));
}

TEST(JobSpec, AllowListBecomesDomainsAndExtrasAreAdded) {
  JobSpecOptions o;
  o.allowed_hosts = {"cdn.bsky.app", "*.bsky.network"};
  o.extra_domains = {"huggingface.co"};
  o.gpu = "";
  auto body = BuildPutJobRequest(TwoImageJob(), o);
  ASSERT_TRUE(body.ok());
  const json& task = (*body)["Job"]["Tasks"][0];
  EXPECT_EQ(task["Network"]["Domains"], json({"cdn.bsky.app", ".bsky.network", "huggingface.co"}));
  EXPECT_FALSE(task["Resources"].contains("GPU"));
  EXPECT_TRUE(Schema().Check(*body, "apimodels.PutJobRequest").ok());
}

TEST(JobSpec, BadInputsAreRefusedWithOneLine) {
  jobs::Job labelled = TwoImageJob();
  labelled.images[0].url = "blob:bafyabc";
  labelled.images[0].bytes = std::make_shared<const std::vector<uint8_t>>(3, 0);
  auto r = BuildPutJobRequest(labelled, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "job at://did:plc:abc/app.bsky.feed.post/3k: images[0]: the bacalhau executor sends "
            "URLs only, and 'blob:bafyabc' is not an http(s) URL");

  struct Case {
    JobSpecOptions o;
    std::string error;
  };
  std::vector<Case> cases(5);
  cases[0].o.publisher = "ipfs";
  cases[0].error = "bacalhau: publisher: expected s3managed or s3, got 'ipfs'";
  cases[1].o.cpu = "two";
  cases[1].error = "bacalhau: cpu: expected a quantity like \"2\" or \"500m\"";
  cases[2].o.gpu = "1.5";
  cases[2].error = "bacalhau: gpu: expected a count like \"1\"";
  cases[3].o.publisher = "s3";
  cases[3].error = "bacalhau: publisher s3 needs a bucket";
  cases[4].o.constraints = {{"gpu", "~", {}}};
  cases[4].error = "bacalhau: constraint gpu: unknown operator '~'";
  for (const Case& c : cases) {
    auto b = BuildPutJobRequest(TwoImageJob(), c.o);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().message(), c.error);
  }
}

TEST(SchemaCheck, CatchesSpecDrift) {
  auto body = BuildPutJobRequest(TwoImageJob(), {});
  ASSERT_TRUE(body.ok());
  testing::SchemaCheck schema = Schema();
  struct Drift {
    const char* pointer;
    json value;
    const char* error;
  };
  std::vector<Drift> drifts = {
      {"/Job/Tasks/0/Resources/CPU", 2, "Job.Tasks[0].Resources.CPU: expected string, got number"},
      {"/Job/Tasks/0/Network/Type", 4, "Job.Tasks[0].Network.Type: expected string, got number"},
      {"/Job/Type", "batchjob",
       "Job.Type: not one of [\"batch\",\"ops\",\"service\",\"daemon\"]: \"batchjob\""},
      {"/Job/Tasks/0/Timeouts/QueueTimeout", "120",
       "Job.Tasks[0].Timeouts.QueueTimeout: expected integer, got string"},
      {"/Job/Tasks/0/Env", json({{"BACALHAU_X", "1"}}),
       "Job.Tasks[0].Env: key BACALHAU_X is not allowed"},
      {"/Job/Labels/app", 1, "Job.Labels.app: expected string, got number"},
  };
  for (const Drift& d : drifts) {
    json bad = *body;
    bad[json::json_pointer(d.pointer)] = d.value;
    Status st = schema.Check(bad, "apimodels.PutJobRequest");
    EXPECT_EQ(st.message(), d.error) << d.pointer;
  }
  json no_engine = *body;
  no_engine["Job"]["Tasks"][0].erase("Engine");
  EXPECT_EQ(schema.Check(no_engine, "apimodels.PutJobRequest").message(),
            "Job.Tasks[0].Engine: required");
}

}  // namespace
}  // namespace altscribe::bacalhau
