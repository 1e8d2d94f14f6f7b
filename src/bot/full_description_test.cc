// Full descriptions: the stored document, and the store's table for it (ids, idempotence,
// migration of a schema-1 state file).
#include "bot/full_description.h"

#include <gtest/gtest.h>

#include <set>

#include "bot/sqlite.h"
#include "bot/store.h"
#include "test_env.h"

namespace altscribe::bot {
namespace {

namespace t = altscribe::testing;

TEST(FullDescription, RoundTripsThroughJson) {
  FullDescription d;
  d.model = "tiny";
  d.lang = "de";
  d.post_uri = "at://did:plc:a/app.bsky.feed.post/3k";
  d.images = {{1, "A <b>cat</b> \"quoted\"", "EXIT", ""}, {2, "", "", "the file is damaged"}};
  auto back = FullDescription::FromJson(d.ToJsonText());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->model, "tiny");
  EXPECT_EQ(back->lang, "de");
  EXPECT_EQ(back->post_uri, d.post_uri);
  ASSERT_EQ(back->images.size(), 2u);
  EXPECT_EQ(back->images[0].text, "A <b>cat</b> \"quoted\"");
  EXPECT_EQ(back->images[0].ocr, "EXIT");
  EXPECT_EQ(back->images[1].index, 2);
  EXPECT_EQ(back->images[1].error, "the file is damaged");
}

TEST(FullDescription, RejectsMalformedDocuments) {
  EXPECT_FALSE(FullDescription::FromJson("not json").ok());
  EXPECT_FALSE(FullDescription::FromJson("{}").ok());
  EXPECT_FALSE(FullDescription::FromJson(R"({"images":[{"text":"no index"}]})").ok());
  EXPECT_FALSE(FullDescription::FromJson(R"({"images":[{"index":1,"text":7}]})").ok());
  EXPECT_TRUE(FullDescription::FromJson(R"({"images":[]})").ok());
}

TEST(FullDescription, UrlHasOneSlash) {
  EXPECT_EQ(FullDescriptionUrl("https://alt.example", "abc"), "https://alt.example/d/abc");
  EXPECT_EQ(FullDescriptionUrl("https://alt.example/", "abc"), "https://alt.example/d/abc");
}

TEST(FullDescriptionStore, IdsAreRandomAndStablePerMention) {
  auto store = Store::Open(t::MakeTempDir("fulldesc") + "/bot.db");
  ASSERT_TRUE(store.ok()) << store.status().message();
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    auto id = (*store)->SaveFullDescription("at://m/" + std::to_string(i),
                                            R"({"images":[],"n":)" + std::to_string(i) + "}");
    ASSERT_TRUE(id.ok()) << id.status().message();
    EXPECT_EQ(id->size(), 22u);
    EXPECT_EQ(
        id->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 50u);
  // Saving again for the same mention keeps the first id and body.
  auto again = (*store)->SaveFullDescription("at://m/3", R"({"images":[],"n":999})");
  ASSERT_TRUE(again.ok());
  auto first = (*store)->SaveFullDescription("at://m/3", R"({"images":[],"n":3})");
  EXPECT_EQ(*again, *first);
  auto body = (*store)->LoadFullDescription(*again);
  ASSERT_TRUE(body.ok() && body->has_value());
  EXPECT_EQ(**body, R"({"images":[],"n":3})");
  auto missing = (*store)->LoadFullDescription("AAAAAAAAAAAAAAAAAAAAAA");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE((*store)->SaveFullDescription("at://m/x", "[1,2]").ok());
}

TEST(FullDescriptionStore, ASchemaOneFileIsMigrated) {
  std::string path = t::MakeTempDir("fulldesc-migrate") + "/bot.db";
  { ASSERT_TRUE(Store::Open(path).ok()); }
  {  // make it a schema-1 file: only the first schema's tables, version 1
    auto db = sqlite::Db::Open(path);
    ASSERT_TRUE(db.ok());
    auto later = (*db)->Prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
        "('meta', 'accounts', 'cursors', 'mentions', 'parts') AND name NOT LIKE 'sqlite_%'",
        {}, "test");
    ASSERT_TRUE(later.ok());
    std::vector<std::string> tables;
    while (*later->Step()) tables.push_back(later->Text(0));
    EXPECT_FALSE(tables.empty());
    for (const auto& t : tables) ASSERT_TRUE((*db)->Exec("DROP TABLE " + t, "test").ok()) << t;
    // … and the columns later schemas added (4: mentions by target).
    ASSERT_TRUE((*db)
                    ->Exec("DROP INDEX mentions_by_target; "
                           "ALTER TABLE mentions DROP COLUMN target_uri",
                           "test")
                    .ok());
    ASSERT_TRUE((*db)->Exec("UPDATE meta SET value = 1 WHERE key = 'schema_version'", "test").ok());
  }
  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto id = (*store)->SaveFullDescription("at://m/1", R"({"images":[]})");
  ASSERT_TRUE(id.ok()) << id.status().message();
  // … and on to schema 3 (courtesy tables).
  EXPECT_TRUE((*store)->SetOptOut("did:plc:a", true, "stop").ok());
  EXPECT_TRUE(*(*store)->IsOptedOut("did:plc:a"));
}

}  // namespace
}  // namespace altscribe::bot
