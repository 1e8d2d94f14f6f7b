#include "firehose/mentions.h"

#include <gtest/gtest.h>

#include "firehose/test_commits.h"

namespace altscribe::firehose {
namespace {

using testing::CidFor;
using testing::CommitFrame;
using testing::CommitSpec;
using testing::FacetSpec;
using testing::OpSpec;
using testing::PostRecord;
using testing::PostSpec;
using testing::StrongRefSpec;
using testing::SubjectRecord;

const std::string kBot = "did:plc:bot2222222222222222222222";
const std::string kOtherBot = "did:plc:bot3333333333333333333333";
const std::string kSomeone = "did:plc:someone22222222222222222";
const std::string kAuthor = "did:plc:author";

PostSpec Mentioning(const std::string& did) {
  PostSpec p;
  p.text = "@scribe.test what is in this picture?";
  p.facets.push_back({0, 12, "app.bsky.richtext.facet#mention", did, ""});
  p.langs = {"en"};
  return p;
}

CommitSpec Create(const std::vector<uint8_t>& record,
                  std::string path = "app.bsky.feed.post/3kp1") {
  CommitSpec c;
  c.repo = kAuthor;
  c.seq = 77;
  c.ops.push_back({"create", std::move(path), record});
  c.mst = {testing::MstNode(1, 4), testing::MstNode(2, 6)};
  return c;
}

// Parses `frame` (kept alive by the caller) and scans it.
Status ScanFrame(MentionFilter& filter, const std::vector<uint8_t>& frame, CommitEvents* out) {
  FrameParser parser;
  auto parsed = parser.Parse(frame);
  if (!parsed.ok()) return parsed.status();
  const auto* commit = std::get_if<CommitMessage>(&*parsed);
  if (commit == nullptr) return Status::Internal("not a commit");
  return filter.Scan(*commit, out);
}

std::string CidString(const std::vector<uint8_t>& record) {
  std::vector<uint8_t> bytes = CidFor(record);
  auto cid = CidRef::Parse(bytes);
  return cid.ok() ? cid->ToString() : "";
}

TEST(MentionsTest, MentionFound) {
  std::vector<uint8_t> record = PostRecord(Mentioning(kBot));
  std::vector<uint8_t> frame = CommitFrame(Create(record));
  MentionFilter filter({kBot});
  CommitEvents out;
  Status st = ScanFrame(filter, frame, &out);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(out.mentions.size(), 1u);
  const MentionEvent& m = out.mentions[0];
  EXPECT_EQ(m.uri, "at://did:plc:author/app.bsky.feed.post/3kp1");
  EXPECT_EQ(m.cid, CidString(record));
  EXPECT_EQ(m.cid.rfind("bafyrei", 0), 0u) << m.cid;
  EXPECT_EQ(m.account_did, kBot);
  EXPECT_EQ(m.author_did, kAuthor);
  EXPECT_FALSE(m.root.has_value());
  EXPECT_FALSE(m.parent.has_value());
  EXPECT_EQ(m.langs, std::vector<std::string>{"en"});
  EXPECT_EQ(m.seq, 77);
  EXPECT_TRUE(out.deletions.empty());
  EXPECT_EQ(filter.counters().records_decoded, 1u);
}

TEST(MentionsTest, EachMentionedBotOnceInBotOrder) {
  PostSpec p = Mentioning(kOtherBot);
  p.facets.push_back({13, 20, "app.bsky.richtext.facet#mention", kBot, ""});
  p.facets.push_back({21, 25, "app.bsky.richtext.facet#mention", kOtherBot, ""});
  std::vector<uint8_t> frame = CommitFrame(Create(PostRecord(p)));
  MentionFilter filter({kBot, kOtherBot});
  CommitEvents out;
  ASSERT_TRUE(ScanFrame(filter, frame, &out).ok());
  ASSERT_EQ(out.mentions.size(), 2u);
  EXPECT_EQ(out.mentions[0].account_did, kBot);
  EXPECT_EQ(out.mentions[1].account_did, kOtherBot);
}

TEST(MentionsTest, MentionOfAnotherDidIsIgnoredWithoutDecoding) {
  std::vector<uint8_t> frame = CommitFrame(Create(PostRecord(Mentioning(kSomeone))));
  MentionFilter filter({kBot});
  CommitEvents out;
  ASSERT_TRUE(ScanFrame(filter, frame, &out).ok());
  EXPECT_TRUE(out.mentions.empty());
  EXPECT_EQ(filter.counters().cars_read, 1u);
  EXPECT_EQ(filter.counters().records_decoded, 0u);  // the bot's DID is not in the block
}

TEST(MentionsTest, DidOnlyInTextOrInALinkIsNoMention) {
  PostSpec text_only;
  text_only.text = "I think " + kBot + " is a bot";
  PostSpec link;
  link.text = "see the profile";
  link.facets.push_back(
      {0, 3, "app.bsky.richtext.facet#link", "", "https://bsky.app/profile/" + kBot});
  for (const PostSpec& p : {text_only, link}) {
    std::vector<uint8_t> frame = CommitFrame(Create(PostRecord(p)));
    MentionFilter filter({kBot});
    CommitEvents out;
    Status st = ScanFrame(filter, frame, &out);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_TRUE(out.mentions.empty()) << p.text;
    EXPECT_EQ(filter.counters().records_decoded, 1u);  // a candidate, decoded, then dropped
  }
}

TEST(MentionsTest, ReplyRefs) {
  PostSpec p = Mentioning(kBot);
  p.reply_root = StrongRefSpec{"at://did:plc:op/app.bsky.feed.post/3kroot", "bafyreiroot"};
  p.reply_parent = StrongRefSpec{"at://did:plc:mid/app.bsky.feed.post/3kmid", "bafyreimid"};
  p.langs = {"es", "en"};
  std::vector<uint8_t> frame = CommitFrame(Create(PostRecord(p)));
  MentionFilter filter({kBot});
  CommitEvents out;
  ASSERT_TRUE(ScanFrame(filter, frame, &out).ok());
  ASSERT_EQ(out.mentions.size(), 1u);
  const MentionEvent& m = out.mentions[0];
  ASSERT_TRUE(m.root.has_value());
  ASSERT_TRUE(m.parent.has_value());
  EXPECT_EQ(*m.root, (PostRef{"at://did:plc:op/app.bsky.feed.post/3kroot", "bafyreiroot"}));
  EXPECT_EQ(*m.parent, (PostRef{"at://did:plc:mid/app.bsky.feed.post/3kmid", "bafyreimid"}));
  EXPECT_EQ(m.langs, (std::vector<std::string>{"es", "en"}));
}

TEST(MentionsTest, Deletions) {
  CommitSpec c;
  c.repo = kAuthor;
  c.seq = 9;
  c.ops = {{"delete", "app.bsky.feed.post/3kgone", {}},
           {"delete", "app.bsky.feed.like/3klike", {}},
           {"delete", "app.bsky.feed.post/3kgone2", {}}};
  std::vector<uint8_t> frame = CommitFrame(c);
  MentionFilter filter({kBot});
  CommitEvents out;
  ASSERT_TRUE(ScanFrame(filter, frame, &out).ok());
  ASSERT_EQ(out.deletions.size(), 2u);
  EXPECT_EQ(out.deletions[0].uri, "at://did:plc:author/app.bsky.feed.post/3kgone");
  EXPECT_EQ(out.deletions[1].uri, "at://did:plc:author/app.bsky.feed.post/3kgone2");
  EXPECT_EQ(out.deletions[1].seq, 9);
  EXPECT_EQ(filter.counters().cars_read, 0u);  // deletions need no record
}

TEST(MentionsTest, CommitsWithoutPostsAreSkippedUnlessStrict) {
  CommitSpec like = Create(SubjectRecord("app.bsky.feed.like", "at://x/app.bsky.feed.post/1", "b"),
                           "app.bsky.feed.like/3kl");
  std::vector<uint8_t> frame = CommitFrame(like);
  // Damage the like record (the CAR's last block; its createdAt is the frame's last one): the
  // fast path does not read this CAR, so it does not notice.
  std::string stamp = "12:00:00";
  auto it = std::find_end(frame.begin(), frame.end(), stamp.begin(), stamp.end());
  ASSERT_NE(it, frame.end());
  *it = '3';
  MentionFilter fast({kBot});
  CommitEvents out;
  EXPECT_TRUE(ScanFrame(fast, frame, &out).ok());
  EXPECT_EQ(fast.counters().cars_read, 0u);
  MentionFilter strict({kBot}, {.verify_every_commit = true});
  Status st = ScanFrame(strict, frame, &out);
  EXPECT_NE(st.message().find("does not match its CID's sha-256"), std::string::npos)
      << st.message();
  EXPECT_EQ(strict.counters().cars_read, 1u);
}

TEST(MentionsTest, HashMismatchIsAnErrorNotAMention) {
  std::vector<uint8_t> record = PostRecord(Mentioning(kBot));
  std::vector<uint8_t> frame = CommitFrame(Create(record));
  // The record is the CAR's last block, and the CAR the body's last bytes but for the fields
  // after it: find the record's text and change one letter.
  std::string needle = "picture";
  auto it = std::search(frame.begin(), frame.end(), needle.begin(), needle.end());
  ASSERT_NE(it, frame.end());
  *it = 'P';
  MentionFilter filter({kBot});
  CommitEvents out;
  out.deletions.push_back({"at://kept", 1});
  Status st = ScanFrame(filter, frame, &out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("commit did:plc:author seq 77: CAR: byte ", 0), 0u) << st.message();
  EXPECT_NE(st.message().find("does not match its CID's sha-256"), std::string::npos)
      << st.message();
  EXPECT_TRUE(out.mentions.empty());
  ASSERT_EQ(out.deletions.size(), 1u);  // what was there stays
}

TEST(MentionsTest, RecordMissingFromTheCar) {
  CommitSpec c = Create(PostRecord(Mentioning(kBot)));
  c.omit_records = true;
  std::vector<uint8_t> frame = CommitFrame(c);
  MentionFilter filter({kBot});
  CommitEvents out;
  Status st = ScanFrame(filter, frame, &out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(
      st.message().rfind("commit did:plc:author seq 77: the record of app.bsky.feed.post/3kp1 "
                         "(bafyrei",
                         0),
      0u)
      << st.message();
  EXPECT_NE(st.message().find(") is not in the commit's blocks"), std::string::npos);
  // A tooBig commit may leave records out: nothing to report, no error.
  c.too_big = true;
  frame = CommitFrame(c);
  EXPECT_TRUE(ScanFrame(filter, frame, &out).ok());
  EXPECT_TRUE(out.mentions.empty());
}

TEST(MentionsTest, MalformedCandidateRecord) {
  // A mention facet whose did is not text; a reply without a parent; facets not an array.
  testing::CborWriter bad_did;
  bad_did.Map(3).Text("text").Text(kBot).Text("$type").Text("app.bsky.feed.post");
  bad_did.Text("facets")
      .Array(1)
      .Map(1)
      .Text("features")
      .Array(1)
      .Map(2)
      .Text("did")
      .Int(1)
      .Text("$type")
      .Text("app.bsky.richtext.facet#mention");
  testing::CborWriter no_parent;
  no_parent.Map(3)
      .Text("text")
      .Text("x")
      .Text("reply")
      .Map(1)
      .Text("root")
      .Map(2)
      .Text("cid")
      .Text("c")
      .Text("uri")
      .Text("u");
  no_parent.Text("facets")
      .Array(1)
      .Map(1)
      .Text("features")
      .Array(1)
      .Map(2)
      .Text("did")
      .Text(kBot)
      .Text("$type")
      .Text("app.bsky.richtext.facet#mention");
  testing::CborWriter facets_map;
  facets_map.Map(2).Text("text").Text(kBot).Text("facets").Map(0);
  const std::pair<std::vector<uint8_t>, std::string> cases[] = {
      {bad_did.Take(),
       "record app.bsky.feed.post/3kp1: mention facet.did is integer, expected text"},
      {no_parent.Take(), "record app.bsky.feed.post/3kp1: reply has no 'parent'"},
      {facets_map.Take(), "record app.bsky.feed.post/3kp1: facets is map, expected array"},
  };
  for (const auto& [record, want] : cases) {
    std::vector<uint8_t> frame = CommitFrame(Create(record));
    MentionFilter filter({kBot});
    CommitEvents out;
    Status st = ScanFrame(filter, frame, &out);
    EXPECT_EQ(st.message(), "commit did:plc:author seq 77: " + want);
    EXPECT_TRUE(out.mentions.empty());
  }
}

TEST(MentionsTest, NetworkLikeStreamFindsEveryPlantedMention) {
  MentionFilter filter({kBot});
  CommitEvents out;
  int planted = 0;
  for (uint64_t n = 0; n < 2000; ++n) {
    std::vector<uint8_t> frame = testing::NetworkLikeCommit(n, kBot);
    planted += std::search(frame.begin(), frame.end(), kBot.begin(), kBot.end()) != frame.end();
    Status st = ScanFrame(filter, frame, &out);
    ASSERT_TRUE(st.ok()) << n << ": " << st.message();
  }
  EXPECT_GT(planted, 10);
  EXPECT_EQ(out.mentions.size(), static_cast<size_t>(planted));
  EXPECT_GT(out.deletions.size(), 20u);
  EXPECT_EQ(filter.counters().records_decoded, static_cast<uint64_t>(planted));
}

}  // namespace
}  // namespace altscribe::firehose
