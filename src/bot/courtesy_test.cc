#include "bot/courtesy.h"

#include <gtest/gtest.h>

#include "bot/poster.h"

namespace altscribe::bot {
namespace {

TEST(Courtesy, ProfileTagsOptOutAsWholeTagsInAnyCase) {
  for (const char* d : {"#nobot", "Artist. #NoAI please", "photos (#noalt)", "＃noai",
                        "line one\n#NoBot\nline two", "#noai."}) {
    EXPECT_TRUE(ProfileOptsOut(d)) << d;
  }
  for (const char* d :
       {"", "no bots here", "#noaiart", "#nobots", "nobot", "#no ai", "#noalt_text", "#noaiの"}) {
    EXPECT_FALSE(ProfileOptsOut(d)) << d;
  }
}

TEST(Courtesy, WarningLabelsAreTheContentWarningsOnceInOrder) {
  EXPECT_EQ(WarningLabels({"graphic-media", "bot", "!hide", "porn", "porn"}),
            (std::vector<std::string>{"porn", "graphic-media"}));
  EXPECT_EQ(WarningLabels({"gore"}), (std::vector<std::string>{"graphic-media"}));
  EXPECT_EQ(WarningLabels({"nudity", "sexual"}), (std::vector<std::string>{"sexual", "nudity"}));
  EXPECT_TRUE(WarningLabels({"bot", "spam", "!warn"}).empty());
}

TEST(Courtesy, NewAccountsGetStricterLimits) {
  CourtesyOptions o;
  const int64_t now = 1'800'000'000'000;
  const int64_t day = 86'400'000;
  EXPECT_EQ(LimitsFor(o, now - 2 * day, now).per_minute, 2);
  EXPECT_EQ(LimitsFor(o, now - 2 * day, now).per_hour, 6);
  EXPECT_EQ(LimitsFor(o, now - 8 * day, now).per_minute, 4);
  EXPECT_EQ(LimitsFor(o, now - 8 * day, now).per_hour, 20);
  EXPECT_EQ(LimitsFor(o, 0, now).per_minute, 4) << "unknown age: normal limits";
  o.new_account_days = 0;
  EXPECT_EQ(LimitsFor(o, now - 1000, now).per_minute, 4);
}

TEST(Courtesy, ReplyLinkPointsAtPartZeroOfTheEarlierReply) {
  const std::string mention = "at://did:plc:abc/app.bsky.feed.post/3kxyz2abcde2a";
  EXPECT_EQ(ReplyLink("did:plc:bot", mention),
            "https://bsky.app/profile/did:plc:bot/post/" + PartRkey(mention, 0));
}

TEST(Courtesy, FairOrderAlternatesRequestersOldestFirst) {
  std::vector<Mention> pending;
  for (const char* who : {"bob", "bob", "bob", "alice", "bob", "carol", "alice"}) {
    Mention m;
    m.info.author_did = who;
    m.info.uri = std::string(who) + std::to_string(pending.size());
    pending.push_back(m);
  }
  std::vector<std::string> got;
  for (const Mention& m : FairOrder(pending)) got.push_back(m.info.uri);
  EXPECT_EQ(got, (std::vector<std::string>{"bob0", "alice3", "carol5", "bob1", "alice6", "bob2",
                                           "bob4"}));
  EXPECT_TRUE(FairOrder({}).empty());
}

}  // namespace
}  // namespace altscribe::bot
