// altscribe bot with `--intake firehose` against the local network's PDS (its
// com.atproto.sync.subscribeRepos), the tiny model: mentions answered from the event stream,
// exactly once across SIGKILL restarts while mentions keep coming, replies deleted when the
// mention or its target is deleted, and a mention deleted before it was answered never answered.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "bot/store.h"
#include "bot_fixture.h"
#include "network.h"
#include "test_env.h"

namespace altscribe::e2e {
namespace {

class BotFirehoseE2e : public BotE2e {
 protected:
  // Starts the bot and waits until its stream is connected (without a stored cursor the stream
  // starts from now: a post before that is not seen).
  std::unique_ptr<BotProcess> StartFirehoseBot() {
    const size_t before = Count(t::ReadWholeFile(log_), "firehose: connected");
    auto bot = StartBot({}, {"--model", t::TinyModelPath(), "--mmproj", t::TinyMmprojPath(),
                             "--threads", "2", "--intake", "firehose", "--intake-url", net_.pds});
    EXPECT_TRUE(WaitFor([&] {
      return Count(t::ReadWholeFile(log_), "firehose: connected") > before;
    })) << Log();
    return bot;
  }

  static size_t Count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  // How many of the bot's posts reply directly to `uri`.
  std::map<std::string, int> RepliesByParent() {
    std::map<std::string, int> n;
    for (const json& rec : BotPosts(net_, bot_->did())) {
      const json& v = rec["value"];
      if (v.contains("reply")) ++n[v["reply"]["parent"]["uri"].get<std::string>()];
    }
    return n;
  }

  std::optional<bot::Mention> Stored(const std::string& uri) {
    auto store = bot::Store::Open(state_);
    if (!store.ok()) return std::nullopt;
    auto m = (*store)->GetMention(uri);
    return m.ok() ? std::optional<bot::Mention>(*m) : std::nullopt;
  }

  std::optional<std::string> Cursor() {
    auto store = bot::Store::Open(state_);
    if (!store.ok()) return std::nullopt;
    auto c = (*store)->LoadCursor(bot_->did(), "firehose.seq");
    return c.ok() ? *c : std::nullopt;
  }

  bool RecordGone(const std::string& uri) {
    // at://did/app.bsky.feed.post/rkey
    std::string rest = uri.substr(5);
    std::string did = rest.substr(0, rest.find('/'));
    std::string rkey = rest.substr(rest.rfind('/') + 1);
    auto r =
        bob_->agent().Query("com.atproto.repo.getRecord",
                            {{"repo", did}, {"collection", "app.bsky.feed.post"}, {"rkey", rkey}});
    return !r.ok() && r.status().code() == Code::kNotFound;
  }

  // Waits until `pred` holds (true) or `seconds` passed (false).
  template <typename F>
  bool WaitFor(F pred, int seconds = 60) {
    auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string Log() { return t::ReadWholeFile(log_).substr(0, 6000); }
};

TEST_F(BotFirehoseE2e, MentionFromTheFirehoseIsAnswered) {
  auto bot = StartFirehoseBot();
  Ref post = AlicePostsImages(1);
  Ref mention = BobMentions(post);
  std::vector<json> thread = WaitForThread(mention, 1);
  ASSERT_FALSE(thread.empty());
  EXPECT_NE(Joined(thread).find("please check"), std::string::npos) << Joined(thread);
  EXPECT_EQ(thread[0]["value"]["reply"]["parent"]["uri"], mention.uri);
  EXPECT_EQ(thread[0]["value"]["reply"]["root"]["uri"], post.uri);
  EXPECT_EQ(bot->Stop(), 0);
  std::string log = t::ReadWholeFile(log_);
  EXPECT_NE(log.find("firehose intake from " + net_.pds), std::string::npos) << Log();
  EXPECT_NE(log.find("new mention(s) from the firehose"), std::string::npos) << Log();
  auto cursor = Cursor();
  ASSERT_TRUE(cursor.has_value());
  EXPECT_GT(std::stoll(*cursor), 0) << "the seq is stored with the mention";
}

TEST_F(BotFirehoseE2e, AMentionPostedBeforeTheStreamFirstConnectsIsCaughtUp) {
  // No stored cursor: the stream starts from "now". The notifications poll the bot makes each
  // time its stream connects finds the mention made before that.
  Ref post = AlicePostsImages(1);
  Ref mention = BobMentions(post);
  auto bot = StartFirehoseBot();
  std::vector<json> thread = WaitForThread(mention, 1);
  ASSERT_FALSE(thread.empty());
  EXPECT_EQ(thread[0]["value"]["reply"]["parent"]["uri"], mention.uri);
  EXPECT_EQ(bot->Stop(), 0);
}

TEST_F(BotFirehoseE2e, KilledAndRestartedMidStreamAnswersEveryMentionOnce) {
  auto bot = StartFirehoseBot();
  Ref post = AlicePostsImages(1);
  // A first answer: the stream is connected and a cursor is stored.
  Ref first = BobMentions(post, "first");
  ASSERT_FALSE(WaitForThread(first, 1).empty());
  std::vector<Ref> mentions = {first};
  std::atomic<bool> done{false};
  std::mutex mu;
  std::thread poster([&] {
    for (int i = 0; i < 12; ++i) {
      Ref m = BobMentions(post, "n" + std::to_string(i));
      {
        std::lock_guard<std::mutex> lock(mu);
        mentions.push_back(m);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    done = true;
  });
  // Killed twice while mentions come: once soon, once while it catches up.
  for (int round = 0; round < 2; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(round == 0 ? 900 : 1500));
    ASSERT_EQ(::kill(bot->pid(), SIGKILL), 0);
    int sig = 0;
    bot->WaitExit(10'000, &sig);
    EXPECT_EQ(sig, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // mentions arrive meanwhile
    bot = StartFirehoseBot();
  }
  poster.join();
  ASSERT_EQ(mentions.size(), 13u);
  for (const Ref& m : mentions) ASSERT_FALSE(WaitForThread(m, 1).empty()) << m.uri;
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a duplicate would show by now
  auto replies = RepliesByParent();
  for (const Ref& m : mentions) EXPECT_EQ(replies[m.uri], 1) << m.uri << "\n" << Log();
  EXPECT_EQ(bot->Stop(), 0);
}

TEST_F(BotFirehoseE2e, DeletingTheMentionOrTheTargetDeletesTheReply) {
  auto bot = StartFirehoseBot();
  Ref post = AlicePostsImages(1);
  Ref mention = BobMentions(post);
  Ref other_post = AlicePostsImages(1);
  Ref other = BobMentions(other_post, "other");
  std::vector<json> thread = WaitForThread(mention, 1);
  std::vector<json> other_thread = WaitForThread(other, 1);
  ASSERT_FALSE(thread.empty());
  ASSERT_FALSE(other_thread.empty());
  const std::string reply = thread[0]["uri"];
  const std::string other_reply = other_thread[0]["uri"];
  ASSERT_FALSE(RecordGone(reply));

  // The mention is deleted: the reply goes.
  bob_->Delete(mention);
  EXPECT_TRUE(WaitFor([&] { return RecordGone(reply); })) << Log();
  EXPECT_TRUE(ReplyThread(net_, bot_->did(), mention.uri).empty());
  // The target is deleted: the reply about it goes too.
  alice_->Delete(other_post);
  EXPECT_TRUE(WaitFor([&] { return RecordGone(other_reply); })) << Log();
  EXPECT_EQ(bot->Stop(), 0);

  auto store = bot::Store::Open(state_);
  ASSERT_TRUE(store.ok());
  for (const Ref* m : {&mention, &other}) {
    auto r = (*store)->GetRetraction(m->uri);
    ASSERT_TRUE(r.ok() && r->has_value()) << m->uri;
    EXPECT_TRUE((*r)->done);
  }
  std::string log = t::ReadWholeFile(log_);
  EXPECT_NE(log.find("deleted the reply to " + mention.uri + " (" + std::to_string(thread.size()) +
                     " post(s)): " + mention.uri + " was deleted"),
            std::string::npos)
      << Log();
  EXPECT_NE(log.find("deleted the reply to " + other.uri), std::string::npos) << Log();
  // A restart (replaying from the stored cursor) neither redoes nor re-answers anything.
  bot = StartFirehoseBot();
  Ref marker = BobMentions(AlicePostsImages(1), "marker");
  ASSERT_FALSE(WaitForThread(marker, 1).empty());
  auto replies = RepliesByParent();
  EXPECT_EQ(replies[mention.uri], 0);
  EXPECT_EQ(replies[other.uri], 0);
  EXPECT_EQ(bot->Stop(), 0);
}

TEST_F(BotFirehoseE2e, MentionDeletedBeforeItIsAnsweredIsNeverAnswered) {
  auto bot = StartFirehoseBot();
  Ref post = AlicePostsImages(1);
  ASSERT_FALSE(WaitForThread(BobMentions(post, "warm"), 1).empty());  // a cursor is stored
  EXPECT_EQ(bot->Stop(), 0);
  // While the bot is down: a mention, then its deletion.
  Ref doomed = BobMentions(post, "never mind");
  bob_->Delete(doomed);
  bot = StartFirehoseBot();
  Ref marker = BobMentions(post, "marker");
  ASSERT_FALSE(WaitForThread(marker, 1).empty());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(RepliesByParent()[doomed.uri], 0) << Log();
  auto m = Stored(doomed.uri);
  ASSERT_TRUE(m.has_value()) << "the replayed stream delivered the mention";
  EXPECT_EQ(m->state, bot::MentionState::kFailed);
  EXPECT_TRUE(m->parts.empty());
  EXPECT_EQ(bot->Stop(), 0);
}

}  // namespace
}  // namespace altscribe::e2e
