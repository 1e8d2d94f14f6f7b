#include "atproto/syntax/cid.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(CidTest, Vectors) { testing::CheckVectors<Cid>("cid_valid.txt", "cid_invalid.txt"); }

TEST(CidTest, VersionAndCodec) {
  auto record = Cid::Parse("bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq");
  ASSERT_TRUE(record.ok()) << record.status().message();
  EXPECT_EQ(record->version(), 1);
  EXPECT_EQ(record->codec(), Cid::kCodecDagCbor);

  auto blob = Cid::Parse("bafkreig6oaycgretvc7kqrg34hmgo3tiula2jmauy4q7aqs2ek3n6zx25q");
  ASSERT_TRUE(blob.ok()) << blob.status().message();
  EXPECT_EQ(blob->codec(), Cid::kCodecRaw);

  auto v0 = Cid::Parse("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG");
  ASSERT_TRUE(v0.ok()) << v0.status().message();
  EXPECT_EQ(v0->version(), 0);
  EXPECT_EQ(v0->codec(), Cid::kCodecDagPb);
}

TEST(CidTest, Errors) {
  EXPECT_FALSE(Cid::Parse("").ok());
  auto r = Cid::Parse("zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a base32 CIDv1"), std::string::npos);
  r = Cid::Parse("bafyreigks6arfsq3xxfpvqrrwonchxcnu6do76auprhhfomao6c273si");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("multihash length"), std::string::npos);
  EXPECT_FALSE(Cid::Parse("b" + std::string(300, 'a')).ok());
}

}  // namespace
}  // namespace altscribe::atproto
