// The Job/JobResult wire contract: round trips, the exact field names, and strict errors for
// malformed network input.
#include "jobs/job.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

namespace altscribe::jobs {
namespace {

using json = nlohmann::json;

Job SampleJob() {
  Job job;
  job.id = "at://did:plc:abc/app.bsky.feed.post/3kxyz#1";
  JobImage a;
  a.url = "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:abc/bafkrei@jpeg";
  a.mime = "image/jpeg";
  a.sha256 = std::string(64, 'a');
  JobImage b;
  b.url = "https://pds.example/xrpc/com.atproto.sync.getBlob?did=did:plc:abc&cid=bafy";
  b.existing_alt = "Ein Hund, der ¿lacht? 🐕";
  job.images = {a, b};
  job.mode = vision::Mode::kDetail;
  job.lang = *vision::Language::Parse("pt-BR");
  job.max_chars = 900;
  job.model = "smolvlm-256m-instruct-q8_0";
  return job;
}

JobResult SampleResult() {
  JobResult r;
  r.id = "job-1";
  JobItem ok;
  ok.index = 0;
  ok.text = "A red house under a blue sky.";
  ok.ocr = "OPEN";
  JobItem bad;
  bad.index = 1;
  bad.error = "not an image: looks like HTML";
  bad.error_code = Code::kInvalidArgument;
  r.items = {ok, bad};
  r.model = "altscribe-test-tiny";
  r.worker = "local@box";
  r.timings.queue_ms = 1.5;
  r.timings.total_ms = 40;
  r.timings.generated_tokens = 12;
  return r;
}

// Parses `text` and returns the error message ("" when it parsed).
std::string JobError(const std::string& text) {
  auto r = Job::FromJson(text);
  return r.ok() ? "" : r.status().message();
}
std::string ResultError(const std::string& text) {
  auto r = JobResult::FromJson(text);
  return r.ok() ? "" : r.status().message();
}

TEST(JobTest, RoundTripKeepsEveryField) {
  Job job = SampleJob();
  ASSERT_TRUE(job.Validate().ok()) << job.Validate().message();
  auto back = Job::FromJson(job.ToJsonText());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, job.id);
  ASSERT_EQ(back->images.size(), 2u);
  EXPECT_EQ(back->images[0].url, job.images[0].url);
  EXPECT_EQ(back->images[0].mime, "image/jpeg");
  EXPECT_EQ(back->images[0].sha256, std::string(64, 'a'));
  EXPECT_FALSE(back->images[0].existing_alt.has_value());
  EXPECT_FALSE(back->images[1].mime.has_value());
  EXPECT_EQ(back->images[1].existing_alt, "Ein Hund, der ¿lacht? 🐕");
  EXPECT_EQ(back->mode, vision::Mode::kDetail);
  EXPECT_EQ(back->lang.tag, "pt-BR");
  EXPECT_EQ(back->max_chars, 900u);
  EXPECT_EQ(back->model, "smolvlm-256m-instruct-q8_0");
  EXPECT_EQ(back->ToJsonText(), job.ToJsonText());
}

TEST(JobTest, WireFieldsAreTheContract) {
  json j = SampleJob().ToJson();
  EXPECT_EQ(j["mode"], "detail");
  EXPECT_EQ(j["lang"], "pt-BR");
  EXPECT_EQ(j["max_chars"], 900);
  EXPECT_EQ(j["images"][0]["mime"], "image/jpeg");
  EXPECT_FALSE(j["images"][1].contains("mime"));  // optional fields are left out, not null
  std::set<std::string> keys;
  for (auto& [k, v] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "images", "mode", "lang", "max_chars", "model"}));
}

TEST(JobTest, InMemoryBytesAreNeverSerialised) {
  Job job = SampleJob();
  job.images[0].bytes = std::make_shared<const std::vector<uint8_t>>(1000, 0xff);
  std::string text = job.ToJsonText();
  EXPECT_EQ(text, SampleJob().ToJsonText());
  auto back = Job::FromJson(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->images[0].bytes, nullptr);
}

TEST(JobTest, ImagesWithBytesMayUseALabel) {
  Job job = SampleJob();
  job.images[0].url = "upload 1";
  EXPECT_FALSE(job.Validate().ok());
  job.images[0].bytes = std::make_shared<const std::vector<uint8_t>>(3, 1);
  EXPECT_TRUE(job.Validate().ok()) << job.Validate().message();
}

TEST(JobTest, UnknownKeysAreIgnoredAndNullMeansAbsent) {
  json j = SampleJob().ToJson();
  j["priority"] = 5;
  j["images"][0]["width"] = 640;
  j["images"][1]["mime"] = nullptr;
  auto back = Job::FromJson(j.dump());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->images[1].mime.has_value());
}

TEST(JobTest, MalformedJsonNamesTheProblem) {
  EXPECT_NE(JobError("").find("job: malformed JSON"), std::string::npos);
  EXPECT_NE(JobError("{\"id\": ").find("malformed JSON"), std::string::npos);
  EXPECT_NE(JobError("\"\xff\"").find("malformed JSON"), std::string::npos);  // bad UTF-8
  EXPECT_EQ(JobError("[1,2]"), "job: expected an object, got array");
  EXPECT_EQ(JobError(std::string(kMaxJobJsonBytes + 1, ' ')),
            "job: document is 1048577 bytes, over the 1048576-byte limit");
}

TEST(JobTest, StrictFieldErrors) {
  auto with = [](const std::function<void(json&)>& edit) {
    json j = SampleJob().ToJson();
    edit(j);
    return JobError(j.dump());
  };
  EXPECT_EQ(with([](json& j) { j.erase("id"); }), "job: missing \"id\"");
  EXPECT_EQ(with([](json& j) { j["id"] = 7; }), "job.id: expected a string, got an integer");
  EXPECT_EQ(with([](json& j) { j["id"] = ""; }), "job.id: is empty");
  EXPECT_EQ(with([](json& j) { j["id"] = "a b"; }),
            "job.id: must be printable ASCII without spaces");
  EXPECT_EQ(with([](json& j) { j["images"] = json::array(); }), "job.images: has no images");
  EXPECT_EQ(with([](json& j) { j["images"] = "x"; }), "job.images: expected an array, got string");
  EXPECT_EQ(with([](json& j) { j["images"] = json::array({1}); }),
            "job.images[0]: expected an object, got an integer");
  EXPECT_EQ(with([](json& j) {
              for (int i = 0; i < 20; ++i) j["images"].push_back(j["images"][0]);
            }),
            "job.images: has 22 images, over the limit of 20");
  EXPECT_EQ(with([](json& j) { j["images"][1].erase("url"); }), "job.images[1]: missing \"url\"");
  EXPECT_EQ(with([](json& j) { j["images"][1]["url"] = "/etc/passwd"; }),
            "job.images[1].url: malformed URL '/etc/passwd' (expected http:// or https://)");
  EXPECT_EQ(with([](json& j) { j["images"][0]["url"] = "file:///etc/passwd"; }),
            "job.images[0].url: unsupported URL scheme 'file' (only http and https)");
  EXPECT_EQ(with([](json& j) { j["images"][0]["url"] = "https://bob:hunter2@cdn.example/a.jpg"; }),
            "job.images[0].url: must not contain a user name or password (no secrets in jobs)");
  EXPECT_EQ(with([](json& j) { j["images"][0]["sha256"] = "abc"; }),
            "job.images[0].sha256: must be 64 hexadecimal digits");
  EXPECT_EQ(with([](json& j) { j["images"][0]["mime"] = "jpeg"; }),
            "job.images[0].mime: is not a media type such as image/jpeg");
  EXPECT_EQ(with([](json& j) { j["mode"] = "poem"; }),
            "job.mode: unknown mode 'poem' (use alt, detail, classify or hotdog)");
  EXPECT_EQ(with([](json& j) { j["lang"] = "english!"; }),
            "job.lang: invalid language 'english!' (use a code such as en, de, pt-BR)");
  EXPECT_EQ(with([](json& j) { j["max_chars"] = -1; }),
            "job.max_chars: must be between 0 and 20000");
  EXPECT_EQ(with([](json& j) { j["max_chars"] = 2.5; }),
            "job.max_chars: expected an integer, got a number");
  EXPECT_EQ(with([](json& j) { j["max_chars"] = true; }),
            "job.max_chars: expected an integer, got boolean");
  EXPECT_EQ(with([](json& j) { j.erase("model"); }), "job: missing \"model\"");
  EXPECT_EQ(with([](json& j) { j["images"][1]["existing_alt"] = std::string(20001, 'x'); }),
            "job.images[1].existing_alt: is 20001 bytes, over the 20000-byte limit");
}

TEST(JobTest, Sha256IsNormalisedToLowercase) {
  json j = SampleJob().ToJson();
  j["images"][0]["sha256"] = std::string(64, 'C');
  auto back = Job::FromJson(j.dump());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->images[0].sha256, std::string(64, 'c'));
}

TEST(JobResultTest, RoundTripKeepsEveryField) {
  JobResult r = SampleResult();
  auto back = JobResult::FromJson(r.ToJsonText());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, "job-1");
  ASSERT_EQ(back->items.size(), 2u);
  EXPECT_TRUE(back->items[0].ok());
  EXPECT_EQ(back->items[0].text, "A red house under a blue sky.");
  EXPECT_EQ(back->items[0].ocr, "OPEN");
  EXPECT_EQ(back->items[0].error_code, Code::kOk);
  EXPECT_FALSE(back->items[1].ok());
  EXPECT_EQ(back->items[1].index, 1);
  EXPECT_EQ(back->items[1].text, "");
  EXPECT_EQ(back->items[1].error, "not an image: looks like HTML");
  EXPECT_EQ(back->items[1].error_code, Code::kInvalidArgument);
  EXPECT_EQ(back->model, "altscribe-test-tiny");
  EXPECT_EQ(back->worker, "local@box");
  EXPECT_DOUBLE_EQ(back->timings.queue_ms, 1.5);
  EXPECT_DOUBLE_EQ(back->timings.total_ms, 40);
  EXPECT_EQ(back->timings.generated_tokens, 12);
  EXPECT_EQ(back->ToJsonText(), r.ToJsonText());

  json j = r.ToJson();
  EXPECT_EQ(j["items"][1]["error_code"], "invalid argument");
  EXPECT_FALSE(j["items"][0].contains("error"));
  EXPECT_EQ(j["items"][1]["text"], "");
}

TEST(JobResultTest, StrictErrors) {
  auto with = [](const std::function<void(json&)>& edit) {
    json j = SampleResult().ToJson();
    edit(j);
    return ResultError(j.dump());
  };
  EXPECT_NE(ResultError("{").find("result: malformed JSON"), std::string::npos);
  EXPECT_EQ(with([](json& j) { j.erase("worker"); }), "result: missing \"worker\"");
  EXPECT_EQ(with([](json& j) { j["items"] = json::object(); }),
            "result.items: expected an array, got object");
  EXPECT_EQ(with([](json& j) { j["items"][0]["text"] = ""; }),
            "result.items[0]: has neither text nor an error");
  EXPECT_EQ(with([](json& j) { j["items"][1]["text"] = "x"; }),
            "result.items[1]: has both text and an error");
  EXPECT_EQ(with([](json& j) { j["items"][1]["index"] = 0; }),
            "result.items[1].index: items must be in increasing index order");
  EXPECT_EQ(with([](json& j) { j["items"][0]["index"] = 20; }),
            "result.items[0].index: must be between 0 and 19");
  EXPECT_EQ(with([](json& j) { j["timings"]["total_ms"] = "fast"; }),
            "result.timings.total_ms: expected a number, got string");
  EXPECT_EQ(with([](json& j) { j["timings"]["total_ms"] = -3; }),
            "result.timings.total_ms: must be a non-negative number");
  EXPECT_EQ(with([](json& j) { j.erase("timings"); }), "result: missing \"timings\"");
}

TEST(JobResultTest, UnknownErrorCodesStillMeanFailure) {
  json j = SampleResult().ToJson();
  j["items"][1]["error_code"] = "gpu on fire";
  auto r = JobResult::FromJson(j.dump());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items[1].error_code, Code::kInternal);
  j["items"][1].erase("error_code");
  r = JobResult::FromJson(j.dump());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->items[1].ok());
}

TEST(JobResultTest, CheckResultMatches) {
  Job job = SampleJob();
  JobResult r = SampleResult();
  EXPECT_FALSE(CheckResultMatches(job, r).ok());  // other id
  r.id = job.id;
  EXPECT_TRUE(CheckResultMatches(job, r).ok());
  r.items.pop_back();
  EXPECT_EQ(CheckResultMatches(job, r).message(),
            "result for job '" + job.id + "' has 1 items for 2 images");
}

}  // namespace
}  // namespace altscribe::jobs

namespace altscribe::jobs {
namespace {

TEST(JobTest, TextLanguagesTravelForOcrAndAreChecked) {
  Job job;
  job.id = "job-langs";
  JobImage im;
  im.url = "https://pds.example/blob";
  job.images = {im};
  job.text_langs = {*vision::Language::Parse("es"), *vision::Language::Parse("pt_br")};
  json j = job.ToJson();
  EXPECT_EQ(j["text_langs"], json::array({"es", "pt-BR"}));
  auto back = Job::FromJson(job.ToJsonText());
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->text_langs.size(), 2u);
  EXPECT_EQ(back->text_langs[1].tag, "pt-BR");

  j["text_langs"] = "es";
  EXPECT_EQ(Job::FromJson(j.dump()).status().message(),
            "job.text_langs: expected an array, got string");
  j["text_langs"] = json::array({"es", 7});
  EXPECT_EQ(Job::FromJson(j.dump()).status().message(),
            "job.text_langs[1]: expected a language tag");
  j["text_langs"] = json::array({"not a tag"});
  EXPECT_NE(Job::FromJson(j.dump()).status().message().find("job.text_langs[0]: invalid language"),
            std::string::npos);
  j["text_langs"] = json::array();
  for (int i = 0; i < 9; ++i) j["text_langs"].push_back("en");
  EXPECT_NE(Job::FromJson(j.dump()).status().message().find("over the limit of 8"),
            std::string::npos);
}

}  // namespace
}  // namespace altscribe::jobs
