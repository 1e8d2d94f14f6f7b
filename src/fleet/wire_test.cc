#include "fleet/wire.h"

#include <gtest/gtest.h>

namespace altscribe::fleet {
namespace {

jobs::Job TwoImageJob() {
  jobs::Job job;
  job.id = "at://did:plc:abc/app.bsky.feed.post/3kxyz";
  jobs::JobImage a, b;
  a.url = "https://pds.example/xrpc/com.atproto.sync.getBlob?did=did:plc:abc&cid=bafyA";
  a.bytes = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>{1, 2, 3, 0, 10});
  b.url = "https://pds.example/xrpc/com.atproto.sync.getBlob?did=did:plc:abc&cid=bafyB";
  b.bytes = std::make_shared<const std::vector<uint8_t>>(std::vector<uint8_t>(300, 7));
  job.images = {a, b};
  return job;
}

nats::Message AsMessage(const EncodedJob& enc) {
  nats::Message m;
  m.subject = JobSubject("tiny");
  m.headers = enc.headers;
  m.data = enc.payload;
  return m;
}

TEST(FleetWire, NamesAreSubjectTokens) {
  EXPECT_EQ(ModelId("LLaVA 1.5 7B Q4_K_M.gguf"), "llava-1-5-7b-q4_k_m-gguf");
  EXPECT_EQ(ModelId(""), "default");
  EXPECT_EQ(ModelId(std::string(100, 'a')).size(), 64u);
  EXPECT_EQ(JobKey("at://x/y").size(), 32u);
  EXPECT_EQ(JobKey("at://x/y"), JobKey("at://x/y"));
  EXPECT_NE(JobKey("at://x/y"), JobKey("at://x/z"));
  EXPECT_EQ(ResultSubject("bot-1", "abc"), "altscribe.results.bot-1.abc");
  EXPECT_EQ(JobsConsumer("tiny"), "jobs-tiny");
}

TEST(FleetWire, ImagesTravelInTheMessageWhenTheyFit) {
  JobEnvelope env{TwoImageJob(), ResultSubject("bot", JobKey("x"))};
  auto enc = EncodeJob(env, 1 << 20);
  ASSERT_TRUE(enc.ok()) << enc.status().message();
  auto back = DecodeJob(AsMessage(*enc));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->reply, env.reply);
  EXPECT_EQ(back->job.id, env.job.id);
  ASSERT_EQ(back->job.images.size(), 2u);
  ASSERT_TRUE(back->job.images[0].bytes);
  EXPECT_EQ(*back->job.images[0].bytes, *env.job.images[0].bytes);
  EXPECT_EQ(*back->job.images[1].bytes, *env.job.images[1].bytes);
}

TEST(FleetWire, ImagesTooBigForThePayloadTravelAsUrls) {
  JobEnvelope env{TwoImageJob(), ResultSubject("bot", JobKey("x"))};
  size_t json = env.job.ToJsonText().size() + 1;
  auto enc = EncodeJob(env, json + 100);  // room for the first image only
  ASSERT_TRUE(enc.ok()) << enc.status().message();
  auto back = DecodeJob(AsMessage(*enc));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_TRUE(back->job.images[0].bytes);
  EXPECT_FALSE(back->job.images[1].bytes);
  EXPECT_EQ(back->job.images[1].url, env.job.images[1].url);

  // Without a fetchable URL, an image that does not fit is refused clearly.
  env.job.images[1].url = "blob:bafyB";
  auto refused = EncodeJob(env, json + 100);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kTooLarge);
  EXPECT_NE(refused.status().message().find("max_payload"), std::string::npos);
}

TEST(FleetWire, MalformedJobMessagesAreRefused) {
  JobEnvelope env{TwoImageJob(), ResultSubject("bot", JobKey("x"))};
  auto enc = EncodeJob(env, 1 << 20);
  ASSERT_TRUE(enc.ok());
  struct Case {
    const char* name;
    std::function<void(nats::Message&)> spoil;
    const char* expect;
  } cases[] = {
      {"cut", [](nats::Message& m) { m.data.resize(m.data.size() - 10); }, "cut short"},
      {"stray", [](nats::Message& m) { m.data += "xx"; }, "stray bytes"},
      {"no newline", [](nats::Message& m) { m.data = "{}"; }, "no JSON line"},
      {"bad json", [](nats::Message& m) { m.data = "{\"id\":1}\n"; }, ""},
      {"bad size", [](nats::Message& m) { m.headers[0].second = "5,x"; }, "bad image size"},
      {"few sizes", [](nats::Message& m) { m.headers[0].second = "5"; }, "1 image sizes for 2"},
      {"many sizes", [](nats::Message& m) { m.headers[0].second = "5,300,1"; }, "more image"},
      {"no reply", [](nats::Message& m) { m.headers[1].second = "elsewhere.x"; }, "reply"},
  };
  for (const Case& c : cases) {
    nats::Message m = AsMessage(*enc);
    c.spoil(m);
    auto r = DecodeJob(m);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.name << ": " << r.status().message();
  }
}

TEST(FleetWire, HeartbeatsRoundTrip) {
  Heartbeat h;
  h.worker = "gpu-1-77";
  h.host = "gpu-1";
  h.model_id = "llava";
  h.model = "LLaVA";
  h.capacity = 8;
  h.in_flight = 3;
  h.done = 12345;
  h.sent_ms = 1700000000000;
  auto back = Heartbeat::FromJson(h.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->worker, h.worker);
  EXPECT_EQ(back->capacity, 8);
  EXPECT_EQ(back->in_flight, 3);
  EXPECT_EQ(back->done, 12345u);
  EXPECT_EQ(back->sent_ms, h.sent_ms);
  EXPECT_FALSE(Heartbeat::FromJson("[1]").ok());
  EXPECT_FALSE(Heartbeat::FromJson("{\"worker\":\"a\",\"capacity\":\"x\"}").ok());
}

}  // namespace
}  // namespace altscribe::fleet
