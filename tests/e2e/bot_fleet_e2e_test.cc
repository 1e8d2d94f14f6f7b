// The bot with --executor nats on the local Bluesky network: mentions answered by a fleet of two
// `altscribe worker` processes (tiny model) through a real nats-server, and NATS down for 20 s
// while mentions keep coming.
#include <signal.h>

#include <map>
#include <set>

#include "bot_fixture.h"
#include "nats/test_server.h"
#include "subprocess.h"

namespace altscribe::e2e {
namespace {

class BotFleetE2e : public BotE2e {
 protected:
  void SetUp() override {
    BotE2e::SetUp();
    ASSERT_TRUE(nats_.status().ok()) << nats_.status().message();
  }

  std::unique_ptr<t::BackgroundProcess> StartWorker(const std::string& id) {
    std::vector<std::string> argv = {t::AltscribeBin(), "worker",
                                     "--nats",          nats_.url(),
                                     "--model",         t::TinyModelPath(),
                                     "--mmproj",        t::TinyMmprojPath(),
                                     "--model-id",      "tiny",
                                     "--worker-id",     id,
                                     "--threads",       "2",
                                     "--ctx",           "1024",
                                     "--ack-wait-ms",   "3000"};
    return std::make_unique<t::BackgroundProcess>(argv, std::vector<std::string>{},
                                                  dir_ + "/" + id + ".log");
  }
  std::unique_ptr<BotProcess> StartFleetBot() {
    return StartBot({}, {"--executor", "nats", "--nats", nats_.url(), "--fleet-model", "tiny",
                         "--ack-wait-ms", "3000", "--job-deadline-s", "120"});
  }
  // The worker that answered each job, from the workers' logs ("… job(s)" lines aside, each
  // result names its worker in the store's results JSON).
  std::string ResultsJson(const std::string& mention_uri) {
    auto store = bot::Store::Open(state_);
    if (!store.ok()) return "";
    auto m = (*store)->GetMention(mention_uri);
    return m.ok() ? m->results : "";
  }
  bool Received(const std::string& mention_uri) {
    auto store = bot::Store::Open(state_);
    return store.ok() && (*store)->GetMention(mention_uri).ok();
  }

  nats::testing::NatsServer nats_;
};

TEST_F(BotFleetE2e, MentionsAreAnsweredByAFleetOfTwoWorkers) {
  auto w1 = StartWorker("worker-1");
  auto w2 = StartWorker("worker-2");
  auto bot = StartFleetBot();
  Ref post = AlicePostsImages(2);
  std::vector<Ref> mentions;
  for (int i = 0; i < 4; ++i) mentions.push_back(BobMentions(post, "alt " + std::to_string(i)));
  std::set<std::string> workers;
  std::map<std::string, size_t> parts;
  for (const Ref& m : mentions) {
    std::vector<json> thread = WaitForThread(m, 1, 120);
    ASSERT_FALSE(thread.empty());
    EXPECT_FALSE(thread[0]["value"].value("text", "").empty());
    EXPECT_EQ(thread[0]["value"]["reply"]["parent"]["uri"], m.uri);
    ExpectWithinLimits(thread);
    parts[m.uri] = thread.size();
    json results = json::parse(ResultsJson(m.uri), nullptr, false);
    ASSERT_TRUE(results.is_object()) << ResultsJson(m.uri);
    workers.insert(results.value("worker", ""));
  }
  EXPECT_TRUE(workers.count("worker-1") || workers.count("worker-2"));
  for (const std::string& w : workers) EXPECT_TRUE(w == "worker-1" || w == "worker-2") << w;
  // One reply thread per mention, nothing added later.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (const Ref& m : mentions)
    EXPECT_EQ(ReplyThread(net_, bot_->did(), m.uri).size(), parts[m.uri]);
  EXPECT_EQ(bot->Stop(), 0);
}

TEST_F(BotFleetE2e, NatsDownForTwentySecondsLosesNoMention) {
  auto w1 = StartWorker("worker-1");
  auto bot = StartFleetBot();
  Ref post = AlicePostsImages(1);
  Ref first = BobMentions(post, "before");
  const size_t first_parts = WaitForThread(first, 1, 120).size();
  ASSERT_GT(first_parts, 0u);

  nats_.Stop();
  auto down_since = Clock::now();
  std::vector<Ref> during;
  for (int i = 0; i < 3; ++i) during.push_back(BobMentions(post, "during " + std::to_string(i)));
  // The bot keeps accepting mentions while NATS is down: each one reaches its store.
  for (const Ref& m : during) {
    auto until = Clock::now() + std::chrono::seconds(15);
    while (!Received(m.uri) && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(Received(m.uri)) << m.uri;
  }
  for (const Ref& m : during) EXPECT_TRUE(ReplyThread(net_, bot_->did(), m.uri).empty());
  std::this_thread::sleep_until(down_since + std::chrono::seconds(20));
  ASSERT_TRUE(nats_.Start().ok());
  for (const Ref& m : during) {
    EXPECT_FALSE(WaitForThread(m, 1, 120).empty()) << m.uri;
  }
  EXPECT_EQ(ReplyThread(net_, bot_->did(), first.uri).size(), first_parts);
  EXPECT_EQ(bot->Stop(), 0);
}

}  // namespace
}  // namespace altscribe::e2e
