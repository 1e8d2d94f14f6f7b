// altscribe bot --metrics-listen and --public-url against the local Bluesky network with the
// tiny model: /metrics moves when a mention is answered, and a reply split into several posts
// links <public-url>/d/<id>, whose id holds the full description in the state store.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "bot/full_description.h"
#include "bot/store.h"
#include "bot_fixture.h"
#include "http/client.h"
#include "subprocess.h"

namespace altscribe::e2e {
namespace {

// The value of the sample `series` (name plus labels, exactly as rendered) in Prometheus text,
// or -1 when it is absent.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

http::Limits Loopback() {
  http::Limits l;
  l.timeout = std::chrono::seconds(5);
  return l;
}

TEST_F(BotE2e, MetricsMoveWhenAMentionIsAnswered) {
  const int port = t::FreeLoopbackPort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto bot = StartBot({"ALTSCRIBE_METRICS_LISTEN=127.0.0.1:" + std::to_string(port)});
  // /healthz answers 200 once the bot has logged in.
  int health = 0;
  for (auto deadline = Clock::now() + std::chrono::seconds(60);
       Clock::now() < deadline && health != 200;) {
    auto r = http::Get(base + "/healthz", Loopback());
    health = r.ok() ? r->status : 0;
    if (health != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(health, 200) << t::ReadWholeFile(log_).substr(0, 4000);

  Ref mention = BobMentions(AlicePostsImages(2));
  std::vector<json> thread = WaitForThread(mention, 1);
  ASSERT_FALSE(thread.empty());

  auto scraped = http::Get(base + "/metrics", Loopback());
  ASSERT_TRUE(scraped.ok()) << scraped.status().message();
  EXPECT_EQ(scraped->status, 200);
  EXPECT_NE(scraped->content_type.find("text/plain"), std::string::npos);
  const std::string& text = scraped->body;
  EXPECT_GE(Sample(text, "altscribe_mentions_received_total"), 1) << text;
  EXPECT_GE(Sample(text, "altscribe_jobs{state=\"done\"}"), 1) << text;
  EXPECT_GE(Sample(text, "altscribe_jobs{state=\"received\"}"), 0) << text;
  for (const char* stage : {"plan", "describe", "post", "total"}) {
    EXPECT_GE(Sample(text, std::string("altscribe_stage_seconds_count{stage=\"") + stage + "\"}"),
              1)
        << stage << "\n"
        << text;
  }
  EXPECT_GE(Sample(text, "altscribe_images_described_total{outcome=\"ok\"}"), 2) << text;
  EXPECT_GE(Sample(text, "altscribe_generated_tokens_total"), 1) << text;
  EXPECT_GT(Sample(text, "altscribe_tokens_per_second"), 0) << text;
  EXPECT_GE(Sample(text, "altscribe_queue_depth{queue=\"describe_jobs\"}"), 0) << text;
  EXPECT_GE(Sample(text, "altscribe_queue_depth{queue=\"mentions\"}"), 0) << text;
  EXPECT_GE(Sample(text, "altscribe_workers{kind=\"describe\"}"), 1) << text;
  EXPECT_EQ(Sample(text, "altscribe_ready"), 1) << text;
  // The describe API is not served by the bot.
  auto api = http::Send({.method = "POST", .url = base + "/v1/describe", .body = "{}"}, Loopback());
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->status, 404);
  EXPECT_EQ(bot->Stop(), 0);
}

TEST_F(BotE2e, SplitReplyLinksItsFullDescription) {
  auto bot = StartBot({"ALTSCRIBE_PUBLIC_URL=https://alt.example/"});
  Ref post = AlicePostsImages(4);
  Ref mention = BobMentions(post, "detail");
  std::vector<json> thread = WaitForThread(mention, 2);
  bot->Stop();
  ASSERT_GE(thread.size(), 2u) << "a multi-part reply";
  ExpectWithinLimits(thread);
  const std::string last = thread.back()["value"]["text"];
  std::smatch match;
  // Its own last line: after a blank line, or the whole post when it did not fit.
  const std::regex link(R"((?:^|\n\n)([^\n]*)https://alt\.example/d/([A-Za-z0-9_-]{22})$)");
  ASSERT_TRUE(std::regex_search(last, match, link)) << "the last post ends with the link: " << last;
  EXPECT_EQ(match[1].str(), "Full description: ");
  for (size_t k = 0; k + 1 < thread.size(); ++k) {
    EXPECT_EQ(thread[k]["value"]["text"].get<std::string>().find("/d/"), std::string::npos);
  }
  auto store = bot::Store::Open(state_);
  ASSERT_TRUE(store.ok());
  auto body = (*store)->LoadFullDescription(match[2].str());
  ASSERT_TRUE(body.ok() && body->has_value()) << "the linked id is in the store";
  auto doc = bot::FullDescription::FromJson(**body);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->post_uri, post.uri);
  EXPECT_EQ(doc->lang, "en");
  EXPECT_FALSE(doc->model.empty());
  ASSERT_EQ(doc->images.size(), 4u);
  std::string all = Joined(thread);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(doc->images[i].index, i + 1);
    EXPECT_FALSE(doc->images[i].text.empty()) << "image " << i + 1;
    // Each full text is what the reply quoted (possibly split across posts).
    std::string first_words = doc->images[i].text.substr(0, 20);
    EXPECT_NE(all.find(first_words), std::string::npos) << first_words;
  }
}

}  // namespace
}  // namespace altscribe::e2e
