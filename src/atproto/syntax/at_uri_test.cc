#include "atproto/syntax/at_uri.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(AtUriTest, Vectors) { testing::CheckVectors<AtUri>("aturi_valid.txt", "aturi_invalid.txt"); }

TEST(AtUriTest, ValidVectorsRoundTrip) {
  for (const std::string& s : testing::ReadVectors("aturi_valid.txt")) {
    auto u = AtUri::Parse(s);
    ASSERT_TRUE(u.ok()) << s;
    EXPECT_EQ(u->ToString(), s);
  }
}

TEST(AtUriTest, Accessors) {
  auto u = AtUri::Parse("at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3k44deefqdk2g");
  ASSERT_TRUE(u.ok()) << u.status().message();
  ASSERT_TRUE(u->authority().IsDid());
  EXPECT_EQ(u->authority().did().str(), "did:plc:z72i7hdynmk6r22z27h6tvur");
  ASSERT_TRUE(u->collection().has_value());
  EXPECT_EQ(u->collection()->str(), "app.bsky.feed.post");
  ASSERT_TRUE(u->rkey().has_value());
  EXPECT_EQ(u->rkey()->str(), "3k44deefqdk2g");
  EXPECT_TRUE(u->IsRecord());

  auto repo = AtUri::Parse("at://Alice.Test");
  ASSERT_TRUE(repo.ok());
  EXPECT_TRUE(repo->authority().IsHandle());
  EXPECT_FALSE(repo->collection().has_value());
  EXPECT_FALSE(repo->IsRecord());
  EXPECT_EQ(repo->ToString(), "at://alice.test");  // handles normalize to lowercase

  auto coll = AtUri::Parse("at://alice.test/app.bsky.feed.post");
  ASSERT_TRUE(coll.ok());
  EXPECT_TRUE(coll->collection().has_value());
  EXPECT_FALSE(coll->IsRecord());
}

TEST(AtUriTest, ForRecord) {
  AtUri u =
      AtUri::ForRecord(Did::Parse("did:plc:abc").value(), Nsid::Parse("app.bsky.feed.post").value(),
                       RecordKey::Parse("3k44deefqdk2g").value());
  EXPECT_EQ(u.ToString(), "at://did:plc:abc/app.bsky.feed.post/3k44deefqdk2g");
  EXPECT_EQ(u, AtUri::Parse(u.ToString()).value());
}

TEST(AtUriTest, ErrorsNameThePart) {
  auto r = AtUri::Parse("at://did:plc:abc/app.bsky.feed.post/a b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid record key"), std::string::npos)
      << r.status().message();
  r = AtUri::Parse("at://did:plc:abc/nope/x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid NSID"), std::string::npos);
  std::string huge = "at://did:plc:abc/app.bsky.feed.post/" + std::string(9000, 'a');
  EXPECT_FALSE(AtUri::Parse(huge).ok());
}

}  // namespace
}  // namespace altscribe::atproto
