#include "firehose/cbor.h"

#include <gtest/gtest.h>

#include "firehose/test_encoder.h"

namespace altscribe::firehose::cbor {
namespace {

using testing::CborWriter;
using testing::CidFor;

std::vector<uint8_t> Blob(std::initializer_list<uint8_t> b) { return b; }

// Decodes `in` and returns the error message ("" when it decoded).
std::string ErrorOf(const std::vector<uint8_t>& in, const Limits& limits = {}) {
  Document doc;
  Status st = doc.Decode(in, limits);
  return st.ok() ? "" : st.message();
}

TEST(CborTest, RoundTripsEveryKind) {
  std::vector<uint8_t> cid = CidFor(Blob({1, 2, 3}));
  CborWriter w;
  w.Map(8)
      .Text("a")
      .Int(0)
      .Text("b")
      .Int(-1)
      .Text("n")
      .Null()
      .Text("t")
      .Bool(true)
      .Text("big")
      .Int(INT64_MAX)
      .Text("neg")
      .Int(INT64_MIN)
      .Text("link")
      .Link(cid)
      .Text("list")
      .Array(4)
      .Text("héllo ✓")
      .Bytes({9, 8})
      .Bool(false)
      .Map(0);
  Document doc;
  Status st = doc.Decode(w.bytes());
  ASSERT_TRUE(st.ok()) << st.message();
  Value root = doc.root();
  ASSERT_EQ(root.kind(), Kind::kMap);
  EXPECT_EQ(root.size(), 8u);
  EXPECT_EQ(root.Find("a")->AsInt(), 0);
  EXPECT_EQ(root.Find("b")->AsInt(), -1);
  EXPECT_TRUE(root.Find("n")->is_null());
  EXPECT_TRUE(root.Find("t")->AsBool());
  EXPECT_EQ(root.Find("big")->AsInt(), INT64_MAX);
  EXPECT_EQ(root.Find("neg")->AsInt(), INT64_MIN);
  CidRef link = root.Find("link")->AsLink();
  EXPECT_EQ(std::vector<uint8_t>(link.bytes().begin(), link.bytes().end()), cid);
  EXPECT_TRUE(link.IsAtprotoBlock());
  EXPECT_TRUE(link.MatchesSha256(Blob({1, 2, 3})));
  EXPECT_EQ(link.ToString().substr(0, 7), "bafyrei");
  EXPECT_TRUE(link.ToCid().ok());
  EXPECT_FALSE(root.Find("missing").has_value());

  Value list = *root.Find("list");
  ASSERT_EQ(list.size(), 4u);
  std::vector<Kind> kinds;
  for (Value v : list.items()) kinds.push_back(v.kind());
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::kText, Kind::kBytes, Kind::kBool, Kind::kMap}));
  EXPECT_EQ((*list.items().begin()).AsText(), "héllo ✓");

  std::vector<std::string> keys;
  for (auto [k, v] : root.entries()) keys.emplace_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "n", "t", "big", "neg", "link", "list"}));
}

TEST(CborTest, ViewsPointIntoTheInput) {
  CborWriter w;
  w.Text("zero-copy");
  Document doc;
  ASSERT_TRUE(doc.Decode(w.bytes()).ok());
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(doc.root().AsText().data()), w.bytes().data() + 1);
}

TEST(CborTest, DecodePrefixReportsItsSize) {
  CborWriter w;
  w.Map(1).Text("op").Int(1).Map(0);
  Document doc;
  size_t used = 0;
  ASSERT_TRUE(doc.DecodePrefix(w.bytes(), &used).ok());
  EXPECT_EQ(used, w.bytes().size() - 1);
  EXPECT_EQ(ErrorOf(w.bytes()), "cbor: byte 5: 1 trailing bytes after the item");
}

TEST(CborTest, Truncated) {
  EXPECT_EQ(ErrorOf({}), "cbor: byte 0: truncated: expected an item, input ended");
  EXPECT_EQ(ErrorOf(Blob({0x82, 0x82, 0x01, 0x02})),
            "cbor: byte 4: truncated: expected an item, input ended");
  EXPECT_EQ(ErrorOf(Blob({0x82, 0x01})), "cbor: byte 0: array of 2 items, but only 1 bytes left");
  EXPECT_EQ(ErrorOf(Blob({0x19, 0x01})), "cbor: byte 0: truncated head");
  EXPECT_EQ(ErrorOf(Blob({0x63, 'a', 'b'})),
            "cbor: byte 0: text string of 3 bytes, but only 2 bytes left");
}

TEST(CborTest, Garbage) {
  EXPECT_EQ(ErrorOf(Blob({0xFF, 0x00, 0x13})),
            "cbor: byte 0: break without an indefinite-length item (unsupported)");
  EXPECT_EQ(ErrorOf(Blob({0x1C})), "cbor: byte 0: reserved additional information 28");
  EXPECT_EQ(ErrorOf(Blob({0xF7})), "cbor: byte 0: undefined is not allowed");
  EXPECT_EQ(ErrorOf(Blob({0xE0})), "cbor: byte 0: simple value 0 is not allowed");
  EXPECT_EQ(ErrorOf(Blob({0x62, 0xC3, 0x28})), "cbor: byte 0: text is not valid UTF-8");
  EXPECT_EQ(ErrorOf(Blob({0x63, 0xED, 0xA0, 0x80})), "cbor: byte 0: text is not valid UTF-8");
  EXPECT_EQ(ErrorOf(Blob({0x62, 0xC0, 0x80})), "cbor: byte 0: text is not valid UTF-8");
}

TEST(CborTest, UnsortedKeys) {
  CborWriter w;
  w.Map(2).Text("b").Int(1).Text("a").Int(2);
  EXPECT_EQ(ErrorOf(w.bytes()),
            "cbor: byte 4: map key \"a\" out of order (keys sort by length, then bytewise)");
  // Length first: "aa" after "b" is in order; "b" after "aa" is not.
  CborWriter ok;
  ok.Map(2).Text("b").Int(1).Text("aa").Int(2);
  EXPECT_EQ(ErrorOf(ok.bytes()), "");
  CborWriter bad;
  bad.Map(2).Text("aa").Int(1).Text("b").Int(2);
  EXPECT_EQ(ErrorOf(bad.bytes()),
            "cbor: byte 5: map key \"b\" out of order (keys sort by length, then bytewise)");
}

TEST(CborTest, DuplicateKeys) {
  CborWriter w;
  w.Map(2).Text("seq").Int(1).Text("seq").Int(2);
  EXPECT_EQ(ErrorOf(w.bytes()), "cbor: byte 6: duplicate map key \"seq\"");
}

TEST(CborTest, NonTextKeys) {
  CborWriter w;
  w.Map(1).Int(1).Int(2);
  EXPECT_EQ(ErrorOf(w.bytes()), "cbor: byte 1: map key must be a text string, not a integer");
}

TEST(CborTest, IndefiniteLengths) {
  EXPECT_EQ(ErrorOf(Blob({0x9F, 0x01, 0xFF})),
            "cbor: byte 0: indefinite-length array (DAG-CBOR requires definite lengths)");
  EXPECT_EQ(ErrorOf(Blob({0xBF, 0xFF})),
            "cbor: byte 0: indefinite-length map (DAG-CBOR requires definite lengths)");
  EXPECT_EQ(ErrorOf(Blob({0x7F, 0x61, 'a', 0xFF})),
            "cbor: byte 0: indefinite-length text string (DAG-CBOR requires definite lengths)");
  EXPECT_EQ(ErrorOf(Blob({0x5F, 0xFF})),
            "cbor: byte 0: indefinite-length byte string (DAG-CBOR requires definite lengths)");
}

TEST(CborTest, Floats) {
  const std::string want = "cbor: byte 0: floating-point number (atproto data has no floats)";
  EXPECT_EQ(ErrorOf(Blob({0xF9, 0x3C, 0x00})), want);
  EXPECT_EQ(ErrorOf(Blob({0xFA, 0x3F, 0x80, 0, 0})), want);
  EXPECT_EQ(ErrorOf(Blob({0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0})), want);
}

TEST(CborTest, TagsOtherThan42) {
  EXPECT_EQ(ErrorOf(Blob({0xC1, 0x00})), "cbor: byte 0: tag 1 (only tag 42, a CID link, allowed)");
  EXPECT_EQ(ErrorOf(Blob({0xD8, 0x2B, 0x40})),
            "cbor: byte 0: tag 43 (only tag 42, a CID link, allowed)");
}

TEST(CborTest, Tag42NeedsPrefixAndCidV1) {
  std::vector<uint8_t> cid = CidFor(Blob({1}));
  CborWriter no_prefix;
  no_prefix.Head(6, 42).Bytes(cid);
  EXPECT_EQ(ErrorOf(no_prefix.bytes()), "cbor: byte 2: CID link without its 0x00 multibase prefix");
  CborWriter text;
  text.Head(6, 42).Text("bafy");
  EXPECT_EQ(ErrorOf(text.bytes()), "cbor: byte 2: tag 42 content is not a byte string");
  std::vector<uint8_t> v0(34, 7);  // sha2-256 multihash: 0x12 0x20 + 32 bytes
  v0[0] = 0x12;
  v0[1] = 0x20;
  CborWriter cidv0;
  cidv0.Link(v0);
  EXPECT_EQ(ErrorOf(cidv0.bytes()),
            "cbor: byte 2: CID: CIDv0 (bare multihash) is not allowed; atproto links are CIDv1");
  std::vector<uint8_t> short_digest(cid.begin(), cid.end() - 1);
  CborWriter trunc;
  trunc.Link(short_digest);
  EXPECT_EQ(ErrorOf(trunc.bytes()), "cbor: byte 2: CID: truncated digest");
}

TEST(CborTest, NonShortestForms) {
  EXPECT_EQ(ErrorOf(Blob({0x18, 0x05})), "cbor: byte 0: integer head not in shortest form");
  EXPECT_EQ(ErrorOf(Blob({0x39, 0x00, 0x10})),
            "cbor: byte 0: negative integer head not in shortest form");
  EXPECT_EQ(ErrorOf(Blob({0x78, 0x01, 'a'})),
            "cbor: byte 0: text string head not in shortest form");
  EXPECT_EQ(ErrorOf(Blob({0x9A, 0, 0, 0, 1, 0x01})),
            "cbor: byte 0: array head not in shortest form");
  EXPECT_EQ(ErrorOf(Blob({0x1B, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})),
            "cbor: byte 0: integer head not in shortest form");
}

TEST(CborTest, IntegersOutsideInt64) {
  EXPECT_EQ(ErrorOf(Blob({0x1B, 0x80, 0, 0, 0, 0, 0, 0, 0})),
            "cbor: byte 0: integer outside the 64-bit signed range");
  EXPECT_EQ(ErrorOf(Blob({0x3B, 0x80, 0, 0, 0, 0, 0, 0, 0})),
            "cbor: byte 0: integer outside the 64-bit signed range");
}

TEST(CborTest, LengthClaiming4GBIsRefusedBeforeAllocating) {
  EXPECT_EQ(ErrorOf(Blob({0x5A, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2})),
            "cbor: byte 0: byte string of 4294967295 bytes, but only 2 bytes left");
  EXPECT_EQ(ErrorOf(Blob({0x5B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
            "cbor: byte 0: byte string of 9223372036854775807 bytes, but only 0 bytes left");
  EXPECT_EQ(ErrorOf(Blob({0x9A, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})),
            "cbor: byte 0: array of 4294967295 items, but only 1 bytes left");
  EXPECT_EQ(ErrorOf(Blob({0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})),
            "cbor: byte 0: map of 18446744073709551615 items, but only 0 bytes left");
}

TEST(CborTest, Nesting10000DeepIsRefusedWithoutRecursion) {
  std::vector<uint8_t> deep(10000, 0x81);  // [[[[…
  deep.push_back(0x00);
  EXPECT_EQ(ErrorOf(deep), "cbor: byte 64: nested deeper than 64");
  std::vector<uint8_t> maps;
  for (int i = 0; i < 10000; ++i) maps.insert(maps.end(), {0xA1, 0x61, 'k'});
  maps.push_back(0x00);
  EXPECT_EQ(ErrorOf(maps), "cbor: byte 192: nested deeper than 64");
  // 64 levels are fine.
  std::vector<uint8_t> ok(64, 0x81);
  ok.push_back(0x00);
  EXPECT_EQ(ErrorOf(ok), "");
}

TEST(CborTest, SizeAndItemCaps) {
  Limits small;
  small.max_bytes = 4;
  EXPECT_EQ(ErrorOf(Blob({0x84, 1, 2, 3, 4}), small),
            "cbor: input of 5 bytes, over the 4-byte limit");
  Limits few;
  few.max_items = 3;
  EXPECT_EQ(ErrorOf(Blob({0x84, 1, 2, 3, 4}), few), "cbor: byte 3: more than 3 items");
}

TEST(CborTest, DocumentIsReusable) {
  Document doc;
  CborWriter a;
  a.Array(2).Int(1).Int(2);
  ASSERT_TRUE(doc.Decode(a.bytes()).ok());
  EXPECT_FALSE(doc.Decode(Blob({0xFF})).ok());
  CborWriter b;
  b.Map(1).Text("x").Text("y");
  ASSERT_TRUE(doc.Decode(b.bytes()).ok());
  EXPECT_EQ(doc.root().Find("x")->AsText(), "y");
}

}  // namespace
}  // namespace altscribe::firehose::cbor
