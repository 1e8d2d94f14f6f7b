#include "firehose/cid_ref.h"

#include <gtest/gtest.h>

#include "firehose/test_encoder.h"
#include "firehose/varint.h"

namespace altscribe::firehose {
namespace {

using testing::CidFor;

TEST(CidRefTest, StringFormMatchesKnownVector) {
  std::vector<uint8_t> empty;
  std::vector<uint8_t> bytes = CidFor(empty, 0x55);  // raw, sha2-256 of nothing
  auto cid = CidRef::Parse(bytes);
  ASSERT_TRUE(cid.ok()) << cid.status().message();
  EXPECT_EQ(cid->ToString(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  auto parsed = cid->ToCid();
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->codec(), atproto::Cid::kCodecRaw);
  EXPECT_TRUE(cid->IsAtprotoBlock());
  EXPECT_TRUE(cid->MatchesSha256(empty));
  std::vector<uint8_t> one = {1};
  EXPECT_FALSE(cid->MatchesSha256(one));
}

TEST(CidRefTest, Errors) {
  std::vector<uint8_t> good = CidFor({1, 2});
  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(CidRef::Parse(trailing).status().message(), "CID: 1 bytes after the digest");
  std::vector<uint8_t> v2 = good;
  v2[0] = 0x02;
  EXPECT_EQ(CidRef::Parse(v2).status().message(), "CID: version 2, expected 1");
  EXPECT_EQ(CidRef::Parse(std::vector<uint8_t>{0x01, 0xF1}).status().message(),
            "CID: codec: truncated varint");
  EXPECT_EQ(CidRef::Parse(std::vector<uint8_t>{0x01, 0xF1, 0x00}).status().message(),
            "CID: codec: varint not in shortest form");
  EXPECT_EQ(CidRef::Parse(std::vector<uint8_t>{0x01, 0x71, 0x12, 0x00}).status().message(),
            "CID: digest length 0 outside 1..64");
}

TEST(VarintTest, ShortestFormOnly) {
  auto read = [](std::vector<uint8_t> b, uint64_t* v) {
    std::span<const uint8_t> in(b);
    return GetVarint(&in, v);
  };
  uint64_t v = 0;
  EXPECT_EQ(read({0x00}, &v), VarintError::kOk);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(read({0xAC, 0x02}, &v), VarintError::kOk);
  EXPECT_EQ(v, 300u);
  EXPECT_EQ(read({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, &v), VarintError::kOk);
  EXPECT_EQ(v, 0xFFFFFFFFu);
  EXPECT_EQ(read({0x81, 0x00}, &v), VarintError::kNotShortest);
  EXPECT_EQ(read({0x80}, &v), VarintError::kTruncated);
  EXPECT_EQ(read(std::vector<uint8_t>(10, 0xFF), &v), VarintError::kTooLong);
}

}  // namespace
}  // namespace altscribe::firehose
