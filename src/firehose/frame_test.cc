#include "firehose/frame.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "firehose/car.h"
#include "firehose/test_encoder.h"

namespace altscribe::firehose {
namespace {

using testing::CborWriter;
using testing::CidFor;
using testing::CommitBody;
using testing::Concat;
using testing::Header;
using testing::MakeCar;
using testing::Post;

Result<Frame> ParseBytes(const std::vector<uint8_t>& bytes) {
  FrameParser parser;
  auto r = parser.Parse(bytes);
  if (!r.ok()) return r.status();
  return r;  // views point into `bytes`, which the caller keeps
}

std::string ErrorOf(const std::vector<uint8_t>& bytes) {
  FrameParser parser;
  auto r = parser.Parse(bytes);
  return r.ok() ? "" : r.status().message();
}

TEST(FrameTest, Commit) {
  std::vector<uint8_t> record = Post("hi @bot");
  std::vector<uint8_t> frame = Concat(Header(1, "#commit"), CommitBody(record));
  FrameParser parser;
  auto r = parser.Parse(frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto* c = std::get_if<CommitMessage>(&*r);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->seq, 42);
  EXPECT_EQ(c->repo, "did:plc:abc");
  EXPECT_EQ(c->rev, "3kabd");
  EXPECT_FALSE(c->since.has_value());
  EXPECT_FALSE(c->prev_data.has_value());
  EXPECT_EQ(c->time, "2024-05-01T00:00:00.000Z");
  EXPECT_FALSE(c->too_big);
  ASSERT_EQ(c->ops.size(), 1u);
  EXPECT_EQ(c->ops[0].action, "create");
  EXPECT_EQ(c->ops[0].path, "app.bsky.feed.post/3kabc");
  ASSERT_TRUE(c->ops[0].cid.has_value());
  EXPECT_TRUE(c->ops[0].cid->MatchesSha256(record));

  // The CAR checks out, its root is the commit, and the op's record is in it.
  auto car = CarReader::Open(c->blocks);
  ASSERT_TRUE(car.ok()) << car.status().message();
  ASSERT_EQ(car->roots().size(), 1u);
  EXPECT_EQ(car->roots()[0], c->commit);
  bool found = false;
  Status st = car->ForEach([&](const CarBlock& b) { found |= b.cid == *c->ops[0].cid; });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(found);
}

TEST(FrameTest, IdentityAccountInfoSync) {
  CborWriter id;
  id.Map(4)
      .Text("did")
      .Text("did:plc:x")
      .Text("seq")
      .Int(7)
      .Text("time")
      .Text("t")
      .Text("handle")
      .Text("alice.test");
  auto r = ParseBytes(Concat(Header(1, "#identity"), id.bytes()));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(std::holds_alternative<IdentityMessage>(*r));
  EXPECT_EQ(std::get<IdentityMessage>(*r).seq, 7);

  CborWriter acct;
  acct.Map(5)
      .Text("did")
      .Text("did:plc:x")
      .Text("seq")
      .Int(8)
      .Text("time")
      .Text("t")
      .Text("active")
      .Bool(false)
      .Text("status")
      .Text("takendown");
  std::vector<uint8_t> acct_frame = Concat(Header(1, "#account"), acct.bytes());
  r = ParseBytes(acct_frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(std::holds_alternative<AccountMessage>(*r));
  EXPECT_FALSE(std::get<AccountMessage>(*r).active);
  EXPECT_EQ(std::get<AccountMessage>(*r).status, "takendown");

  CborWriter info;
  info.Map(2).Text("name").Text("OutdatedCursor").Text("message").Text("too old");
  std::vector<uint8_t> info_frame = Concat(Header(1, "#info"), info.bytes());
  r = ParseBytes(info_frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<InfoMessage>(*r).name, "OutdatedCursor");

  CborWriter sync;
  sync.Map(5)
      .Text("did")
      .Text("did:plc:x")
      .Text("rev")
      .Text("3k")
      .Text("seq")
      .Int(9)
      .Text("time")
      .Text("t")
      .Text("blocks")
      .Bytes(MakeCar({}, {}));
  std::vector<uint8_t> sync_frame = Concat(Header(1, "#sync"), sync.bytes());
  r = ParseBytes(sync_frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<SyncMessage>(*r).seq, 9);
}

TEST(FrameTest, ErrorFrames) {
  for (std::string name : {"FutureCursor", "OutdatedCursor"}) {
    CborWriter body;
    body.Map(2).Text("error").Text(name).Text("message").Text("cursor problem");
    std::vector<uint8_t> frame = Concat(Header(-1, ""), body.bytes());
    FrameParser parser;
    auto r = parser.Parse(frame);
    ASSERT_TRUE(r.ok()) << r.status().message();
    const auto* e = std::get_if<ErrorFrame>(&*r);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->error, name);
    EXPECT_EQ(e->message, "cursor problem");
    EXPECT_EQ(e->is_future_cursor(), name == "FutureCursor");
    EXPECT_EQ(e->is_outdated_cursor(), name == "OutdatedCursor");
  }
}

TEST(FrameTest, UnknownTypeIsReportedNotAnError) {
  CborWriter body;
  body.Map(1).Text("did").Text("did:plc:x");
  std::vector<uint8_t> frame = Concat(Header(1, "#tombstone"), body.bytes());
  FrameParser parser;
  auto r = parser.Parse(frame);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto* u = std::get_if<UnknownMessage>(&*r);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->type, "#tombstone");
  EXPECT_EQ(u->op, 1);
  std::vector<uint8_t> op2 = Concat(Header(2, "#commit"), body.bytes());
  r = parser.Parse(op2);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<UnknownMessage>(*r).op, 2);
}

TEST(FrameTest, TruncatedFrame) {
  std::vector<uint8_t> frame = Concat(Header(1, "#commit"), CommitBody(Post("x")));
  std::vector<uint8_t> header_only = Header(1, "#commit");
  EXPECT_EQ(ErrorOf(header_only), "frame: truncated, no body after header");
  frame.resize(frame.size() / 2);
  std::string err = ErrorOf(frame);
  EXPECT_EQ(err.rfind("frame body (at frame byte 15): cbor: byte ", 0), 0u) << err;
  EXPECT_NE(err.find("bytes left"), std::string::npos) << err;
  std::vector<uint8_t> cut_header(header_only.begin(), header_only.begin() + 5);
  EXPECT_EQ(ErrorOf(cut_header),
            "frame header: cbor: byte 3: text string of 7 bytes, but only 1 bytes left");
}

TEST(FrameTest, GarbageBytes) {
  EXPECT_EQ(ErrorOf({0xFF, 0xFE, 0x00}),
            "frame header: cbor: byte 0: break without an indefinite-length item (unsupported)");
  EXPECT_EQ(ErrorOf({'h', 'e', 'l', 'l', 'o'}),
            "frame header: cbor: byte 0: text string of 8 bytes, but only 4 bytes left");
  EXPECT_EQ(ErrorOf({0x01, 0x02}), "frame header: not a map");
  EXPECT_EQ(ErrorOf({}), "frame: empty");
}

TEST(FrameTest, FrameOver5MB) {
  std::vector<uint8_t> frame(kMaxFrameBytes + 1, 0);
  auto r = ParseBytes(frame);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_EQ(r.status().message(), "frame of 5242881 bytes, over the 5242880-byte limit");
}

TEST(FrameTest, MissingOrMistypedFields) {
  CborWriter body;
  body.Map(1).Text("seq").Text("42");
  std::vector<uint8_t> frame = Concat(Header(1, "#commit"), body.bytes());
  EXPECT_EQ(ErrorOf(frame), "#commit: field 'seq' is text, expected integer");
  CborWriter empty;
  empty.Map(0);
  frame = Concat(Header(1, "#identity"), empty.bytes());
  EXPECT_EQ(ErrorOf(frame), "#identity: missing field 'seq'");
  frame = Concat(Header(-1, ""), empty.bytes());
  EXPECT_EQ(ErrorOf(frame), "error frame: missing field 'error'");
}

TEST(FrameTest, FloatInBodyIsRefused) {
  CborWriter body;
  body.Map(1).Text("seq").Raw({0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0});
  std::vector<uint8_t> frame = Concat(Header(1, "#commit"), body.bytes());
  EXPECT_EQ(ErrorOf(frame),
            "frame body (at frame byte 15): cbor: byte 5: floating-point number (atproto data "
            "has no floats)");
}

// The rest of the issue's list, each as a whole frame: one clear line, nothing half-parsed.
TEST(FrameTest, BadBodiesFromTheIssueList) {
  const std::vector<uint8_t> header = Header(1, "#commit");  // 15 bytes
  auto body_error = [&](const std::vector<uint8_t>& body) { return ErrorOf(Concat(header, body)); };
  const std::string at = "frame body (at frame byte 15): cbor: byte ";

  CborWriter unsorted;
  unsorted.Map(2).Text("seq").Int(1).Text("ops").Array(0);
  EXPECT_EQ(body_error(unsorted.bytes()),
            at + "6: map key \"ops\" out of order (keys sort by length, then bytewise)");
  CborWriter duplicate;
  duplicate.Map(2).Text("seq").Int(1).Text("seq").Int(2);
  EXPECT_EQ(body_error(duplicate.bytes()), at + "6: duplicate map key \"seq\"");
  EXPECT_EQ(body_error({0xBF, 0x63, 's', 'e', 'q', 0x01, 0xFF}),
            at + "0: indefinite-length map (DAG-CBOR requires definite lengths)");
  CborWriter tag;
  tag.Map(1).Text("seq").Head(6, 1).Int(0);
  EXPECT_EQ(body_error(tag.bytes()), at + "5: tag 1 (only tag 42, a CID link, allowed)");
  CborWriter huge;
  huge.Map(1).Text("blocks").Raw({0x5A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00});
  EXPECT_EQ(body_error(huge.bytes()),
            at + "8: byte string of 4294967295 bytes, but only 1 bytes left");
  CborWriter deep;
  deep.Map(1).Text("ops");
  std::vector<uint8_t> nested = deep.Take();
  nested.insert(nested.end(), 10000, 0x81);
  nested.push_back(0x00);
  EXPECT_EQ(body_error(nested), at + "68: nested deeper than 64");
  // The header goes through the same decoder.
  EXPECT_EQ(ErrorOf({0xA2, 0x61, 't', 0x61, 'x', 0x61, 'o', 0x01, 0xA0}),
            "frame header: cbor: byte 5: map key \"o\" out of order (keys sort by length, then "
            "bytewise)");
}

TEST(FrameTest, CommitWhoseBlockHashDoesNotMatch) {
  std::vector<uint8_t> frame = Concat(Header(1, "#commit"), CommitBody(Post("hello there")));
  std::string needle = "hello there";
  auto it = std::search(frame.begin(), frame.end(), needle.begin(), needle.end());
  ASSERT_NE(it, frame.end());
  *it = 'j';  // the record's bytes change, its CID in the CAR does not
  FrameParser parser;
  auto r = parser.Parse(frame);
  ASSERT_TRUE(r.ok()) << r.status().message();  // the frame itself is well-formed
  const auto& c = std::get<CommitMessage>(*r);
  auto car = CarReader::Open(c.blocks);
  ASSERT_TRUE(car.ok()) << car.status().message();
  Status st = car->ForEach([](const CarBlock&) {});
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("CAR: byte ", 0), 0u) << st.message();
  EXPECT_NE(st.message().find("does not match its CID's sha-256"), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace altscribe::firehose
