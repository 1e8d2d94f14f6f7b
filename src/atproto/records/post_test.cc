#include "atproto/records/post.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "atproto/records/fixtures_test_util.h"

namespace altscribe::atproto {
namespace {

using nlohmann::json;
using testing::LoadFixture;

const char* kBot = "did:plc:4w3lx5jmokfvihilz2q562ev";
const char* kAlice = "did:plc:ragtjsm2j2vknwkz3zp4oxrd";

Did D(const char* s) { return Did::Parse(s).value(); }

// Parses `j` and returns the error message ("" when it parsed).
std::string ErrorOf(const json& j) {
  auto r = Post::Parse(j);
  return r.ok() ? "" : r.status().message();
}

TEST(PostTest, ImagesLinksAndTags) {
  auto p = Post::Parse(LoadFixture("post_images.json"));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->text, "Three photos from the coast 🌊 more at example.com/coast #photography");
  EXPECT_EQ(p->created_at.ToString(), "2026-08-14T09:12:33.512Z");
  EXPECT_EQ(p->langs, std::vector<std::string>{"en"});
  EXPECT_FALSE(p->reply.has_value());

  ASSERT_EQ(p->facets.size(), 2u);
  const Facet& link = p->facets[0];
  EXPECT_EQ(p->text.substr(link.byte_start, link.byte_end - link.byte_start), "example.com/coast");
  ASSERT_EQ(link.features.size(), 1u);
  EXPECT_EQ(std::get<LinkFeature>(link.features[0]).uri, "https://example.com/coast");
  EXPECT_EQ(std::get<TagFeature>(p->facets[1].features[0]).tag, "photography");

  ASSERT_TRUE(p->embed.has_value());
  const auto& images = std::get<ImagesEmbed>(*p->embed).images;
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].alt, "");
  EXPECT_EQ(images[0].image.mime_type, "image/jpeg");
  EXPECT_EQ(images[0].image.size, 412345u);
  EXPECT_EQ(images[0].image.cid.codec(), Cid::kCodecRaw);
  ASSERT_TRUE(images[0].aspect_ratio.has_value());
  EXPECT_EQ(images[0].aspect_ratio->width, 2000);
  EXPECT_EQ(images[1].alt, "A red lighthouse on black rocks at dusk.");
  EXPECT_EQ(images[1].image.mime_type, "image/png");
  EXPECT_FALSE(images[2].aspect_ratio.has_value());
  EXPECT_NE(images[0].image.cid, images[1].image.cid);
}

TEST(PostTest, ReplyWithMentionsAroundEmojiCjkAndRtl) {
  auto p = Post::Parse(LoadFixture("post_reply_mention.json"));
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->reply.has_value());
  EXPECT_EQ(p->reply->root.uri.ToString(),
            std::string("at://") + kAlice + "/app.bsky.feed.post/3lwbtmtpsjk2a");
  EXPECT_EQ(p->reply->parent.cid, p->reply->root.cid);
  EXPECT_EQ(p->langs, (std::vector<std::string>{"ja", "en"}));

  ASSERT_EQ(p->facets.size(), 2u);
  // Byte offsets, not characters: the mention sits after multi-byte emoji and kana.
  const Facet& m = p->facets[0];
  EXPECT_EQ(p->text.substr(m.byte_start, m.byte_end - m.byte_start), "@altbot.test");
  EXPECT_TRUE(MentionsDid(*p, D(kBot)));
  EXPECT_TRUE(MentionsDid(*p, D(kAlice)));
  EXPECT_FALSE(MentionsDid(*p, D("did:plc:vwzwgnygau7ed7b7wt5ux7y2")));
  EXPECT_EQ(MentionedDids(*p), (std::vector<Did>{D(kBot), D(kAlice)}));
}

TEST(PostTest, TypedHandleWithoutFacetIsNotAMention) {
  json j = LoadFixture("post_reply_mention.json");
  j["facets"] = json::array();
  auto p = Post::Parse(j);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_NE(p->text.find("@altbot.test"), std::string::npos);
  EXPECT_FALSE(MentionsDid(*p, D(kBot)));
  j.erase("facets");
  EXPECT_FALSE(MentionsDid(Post::Parse(j).value(), D(kBot)));
}

TEST(PostTest, QuoteWithMediaAndSelfLabels) {
  auto p = Post::Parse(LoadFixture("post_quote_with_media.json"));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->labels, std::vector<std::string>{"graphic-media"});
  const auto& rwm = std::get<RecordWithMediaEmbed>(*p->embed);
  EXPECT_EQ(rwm.record.uri.ToString(),
            std::string("at://") + kAlice + "/app.bsky.feed.post/3lwbtmtpsjk2a");
  const auto& media = std::get<ImagesEmbed>(rwm.media);
  ASSERT_EQ(media.images.size(), 1u);
  EXPECT_EQ(media.images[0].image.size, 250000u);
}

TEST(PostTest, GalleryVideoExternalQuote) {
  auto g = Post::Parse(LoadFixture("post_gallery.json"));
  ASSERT_TRUE(g.ok()) << g.status().message();
  const auto& items = std::get<GalleryEmbed>(*g->embed).items;
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[1].alt, "Sketch 2");
  EXPECT_EQ(items[5].alt, "");
  // "+02:00" is converted to UTC.
  EXPECT_EQ(g->created_at.ToString(), "2026-08-15T16:30:00.000Z");

  auto v = Post::Parse(LoadFixture("post_video.json"));
  ASSERT_TRUE(v.ok()) << v.status().message();
  const auto& video = std::get<VideoEmbed>(*v->embed);
  EXPECT_EQ(video.video.mime_type, "video/mp4");
  EXPECT_EQ(video.alt.value_or(""), "Waves breaking on a pebble beach.");
  EXPECT_EQ(video.aspect_ratio->height, 1080);

  auto e = Post::Parse(LoadFixture("post_external.json"));
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& ext = std::get<ExternalEmbed>(*e->embed);
  EXPECT_EQ(ext.uri, "https://example.com/article");
  EXPECT_EQ(ext.title, "An article");
  ASSERT_TRUE(ext.thumb.has_value());
  EXPECT_EQ(ext.thumb->size, 54321u);

  auto q = Post::Parse(LoadFixture("post_quote.json"));
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(std::get<RecordEmbed>(*q->embed).record.uri.rkey()->str(), "3lwbtmtpsjk2a");
  // No facet: the typed handle is not a mention.
  EXPECT_FALSE(MentionsDid(*q, D(kBot)));
}

TEST(PostTest, ToleratesUnknownThings) {
  json j = LoadFixture("post_images.json");
  j["embed"] = {{"$type", "app.example.embed.hologram"}, {"beams", 3}};
  j["facets"][0]["features"].push_back({{"$type", "app.example.facet#sparkle"}});
  j["labels"] = {{"$type", "app.example.labels#other"}, {"values", 7}};
  j["createdAt"] = "2026-08-14 09:12:33";  // sloppy but readable
  auto p = Post::Parse(j);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(std::get<UnknownEmbed>(*p->embed).type, "app.example.embed.hologram");
  EXPECT_EQ(std::get<UnknownFeature>(p->facets[0].features[1]).type, "app.example.facet#sparkle");
  EXPECT_TRUE(p->labels.empty());
  EXPECT_EQ(p->created_at.ToString(), "2026-08-14T09:12:33.000Z");

  // A legacy blob (no size, plain cid) and an unknown recordWithMedia media type.
  j = LoadFixture("post_quote_with_media.json");
  j["embed"]["media"]["images"][0]["image"] = {
      {"cid", "bafkreig6oaycgretvc7kqrg34hmgo3tiula2jmauy4q7aqs2ek3n6zx25q"},
      {"mimeType", "image/jpeg"}};
  p = Post::Parse(j);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(
      std::get<ImagesEmbed>(std::get<RecordWithMediaEmbed>(*p->embed).media).images[0].image.size,
      0u);
  j["embed"]["media"] = {{"$type", "app.example.embed.sound"}};
  p = Post::Parse(j);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(std::get<UnknownEmbed>(std::get<RecordWithMediaEmbed>(*p->embed).media).type,
            "app.example.embed.sound");
}

struct BadCase {
  const char* name;
  std::function<void(json&)> mutate;
  const char* error;  // the exact message
};

TEST(PostTest, MalformedInputsGiveClearErrors) {
  const std::vector<BadCase> cases = {
      {"not an object", [](json& j) { j = json::array(); },
       "post: expected an object, got an array"},
      {"other record type", [](json& j) { j["$type"] = "app.bsky.feed.like"; },
       "post.$type: expected \"app.bsky.feed.post\", got \"app.bsky.feed.like\""},
      {"text missing", [](json& j) { j.erase("text"); }, "post.text: missing"},
      {"text a number", [](json& j) { j["text"] = 42; },
       "post.text: expected a string, got an integer"},
      {"text too long", [](json& j) { j["text"] = std::string(3001, 'a'); },
       "post.text: 3001 bytes, more than the 3000 allowed"},
      {"createdAt missing", [](json& j) { j.erase("createdAt"); }, "post.createdAt: missing"},
      {"createdAt garbage", [](json& j) { j["createdAt"] = "yesterday"; },
       "post.createdAt: invalid datetime 'yesterday': expected a YYYY-MM-DD date"},
      {"langs a string", [](json& j) { j["langs"] = "en"; },
       "post.langs: expected an array, got a string"},
      {"too many langs",
       [](json& j) {
         j["langs"] = {"en", "de", "fr", "es"};
       },
       "post.langs: 4 items, more than the 3 allowed"},
      {"lang a number",
       [](json& j) {
         j["langs"] = {"en", 7};
       },
       "post.langs[1]: expected a string, got an integer"},
      {"facet end past text", [](json& j) { j["facets"][1]["index"]["byteEnd"] = 500; },
       "post.facets[1].index: byteEnd 500 is past the end of the text (71 bytes)"},
      {"facet start after end", [](json& j) { j["facets"][0]["index"]["byteStart"] = 60; },
       "post.facets[0].index: byteStart 60 is after byteEnd 58"},
      {"facet negative", [](json& j) { j["facets"][0]["index"]["byteStart"] = -1; },
       "post.facets[0].index: negative byte offset"},
      {"facet float", [](json& j) { j["facets"][0]["index"]["byteStart"] = 1.5; },
       "post.facets[0].index.byteStart: expected an integer, got a float"},
      {"facet index missing", [](json& j) { j["facets"][0].erase("index"); },
       "post.facets[0].index: missing"},
      {"feature without type", [](json& j) { j["facets"][0]["features"][0].erase("$type"); },
       "post.facets[0].features[0].$type: missing"},
      {"mention with a bad DID",
       [](json& j) {
         j["facets"][0]["features"][0] = {{"$type", "app.bsky.richtext.facet#mention"},
                                          {"did", "alice.test"}};
       },
       "post.facets[0].features[0].did: invalid DID 'alice.test': must start with 'did:'"},
      {"giant facet array",
       [](json& j) {
         j["facets"] = json::array();
         for (int i = 0; i < 100000; ++i) j["facets"].push_back(json::object());
       },
       "post.facets: 100000 items, more than the 1000 allowed"},
      {"five images",
       [](json& j) {
         auto& imgs = j["embed"]["images"];
         imgs.push_back(imgs[0]);
         imgs.push_back(imgs[0]);
       },
       "post.embed.images: 5 items, more than the 4 allowed"},
      {"alt missing", [](json& j) { j["embed"]["images"][1].erase("alt"); },
       "post.embed.images[1].alt: missing"},
      {"alt a number", [](json& j) { j["embed"]["images"][1]["alt"] = 3; },
       "post.embed.images[1].alt: expected a string, got an integer"},
      {"blob link not a CID",
       [](json& j) { j["embed"]["images"][0]["image"]["ref"]["$link"] = "not-a-cid"; },
       "post.embed.images[0].image.ref.$link: invalid CID 'not-a-cid': not a base32 CIDv1 "
       "('b…') or a CIDv0 ('Qm…')"},
      {"blob size a string", [](json& j) { j["embed"]["images"][0]["image"]["size"] = "big"; },
       "post.embed.images[0].image.size: expected an integer, got a string"},
      {"blob of another type", [](json& j) { j["embed"]["images"][0]["image"]["$type"] = "x"; },
       "post.embed.images[0].image.$type: expected \"blob\", got \"x\""},
      {"zero aspect ratio", [](json& j) { j["embed"]["images"][0]["aspectRatio"]["height"] = 0; },
       "post.embed.images[0].aspectRatio: width and height must be at least 1"},
      {"embed without type", [](json& j) { j["embed"].erase("$type"); },
       "post.embed.$type: missing"},
      {"embed a string", [](json& j) { j["embed"] = "images"; },
       "post.embed: expected an object, got a string"},
      {"reply without parent",
       [](json& j) {
         j["reply"] = {{"root",
                        {{"uri", "at://did:plc:abc/app.bsky.feed.post/3lwbtmtpsjk2a"},
                         {"cid", "bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"}}}};
       },
       "post.reply.parent: missing"},
      {"reply with a web URL",
       [](json& j) {
         j["reply"] = {{"root",
                        {{"uri", "https://bsky.app/x"},
                         {"cid", "bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"}}},
                       {"parent",
                        {{"uri", "https://bsky.app/x"},
                         {"cid", "bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"}}}};
       },
       "post.reply.root.uri: invalid AT-URI 'https://bsky.app/x': must start with 'at://'"},
      {"self labels not an array",
       [](json& j) {
         j["labels"] = {{"$type", "com.atproto.label.defs#selfLabels"}, {"values", "nsfw"}};
       },
       "post.labels.values: expected an array, got a string"},
  };
  for (const BadCase& c : cases) {
    json j = LoadFixture("post_images.json");
    c.mutate(j);
    auto r = Post::Parse(j);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().message(), c.error) << c.name;
  }
}

TEST(PostTest, GalleryLimitAndNestedErrors) {
  json j = LoadFixture("post_gallery.json");
  auto& items = j["embed"]["items"];
  while (items.size() < 21) items.push_back(items[0]);
  EXPECT_EQ(ErrorOf(j), "post.embed.items: 21 items, more than the 20 allowed");
  items.erase(items.begin() + 20);
  EXPECT_EQ(ErrorOf(j), "");

  j = LoadFixture("post_quote_with_media.json");
  j["embed"]["record"]["record"]["cid"] = 12;
  EXPECT_EQ(ErrorOf(j), "post.embed.record.record.cid: expected a string, got an integer");
  j = LoadFixture("post_quote_with_media.json");
  j["embed"]["media"]["images"][0].erase("image");
  EXPECT_EQ(ErrorOf(j), "post.embed.media.images[0].image: missing");
  j = LoadFixture("post_video.json");
  j["embed"]["alt"] = false;
  EXPECT_EQ(ErrorOf(j), "post.embed.alt: expected a string, got a boolean");
}

TEST(PostTest, DeeplyNestedGarbageDoesNotCrash) {
  // Unknown fields are not walked, however deep.
  json j = LoadFixture("post_images.json");
  json deep;
  json* cur = &deep;
  for (int i = 0; i < 10000; ++i) {
    cur->push_back(json());
    cur = &(*cur)[0];
  }
  j["unknown"] = std::move(deep);
  EXPECT_EQ(ErrorOf(j), "");
}

TEST(PostTest, ReplyToKeepsTheThreadRoot) {
  // Bob's mention is itself a reply to Alice: answering it keeps Alice's post as the root.
  auto mention = Post::Parse(LoadFixture("post_reply_mention.json")).value();
  StrongRef mention_ref{
      AtUri::Parse("at://did:plc:vwzwgnygau7ed7b7wt5ux7y2/app.bsky.feed.post/3lwbtzzzzzz2f")
          .value(),
      Cid::Parse("bafyreidsemiehpaya7tpoqfsgxvxkepmwmzfljvdovbvmmiznxuks5injm").value()};
  ReplyRef refs = ReplyTo(mention_ref, mention);
  EXPECT_EQ(refs.root.uri, mention.reply->root.uri);
  EXPECT_EQ(refs.root.cid, mention.reply->root.cid);
  EXPECT_EQ(refs.parent.uri, mention_ref.uri);
  // A top-level post is its own root.
  auto top = Post::Parse(LoadFixture("post_quote.json")).value();
  refs = ReplyTo(mention_ref, top);
  EXPECT_EQ(refs.root.uri, mention_ref.uri);
  EXPECT_EQ(refs.parent.uri, mention_ref.uri);
}

TEST(NewPostTest, ToJsonWritesOnlyWhatTheBotNeeds) {
  NewPost post;
  post.text = "Image 1 of 2: A red lighthouse. <@not-a-mention>";
  post.created_at = Datetime::Parse("2026-08-14T09:20:00.123456Z").value();
  post.langs = {"en"};
  StrongRef root{
      AtUri::Parse("at://did:plc:ragtjsm2j2vknwkz3zp4oxrd/app.bsky.feed.post/3lwbtmtpsjk2a")
          .value(),
      Cid::Parse("bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq").value()};
  StrongRef parent{
      AtUri::Parse("at://did:plc:vwzwgnygau7ed7b7wt5ux7y2/app.bsky.feed.post/3lwbtzzzzzz2f")
          .value(),
      Cid::Parse("bafyreidsemiehpaya7tpoqfsgxvxkepmwmzfljvdovbvmmiznxuks5injm").value()};
  post.reply = ReplyRef{root, parent};
  json j = ToJson(post);
  EXPECT_EQ(j, json::parse(R"({
    "$type": "app.bsky.feed.post",
    "text": "Image 1 of 2: A red lighthouse. <@not-a-mention>",
    "createdAt": "2026-08-14T09:20:00.123Z",
    "langs": ["en"],
    "reply": {
      "root": {"uri": "at://did:plc:ragtjsm2j2vknwkz3zp4oxrd/app.bsky.feed.post/3lwbtmtpsjk2a",
               "cid": "bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"},
      "parent": {"uri": "at://did:plc:vwzwgnygau7ed7b7wt5ux7y2/app.bsky.feed.post/3lwbtzzzzzz2f",
                 "cid": "bafyreidsemiehpaya7tpoqfsgxvxkepmwmzfljvdovbvmmiznxuks5injm"}
    }
  })"));
  EXPECT_FALSE(j.contains("facets"));

  // What we write, we can read back.
  auto back = Post::Parse(j);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->text, post.text);
  EXPECT_TRUE(back->facets.empty());
  EXPECT_EQ(back->reply->parent.uri, parent.uri);

  NewPost bare;
  bare.text = "hi";
  bare.self_labels = {"bot"};
  j = ToJson(bare);
  EXPECT_FALSE(j.contains("langs"));
  EXPECT_FALSE(j.contains("reply"));
  EXPECT_EQ(j["labels"], json::parse(R"({"$type": "com.atproto.label.defs#selfLabels",
                                         "values": [{"val": "bot"}]})"));
  EXPECT_EQ(Post::Parse(j)->labels, std::vector<std::string>{"bot"});
}

}  // namespace
}  // namespace altscribe::atproto
