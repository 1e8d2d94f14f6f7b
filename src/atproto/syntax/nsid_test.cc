#include "atproto/syntax/nsid.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(NsidTest, Vectors) { testing::CheckVectors<Nsid>("nsid_valid.txt", "nsid_invalid.txt"); }

TEST(NsidTest, Parts) {
  auto n = Nsid::Parse("app.bsky.feed.post");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->authority(), "app.bsky.feed");
  EXPECT_EQ(n->name(), "post");
  EXPECT_EQ(n->str(), "app.bsky.feed.post");
  // Case is kept: NSIDs compare exactly.
  EXPECT_NE(Nsid::Parse("app.bsky.feed.Post").value(), *n);
}

TEST(NsidTest, LengthLimits) {
  std::string seg63(63, 'a');
  EXPECT_TRUE(Nsid::Parse(seg63 + ".b." + seg63).ok());
  EXPECT_FALSE(Nsid::Parse(seg63 + "a.b.c").ok());  // 64-character segment
  EXPECT_FALSE(Nsid::Parse("a.b." + seg63 + "a").ok());
  // Authority at most 253 characters.
  std::string authority = seg63 + "." + seg63 + "." + seg63 + "." + std::string(61, 'a');
  ASSERT_EQ(authority.size(), 253u);
  EXPECT_TRUE(Nsid::Parse(authority + ".name").ok());
  EXPECT_FALSE(Nsid::Parse(authority + "a.name").ok());
}

}  // namespace
}  // namespace altscribe::atproto
