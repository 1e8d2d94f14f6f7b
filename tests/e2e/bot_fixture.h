// bot_fixture.h — the GoogleTest fixture of the bot's e2e tests: a bot account, two users
// (alice posts, bob mentions), the bot as a child process with its own state store and log, and
// waiting for its reply thread. Header-only; include it once per test binary.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "atproto/graphemes.h"
#include "bot/store.h"
#include "image_fixtures.h"
#include "network.h"
#include "test_env.h"

namespace altscribe::e2e {

namespace t = altscribe::testing;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

class BotE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = Network::Load();
    ASSERT_FALSE(net_.pds.empty());
    dir_ = t::MakeTempDir("bot-e2e");
    bot_ = Account::Create(net_, "alt");
    alice_ = Account::Create(net_, "alice");
    bob_ = Account::Create(net_, "bob");
    ASSERT_FALSE(bot_->did().empty() || alice_->did().empty() || bob_->did().empty());
    state_ = dir_ + "/bot.db";
    log_ = dir_ + "/bot.log";
  }

  std::unique_ptr<BotProcess> StartBot(std::vector<std::string> env = {},
                                       std::vector<std::string> model_args = {}) {
    return std::make_unique<BotProcess>(net_, *bot_, state_, log_, std::move(env),
                                        std::move(model_args));
  }

  Ref AlicePostsImages(int n, std::vector<std::string> alts = {}) {
    Account::PostSpec s;
    s.text = "my photos";
    for (int i = 0; i < n; ++i) {
      s.images.push_back(i % 2 ? t::MakePng(200 + 10 * i, 150) : t::MakeJpeg(320, 200 + 10 * i));
    }
    s.alts = std::move(alts);
    return alice_->Post(s);
  }

  Ref BobMentions(const Ref& target, const std::string& words = "") {
    Account::PostSpec s;
    s.text = "@" + bot_->handle() + " " + words;
    s.mention_handle = bot_->handle();
    s.mention_did = bot_->did();
    s.reply_to = &target;
    return bob_->Post(s);
  }

  // Waits until the bot's reply thread to `mention` has `parts` posts (or the time is up).
  std::vector<json> WaitForThread(const Ref& mention, size_t parts, int seconds = 60) {
    auto deadline = Clock::now() + std::chrono::seconds(seconds);
    std::vector<json> thread;
    while (Clock::now() < deadline) {
      // Finished first: the thread read after it is complete.
      bool finished = Finished(mention.uri);
      thread = ReplyThread(net_, bot_->did(), mention.uri);
      if (finished && thread.size() >= parts) return thread;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no complete reply to " << mention.uri << " within " << seconds
                  << " s; bot log: " << log_ << "\n"
                  << t::ReadWholeFile(log_).substr(0, 4000);
    return thread;
  }

  // How many posts the reply to `mention_uri` has, by the state store.
  size_t StoredParts(const std::string& mention_uri) {
    auto store = bot::Store::Open(state_);
    if (!store.ok()) return 0;
    auto m = (*store)->GetMention(mention_uri);
    return m.ok() ? m->parts.size() : 0;
  }

  bool Finished(const std::string& mention_uri) {
    auto store = bot::Store::Open(state_);
    if (!store.ok()) return false;
    auto m = (*store)->GetMention(mention_uri);
    return m.ok() && m->finished();
  }

  // Every post is within Bluesky's limits and carries no facets from model text.
  void ExpectWithinLimits(const std::vector<json>& thread) {
    for (const auto& rec : thread) {
      std::string text = rec["value"]["text"];
      EXPECT_LE(atproto::CountGraphemes(text), 300u) << text;
      EXPECT_LE(text.size(), 3000u);
      EXPECT_FALSE(rec["value"].contains("facets")) << text;
    }
  }

  std::string Joined(const std::vector<json>& thread) {
    std::string all;
    for (const auto& rec : thread) all += rec["value"]["text"].get<std::string>() + "\n";
    return all;
  }

  Network net_;
  std::string dir_, state_, log_;
  std::unique_ptr<Account> bot_, alice_, bob_;
};

}  // namespace altscribe::e2e
