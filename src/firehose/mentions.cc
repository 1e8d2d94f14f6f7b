#include "firehose/mentions.h"

#include <string.h>  // memmem

#include "firehose/car.h"

namespace altscribe::firehose {
namespace {

using cbor::Kind;
using cbor::Value;

constexpr std::string_view kPostPrefix = "app.bsky.feed.post/";

bool IsPostPath(std::string_view path) {
  return path.size() > kPostPrefix.size() && path.substr(0, kPostPrefix.size()) == kPostPrefix;
}

std::string AtUri(std::string_view repo, std::string_view path) {
  std::string uri;
  uri.reserve(5 + repo.size() + 1 + path.size());
  uri.append("at://").append(repo).append("/").append(path);
  return uri;
}

Status Shape(std::string_view what, const Value& v, Kind want) {
  return Status::InvalidArgument(std::string(what) + " is " + cbor::KindName(v.kind()) +
                                 ", expected " + cbor::KindName(want));
}

// A field that must be present with the given kind.
Result<Value> Required(const Value& map, std::string_view key, std::string_view what, Kind kind) {
  auto v = map.Find(key);
  if (!v) return Status::InvalidArgument(std::string(what) + " has no '" + std::string(key) + "'");
  if (v->kind() != kind) return Shape(std::string(what) + "." + std::string(key), *v, kind);
  return *v;
}

// A com.atproto.repo.strongRef {uri, cid} (both text).
Result<PostRef> StrongRef(const Value& reply, std::string_view key) {
  std::string what = "reply." + std::string(key);
  ASSIGN_OR_RETURN(Value ref, Required(reply, key, "reply", Kind::kMap));
  ASSIGN_OR_RETURN(Value uri, Required(ref, "uri", what, Kind::kText));
  ASSIGN_OR_RETURN(Value cid, Required(ref, "cid", what, Kind::kText));
  return PostRef{std::string(uri.AsText()), std::string(cid.AsText())};
}

}  // namespace

MentionFilter::MentionFilter(std::vector<std::string> bot_dids, Options options)
    : bot_dids_(std::move(bot_dids)), options_(options) {}

bool MentionFilter::MayMention(std::span<const uint8_t> block) const {
  for (const std::string& did : bot_dids_) {
    if (memmem(block.data(), block.size(), did.data(), did.size()) != nullptr) return true;
  }
  return false;
}

Status MentionFilter::Scan(const CommitMessage& commit, CommitEvents* out) {
  ++counters_.commits;
  creates_.clear();
  bool has_delete = false;
  for (const RepoOp& op : commit.ops) {
    if (!IsPostPath(op.path)) continue;
    if (op.action == "create" && op.cid) {
      creates_.push_back(&op);
    } else if (op.action == "delete") {
      has_delete = true;
    }
  }
  if (creates_.empty() && !has_delete && !options_.verify_every_commit) return Status::Ok();

  const size_t mentions_before = out->mentions.size();
  auto fail = [&](const Status& st) {
    out->mentions.resize(mentions_before);
    return st.WithPrefix("commit " + std::string(commit.repo) + " seq " +
                         std::to_string(commit.seq));
  };

  if (!creates_.empty() || options_.verify_every_commit) {
    ++counters_.cars_read;
    auto car = CarReader::Open(commit.blocks);
    if (!car.ok()) return fail(car.status());
    found_.assign(creates_.size(), false);
    while (!car->done()) {
      auto block = car->Next();
      if (!block.ok()) return fail(block.status());
      for (size_t i = 0; i < creates_.size(); ++i) {
        if (found_[i] || !(*creates_[i]->cid == block->cid)) continue;
        found_[i] = true;
        if (!MayMention(block->data)) continue;
        Status st = ReadPost(commit, *creates_[i], block->data, out);
        if (!st.ok()) return fail(st);
      }
    }
    for (size_t i = 0; i < creates_.size(); ++i) {
      if (found_[i] || commit.too_big) continue;
      return fail(Status::InvalidArgument("the record of " + std::string(creates_[i]->path) + " (" +
                                          creates_[i]->cid->ToString() +
                                          ") is not in the commit's blocks"));
    }
  }

  if (has_delete) {
    for (const RepoOp& op : commit.ops) {
      if (op.action == "delete" && IsPostPath(op.path)) {
        out->deletions.push_back({AtUri(commit.repo, op.path), commit.seq});
      }
    }
  }
  return Status::Ok();
}

Status MentionFilter::ReadPost(const CommitMessage& commit, const RepoOp& op,
                               std::span<const uint8_t> block, CommitEvents* out) {
  ++counters_.records_decoded;
  const std::string name = "record " + std::string(op.path);
  Status st = record_.Decode(block);
  if (!st.ok()) return st.WithPrefix(name);
  Value record = record_.root();
  if (record.kind() != Kind::kMap) return Shape(name, record, Kind::kMap);

  auto facets = record.Find("facets");
  if (!facets || facets->is_null()) return Status::Ok();
  if (facets->kind() != Kind::kArray) return Shape(name + ": facets", *facets, Kind::kArray);

  // Which bots the facets mention (each once, in the order of bot_dids_).
  std::vector<bool> mentioned(bot_dids_.size(), false);
  bool any = false;
  for (Value facet : facets->items()) {
    if (facet.kind() != Kind::kMap) return Shape(name + ": facet", facet, Kind::kMap);
    auto features = Required(facet, "features", name + ": facet", Kind::kArray);
    if (!features.ok()) return features.status();
    for (Value feature : features->items()) {
      if (feature.kind() != Kind::kMap) return Shape(name + ": facet feature", feature, Kind::kMap);
      auto type = feature.Find("$type");
      if (!type || type->kind() != Kind::kText || type->AsText() != kMentionFeature) continue;
      auto did = Required(feature, "did", name + ": mention facet", Kind::kText);
      if (!did.ok()) return did.status();
      for (size_t i = 0; i < bot_dids_.size(); ++i) {
        if (bot_dids_[i] == did->AsText()) mentioned[i] = any = true;
      }
    }
  }
  if (!any) return Status::Ok();

  MentionEvent base;
  base.uri = AtUri(commit.repo, op.path);
  base.cid = op.cid->ToString();
  base.author_did = std::string(commit.repo);
  base.seq = commit.seq;
  auto reply = record.Find("reply");
  if (reply && !reply->is_null()) {
    if (reply->kind() != Kind::kMap) return Shape(name + ": reply", *reply, Kind::kMap);
    auto root = StrongRef(*reply, "root");
    if (!root.ok()) return root.status().WithPrefix(name);
    auto parent = StrongRef(*reply, "parent");
    if (!parent.ok()) return parent.status().WithPrefix(name);
    base.root = std::move(*root);
    base.parent = std::move(*parent);
  }
  auto langs = record.Find("langs");
  if (langs && !langs->is_null()) {
    if (langs->kind() != Kind::kArray) return Shape(name + ": langs", *langs, Kind::kArray);
    for (Value lang : langs->items()) {
      if (lang.kind() != Kind::kText) return Shape(name + ": lang", lang, Kind::kText);
      base.langs.emplace_back(lang.AsText());
    }
  }

  for (size_t i = 0; i < bot_dids_.size(); ++i) {
    if (!mentioned[i]) continue;
    MentionEvent e = base;
    e.account_did = bot_dids_[i];
    out->mentions.push_back(std::move(e));
  }
  return Status::Ok();
}

}  // namespace altscribe::firehose
