// BotMetrics: the bot's callback metrics read the state store at render time.
#include "bot/bot_metrics.h"

#include <gtest/gtest.h>

#include "core/pipeline_metrics.h"
#include "test_env.h"

namespace altscribe::bot {
namespace {

namespace t = altscribe::testing;

TEST(BotMetricsTest, JobStateSamplesListEveryStateInOrder) {
  metrics::Samples s = JobStateSamples({{MentionState::kDone, 3}, {MentionState::kReceived, 1}});
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].first, std::vector<std::string>{"received"});
  EXPECT_EQ(s[0].second, 1);
  EXPECT_EQ(s[1].first, std::vector<std::string>{"planned"});
  EXPECT_EQ(s[1].second, 0);
  EXPECT_EQ(s[4].first, std::vector<std::string>{"done"});
  EXPECT_EQ(s[4].second, 3);
  EXPECT_EQ(s[5].first, std::vector<std::string>{"failed"});
  EXPECT_EQ(MentionsReceived({{MentionState::kDone, 3}, {MentionState::kFailed, 2}}), 5);
  EXPECT_EQ(MentionsReceived({}), 0);
}

TEST(BotMetricsTest, RendersStoreCountsQueuesAndWorkersUntilDestroyed) {
  auto store = Store::Open(t::MakeTempDir("bot-metrics") + "/bot.db");
  ASSERT_TRUE(store.ok()) << store.status().message();
  for (int i = 0; i < 2; ++i) {
    NewMention m;
    m.uri = "at://did:plc:bob/app.bsky.feed.post/3kmention" + std::to_string(i);
    m.cid = "bafycid";
    m.account_did = "did:plc:bot";
    m.author_did = "did:plc:bob";
    ASSERT_TRUE((*store)->AddMention(m).ok());
  }
  ASSERT_TRUE((*store)->MarkFailed("at://did:plc:bob/app.bsky.feed.post/3kmention1", "x").ok());
  metrics::Registry r;
  {
    BotMetrics bm({.store = store->get(),
                   .describe_queue = [] { return size_t{3}; },
                   .mention_queue = [] { return size_t{1}; },
                   .describe_workers = 2,
                   .mention_workers = 4},
                  r);
    std::string text = r.Render();
    EXPECT_NE(text.find("# TYPE altscribe_mentions_received_total counter\n"
                        "altscribe_mentions_received_total 2\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("altscribe_jobs{state=\"received\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("altscribe_jobs{state=\"failed\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("altscribe_jobs{state=\"done\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("altscribe_queue_depth{queue=\"describe_jobs\"} 3\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("altscribe_queue_depth{queue=\"mentions\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("altscribe_workers{kind=\"describe\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("altscribe_workers{kind=\"mention\"} 4\n"), std::string::npos);
  }
  EXPECT_EQ(r.Render().find("altscribe_jobs{"), std::string::npos)
      << "callbacks are gone with the BotMetrics";
}

TEST(BotMetricsTest, StageTimerRecordsOnceInTheStageHistogram) {
  auto count = [] {
    std::string text = metrics::Registry::Default().Render();
    const std::string key = "altscribe_stage_seconds_count{stage=\"plan\"} ";
    size_t p = text.find(key);
    return p == std::string::npos ? 0 : std::stoi(text.substr(p + key.size()));
  };
  int before = count();
  {
    StageTimer failed("plan");  // never Done(): a failed stage is not recorded
  }
  StageTimer timer("plan");
  timer.Done();
  timer.Done();
  EXPECT_EQ(count(), before + 1);
}

}  // namespace
}  // namespace altscribe::bot
