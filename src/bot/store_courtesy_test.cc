// The courtesy tables of the state store, on a controlled clock.
#include <gtest/gtest.h>

#include "bot/store.h"
#include "test_env.h"

namespace altscribe::bot {
namespace {

class StoreCourtesyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = altscribe::testing::MakeTempDir("store-courtesy") + "/bot.db";
    StoreOptions o;
    o.now_ms = [this] { return now_; };
    auto s = Store::Open(path_, o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }
  Store::Admission Admit(const std::string& who, int i, Store::RateLimits limits = {4, 20}) {
    auto a = store_->AdmitRequest(who, "at://" + who + "/m/" + std::to_string(i), limits);
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? *a : Store::Admission::kSilent;
  }
  int64_t now_ = 1'800'000'000'000;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreCourtesyTest, FourAnswersAMinuteThenOneNoticeThenSilence) {
  using A = Store::Admission;
  std::vector<A> got;
  for (int i = 0; i < 30; ++i) {
    got.push_back(Admit("did:plc:bob", i));
    now_ += 1000;
  }
  EXPECT_EQ(std::count(got.begin(), got.end(), A::kAnswer), 4);
  EXPECT_EQ(std::count(got.begin(), got.end(), A::kNotice), 1);
  EXPECT_EQ(got[4], A::kNotice);
  // Others are unaffected.
  EXPECT_EQ(Admit("did:plc:carol", 0), A::kAnswer);
  // The same mention asked again gets the same decision (restarts, retries).
  EXPECT_EQ(Admit("did:plc:bob", 0), A::kAnswer);
  EXPECT_EQ(Admit("did:plc:bob", 4), A::kNotice);
  EXPECT_EQ(Admit("did:plc:bob", 9), A::kSilent);
  // A minute after the answers, bob is answered again; past the limit again → a new notice.
  now_ += 60'000;
  for (int i = 100; i < 104; ++i) EXPECT_EQ(Admit("did:plc:bob", i), A::kAnswer) << i;
  EXPECT_EQ(Admit("did:plc:bob", 104), A::kNotice);
  EXPECT_EQ(Admit("did:plc:bob", 105), A::kSilent);
}

TEST_F(StoreCourtesyTest, TheHourlyLimitHoldsAcrossMinutes) {
  using A = Store::Admission;
  int answers = 0;
  for (int i = 0; i < 40; ++i) {
    answers += Admit("did:plc:bob", i) == A::kAnswer;
    now_ += 61'000;  // never more than one a minute
  }
  EXPECT_EQ(answers, 20);
}

TEST_F(StoreCourtesyTest, OptOutsAreStoredAndUndone) {
  EXPECT_FALSE(*store_->IsOptedOut("did:plc:alice"));
  ASSERT_TRUE(store_->SetOptOut("did:plc:alice", true, "stop").ok());
  EXPECT_TRUE(*store_->IsOptedOut("did:plc:alice"));
  EXPECT_FALSE(*store_->IsOptedOut("did:plc:bob"));
  ASSERT_TRUE(store_->SetOptOut("did:plc:alice", false, "start").ok());
  EXPECT_FALSE(*store_->IsOptedOut("did:plc:alice"));
  // Survives reopening.
  ASSERT_TRUE(store_->SetOptOut("did:plc:alice", true, "stop").ok());
  store_.reset();
  auto again = Store::Open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*(*again)->IsOptedOut("did:plc:alice"));
}

TEST_F(StoreCourtesyTest, OneAnswerPerTargetPerWindow) {
  const int64_t hour = 3'600'000;
  auto claim = [&](const std::string& mention) {
    return *store_->ClaimTarget("at://alice/post/1", "did:plc:bot", mention, hour);
  };
  EXPECT_EQ(claim("m1"), std::nullopt);
  EXPECT_EQ(claim("m1"), std::nullopt) << "the same mention keeps its claim";
  EXPECT_EQ(claim("m2"), "m1");
  EXPECT_EQ(*store_->ClaimTarget("at://alice/post/1", "did:plc:other-bot", "m3", hour),
            std::nullopt)
      << "per bot account";
  now_ += hour + 1;
  EXPECT_EQ(claim("m4"), std::nullopt);
  EXPECT_EQ(claim("m5"), "m4");
}

TEST_F(StoreCourtesyTest, WritePointsAreSummedByWindow) {
  ASSERT_TRUE(store_->RecordWrite("did:plc:bot", 3).ok());
  now_ += 1000;
  ASSERT_TRUE(store_->RecordWrite("did:plc:bot", 3).ok());
  ASSERT_TRUE(store_->RecordWrite("did:plc:other", 3).ok());
  EXPECT_EQ(*store_->WritePointsSince("did:plc:bot", now_ - 3'600'000), 6);
  now_ += 3'600'000;
  EXPECT_EQ(*store_->WritePointsSince("did:plc:bot", now_ - 3'600'000), 0);
  EXPECT_EQ(*store_->WritePointsSince("did:plc:bot", now_ - 86'400'000), 6);
}

}  // namespace
}  // namespace altscribe::bot
