#include "atproto/records/views.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "atproto/records/fixtures_test_util.h"

namespace altscribe::atproto {
namespace {

using nlohmann::json;
using testing::LoadFixture;

const char* kAlice = "did:plc:ragtjsm2j2vknwkz3zp4oxrd";
const char* kBob = "did:plc:vwzwgnygau7ed7b7wt5ux7y2";
const char* kBot = "did:plc:4w3lx5jmokfvihilz2q562ev";

Did D(const char* s) { return Did::Parse(s).value(); }

TEST(PostViewTest, GetPostsWithEveryEmbedKind) {
  auto posts = ParseGetPostsOutput(LoadFixture("get_posts.json"));
  ASSERT_TRUE(posts.ok()) << posts.status().message();
  ASSERT_EQ(posts->size(), 5u);

  // 1. Images: CDN URLs and alt text per image, the record parsed too.
  const PostView& alice = (*posts)[0];
  EXPECT_EQ(alice.uri.ToString(),
            std::string("at://") + kAlice + "/app.bsky.feed.post/3lwbtmtpsjk2a");
  EXPECT_EQ(alice.author.did, D(kAlice));
  EXPECT_EQ(alice.author.handle.str(), "alice.test");
  EXPECT_EQ(alice.author.display_name, "Alice");
  EXPECT_EQ(alice.indexed_at.ToString(), "2026-08-14T09:12:34.100Z");
  EXPECT_EQ(std::get<ImagesEmbed>(*alice.record.embed).images.size(), 3u);
  ASSERT_TRUE(alice.embed.has_value());
  const auto& iv = std::get<ImagesView>(alice.embed->value);
  ASSERT_EQ(iv.images.size(), 3u);
  EXPECT_EQ(iv.images[0].fullsize.rfind("https://cdn.bsky.app/img/feed_fullsize/plain/", 0), 0u);
  EXPECT_EQ(iv.images[0].thumb.rfind("https://cdn.bsky.app/img/feed_thumbnail/plain/", 0), 0u);
  EXPECT_EQ(iv.images[1].alt, "A red lighthouse on black rocks at dusk.");
  EXPECT_EQ(iv.images[1].aspect_ratio->height, 1600);
  EXPECT_FALSE(iv.images[2].aspect_ratio.has_value());

  // 2. A quote with media: the quoted post hydrated with its own image views.
  const PostView& bob = (*posts)[1];
  EXPECT_FALSE(bob.author.HasLabel("bot"));
  EXPECT_TRUE(bob.author.HasLabel("!no-unauthenticated"));
  ASSERT_EQ(bob.labels.size(), 1u);
  EXPECT_EQ(bob.labels[0].val, "graphic-media");
  EXPECT_EQ(bob.labels[0].src, D(kBob));
  const auto& rwm = std::get<RecordWithMediaView>(bob.embed->value);
  EXPECT_EQ(std::get<ImagesView>(rwm.media).images.size(), 1u);
  const auto& quoted = std::get<ViewRecord>(rwm.record.record);
  EXPECT_EQ(quoted.uri, alice.uri);
  EXPECT_EQ(quoted.cid, alice.cid);
  EXPECT_EQ(quoted.value_type, "app.bsky.feed.post");
  ASSERT_TRUE(quoted.post.has_value());
  EXPECT_EQ(quoted.post->text, alice.record.text);
  ASSERT_EQ(quoted.embeds.size(), 1u);
  EXPECT_EQ(std::get<ImagesView>(quoted.embeds[0].value).images.size(), 3u);

  // 3. Gallery: `thumbnail` in the view, stored as thumb.
  const auto& gallery = std::get<GalleryView>((*posts)[2].embed->value);
  ASSERT_EQ(gallery.items.size(), 6u);
  EXPECT_FALSE(gallery.items[0].thumb.empty());
  EXPECT_EQ(gallery.items[1].alt, "Sketch 2");

  // 4. Video and 5. link card.
  const auto& video = std::get<VideoView>((*posts)[3].embed->value);
  EXPECT_NE(video.thumbnail.find("thumbnail.jpg"), std::string::npos);
  EXPECT_NE(video.playlist.find("playlist.m3u8"), std::string::npos);
  EXPECT_EQ(video.alt.value_or(""), "Waves breaking on a pebble beach.");
  const auto& ext = std::get<ExternalView>((*posts)[4].embed->value);
  EXPECT_EQ(ext.uri, "https://example.com/article");
  EXPECT_FALSE(ext.thumb.empty());
}

json QuoteViewWith(json record) {
  json post = LoadFixture("get_posts.json")["posts"][0];
  post["embed"] = {{"$type", "app.bsky.embed.record#view"}, {"record", std::move(record)}};
  return post;
}

TEST(PostViewTest, QuotedRecordThatIsGoneBlockedOrDetached) {
  const std::string uri = std::string("at://") + kBob + "/app.bsky.feed.post/3lwbuaaaaaa2b";
  auto v = PostView::Parse(QuoteViewWith(
      {{"$type", "app.bsky.embed.record#viewNotFound"}, {"uri", uri}, {"notFound", true}}));
  ASSERT_TRUE(v.ok()) << v.status().message();
  const auto& rv = std::get<RecordView>(v->embed->value);
  EXPECT_EQ(std::get<ViewNotFound>(rv.record).uri.ToString(), uri);

  v = PostView::Parse(QuoteViewWith({{"$type", "app.bsky.embed.record#viewBlocked"},
                                     {"uri", uri},
                                     {"blocked", true},
                                     {"author", {{"did", kBob}, {"viewer", json::object()}}}}));
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(std::get<ViewBlocked>(std::get<RecordView>(v->embed->value).record).author, D(kBob));

  v = PostView::Parse(QuoteViewWith(
      {{"$type", "app.bsky.embed.record#viewDetached"}, {"uri", uri}, {"detached", true}}));
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(std::holds_alternative<ViewDetached>(std::get<RecordView>(v->embed->value).record));

  v = PostView::Parse(QuoteViewWith({{"$type", "app.bsky.feed.defs#generatorView"},
                                     {"uri", "at://did:plc:x/app.bsky.feed.generator/cats"}}));
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(std::get<OtherRecordView>(std::get<RecordView>(v->embed->value).record).type,
            "app.bsky.feed.defs#generatorView");
}

TEST(PostViewTest, BotSelfLabelOnTheAuthor) {
  json post = LoadFixture("get_posts.json")["posts"][0];
  post["author"]["labels"] = {
      {{"src", kAlice},
       {"uri", std::string("at://") + kAlice + "/app.bsky.actor.profile/self"},
       {"val", "bot"},
       {"cts", "2024-01-01T00:00:00.000Z"}}};
  auto v = PostView::Parse(post);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_TRUE(v->author.HasLabel("bot"));
  post["author"]["labels"][0]["neg"] = true;  // a negated label does not count
  EXPECT_FALSE(PostView::Parse(post)->author.HasLabel("bot"));
}

TEST(PostViewTest, MalformedViewsGiveClearErrors) {
  struct Case {
    const char* name;
    std::function<void(json&)> mutate;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"uri missing", [](json& p) { p.erase("uri"); }, "postView.uri: missing"},
      {"author handle a number", [](json& p) { p["author"]["handle"] = 1; },
       "postView.author.handle: expected a string, got an integer"},
      {"author did invalid", [](json& p) { p["author"]["did"] = "did:x"; },
       "postView.author.did: invalid DID 'did:x': no ':' after the method"},
      {"record text wrong", [](json& p) { p["record"]["text"] = json::array(); },
       "postView.record.text: expected a string, got an array"},
      {"image view fullsize missing", [](json& p) { p["embed"]["images"][2].erase("fullsize"); },
       "postView.embed.images[2].fullsize: missing"},
      {"embed view without type", [](json& p) { p["embed"].erase("$type"); },
       "postView.embed.$type: missing"},
      {"indexedAt garbage", [](json& p) { p["indexedAt"] = "soon"; },
       "postView.indexedAt: invalid datetime 'soon': expected a YYYY-MM-DD date"},
      {"label without val",
       [](json& p) {
         p["labels"] = {{{"src", kAlice}, {"uri", "x"}}};
       },
       "postView.labels[0].val: missing"},
      {"giant label array",
       [](json& p) {
         p["labels"] = json::array();
         for (int i = 0; i < 5000; ++i) p["labels"].push_back(1);
       },
       "postView.labels: 5000 items, more than the 1000 allowed"},
  };
  for (const Case& c : cases) {
    json p = LoadFixture("get_posts.json")["posts"][0];
    c.mutate(p);
    auto r = PostView::Parse(p);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().message(), c.error) << c.name;
  }
  // Nested errors keep their whole path.
  json posts = LoadFixture("get_posts.json");
  posts["posts"][1]["embed"]["record"]["record"]["value"]["embed"]["images"][0]["alt"] = 9;
  auto r = ParseGetPostsOutput(posts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "getPosts.posts[1].embed.record.record.value.embed.images[0].alt: expected a string, "
            "got an integer");
  EXPECT_EQ(ParseGetPostsOutput(json::object()).status().message(), "getPosts.posts: missing");
  EXPECT_EQ(ParseGetPostsOutput(json("posts")).status().message(),
            "getPosts: expected an object, got a string");
}

TEST(PostViewTest, QuotesNestedTooDeeplyAreRefused) {
  json post = LoadFixture("get_posts.json")["posts"][0];
  json quoted = post["embed"];
  for (int i = 0; i < 20; ++i) {
    json record = {{"$type", "app.bsky.embed.record#viewRecord"},
                   {"uri", post["uri"]},
                   {"cid", post["cid"]},
                   {"author", post["author"]},
                   {"value", post["record"]},
                   {"indexedAt", post["indexedAt"]},
                   {"embeds", json::array({quoted})}};
    quoted = {{"$type", "app.bsky.embed.record#view"}, {"record", record}};
  }
  post["embed"] = quoted;
  auto r = PostView::Parse(post);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
}

TEST(ThreadTest, ParentsUpToADeletedPost) {
  auto t = ParseGetPostThreadOutput(LoadFixture("get_post_thread.json"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  const auto& mention = std::get<ThreadViewPost>(t->value);
  EXPECT_EQ(mention.post.author.did, D(kBob));
  EXPECT_TRUE(MentionsDid(mention.post.record, D(kBot)));
  ASSERT_NE(mention.parent, nullptr);
  const auto& parent = std::get<ThreadViewPost>(mention.parent->value);
  EXPECT_EQ(parent.post.author.did, D(kAlice));
  EXPECT_EQ(std::get<ImagesView>(parent.post.embed->value).images.size(), 3u);
  ASSERT_NE(parent.parent, nullptr);
  EXPECT_EQ(std::get<NotFoundPost>(parent.parent->value).uri.rkey()->str(), "3lwbtdeleted2");
}

TEST(ThreadTest, BlockedParent) {
  auto t = ParseGetPostThreadOutput(LoadFixture("get_post_thread_blocked.json"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  const auto& mention = std::get<ThreadViewPost>(t->value);
  const auto& blocked = std::get<BlockedPost>(mention.parent->value);
  EXPECT_EQ(blocked.author, D(kAlice));
  // The top node itself may be blocked or missing too.
  auto nf = ThreadNode::Parse(
      {{"$type", "app.bsky.feed.defs#notFoundPost"}, {"uri", blocked.uri.ToString()}});
  ASSERT_TRUE(nf.ok()) << nf.status().message();
  EXPECT_TRUE(std::holds_alternative<NotFoundPost>(nf->value));
  auto unknown = ThreadNode::Parse({{"$type", "app.bsky.feed.defs#somethingNew"}});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(std::get<UnknownThreadNode>(unknown->value).type, "app.bsky.feed.defs#somethingNew");
}

TEST(ThreadTest, LongParentChains) {
  json base = LoadFixture("get_post_thread.json")["thread"];
  json node = base["parent"]["parent"];  // notFoundPost at the top
  auto wrap = [&base](json parent) {
    json next = json::object();
    next["$type"] = "app.bsky.feed.defs#threadViewPost";
    next["post"] = base["post"];
    next["parent"] = std::move(parent);
    return next;
  };
  for (int i = 0; i < 999; ++i) node = wrap(std::move(node));
  auto t = ThreadNode::Parse(node);
  ASSERT_TRUE(t.ok()) << t.status().message();
  int depth = 0;
  const ThreadNode* n = &*t;
  while (const auto* tvp = std::get_if<ThreadViewPost>(&n->value)) {
    ++depth;
    if (!tvp->parent) break;
    n = tvp->parent.get();
  }
  EXPECT_EQ(depth, 999);
  EXPECT_TRUE(std::holds_alternative<NotFoundPost>(n->value));

  node = wrap(std::move(node));
  auto deep = ThreadNode::Parse(node);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "thread.parent^1000: nested too deeply");

  // Errors deep in the chain say which ancestor.
  json bad = LoadFixture("get_post_thread.json")["thread"];
  bad["parent"]["post"]["record"]["createdAt"] = 5;
  EXPECT_EQ(ThreadNode::Parse(bad).status().message(),
            "thread.parent.post.record.createdAt: expected a string, got an integer");
}

}  // namespace
}  // namespace altscribe::atproto
