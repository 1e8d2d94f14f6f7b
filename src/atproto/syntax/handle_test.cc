#include "atproto/syntax/handle.h"

#include <gtest/gtest.h>

#include "atproto/syntax/at_identifier.h"
#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(HandleTest, Vectors) {
  testing::CheckVectors<Handle>("handle_valid.txt", "handle_invalid.txt");
}

TEST(HandleTest, NormalizesToLowercase) {
  auto h = Handle::Parse("Alice.Bsky.Social");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->str(), "alice.bsky.social");
  EXPECT_EQ(*h, Handle::Parse("alice.bsky.social").value());
  EXPECT_EQ(h->tld(), "social");
}

TEST(HandleTest, LengthLimit) {
  std::string h;
  while (h.size() + 64 <= Handle::kMaxLength) h += std::string(63, 'a') + ".";
  h += std::string(Handle::kMaxLength - h.size() - 5, 'b') + ".test";
  ASSERT_EQ(h.size(), Handle::kMaxLength);
  EXPECT_TRUE(Handle::Parse(h).ok()) << Handle::Parse(h).status().message();
  auto r = Handle::Parse("a." + h);  // 255 characters, every label fine
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("longer than 253"), std::string::npos);
}

TEST(HandleTest, SpecialTlds) {
  EXPECT_TRUE(Handle::Parse("handle.invalid")->IsInvalidMarker());
  EXPECT_FALSE(Handle::Parse("handle.invalid")->HasAllowedTld());
  EXPECT_FALSE(Handle::Parse("laptop.local")->HasAllowedTld());
  EXPECT_FALSE(Handle::Parse("x.onion")->HasAllowedTld());
  EXPECT_TRUE(Handle::Parse("alice.test")->HasAllowedTld());
  EXPECT_TRUE(Handle::Parse("alice.bsky.social")->HasAllowedTld());
  EXPECT_FALSE(Handle::Parse("alice.bsky.social")->IsInvalidMarker());
}

TEST(AtIdentifierTest, DidOrHandle) {
  auto d = AtIdentifier::Parse("did:plc:z72i7hdynmk6r22z27h6tvur");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->IsDid());
  EXPECT_EQ(d->did().str(), "did:plc:z72i7hdynmk6r22z27h6tvur");
  EXPECT_EQ(d->str(), "did:plc:z72i7hdynmk6r22z27h6tvur");

  auto h = AtIdentifier::Parse("Alice.Test");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->IsHandle());
  EXPECT_EQ(h->str(), "alice.test");

  // "did:" commits to the DID parser: a malformed DID is not retried as a handle.
  auto bad = AtIdentifier::Parse("did:UPPER:x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid DID"), std::string::npos);
  EXPECT_FALSE(AtIdentifier::Parse("").ok());
  EXPECT_FALSE(AtIdentifier::Parse("nodots").ok());
}

}  // namespace
}  // namespace altscribe::atproto
