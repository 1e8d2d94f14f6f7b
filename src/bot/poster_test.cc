// PartRkey: the record keys that make replies exactly-once. (Posting itself is tested end to
// end against the local Bluesky network in tests/e2e.)
#include "bot/poster.h"

#include <gtest/gtest.h>

#include <set>

#include "atproto/syntax/tid.h"

namespace altscribe::bot {
namespace {

namespace ap = altscribe::atproto;

TEST(PartRkey, DeterministicTidsAfterTheMention) {
  const std::string mention =
      "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcde2fgh2a";
  auto mention_tid = ap::Tid::Parse("3kabcde2fgh2a");
  ASSERT_TRUE(mention_tid.ok());
  std::set<std::string> keys;
  for (int k = 0; k < 5; ++k) {
    std::string key = PartRkey(mention, k);
    EXPECT_EQ(key, PartRkey(mention, k)) << "same inputs, same key";
    auto tid = ap::Tid::Parse(key);
    ASSERT_TRUE(tid.ok()) << key << ": " << tid.status().message();
    EXPECT_EQ(tid->micros(), mention_tid->micros() + 1'000'000 + k);
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 5u);
  EXPECT_LT(PartRkey(mention, 0), PartRkey(mention, 1)) << "parts sort in thread order";
}

TEST(PartRkey, DifferentMentionsGetDifferentKeys) {
  EXPECT_NE(PartRkey("at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kabcde2fgh2a", 0),
            PartRkey("at://did:plc:bbbbbbbbbbbbbbbbbbbbbbbb/app.bsky.feed.post/3kabcde2fgh2a", 0));
}

TEST(PartRkey, NonTidKeysStillGiveValidTids) {
  std::string key = PartRkey("at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/self", 2);
  EXPECT_TRUE(ap::Tid::Parse(key).ok()) << key;
  EXPECT_EQ(key, PartRkey("at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/self", 2));
}

}  // namespace
}  // namespace altscribe::bot
