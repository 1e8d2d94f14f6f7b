// altscribe bot against a real Bluesky network on loopback (PLC + PDS + AppView from
// @atproto/dev-env, tests/e2e/devnet) with the tiny model: a mention in, one correct reply
// thread out, exactly once — across restarts, crashes at every step, and bursts.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "atproto/graphemes.h"
#include "atproto/syntax/datetime.h"
#include "bot/store.h"
#include "bot_fixture.h"
#include "image_fixtures.h"
#include "network.h"
#include "test_env.h"

namespace altscribe::e2e {
namespace {

TEST_F(BotE2e, ThreeImagesGetOneThreadInOrder) {
  auto bot = StartBot();
  Ref post = AlicePostsImages(3);
  Ref mention = BobMentions(post);
  std::vector<json> thread = WaitForThread(mention, 1);
  ASSERT_FALSE(thread.empty());
  std::string all = Joined(thread);
  size_t p1 = all.find("Image 1 of 3"), p2 = all.find("Image 2 of 3"),
         p3 = all.find("Image 3 of 3");
  ASSERT_NE(p1, std::string::npos) << all;
  ASSERT_NE(p2, std::string::npos) << all;
  ASSERT_NE(p3, std::string::npos) << all;
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, p3);
  EXPECT_NE(all.find("please check"), std::string::npos) << "AI disclosure: " << all;
  // Root is the thread's root (Alice's post), the first part replies to the mention.
  EXPECT_EQ(thread[0]["value"]["reply"]["root"]["uri"], post.uri);
  EXPECT_EQ(thread[0]["value"]["reply"]["parent"]["uri"], mention.uri);
  for (size_t k = 1; k < thread.size(); ++k) {
    EXPECT_EQ(thread[k]["value"]["reply"]["parent"]["uri"], thread[k - 1]["uri"]);
    EXPECT_EQ(thread[k]["value"]["reply"]["root"]["uri"], post.uri);
  }
  ExpectWithinLimits(thread);
  EXPECT_EQ(thread[0]["value"]["langs"], json::array({"en"}));
  EXPECT_EQ(bot->Stop(), 0) << "SIGTERM stops the bot cleanly";
}

TEST_F(BotE2e, MentionsWhileDownAreAnsweredOnceAfterStart) {
  {
    auto warmup = StartBot();
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  std::vector<Ref> mentions;
  for (int i = 0; i < 5; ++i) mentions.push_back(BobMentions(AlicePostsImages(1)));
  auto bot = StartBot();
  std::vector<size_t> sizes;
  for (const Ref& m : mentions) {
    std::vector<json> thread = WaitForThread(m, 1);
    EXPECT_EQ(thread.size(), StoredParts(m.uri)) << "the whole thread, no more";
    sizes.push_back(thread.size());
  }
  bot->Stop();
  // A second start changes nothing: no duplicates, no new login.
  auto again = StartBot();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  again->Stop();
  for (size_t i = 0; i < mentions.size(); ++i) {
    EXPECT_EQ(ReplyThread(net_, bot_->did(), mentions[i].uri).size(), sizes[i]);
  }
  size_t replies_to_mentions = 0;
  for (const auto& rec : BotPosts(net_, bot_->did())) {
    for (const Ref& m : mentions)
      replies_to_mentions += rec["value"]["reply"]["parent"]["uri"] == m.uri;
  }
  EXPECT_EQ(replies_to_mentions, mentions.size());
  std::string log = t::ReadWholeFile(log_);
  size_t logins = 0;
  for (size_t p = 0; (p = log.find("logging in to", p)) != std::string::npos; ++p) ++logins;
  EXPECT_EQ(logins, 1u) << "the stored session is reused across restarts";
}

TEST_F(BotE2e, CrashAtEveryStepStillGivesExactlyOneThread) {
  // Four images with long descriptions make a multi-part thread.
  for (const std::string point : {"planned", "described", "created:0", "posted:0", "created:1"}) {
    SCOPED_TRACE(point);
    Ref post = AlicePostsImages(4);
    Ref mention = BobMentions(post, "detail");
    auto crashing = StartBot({"ALTSCRIBE_FAULT_CRASH_AT=" + point});
    int sig = 0;
    crashing->WaitExit(60'000, &sig);
    EXPECT_EQ(sig, SIGKILL) << "the injected crash at " << point << " happened";
    auto bot = StartBot();
    std::vector<json> thread = WaitForThread(mention, 2);
    bot->Stop();
    ASSERT_GE(thread.size(), 2u) << "a multi-part reply";
    ExpectWithinLimits(thread);
    size_t first_parts = 0;
    for (const auto& rec : BotPosts(net_, bot_->did())) {
      first_parts += rec["value"]["reply"]["parent"]["uri"] == mention.uri;
    }
    EXPECT_EQ(first_parts, 1u) << "exactly one reply thread";
    std::string all = Joined(thread);
    for (int i = 1; i <= 4; ++i) {
      EXPECT_EQ(all.find("Image " + std::to_string(i) + " of 4"),
                all.rfind("Image " + std::to_string(i) + " of 4"))
          << "image " << i << " described once";
    }
  }
}

TEST_F(BotE2e, AwkwardCases) {
  auto bot = StartBot();
  // No image anywhere: a short polite reply.
  Account::PostSpec plain;
  plain.text = "just words";
  Ref words = alice_->Post(plain);
  Ref m1 = BobMentions(words);
  // Existing alt text is not described again.
  Ref with_alt = AlicePostsImages(2, {"", "A red square on a white wall."});
  Ref m2 = BobMentions(with_alt);
  // The parent was deleted.
  Ref doomed = AlicePostsImages(1);
  Ref m3 = BobMentions(doomed);
  // Quote with media: the quoting post's own images are described.
  Account::PostSpec quote;
  quote.text = "look @" + bot_->handle();
  quote.mention_handle = bot_->handle();
  quote.mention_did = bot_->did();
  quote.images = {t::MakeJpeg(100, 100)};
  Ref quoted = AlicePostsImages(1);
  quote.quote = &quoted;
  Ref m4 = bob_->Post(quote);

  auto no_image = WaitForThread(m1, 1);
  ASSERT_EQ(no_image.size(), 1u);
  EXPECT_LT(no_image[0]["value"]["text"].get<std::string>().size(), 300u);
  auto alt = WaitForThread(m2, 1);
  std::string alt_text = Joined(alt);
  EXPECT_NE(alt_text.find("Image 2 already has alt text"), std::string::npos) << alt_text;
  EXPECT_NE(alt_text.find("Image 1 of 2"), std::string::npos) << alt_text;
  auto q = WaitForThread(m4, 1);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(Joined(q).find("Image 1 of"), std::string::npos) << "one image: no numbering";
  auto gone = WaitForThread(m3, 1);
  EXPECT_FALSE(gone.empty());
  bot->Stop();
}

TEST_F(BotE2e, DeletedParentCorruptImageAndScriptsAroundTheMention) {
  auto bot = StartBot();
  // The parent is deleted before the bot reads the mention.
  Ref doomed = AlicePostsImages(1);
  alice_->Delete(doomed);
  Ref gone = BobMentions(doomed);
  // One corrupted blob among good images: that image gets "couldn't read", the others text.
  Account::PostSpec mixed;
  mixed.text = "three";
  mixed.images = {t::MakeJpeg(120, 90)};
  mixed.raw_blobs = {std::string("\xFF\xD8\xFF\xE0 this is not really a JPEG", 40)};
  Ref mixed_post = alice_->Post(mixed);
  Ref corrupt = BobMentions(mixed_post);
  // Emoji, CJK and right-to-left text around the mention: the facet's byte offsets still hold.
  Account::PostSpec intl;
  intl.text =
      "👩‍👩‍👧‍👦🇺🇦 猫の写真 صورة @" + bot_->handle() + " مرحبا 🎉";
  intl.mention_handle = bot_->handle();
  intl.mention_did = bot_->did();
  intl.images = {t::MakePng(64, 64)};
  intl.langs = {"ja"};
  Ref intl_ref = bob_->Post(intl);

  std::string deleted = Joined(WaitForThread(gone, 1));
  EXPECT_NE(deleted.find("was deleted"), std::string::npos) << deleted;
  std::string mixed_text = Joined(WaitForThread(corrupt, 1));
  EXPECT_NE(mixed_text.find("Image 1 of 2: "), std::string::npos) << mixed_text;
  EXPECT_NE(mixed_text.find("Image 2: I couldn't read this image"), std::string::npos)
      << mixed_text;
  auto intl_thread = WaitForThread(intl_ref, 1);
  ASSERT_FALSE(intl_thread.empty());
  ExpectWithinLimits(intl_thread);
  EXPECT_EQ(intl_thread[0]["value"]["langs"], json::array({"ja"})) << "the reply follows langs";
  bot->Stop();
}

TEST_F(BotE2e, GalleriesOfManyImagesAreAllDescribed) {
  auto bot = StartBot();
  Account::PostSpec g;
  g.text = "a gallery";
  g.gallery = true;
  for (int i = 0; i < 6; ++i) g.images.push_back(t::MakeJpeg(80 + 8 * i, 60));
  Ref gallery = alice_->Post(g);
  Ref mention = BobMentions(gallery);
  std::string all = Joined(WaitForThread(mention, 1));
  for (int i = 1; i <= 6; ++i) {
    EXPECT_NE(all.find("Image " + std::to_string(i) + " of 6"), std::string::npos) << all;
  }
  bot->Stop();
}

TEST_F(BotE2e, BotLabelledPostsAreIgnored) {
  auto bot = StartBot();
  Account::PostSpec s;
  s.text = "@" + bot_->handle() + " describe please";
  s.mention_handle = bot_->handle();
  s.mention_did = bot_->did();
  s.images = {t::MakeJpeg(64, 64)};
  s.self_labels = {"bot"};
  Ref labelled = bob_->Post(s);
  // A normal mention after it proves the bot was running and got past the labelled one.
  Ref normal = BobMentions(AlicePostsImages(1));
  WaitForThread(normal, 1);
  EXPECT_TRUE(ReplyThread(net_, bot_->did(), labelled.uri).empty());
  bot->Stop();
  t::ProcessResult status = t::RunProcess(
      {t::AltscribeBin(), "bot", "status", "--state", state_, "--mention", labelled.uri});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("failed"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("labelled as a bot"), std::string::npos) << status.out;
  t::ProcessResult all = t::RunProcess({t::AltscribeBin(), "bot", "status", "--state", state_});
  EXPECT_NE(all.out.find("done"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find(normal.uri), std::string::npos) << all.out;
}

TEST_F(BotE2e, OneProcessServesSeveralAccountsFromTheConfigFile) {
  auto second = Account::Create(net_, "alt2");
  std::string pw1 = t::WriteWholeFile(dir_ + "/one.pw", bot_->password() + "\n");
  std::string pw2 = t::WriteWholeFile(dir_ + "/two.pw", second->password() + "\n");
  std::string config = t::WriteWholeFile(dir_ + "/bot.toml", R"(
state = ")" + state_ + R"("
plc = ")" + net_.plc + R"("
poll_ms = 200
allow-private-fetch = true
[[account]]
handle = ")" + bot_->handle() + R"("
pds = ")" + net_.pds + R"("
app-password-file = ")" + pw1 + R"("
[[account]]
handle = ")" + second->handle() + R"("
pds = ")" + net_.pds + R"("
app-password-file = ")" + pw2 + R"("
)");
  BotProcess bot({"--config", config}, {}, log_);
  Ref post = AlicePostsImages(1);
  Ref to_first = BobMentions(post);
  Account::PostSpec s;
  s.text = "@" + second->handle() + " please";
  s.mention_handle = second->handle();
  s.mention_did = second->did();
  s.reply_to = &post;
  Ref to_second = bob_->Post(s);
  EXPECT_FALSE(WaitForThread(to_first, 1).empty());
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (ReplyThread(net_, second->did(), to_second.uri).empty() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(ReplyThread(net_, second->did(), to_second.uri).empty())
      << t::ReadWholeFile(log_).substr(0, 3000);
  EXPECT_TRUE(ReplyThread(net_, bot_->did(), to_second.uri).empty())
      << "each account answers its own";
  EXPECT_EQ(bot.Stop(), 0);
}

TEST_F(BotE2e, ABlockedParentIsSaidPlainly) {
  // Alice blocks the bot: her post is hidden from it, and the bot says so instead of guessing.
  auto block = alice_->agent().Procedure("com.atproto.repo.createRecord",
                                         {{"repo", alice_->did()},
                                          {"collection", "app.bsky.graph.block"},
                                          {"record",
                                           {{"$type", "app.bsky.graph.block"},
                                            {"subject", bot_->did()},
                                            {"createdAt", atproto::Datetime::Now().ToString()}}}});
  ASSERT_TRUE(block.ok()) << block.status().message();
  Ref post = AlicePostsImages(1);
  auto bot = StartBot();
  Ref mention = BobMentions(post);
  std::string text = Joined(WaitForThread(mention, 1));
  EXPECT_NE(text.find("blocked"), std::string::npos) << text;
  EXPECT_EQ(text.find("Image"), std::string::npos) << "nothing described: " << text;
  bot->Stop();
}

TEST_F(BotE2e, TheBotIgnoresItselfAndRepliesWithoutAMention) {
  auto bot = StartBot();
  // The bot's own post mentioning itself: no loop.
  Account::PostSpec self;
  self.text = "@" + bot_->handle() + " hello me";
  self.mention_handle = bot_->handle();
  self.mention_did = bot_->did();
  self.images = {t::MakeJpeg(64, 64)};
  Ref own = bot_->Post(self);
  Ref post = AlicePostsImages(1);
  Ref mention = BobMentions(post);
  auto thread = WaitForThread(mention, 1);
  ASSERT_FALSE(thread.empty());
  // Bob replies to the bot's reply without mentioning it: no answer.
  Account::PostSpec s;
  s.text = "thanks!";
  Ref reply_ref{thread[0]["uri"], thread[0]["cid"]};
  s.reply_to = &reply_ref;
  s.reply_root = &post;
  Ref thanks = bob_->Post(s);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_TRUE(ReplyThread(net_, bot_->did(), thanks.uri).empty());
  EXPECT_TRUE(ReplyThread(net_, bot_->did(), own.uri).empty());
  bot->Stop();
}

TEST_F(BotE2e, ThirtyMentionsInASecondAreAllAnsweredOnce) {
  Ref post = AlicePostsImages(1);
  auto bot = StartBot();
  std::vector<Ref> mentions;
  for (int i = 0; i < 30; ++i) mentions.push_back(BobMentions(post, "#" + std::to_string(i)));
  for (const Ref& m : mentions) {
    size_t posted = WaitForThread(m, 1, 120).size();
    EXPECT_EQ(posted, StoredParts(m.uri)) << m.uri;
  }
  bot->Stop();
  size_t first_parts = 0;
  for (const auto& rec : BotPosts(net_, bot_->did())) {
    for (const Ref& m : mentions) first_parts += rec["value"]["reply"]["parent"]["uri"] == m.uri;
  }
  EXPECT_EQ(first_parts, mentions.size());
}

TEST_F(BotE2e, SecretsStayOutOfLogsAndProcessList) {
  auto bot = StartBot();
  Ref mention = BobMentions(AlicePostsImages(1));
  WaitForThread(mention, 1);
  std::string cmdline = t::ReadWholeFile("/proc/" + std::to_string(bot->pid()) + "/cmdline");
  bot->Stop();
  auto store = bot::Store::Open(state_);
  ASSERT_TRUE(store.ok());
  auto session = (*store)->LoadSession(bot_->did());
  ASSERT_TRUE(session.ok() && session->has_value());
  std::string log = t::ReadWholeFile(log_);
  ASSERT_FALSE(log.empty());
  for (const std::string& secret :
       {bot_->password(), (*session)->access_jwt, (*session)->refresh_jwt}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "a secret in the log";
    EXPECT_EQ(cmdline.find(secret), std::string::npos) << "a secret in the command line";
  }
}

}  // namespace
}  // namespace altscribe::e2e
