#include "devnet_client.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "atproto/syntax/datetime.h"
#include "core/base64.h"
#include "http/client.h"
#include "vision/image/image.h"

namespace altscribe::devnet {
namespace {

using json = nlohmann::json;

std::string RandomSuffix(size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ static_cast<uint64_t>(getpid())};
  const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % 36]);
  return s;
}

// "createAccount alice1234.test: HTTP 400 …" from a call's outcome.
Status Failed(std::string_view what, const Result<atproto::XrpcResponse>& r) {
  return Status::Network(std::string(what) + ": " +
                         (r.ok() ? r->Describe() : r.status().message()));
}

}  // namespace

Result<Network> ReadNetwork(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("no local network description at " + path);
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (!j.is_object() || !j.value("pds", json()).is_string()) {
    return Status::InvalidArgument(path + " is not a network description (no \"pds\")");
  }
  return Network{j.value("pds", ""),   j.value("plc", ""),      j.value("appview", ""),
                 j.value("ozone", ""), j.value("ozoneDid", ""), j.value("adminPassword", "")};
}

Result<Account> CreateAccount(const Network& net, const std::string& prefix) {
  Account a;
  a.handle = prefix + RandomSuffix(8) + ".test";
  a.password = "pw-" + RandomSuffix(16);
  atproto::XrpcClient client(net.pds, http::Limits{.timeout = std::chrono::seconds(30)});
  auto r = client.Procedure(
      "com.atproto.server.createAccount",
      {{"handle", a.handle}, {"email", a.handle + "@example.com"}, {"password", a.password}});
  if (!r.ok() || !r->ok()) return Failed("createAccount " + a.handle, r);
  a.did = r->json.value("did", "");
  atproto::Session s{a.did, a.handle, r->json.value("accessJwt", ""),
                     r->json.value("refreshJwt", "")};
  atproto::AgentOptions o;
  o.identifier = a.handle;
  o.password = a.password;
  a.agent = std::make_unique<atproto::Agent>(std::move(client), std::move(o), s);
  return a;
}

Result<Ref> CreatePost(Account& account, const PostSpec& spec) {
  json record = {{"$type", "app.bsky.feed.post"},
                 {"text", spec.text},
                 {"createdAt", atproto::Datetime::Now().ToString()},
                 {"langs", spec.langs}};
  if (!spec.mention_handle.empty()) {
    std::string at = "@" + spec.mention_handle;
    size_t start = spec.text.find(at);
    if (start == std::string::npos) {
      return Status::InvalidArgument("the post's text must contain " + at);
    }
    record["facets"] =
        json::array({{{"index", {{"byteStart", start}, {"byteEnd", start + at.size()}}},
                      {"features", json::array({{{"$type", "app.bsky.richtext.facet#mention"},
                                                 {"did", spec.mention_did}}})}}});
  }
  json images = json::array();
  for (size_t i = 0; i < spec.images.size(); ++i) {
    const auto& bytes = spec.images[i];
    std::string mime = bytes.size() > 3 && bytes[0] == 0xFF   ? "image/jpeg"
                       : bytes.size() > 3 && bytes[0] == 0x89 ? "image/png"
                                                              : "image/webp";
    ASSIGN_OR_RETURN(
        json blob,
        account.agent->UploadBlob(
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), mime));
    images.push_back({{"image", blob["blob"]}, {"alt", i < spec.alts.size() ? spec.alts[i] : ""}});
  }
  for (const std::string& raw : spec.raw_blobs) {
    ASSIGN_OR_RETURN(json blob, account.agent->UploadBlob(raw, "image/jpeg"));
    images.push_back({{"image", blob["blob"]}, {"alt", ""}});
  }
  if (!spec.self_labels.empty()) {
    json values = json::array();
    for (const auto& l : spec.self_labels) values.push_back({{"val", l}});
    record["labels"] = {{"$type", "com.atproto.label.defs#selfLabels"}, {"values", values}};
  }
  json media;
  if (!images.empty() && spec.gallery) {
    for (size_t i = 0; i < images.size() && i < spec.images.size(); ++i) {
      images[i]["$type"] = "app.bsky.embed.gallery#image";  // an open union: items name a type
      auto decoded = vision::DecodeImage(spec.images[i], {});
      if (decoded.ok()) {  // required for gallery items
        images[i]["aspectRatio"] = {{"width", decoded->source_width},
                                    {"height", decoded->source_height}};
      }
    }
    media = {{"$type", "app.bsky.embed.gallery"}, {"items", images}};
  } else if (!images.empty()) {
    media = {{"$type", "app.bsky.embed.images"}, {"images", images}};
  }
  if (spec.quote) {
    json rec = {{"uri", spec.quote->uri}, {"cid", spec.quote->cid}};
    if (media.is_null()) {
      record["embed"] = {{"$type", "app.bsky.embed.record"}, {"record", rec}};
    } else {
      record["embed"] = {{"$type", "app.bsky.embed.recordWithMedia"},
                         {"record", {{"$type", "app.bsky.embed.record"}, {"record", rec}}},
                         {"media", media}};
    }
  } else if (!media.is_null()) {
    record["embed"] = media;
  }
  if (spec.reply_to) {
    const Ref* root = spec.reply_root ? spec.reply_root : spec.reply_to;
    record["reply"] = {{"root", {{"uri", root->uri}, {"cid", root->cid}}},
                       {"parent", {{"uri", spec.reply_to->uri}, {"cid", spec.reply_to->cid}}}};
  }
  ASSIGN_OR_RETURN(json out, account.agent->Procedure("com.atproto.repo.createRecord",
                                                      {{"repo", account.did},
                                                       {"collection", "app.bsky.feed.post"},
                                                       {"record", record}}));
  if (!out.value("uri", json()).is_string() || !out.value("cid", json()).is_string()) {
    return Status::Network("createRecord answered without uri/cid");
  }
  return Ref{out["uri"], out["cid"]};
}

Status DeletePost(Account& account, const Ref& post) {
  std::string rkey = post.uri.substr(post.uri.rfind('/') + 1);
  auto r = account.agent->Procedure(
      "com.atproto.repo.deleteRecord",
      {{"repo", account.did}, {"collection", "app.bsky.feed.post"}, {"rkey", rkey}});
  return r.ok() ? Status::Ok() : r.status();
}

Status LabelThroughOzone(const Network& net, const Ref& post, const std::string& val) {
  json body = {
      {"event",
       {{"$type", "tools.ozone.moderation.defs#modEventLabel"},
        {"createLabelVals", json::array({val})},
        {"negateLabelVals", json::array()}}},
      {"subject", {{"$type", "com.atproto.repo.strongRef"}, {"uri", post.uri}, {"cid", post.cid}}},
      {"createdBy", net.ozone_did}};
  http::Request req;
  req.method = "POST";
  req.url = net.ozone + "/xrpc/tools.ozone.moderation.emitEvent";
  req.headers = {{"Content-Type", "application/json"},
                 {"Authorization", "Basic " + Base64Encode("admin:" + net.admin_password)}};
  req.body = body.dump();
  auto r = http::Send(req, http::Limits{});
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return Status::Network("emitEvent answered " + std::to_string(r->status) + ": " + r->body);
  }
  return Status::Ok();
}

Result<std::vector<json>> ListPosts(const Network& net, const std::string& did, int max_pages,
                                    int page_size) {
  atproto::XrpcClient client(net.pds, http::Limits{});
  std::vector<json> out;
  std::string cursor;
  for (int page = 0; page < max_pages; ++page) {
    atproto::Params p = {
        {"repo", did}, {"collection", "app.bsky.feed.post"}, {"limit", std::to_string(page_size)}};
    if (!cursor.empty()) p.push_back({"cursor", cursor});
    auto r = client.Query("com.atproto.repo.listRecords", p);
    if (!r.ok() || !r->ok()) return Failed("listRecords " + did, r);
    json records = r->json.value("records", json::array());
    for (const auto& rec : records) out.push_back(rec);
    cursor = r->json.value("cursor", "");
    if (cursor.empty() || records.empty()) break;
  }
  return out;
}

}  // namespace altscribe::devnet
