#include "bacalhau/sqlite_submission_store.h"

#include <gtest/gtest.h>

#include "test_env.h"

namespace altscribe::bacalhau {
namespace {

TEST(SqliteSubmissionStore, RecordsSurviveReopeningAndAreRemoved) {
  std::string path = altscribe::testing::MakeTempDir("bacalhau-sqlite") + "/state.db";
  {
    auto store = SqliteSubmissionStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->Put({"at://a/app.bsky.feed.post/1", "{\"id\":1}", ""}).ok());
    ASSERT_TRUE((*store)->Put({"at://a/app.bsky.feed.post/2", "{\"id\":2}", "j-2"}).ok());
    // Put replaces: the Bacalhau id arrives after the PUT answered.
    ASSERT_TRUE((*store)->Put({"at://a/app.bsky.feed.post/1", "{\"id\":1}", "j-1"}).ok());
  }
  auto store = SqliteSubmissionStore::Open(path);
  ASSERT_TRUE(store.ok());
  auto one = (*store)->Find("at://a/app.bsky.feed.post/1");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->bacalhau_id, "j-1");
  EXPECT_EQ((*one)->job_json, "{\"id\":1}");
  auto all = (*store)->List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  ASSERT_TRUE((*store)->Remove("at://a/app.bsky.feed.post/1").ok());
  ASSERT_TRUE((*store)->Remove("at://a/app.bsky.feed.post/1").ok());  // twice is fine
  auto gone = (*store)->Find("at://a/app.bsky.feed.post/1");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST(SqliteSubmissionStore, AnUnopenableFileIsOneClearError) {
  auto store = SqliteSubmissionStore::Open("/nonexistent-dir/x/state.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/nonexistent-dir/x/state.db"), std::string::npos);
  EXPECT_EQ(store.status().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace altscribe::bacalhau
