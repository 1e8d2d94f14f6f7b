// atproto/records/views.h — the hydrated views the AppView returns for posts:
// app.bsky.feed.defs#postView (getPosts), #threadViewPost / #notFoundPost / #blockedPost
// (getPostThread), and the embed views inside them (image URLs, quoted records).
//
// Same rules as Post::Parse: unknown fields and unknown union members are tolerated (kept as
// Unknown…/OtherRecordView with their $type), wrong types, missing required fields and malformed
// identifiers are errors naming the field path ("thread.parent^3.post.uri": the 3rd ancestor).
// Nesting is bounded (quotes of quotes: 8 levels; thread parents: 1000), arrays without a
// lexicon maximum to 1000 items.
// `replies` of a thread node are not parsed (the bot reads upwards only).
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "atproto/records/post.h"
#include "atproto/syntax/handle.h"

namespace altscribe::atproto {

// com.atproto.label.defs#label (only what the bot uses).
struct Label {
  Did src;          // who applied it (the author itself for self-labels)
  std::string uri;  // what it applies to
  std::string val;  // "bot", "nsfw", "!hide", ...
  bool neg = false;
};

// app.bsky.actor.defs#profileViewBasic.
struct ProfileViewBasic {
  Did did;
  Handle handle;  // "handle.invalid" when the AppView could not verify it
  std::string display_name;
  std::vector<Label> labels;

  // True when a non-negated label with value `val` is on the profile (e.g. the "bot" self-label).
  bool HasLabel(std::string_view val) const;
};

// One image of app.bsky.embed.images#view (`thumb`) or app.bsky.embed.gallery#view
// (`thumbnail`, stored here as `thumb`).
struct ImageView {
  std::string thumb;     // CDN URL, feed_thumbnail
  std::string fullsize;  // CDN URL, feed_fullsize
  std::string alt;
  std::optional<AspectRatio> aspect_ratio;
};

struct ImagesView {  // app.bsky.embed.images#view
  std::vector<ImageView> images;
};
struct GalleryView {  // app.bsky.embed.gallery#view (items are #viewImage; see GalleryEmbed)
  std::vector<ImageView> items;
};
struct VideoView {  // app.bsky.embed.video#view
  Cid cid;
  std::string playlist;   // HLS playlist URL
  std::string thumbnail;  // "" when the view has none
  std::optional<std::string> alt;
  std::optional<AspectRatio> aspect_ratio;
};
struct ExternalView {  // app.bsky.embed.external#view
  std::string uri;
  std::string title;
  std::string description;
  std::string thumb;  // "" when the card has no image
};
struct UnknownView {
  std::string type;
};

using MediaView = std::variant<ImagesView, GalleryView, VideoView, ExternalView, UnknownView>;

struct EmbedView;  // below; a quoted record's embeds nest

// app.bsky.embed.record#viewRecord: a quoted record, hydrated.
struct ViewRecord {
  AtUri uri;
  Cid cid;
  ProfileViewBasic author;
  std::string value_type;    // the record's $type ("app.bsky.feed.post")
  std::optional<Post> post;  // the record, when it is a post
  std::vector<EmbedView> embeds;
  std::vector<Label> labels;
  Datetime indexed_at;
};
struct ViewNotFound {  // #viewNotFound: the quoted record was deleted
  AtUri uri;
};
struct ViewBlocked {  // #viewBlocked
  AtUri uri;
  Did author;
};
struct ViewDetached {  // #viewDetached: the quoted author detached the quote
  AtUri uri;
};
// A quoted feed generator, list, labeler, starter pack... (not a post).
struct OtherRecordView {
  std::string type;
};

using QuotedRecordView =
    std::variant<ViewRecord, ViewNotFound, ViewBlocked, ViewDetached, OtherRecordView>;

struct RecordView {  // app.bsky.embed.record#view
  QuotedRecordView record;
};
struct RecordWithMediaView {  // app.bsky.embed.recordWithMedia#view
  RecordView record;
  MediaView media;
};

struct EmbedView {
  std::variant<ImagesView, GalleryView, VideoView, ExternalView, RecordView, RecordWithMediaView,
               UnknownView>
      value;
};

// app.bsky.feed.defs#postView.
struct PostView {
  AtUri uri;
  Cid cid;
  ProfileViewBasic author;
  Post record;
  std::optional<EmbedView> embed;
  std::vector<Label> labels;
  Datetime indexed_at;

  static Result<PostView> Parse(const nlohmann::json& j);
};

struct ThreadNode;

// app.bsky.feed.defs#threadViewPost.
struct ThreadViewPost {
  PostView post;
  std::shared_ptr<const ThreadNode> parent;  // null at the top of the fetched thread
};
struct NotFoundPost {  // #notFoundPost: deleted (or never existed)
  AtUri uri;
};
struct BlockedPost {  // #blockedPost
  AtUri uri;
  Did author;
};
struct UnknownThreadNode {
  std::string type;
};

struct ThreadNode {
  std::variant<ThreadViewPost, NotFoundPost, BlockedPost, UnknownThreadNode> value;

  static Result<ThreadNode> Parse(const nlohmann::json& j);
};

// app.bsky.feed.getPosts output {posts: [postView]}.
Result<std::vector<PostView>> ParseGetPostsOutput(const nlohmann::json& j);
// app.bsky.feed.getPostThread output {thread: union}.
Result<ThreadNode> ParseGetPostThreadOutput(const nlohmann::json& j);

}  // namespace altscribe::atproto
