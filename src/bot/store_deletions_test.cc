// The state store's deletions: a deleted mention or target cancels what is unfinished and queues
// one retraction of what was posted; redelivered deletions and mentions change nothing; a
// restart finds the retraction where it was.
#include <gtest/gtest.h>

#include "bot/store.h"
#include "test_env.h"

namespace altscribe::bot {
namespace {

namespace t = altscribe::testing;

constexpr char kBot[] = "did:plc:bot";
constexpr char kTarget[] = "at://did:plc:alice/app.bsky.feed.post/3ktarget";

NewMention Mention(int i) {
  NewMention m;
  m.uri = "at://did:plc:bob/app.bsky.feed.post/3kmention" + std::to_string(i);
  m.cid = "bafycid" + std::to_string(i);
  m.account_did = kBot;
  m.author_did = "did:plc:bob";
  m.parent = StrongRef{kTarget, "bafytarget"};
  m.root = m.parent;
  return m;
}

std::string Tid(int n) {
  std::string s = "3kabcdefgh222";
  s[12] = "234567abcdefghijklmnopqrstuvwxyz"[n % 32];
  return s;
}

class StoreDeletionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = t::MakeTempDir("store-del") + "/bot.db";
    Reopen();
  }
  void Reopen() {
    store_.reset();
    auto s = Store::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }
  // Mention i, planned about kTarget, described with `parts` parts of which `posted` are posted.
  void Walk(int i, int parts, int posted) {
    NewMention m = Mention(i);
    ASSERT_TRUE(store_->AddMention(m).ok());
    ASSERT_TRUE(store_->SavePlan(m.uri, std::string(R"({"target":")") + kTarget + "\"}").ok());
    std::vector<PartDraft> drafts;
    for (int k = 0; k < parts; ++k) drafts.push_back({Tid(k + 1), "part " + std::to_string(k)});
    ASSERT_TRUE(store_->SaveResults(m.uri, "", drafts).ok());
    for (int k = 0; k < posted; ++k) {
      ASSERT_TRUE(store_->RecordIntent(m.uri, k).ok());
      ASSERT_TRUE(store_->MarkPosted(m.uri, k, m.uri + "/r" + std::to_string(k), "bafyr").ok());
    }
  }

  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreDeletionsTest, DeletedUnansweredMentionIsCancelledAndNeverComesBack) {
  NewMention m = Mention(1);
  ASSERT_TRUE(store_->AddMention(m).ok());
  auto n = store_->RecordDeletion(kBot, m.uri);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 1);
  auto got = store_->GetMention(m.uri);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, MentionState::kFailed);
  EXPECT_EQ(got->reason, "deleted: " + m.uri);
  EXPECT_TRUE(store_->Pending(kBot)->empty());
  // Nothing was posted: nothing to retract.
  EXPECT_FALSE(store_->GetRetraction(m.uri)->has_value());
  EXPECT_TRUE(store_->PendingRetractions(kBot)->empty());
  // The firehose delivers the mention again (a replay after a restart): still cancelled.
  EXPECT_FALSE(*store_->AddMention(m));
  EXPECT_EQ(store_->GetMention(m.uri)->state, MentionState::kFailed);
  EXPECT_TRUE(store_->Pending(kBot)->empty());
  // And nothing may be posted for it.
  EXPECT_FALSE(store_->RecordIntent(m.uri, 0).ok());
}

TEST_F(StoreDeletionsTest, DeletedAnsweredMentionQueuesOneRetractionNewestPartFirst) {
  Walk(1, 3, 3);
  const std::string uri = Mention(1).uri;
  ASSERT_EQ(store_->GetMention(uri)->state, MentionState::kDone);
  ASSERT_EQ(*store_->RecordDeletion(kBot, uri), 1);
  EXPECT_EQ(store_->GetMention(uri)->state, MentionState::kDone);  // answered; now retracted
  auto pending = store_->PendingRetractions(kBot);
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  ASSERT_EQ(pending->size(), 1u);
  const Store::Retraction& r = (*pending)[0];
  EXPECT_EQ(r.mention_uri, uri);
  EXPECT_EQ(r.deleted_uri, uri);
  EXPECT_FALSE(r.done);
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(r.parts[0].k, 2);
  EXPECT_EQ(r.parts[2].k, 0);
  EXPECT_EQ(r.parts[0].rkey, Tid(3));
  // A redelivered deletion adds nothing.
  ASSERT_EQ(*store_->RecordDeletion(kBot, uri), 1);
  EXPECT_EQ(store_->PendingRetractions(kBot)->size(), 1u);
  // Done survives a restart; a later deletion does not queue it again.
  ASSERT_TRUE(store_->MarkRetracted(uri).ok());
  ASSERT_TRUE(store_->MarkRetracted(uri).ok());  // idempotent
  Reopen();
  EXPECT_TRUE(store_->PendingRetractions(kBot)->empty());
  auto after = store_->GetRetraction(uri);
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_TRUE((*after)->done);
  ASSERT_EQ(*store_->RecordDeletion(kBot, uri), 1);
  EXPECT_TRUE(store_->PendingRetractions(kBot)->empty());
  EXPECT_FALSE(*store_->AddMention(Mention(1)));
}

TEST_F(StoreDeletionsTest, DeletedTargetRetractsEveryAnswerAboutItAndCancelsTheRest) {
  Walk(1, 1, 1);                                     // answered
  Walk(2, 2, 1);                                     // half posted: part 0 is out
  Walk(3, 1, 0);                                     // described, nothing posted
  ASSERT_TRUE(store_->AddMention(Mention(4)).ok());  // not planned yet: its target is unknown
  auto n = store_->RecordDeletion(kBot, kTarget);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(store_->GetMention(Mention(1).uri)->state, MentionState::kDone);
  EXPECT_EQ(store_->GetMention(Mention(2).uri)->state, MentionState::kFailed);
  EXPECT_EQ(store_->GetMention(Mention(3).uri)->state, MentionState::kFailed);
  EXPECT_EQ(store_->GetMention(Mention(4).uri)->state, MentionState::kReceived);
  auto pending = store_->PendingRetractions(kBot);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].mention_uri, Mention(1).uri);
  EXPECT_EQ((*pending)[1].mention_uri, Mention(2).uri);
  EXPECT_EQ((*pending)[1].deleted_uri, kTarget);
  ASSERT_EQ((*pending)[1].parts.size(), 1u);  // only the posted part
  EXPECT_EQ((*pending)[1].parts[0].k, 0);
  // Another account's store rows are not touched.
  EXPECT_EQ(*store_->RecordDeletion("did:plc:other", kTarget), 0);
}

TEST_F(StoreDeletionsTest, DeletionOfAnUnknownPostChangesNothing) {
  Walk(1, 1, 1);
  EXPECT_EQ(*store_->RecordDeletion(kBot, "at://did:plc:x/app.bsky.feed.post/3kother"), 0);
  EXPECT_TRUE(store_->PendingRetractions()->empty());
  auto r = store_->MarkRetracted(Mention(1).uri);
  EXPECT_EQ(r.code(), Code::kNotFound);
  EXPECT_EQ(r.message(), "mention " + Mention(1).uri + " has no retraction");
}

}  // namespace
}  // namespace altscribe::bot
