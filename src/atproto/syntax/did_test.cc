#include "atproto/syntax/did.h"

#include <gtest/gtest.h>

#include "atproto/syntax/test_vectors.h"

namespace altscribe::atproto {
namespace {

TEST(DidTest, Vectors) { testing::CheckVectors<Did>("did_valid.txt", "did_invalid.txt"); }

TEST(DidTest, Parts) {
  auto d = Did::Parse("did:plc:z72i7hdynmk6r22z27h6tvur");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->str(), "did:plc:z72i7hdynmk6r22z27h6tvur");
  EXPECT_EQ(d->method(), "plc");
  EXPECT_EQ(d->identifier(), "z72i7hdynmk6r22z27h6tvur");
  EXPECT_TRUE(d->IsPlc());
  EXPECT_FALSE(d->IsWeb());

  auto w = Did::Parse("did:method:a:b:c");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->method(), "method");
  EXPECT_EQ(w->identifier(), "a:b:c");
}

TEST(DidTest, WebHost) {
  EXPECT_EQ(Did::Parse("did:web:example.com")->WebHost().value(), "example.com");
  EXPECT_EQ(Did::Parse("did:web:localhost%3A2583")->WebHost().value(), "localhost:2583");
  EXPECT_FALSE(Did::Parse("did:web:example.com:user:alice")->WebHost().ok());
  EXPECT_FALSE(Did::Parse("did:web:exa%20mple.com")->WebHost().ok());
  EXPECT_FALSE(Did::Parse("did:plc:z72i7hdynmk6r22z27h6tvur")->WebHost().ok());
}

TEST(DidTest, LengthLimit) {
  std::string d = "did:plc:";
  d += std::string(Did::kMaxLength - d.size(), 'a');
  EXPECT_TRUE(Did::Parse(d).ok());
  d += "a";
  auto r = Did::Parse(d);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("longer than 2048"), std::string::npos);
}

TEST(DidTest, ErrorNamesInputAndCause) {
  auto r = Did::Parse("did:METHOD:val");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid DID 'did:METHOD:val': method must be lowercase letters");
}

TEST(DidTest, ComparesAndOrders) {
  auto a = Did::Parse("did:plc:aaa").value();
  auto b = Did::Parse("did:plc:bbb").value();
  EXPECT_EQ(a, Did::Parse("did:plc:aaa").value());
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
}

}  // namespace
}  // namespace altscribe::atproto
