// atproto/records/post.h — the app.bsky.feed.post record: what people write, and what the bot
// writes back.
//
// Post::Parse reads a post record (from getRecord's `value`, a notification's `record`, a post
// view's `record`) into typed fields. It is tolerant of unknown fields and of unknown union
// members (an embed or facet feature of a type it does not know is kept as Unknown…), and strict
// on everything else: a field of the wrong JSON type, a missing required field, a malformed
// DID/AT-URI/CID, a facet byte range outside the text, more items than the lexicon allows (4
// images, 20 gallery items, 3 langs, 10 self-labels, 3000 bytes of text) or a giant array are
// errors naming the field ("post.embed.images[1].alt: expected a string, got an integer").
//
// NewPost/ToJson is the record the bot creates: text, createdAt, langs, reply refs and optional
// self-labels — never facets, so nothing in model output can become a link or a mention.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "atproto/syntax/at_uri.h"
#include "atproto/syntax/cid.h"
#include "atproto/syntax/datetime.h"
#include "atproto/syntax/did.h"
#include "core/status.h"

namespace altscribe::atproto {

inline constexpr std::string_view kPostCollection = "app.bsky.feed.post";

// com.atproto.repo.strongRef: a record at a version.
struct StrongRef {
  AtUri uri;
  Cid cid;
};

// A blob reference ({"$type":"blob","ref":{"$link":CID},"mimeType","size"}; the legacy form
// {"cid","mimeType"} parses with size 0).
struct BlobRef {
  Cid cid;
  std::string mime_type;
  uint64_t size = 0;
};

struct AspectRatio {
  int64_t width = 0;  // >= 1
  int64_t height = 0;
};

// One image of app.bsky.embed.images or app.bsky.embed.gallery.
struct ImageItem {
  BlobRef image;
  std::string alt;  // "" when the author wrote none
  std::optional<AspectRatio> aspect_ratio;
};

// app.bsky.embed.images: at most 4 images.
struct ImagesEmbed {
  static constexpr size_t kMaxImages = 4;
  std::vector<ImageItem> images;
};

// app.bsky.embed.gallery: up to 20 images in `items` (each an app.bsky.embed.gallery#image with
// the same shape as an embed.images image). New in 2026 and still moving: not in the published
// lexicon docs yet, modelled on the lexicon the devnet's @atproto/pds ships. aspectRatio is
// required there and optional here.
struct GalleryEmbed {
  static constexpr size_t kMaxItems = 20;
  std::vector<ImageItem> items;
};

// app.bsky.embed.video.
struct VideoEmbed {
  BlobRef video;
  std::optional<std::string> alt;
  std::optional<AspectRatio> aspect_ratio;
};

// app.bsky.embed.external: a link card.
struct ExternalEmbed {
  std::string uri;
  std::string title;
  std::string description;
  std::optional<BlobRef> thumb;
};

// app.bsky.embed.record: a quote of another record.
struct RecordEmbed {
  StrongRef record;
};

// An embed (or recordWithMedia media) of a type this parser does not know.
struct UnknownEmbed {
  std::string type;  // its $type
};

using MediaEmbed = std::variant<ImagesEmbed, GalleryEmbed, VideoEmbed, ExternalEmbed, UnknownEmbed>;

// app.bsky.embed.recordWithMedia: a quote plus media of the author's own.
struct RecordWithMediaEmbed {
  StrongRef record;
  MediaEmbed media;
};

using Embed = std::variant<ImagesEmbed, GalleryEmbed, VideoEmbed, ExternalEmbed, RecordEmbed,
                           RecordWithMediaEmbed, UnknownEmbed>;

// Facet features (app.bsky.richtext.facet#mention / #link / #tag).
struct MentionFeature {
  Did did;
};
struct LinkFeature {
  std::string uri;
};
struct TagFeature {
  std::string tag;  // without '#'
};
struct UnknownFeature {
  std::string type;
};
using FacetFeature = std::variant<MentionFeature, LinkFeature, TagFeature, UnknownFeature>;

// A facet annotates text[byte_start, byte_end) (UTF-8 byte offsets, end exclusive).
// Parse guarantees byte_start <= byte_end <= text.size(); the range may still cut a character
// when a client wrote it so (Bluesky clients ignore such a facet; so may callers).
struct Facet {
  size_t byte_start = 0;
  size_t byte_end = 0;
  std::vector<FacetFeature> features;
};

struct ReplyRef {
  StrongRef root;    // the thread's first post
  StrongRef parent;  // the post replied to
};

struct Post {
  static constexpr size_t kMaxTextBytes = 3000;
  static constexpr size_t kMaxTextGraphemes = 300;
  static constexpr size_t kMaxLangs = 3;
  static constexpr size_t kMaxSelfLabels = 10;

  std::string text;
  Datetime created_at;             // parsed leniently (clients write sloppy dates)
  std::vector<std::string> langs;  // BCP-47 tags as written ("en", "pt-BR")
  std::vector<Facet> facets;
  std::optional<ReplyRef> reply;
  std::vector<std::string> labels;  // self-label values ("nsfw", "bot", ...)
  std::optional<Embed> embed;

  // Parses a post record. A "$type" other than app.bsky.feed.post is an error; none is accepted.
  static Result<Post> Parse(const nlohmann::json& record);
};

// True when a facet of `post` mentions `did`. A handle typed without a facet is not a mention.
bool MentionsDid(const Post& post, const Did& did);
// Every DID the post's facets mention, in order, without repeats.
std::vector<Did> MentionedDids(const Post& post);

// The reply refs for answering `parent` (whose record is `parent_post`): root is the parent's own
// reply root when it is itself a reply, else the parent.
ReplyRef ReplyTo(const StrongRef& parent, const Post& parent_post);

// A post the bot writes.
struct NewPost {
  std::string text;
  Datetime created_at;  // set it (Datetime::Now()): the default is the Unix epoch
  std::vector<std::string> langs;
  std::optional<ReplyRef> reply;
  std::vector<std::string> self_labels;  // usually none
};

// The record JSON for com.atproto.repo.createRecord: {"$type":"app.bsky.feed.post", "text",
// "createdAt", "langs"?, "reply"?, "labels"?}. Never facets or an embed.
nlohmann::json ToJson(const NewPost& post);
nlohmann::json ToJson(const StrongRef& ref);

}  // namespace altscribe::atproto
