#include "atproto/records/views.h"

#include <nlohmann/json.hpp>

#include "atproto/records/post_parse.h"

namespace altscribe::atproto {

using records_internal::Array;
using records_internal::At;
using records_internal::AtUriField;
using records_internal::CidField;
using records_internal::DatetimeField;
using records_internal::DidField;
using records_internal::ExpectObject;
using records_internal::Field;
using records_internal::HandleField;
using records_internal::Join;
using records_internal::Json;
using records_internal::kMaxArrayItems;
using records_internal::OptAspectRatio;
using records_internal::OptBool;
using records_internal::OptString;
using records_internal::String;
using records_internal::Type;

namespace {

constexpr int kMaxEmbedDepth = 8;
constexpr int kMaxThreadDepth = 1000;

Status TooDeep(const std::string& path) { return Status::TooLarge(path + ": nested too deeply"); }

Result<std::string> OptStringOrEmpty(const Json& obj, std::string_view key,
                                     const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(obj, key, path));
  return s.value_or("");
}

Result<std::vector<Label>> ParseLabels(const Json& obj, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* arr, Array(obj, "labels", path, false, kMaxArrayItems));
  std::vector<Label> labels;
  if (!arr) return labels;
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& l = (*arr)[i];
    std::string p = At(Join(path, "labels"), i);
    RETURN_IF_ERROR(ExpectObject(l, p));
    ASSIGN_OR_RETURN(Did src, DidField(l, "src", p));
    ASSIGN_OR_RETURN(std::string uri, String(l, "uri", p));
    ASSIGN_OR_RETURN(std::string val, String(l, "val", p));
    ASSIGN_OR_RETURN(bool neg, OptBool(l, "neg", p));
    labels.push_back(Label{std::move(src), std::move(uri), std::move(val), neg});
  }
  return labels;
}

Result<ProfileViewBasic> ParseProfile(const Json& obj, std::string_view key,
                                      const std::string& path) {
  ASSIGN_OR_RETURN(const Json* j, Field(obj, key, path, true));
  std::string p = Join(path, key);
  RETURN_IF_ERROR(ExpectObject(*j, p));
  ASSIGN_OR_RETURN(Did did, DidField(*j, "did", p));
  ASSIGN_OR_RETURN(Handle handle, HandleField(*j, "handle", p));
  ASSIGN_OR_RETURN(std::string name, OptStringOrEmpty(*j, "displayName", p));
  ASSIGN_OR_RETURN(std::vector<Label> labels, ParseLabels(*j, p));
  return ProfileViewBasic{std::move(did), std::move(handle), std::move(name), std::move(labels)};
}

// images#view `images` or gallery#view `items`; `thumb_key` is "thumb" or "thumbnail".
Result<std::vector<ImageView>> ParseImageViews(const Json& obj, std::string_view key,
                                               std::string_view thumb_key,
                                               const std::string& path) {
  ASSIGN_OR_RETURN(const Json* arr, Array(obj, key, path, true, kMaxArrayItems));
  std::vector<ImageView> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& item = (*arr)[i];
    std::string p = At(Join(path, key), i);
    RETURN_IF_ERROR(ExpectObject(item, p));
    ImageView v;
    ASSIGN_OR_RETURN(v.thumb, String(item, thumb_key, p));
    ASSIGN_OR_RETURN(v.fullsize, String(item, "fullsize", p));
    ASSIGN_OR_RETURN(v.alt, String(item, "alt", p));
    ASSIGN_OR_RETURN(v.aspect_ratio, OptAspectRatio(item, p));
    out.push_back(std::move(v));
  }
  return out;
}

// The media views; nullopt for a type that is not media.
Result<std::optional<MediaView>> ParseMediaView(const Json& j, const std::string& type,
                                                const std::string& path) {
  using R = std::optional<MediaView>;
  if (type == "app.bsky.embed.images#view") {
    ASSIGN_OR_RETURN(auto images, ParseImageViews(j, "images", "thumb", path));
    return R(ImagesView{std::move(images)});
  }
  if (type == "app.bsky.embed.gallery#view") {
    ASSIGN_OR_RETURN(auto items, ParseImageViews(j, "items", "thumbnail", path));
    return R(GalleryView{std::move(items)});
  }
  if (type == "app.bsky.embed.video#view") {
    ASSIGN_OR_RETURN(Cid cid, CidField(j, "cid", path));
    VideoView v{.cid = std::move(cid)};
    ASSIGN_OR_RETURN(v.playlist, String(j, "playlist", path));
    ASSIGN_OR_RETURN(v.thumbnail, OptStringOrEmpty(j, "thumbnail", path));
    ASSIGN_OR_RETURN(v.alt, OptString(j, "alt", path));
    ASSIGN_OR_RETURN(v.aspect_ratio, OptAspectRatio(j, path));
    return R(std::move(v));
  }
  if (type == "app.bsky.embed.external#view") {
    ASSIGN_OR_RETURN(const Json* ext, Field(j, "external", path, true));
    std::string p = Join(path, "external");
    RETURN_IF_ERROR(ExpectObject(*ext, p));
    ExternalView e;
    ASSIGN_OR_RETURN(e.uri, String(*ext, "uri", p));
    ASSIGN_OR_RETURN(e.title, String(*ext, "title", p));
    ASSIGN_OR_RETURN(e.description, String(*ext, "description", p));
    ASSIGN_OR_RETURN(e.thumb, OptStringOrEmpty(*ext, "thumb", p));
    return R(std::move(e));
  }
  return R();
}

Result<EmbedView> ParseEmbedView(const Json& j, const std::string& path, int depth);

Result<ViewRecord> ParseViewRecord(const Json& j, const std::string& path, int depth) {
  ASSIGN_OR_RETURN(AtUri uri, AtUriField(j, "uri", path));
  ASSIGN_OR_RETURN(Cid cid, CidField(j, "cid", path));
  ASSIGN_OR_RETURN(ProfileViewBasic author, ParseProfile(j, "author", path));
  ViewRecord r{std::move(uri), std::move(cid), std::move(author), {}, {}, {}, {}, {}};
  ASSIGN_OR_RETURN(const Json* value, Field(j, "value", path, true));
  RETURN_IF_ERROR(ExpectObject(*value, Join(path, "value")));
  ASSIGN_OR_RETURN(r.value_type, Type(*value, Join(path, "value")));
  if (r.value_type == kPostCollection) {
    ASSIGN_OR_RETURN(Post post, records_internal::ParsePost(*value, Join(path, "value")));
    r.post = std::move(post);
  }
  ASSIGN_OR_RETURN(const Json* embeds, Array(j, "embeds", path, false, kMaxArrayItems));
  if (embeds) {
    for (size_t i = 0; i < embeds->size(); ++i) {
      ASSIGN_OR_RETURN(EmbedView e,
                       ParseEmbedView((*embeds)[i], At(Join(path, "embeds"), i), depth + 1));
      r.embeds.push_back(std::move(e));
    }
  }
  ASSIGN_OR_RETURN(r.labels, ParseLabels(j, path));
  ASSIGN_OR_RETURN(r.indexed_at, DatetimeField(j, "indexedAt", path));
  return r;
}

// app.bsky.embed.record#view at `path` (the object holding the `record` union).
Result<RecordView> ParseRecordView(const Json& j, const std::string& path, int depth) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(const Json* rec, Field(j, "record", path, true));
  std::string p = Join(path, "record");
  RETURN_IF_ERROR(ExpectObject(*rec, p));
  ASSIGN_OR_RETURN(std::string type, Type(*rec, p));
  if (type == "app.bsky.embed.record#viewRecord") {
    ASSIGN_OR_RETURN(ViewRecord r, ParseViewRecord(*rec, p, depth));
    return RecordView{std::move(r)};
  }
  if (type == "app.bsky.embed.record#viewNotFound") {
    ASSIGN_OR_RETURN(AtUri uri, AtUriField(*rec, "uri", p));
    return RecordView{ViewNotFound{std::move(uri)}};
  }
  if (type == "app.bsky.embed.record#viewBlocked") {
    ASSIGN_OR_RETURN(AtUri uri, AtUriField(*rec, "uri", p));
    ASSIGN_OR_RETURN(const Json* author, Field(*rec, "author", p, true));
    RETURN_IF_ERROR(ExpectObject(*author, Join(p, "author")));
    ASSIGN_OR_RETURN(Did did, DidField(*author, "did", Join(p, "author")));
    return RecordView{ViewBlocked{std::move(uri), std::move(did)}};
  }
  if (type == "app.bsky.embed.record#viewDetached") {
    ASSIGN_OR_RETURN(AtUri uri, AtUriField(*rec, "uri", p));
    return RecordView{ViewDetached{std::move(uri)}};
  }
  if (type.empty()) return Status::InvalidArgument(Join(p, "$type") + ": missing");
  return RecordView{OtherRecordView{type}};
}

Result<EmbedView> ParseEmbedView(const Json& j, const std::string& path, int depth) {
  if (depth > kMaxEmbedDepth) return TooDeep(path);
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(std::string type, Type(j, path));
  if (type.empty()) return Status::InvalidArgument(Join(path, "$type") + ": missing");
  ASSIGN_OR_RETURN(std::optional<MediaView> media, ParseMediaView(j, type, path));
  if (media) {
    return std::visit([](auto&& m) { return EmbedView{std::move(m)}; }, std::move(*media));
  }
  if (type == "app.bsky.embed.record#view") {
    ASSIGN_OR_RETURN(RecordView r, ParseRecordView(j, path, depth));
    return EmbedView{std::move(r)};
  }
  if (type == "app.bsky.embed.recordWithMedia#view") {
    ASSIGN_OR_RETURN(const Json* rec, Field(j, "record", path, true));
    ASSIGN_OR_RETURN(RecordView r, ParseRecordView(*rec, Join(path, "record"), depth));
    ASSIGN_OR_RETURN(const Json* mj, Field(j, "media", path, true));
    std::string mp = Join(path, "media");
    RETURN_IF_ERROR(ExpectObject(*mj, mp));
    ASSIGN_OR_RETURN(std::string mtype, Type(*mj, mp));
    if (mtype.empty()) return Status::InvalidArgument(Join(mp, "$type") + ": missing");
    ASSIGN_OR_RETURN(std::optional<MediaView> m, ParseMediaView(*mj, mtype, mp));
    return EmbedView{
        RecordWithMediaView{std::move(r), m ? std::move(*m) : MediaView(UnknownView{mtype})}};
  }
  return EmbedView{UnknownView{type}};
}

Result<PostView> ParsePostView(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(AtUri uri, AtUriField(j, "uri", path));
  ASSIGN_OR_RETURN(Cid cid, CidField(j, "cid", path));
  ASSIGN_OR_RETURN(ProfileViewBasic author, ParseProfile(j, "author", path));
  ASSIGN_OR_RETURN(const Json* record, Field(j, "record", path, true));
  ASSIGN_OR_RETURN(Post post, records_internal::ParsePost(*record, Join(path, "record")));
  PostView v{std::move(uri), std::move(cid), std::move(author), std::move(post), {}, {}, {}};
  ASSIGN_OR_RETURN(const Json* embed, Field(j, "embed", path, false));
  if (embed) {
    ASSIGN_OR_RETURN(EmbedView e, ParseEmbedView(*embed, Join(path, "embed"), 0));
    v.embed = std::move(e);
  }
  ASSIGN_OR_RETURN(v.labels, ParseLabels(j, path));
  ASSIGN_OR_RETURN(v.indexed_at, DatetimeField(j, "indexedAt", path));
  return v;
}

// The path of the `depth`-th ancestor: "thread", "thread.parent", "thread.parent^2", ...
std::string ParentPath(const std::string& top_path, size_t depth) {
  if (depth == 0) return top_path;
  if (depth == 1) return top_path + ".parent";
  return top_path + ".parent^" + std::to_string(depth);
}

// One thread node whose parent (already built) is `parent`.
Result<ThreadNode> ParseOneThreadNode(const Json& node, const std::string& p,
                                      std::shared_ptr<const ThreadNode> parent) {
  ASSIGN_OR_RETURN(std::string type, Type(node, p));
  if (type == "app.bsky.feed.defs#threadViewPost") {
    ASSIGN_OR_RETURN(const Json* post, Field(node, "post", p, true));
    ASSIGN_OR_RETURN(PostView view, ParsePostView(*post, Join(p, "post")));
    return ThreadNode{ThreadViewPost{std::move(view), std::move(parent)}};
  }
  if (type == "app.bsky.feed.defs#notFoundPost") {
    ASSIGN_OR_RETURN(AtUri uri, AtUriField(node, "uri", p));
    return ThreadNode{NotFoundPost{std::move(uri)}};
  }
  if (type == "app.bsky.feed.defs#blockedPost") {
    ASSIGN_OR_RETURN(AtUri uri, AtUriField(node, "uri", p));
    ASSIGN_OR_RETURN(const Json* author, Field(node, "author", p, true));
    RETURN_IF_ERROR(ExpectObject(*author, Join(p, "author")));
    ASSIGN_OR_RETURN(Did did, DidField(*author, "did", Join(p, "author")));
    return ThreadNode{BlockedPost{std::move(uri), std::move(did)}};
  }
  if (type.empty()) return Status::InvalidArgument(Join(p, "$type") + ": missing");
  return ThreadNode{UnknownThreadNode{type}};
}

// Thread nodes, parents first: iterative, so a long parent chain cannot overflow the stack.
Result<ThreadNode> ParseThreadNode(const Json& top, const std::string& top_path) {
  // Walk up the parent chain, collecting each node's JSON.
  std::vector<const Json*> chain;
  const Json* j = &top;
  while (true) {
    std::string path = ParentPath(top_path, chain.size());
    if (chain.size() >= static_cast<size_t>(kMaxThreadDepth)) return TooDeep(path);
    RETURN_IF_ERROR(ExpectObject(*j, path));
    chain.push_back(j);
    ASSIGN_OR_RETURN(std::string type, Type(*j, path));
    if (type != "app.bsky.feed.defs#threadViewPost") break;
    ASSIGN_OR_RETURN(const Json* parent, Field(*j, "parent", path, false));
    if (!parent) break;
    j = parent;
  }
  // Build from the top of the thread down.
  std::shared_ptr<const ThreadNode> above;
  for (size_t k = chain.size(); k-- > 0;) {
    ASSIGN_OR_RETURN(ThreadNode built,
                     ParseOneThreadNode(*chain[k], ParentPath(top_path, k), above));
    if (k == 0) return built;
    above = std::make_shared<const ThreadNode>(std::move(built));
  }
  return Status::Internal("unreachable");
}

}  // namespace

bool ProfileViewBasic::HasLabel(std::string_view val) const {
  for (const Label& l : labels) {
    if (l.val == val && !l.neg) return true;
  }
  return false;
}

Result<PostView> PostView::Parse(const nlohmann::json& j) { return ParsePostView(j, "postView"); }

Result<ThreadNode> ThreadNode::Parse(const nlohmann::json& j) {
  return ParseThreadNode(j, "thread");
}

Result<std::vector<PostView>> ParseGetPostsOutput(const nlohmann::json& j) {
  RETURN_IF_ERROR(ExpectObject(j, "getPosts"));
  ASSIGN_OR_RETURN(const Json* posts, Array(j, "posts", "getPosts", true, kMaxArrayItems));
  std::vector<PostView> out;
  for (size_t i = 0; i < posts->size(); ++i) {
    ASSIGN_OR_RETURN(PostView v, ParsePostView((*posts)[i], At("getPosts.posts", i)));
    out.push_back(std::move(v));
  }
  return out;
}

Result<ThreadNode> ParseGetPostThreadOutput(const nlohmann::json& j) {
  RETURN_IF_ERROR(ExpectObject(j, "getPostThread"));
  ASSIGN_OR_RETURN(const Json* thread, Field(j, "thread", "getPostThread", true));
  return ParseThreadNode(*thread, "getPostThread.thread");
}

}  // namespace altscribe::atproto
