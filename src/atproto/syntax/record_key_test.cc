#include "atproto/syntax/record_key.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(RecordKeyTest, Vectors) {
  testing::CheckVectors<RecordKey>("recordkey_valid.txt", "recordkey_invalid.txt");
}

TEST(RecordKeyTest, Limits) {
  EXPECT_TRUE(RecordKey::Parse(std::string(512, 'a')).ok());
  EXPECT_FALSE(RecordKey::Parse(std::string(513, 'a')).ok());
  EXPECT_FALSE(RecordKey::Parse("").ok());
  EXPECT_FALSE(RecordKey::Parse(std::string("a\0b", 3)).ok());
  EXPECT_EQ(RecordKey::Parse("self")->str(), "self");
}

}  // namespace
}  // namespace altscribe::atproto
