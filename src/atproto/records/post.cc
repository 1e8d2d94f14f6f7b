#include "atproto/records/post.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "atproto/records/post_parse.h"

namespace altscribe::atproto {
namespace records_internal {
namespace {

constexpr std::string_view kImagesType = "app.bsky.embed.images";
constexpr std::string_view kGalleryType = "app.bsky.embed.gallery";
constexpr std::string_view kVideoType = "app.bsky.embed.video";
constexpr std::string_view kExternalType = "app.bsky.embed.external";
constexpr std::string_view kRecordType = "app.bsky.embed.record";
constexpr std::string_view kRecordWithMediaType = "app.bsky.embed.recordWithMedia";

Result<BlobRef> ParseBlob(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(std::string type, Type(j, path));
  ASSIGN_OR_RETURN(std::string mime, String(j, "mimeType", path));
  if (type.empty() && j.contains("cid")) {  // legacy blob
    ASSIGN_OR_RETURN(Cid cid, CidField(j, "cid", path));
    return BlobRef{std::move(cid), std::move(mime), 0};
  }
  if (type != "blob") {
    return Status::InvalidArgument(Join(path, "$type") + ": expected \"blob\", got \"" + type +
                                   "\"");
  }
  ASSIGN_OR_RETURN(const Json* ref, Field(j, "ref", path, true));
  RETURN_IF_ERROR(ExpectObject(*ref, Join(path, "ref")));
  ASSIGN_OR_RETURN(Cid cid, CidField(*ref, "$link", Join(path, "ref")));
  ASSIGN_OR_RETURN(int64_t size, Int(j, "size", path));
  if (size < 0) return Status::InvalidArgument(Join(path, "size") + ": negative");
  return BlobRef{std::move(cid), std::move(mime), static_cast<uint64_t>(size)};
}

Result<std::optional<BlobRef>> OptBlob(const Json& obj, std::string_view key,
                                       const std::string& path) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, key, path, false));
  if (!v) return std::optional<BlobRef>();
  ASSIGN_OR_RETURN(BlobRef blob, ParseBlob(*v, Join(path, key)));
  return std::optional<BlobRef>(std::move(blob));
}

Result<std::vector<ImageItem>> ParseImageItems(const Json& obj, std::string_view key,
                                               const std::string& path, size_t max_items) {
  ASSIGN_OR_RETURN(const Json* arr, Array(obj, key, path, true, max_items));
  std::vector<ImageItem> items;
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& item = (*arr)[i];
    std::string p = At(Join(path, key), i);
    RETURN_IF_ERROR(ExpectObject(item, p));
    ASSIGN_OR_RETURN(const Json* image, Field(item, "image", p, true));
    ASSIGN_OR_RETURN(BlobRef blob, ParseBlob(*image, Join(p, "image")));
    ASSIGN_OR_RETURN(std::string alt, String(item, "alt", p));
    ASSIGN_OR_RETURN(std::optional<AspectRatio> ratio, OptAspectRatio(item, p));
    items.push_back(ImageItem{std::move(blob), std::move(alt), ratio});
  }
  return items;
}

Result<ExternalEmbed> ParseExternal(const Json& j, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* ext, Field(j, "external", path, true));
  std::string p = Join(path, "external");
  RETURN_IF_ERROR(ExpectObject(*ext, p));
  ExternalEmbed e;
  ASSIGN_OR_RETURN(e.uri, String(*ext, "uri", p));
  ASSIGN_OR_RETURN(e.title, String(*ext, "title", p));
  ASSIGN_OR_RETURN(e.description, String(*ext, "description", p));
  ASSIGN_OR_RETURN(e.thumb, OptBlob(*ext, "thumb", p));
  return e;
}

Result<VideoEmbed> ParseVideo(const Json& j, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* video, Field(j, "video", path, true));
  ASSIGN_OR_RETURN(BlobRef blob, ParseBlob(*video, Join(path, "video")));
  VideoEmbed v{.video = std::move(blob)};
  ASSIGN_OR_RETURN(v.alt, OptString(j, "alt", path));
  ASSIGN_OR_RETURN(v.aspect_ratio, OptAspectRatio(j, path));
  return v;
}

// The media half of recordWithMedia (also the plain media embeds). Returns nullopt for a type
// that is not media, so the caller can try the record embeds.
Result<std::optional<MediaEmbed>> ParseMedia(const Json& j, const std::string& type,
                                             const std::string& path) {
  using R = std::optional<MediaEmbed>;
  if (type == kImagesType) {
    ASSIGN_OR_RETURN(auto images, ParseImageItems(j, "images", path, ImagesEmbed::kMaxImages));
    return R(ImagesEmbed{std::move(images)});
  }
  if (type == kGalleryType) {
    ASSIGN_OR_RETURN(auto items, ParseImageItems(j, "items", path, GalleryEmbed::kMaxItems));
    return R(GalleryEmbed{std::move(items)});
  }
  if (type == kVideoType) {
    ASSIGN_OR_RETURN(VideoEmbed v, ParseVideo(j, path));
    return R(std::move(v));
  }
  if (type == kExternalType) {
    ASSIGN_OR_RETURN(ExternalEmbed e, ParseExternal(j, path));
    return R(std::move(e));
  }
  return R();
}

Result<Embed> ParseEmbed(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(std::string type, Type(j, path));
  if (type.empty()) return Status::InvalidArgument(Join(path, "$type") + ": missing");
  ASSIGN_OR_RETURN(std::optional<MediaEmbed> media, ParseMedia(j, type, path));
  if (media) return std::visit([](auto&& m) -> Embed { return std::move(m); }, std::move(*media));
  if (type == kRecordType) {
    ASSIGN_OR_RETURN(const Json* rec, Field(j, "record", path, true));
    ASSIGN_OR_RETURN(StrongRef ref, ParseStrongRef(*rec, Join(path, "record")));
    return Embed(RecordEmbed{std::move(ref)});
  }
  if (type == kRecordWithMediaType) {
    // {record: app.bsky.embed.record {record: strongRef}, media: union}
    ASSIGN_OR_RETURN(const Json* outer, Field(j, "record", path, true));
    std::string rp = Join(path, "record");
    RETURN_IF_ERROR(ExpectObject(*outer, rp));
    ASSIGN_OR_RETURN(const Json* rec, Field(*outer, "record", rp, true));
    ASSIGN_OR_RETURN(StrongRef ref, ParseStrongRef(*rec, Join(rp, "record")));
    ASSIGN_OR_RETURN(const Json* mj, Field(j, "media", path, true));
    std::string mp = Join(path, "media");
    RETURN_IF_ERROR(ExpectObject(*mj, mp));
    ASSIGN_OR_RETURN(std::string mtype, Type(*mj, mp));
    if (mtype.empty()) return Status::InvalidArgument(Join(mp, "$type") + ": missing");
    ASSIGN_OR_RETURN(std::optional<MediaEmbed> m, ParseMedia(*mj, mtype, mp));
    return Embed(RecordWithMediaEmbed{std::move(ref), m ? std::move(*m) : UnknownEmbed{mtype}});
  }
  return Embed(UnknownEmbed{type});
}

Result<Facet> ParseFacet(const Json& j, const std::string& path, size_t text_size) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(const Json* index, Field(j, "index", path, true));
  std::string ip = Join(path, "index");
  RETURN_IF_ERROR(ExpectObject(*index, ip));
  ASSIGN_OR_RETURN(int64_t start, Int(*index, "byteStart", ip));
  ASSIGN_OR_RETURN(int64_t end, Int(*index, "byteEnd", ip));
  if (start < 0 || end < 0) return Status::InvalidArgument(ip + ": negative byte offset");
  if (start > end) {
    return Status::InvalidArgument(ip + ": byteStart " + std::to_string(start) +
                                   " is after byteEnd " + std::to_string(end));
  }
  if (static_cast<uint64_t>(end) > text_size) {
    return Status::InvalidArgument(ip + ": byteEnd " + std::to_string(end) +
                                   " is past the end of the text (" + std::to_string(text_size) +
                                   " bytes)");
  }
  Facet facet{static_cast<size_t>(start), static_cast<size_t>(end), {}};
  ASSIGN_OR_RETURN(const Json* features, Array(j, "features", path, true, kMaxArrayItems));
  for (size_t i = 0; i < features->size(); ++i) {
    const Json& f = (*features)[i];
    std::string fp = At(Join(path, "features"), i);
    RETURN_IF_ERROR(ExpectObject(f, fp));
    ASSIGN_OR_RETURN(std::string type, Type(f, fp));
    if (type == "app.bsky.richtext.facet#mention") {
      ASSIGN_OR_RETURN(Did did, DidField(f, "did", fp));
      facet.features.push_back(MentionFeature{std::move(did)});
    } else if (type == "app.bsky.richtext.facet#link") {
      ASSIGN_OR_RETURN(std::string uri, String(f, "uri", fp));
      facet.features.push_back(LinkFeature{std::move(uri)});
    } else if (type == "app.bsky.richtext.facet#tag") {
      ASSIGN_OR_RETURN(std::string tag, String(f, "tag", fp));
      facet.features.push_back(TagFeature{std::move(tag)});
    } else if (type.empty()) {
      return Status::InvalidArgument(Join(fp, "$type") + ": missing");
    } else {
      facet.features.push_back(UnknownFeature{type});
    }
  }
  return facet;
}

Result<std::vector<std::string>> ParseSelfLabels(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(std::string type, Type(j, path));
  std::vector<std::string> out;
  if (type != "com.atproto.label.defs#selfLabels") return out;  // an open union: skip others
  ASSIGN_OR_RETURN(const Json* values, Array(j, "values", path, true, Post::kMaxSelfLabels));
  for (size_t i = 0; i < values->size(); ++i) {
    const Json& v = (*values)[i];
    std::string vp = At(Join(path, "values"), i);
    RETURN_IF_ERROR(ExpectObject(v, vp));
    ASSIGN_OR_RETURN(std::string val, String(v, "val", vp));
    out.push_back(std::move(val));
  }
  return out;
}

}  // namespace

Result<StrongRef> ParseStrongRef(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(AtUri uri, AtUriField(j, "uri", path));
  ASSIGN_OR_RETURN(Cid cid, CidField(j, "cid", path));
  return StrongRef{std::move(uri), std::move(cid)};
}

Result<AspectRatio> ParseAspectRatio(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  AspectRatio r;
  ASSIGN_OR_RETURN(r.width, Int(j, "width", path));
  ASSIGN_OR_RETURN(r.height, Int(j, "height", path));
  if (r.width < 1 || r.height < 1) {
    return Status::InvalidArgument(path + ": width and height must be at least 1");
  }
  return r;
}

Result<std::optional<AspectRatio>> OptAspectRatio(const Json& obj, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, "aspectRatio", path, false));
  if (!v) return std::optional<AspectRatio>();
  ASSIGN_OR_RETURN(AspectRatio r, ParseAspectRatio(*v, Join(path, "aspectRatio")));
  return std::optional<AspectRatio>(r);
}

Result<Post> ParsePost(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(ExpectObject(j, path));
  ASSIGN_OR_RETURN(std::string type, Type(j, path));
  if (!type.empty() && type != kPostCollection) {
    return Status::InvalidArgument(Join(path, "$type") +
                                   ": expected \"app.bsky.feed.post\", got \"" + type + "\"");
  }
  Post post;
  ASSIGN_OR_RETURN(post.text, String(j, "text", path));
  if (post.text.size() > Post::kMaxTextBytes) {
    return Status::TooLarge(Join(path, "text") + ": " + std::to_string(post.text.size()) +
                            " bytes, more than the 3000 allowed");
  }
  ASSIGN_OR_RETURN(post.created_at, DatetimeField(j, "createdAt", path));

  ASSIGN_OR_RETURN(const Json* langs, Array(j, "langs", path, false, Post::kMaxLangs));
  if (langs) {
    for (size_t i = 0; i < langs->size(); ++i) {
      const Json& l = (*langs)[i];
      if (!l.is_string()) return TypeError(At(Join(path, "langs"), i), "a string", l);
      post.langs.push_back(l.get<std::string>());
    }
  }

  ASSIGN_OR_RETURN(const Json* facets, Array(j, "facets", path, false, kMaxArrayItems));
  if (facets) {
    for (size_t i = 0; i < facets->size(); ++i) {
      ASSIGN_OR_RETURN(Facet f,
                       ParseFacet((*facets)[i], At(Join(path, "facets"), i), post.text.size()));
      post.facets.push_back(std::move(f));
    }
  }

  ASSIGN_OR_RETURN(const Json* reply, Field(j, "reply", path, false));
  if (reply) {
    std::string rp = Join(path, "reply");
    RETURN_IF_ERROR(ExpectObject(*reply, rp));
    ASSIGN_OR_RETURN(const Json* root, Field(*reply, "root", rp, true));
    ASSIGN_OR_RETURN(StrongRef root_ref, ParseStrongRef(*root, Join(rp, "root")));
    ASSIGN_OR_RETURN(const Json* parent, Field(*reply, "parent", rp, true));
    ASSIGN_OR_RETURN(StrongRef parent_ref, ParseStrongRef(*parent, Join(rp, "parent")));
    post.reply = ReplyRef{std::move(root_ref), std::move(parent_ref)};
  }

  ASSIGN_OR_RETURN(const Json* labels, Field(j, "labels", path, false));
  if (labels) {
    ASSIGN_OR_RETURN(post.labels, ParseSelfLabels(*labels, Join(path, "labels")));
  }

  ASSIGN_OR_RETURN(const Json* embed, Field(j, "embed", path, false));
  if (embed) {
    ASSIGN_OR_RETURN(Embed e, ParseEmbed(*embed, Join(path, "embed")));
    post.embed = std::move(e);
  }
  return post;
}

}  // namespace records_internal

Result<Post> Post::Parse(const nlohmann::json& record) {
  return records_internal::ParsePost(record, "post");
}

bool MentionsDid(const Post& post, const Did& did) {
  for (const Facet& facet : post.facets) {
    for (const FacetFeature& f : facet.features) {
      const auto* m = std::get_if<MentionFeature>(&f);
      if (m && m->did == did) return true;
    }
  }
  return false;
}

std::vector<Did> MentionedDids(const Post& post) {
  std::vector<Did> out;
  for (const Facet& facet : post.facets) {
    for (const FacetFeature& f : facet.features) {
      const auto* m = std::get_if<MentionFeature>(&f);
      if (m && std::find(out.begin(), out.end(), m->did) == out.end()) out.push_back(m->did);
    }
  }
  return out;
}

ReplyRef ReplyTo(const StrongRef& parent, const Post& parent_post) {
  if (parent_post.reply) return ReplyRef{parent_post.reply->root, parent};
  return ReplyRef{parent, parent};
}

nlohmann::json ToJson(const StrongRef& ref) {
  return {{"uri", ref.uri.ToString()}, {"cid", ref.cid.str()}};
}

nlohmann::json ToJson(const NewPost& post) {
  nlohmann::json j = {
      {"$type", kPostCollection}, {"text", post.text}, {"createdAt", post.created_at.ToString()}};
  if (!post.langs.empty()) j["langs"] = post.langs;
  if (post.reply) {
    j["reply"] = {{"root", ToJson(post.reply->root)}, {"parent", ToJson(post.reply->parent)}};
  }
  if (!post.self_labels.empty()) {
    nlohmann::json values = nlohmann::json::array();
    for (const std::string& v : post.self_labels) values.push_back({{"val", v}});
    j["labels"] = {{"$type", "com.atproto.label.defs#selfLabels"}, {"values", values}};
  }
  return j;
}

}  // namespace altscribe::atproto
