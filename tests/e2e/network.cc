#include "network.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "atproto/syntax/datetime.h"
#include "test_env.h"
#include "vision/image/image.h"

namespace altscribe::e2e {
namespace {

using json = nlohmann::json;

std::string RandomSuffix(size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ static_cast<uint64_t>(getpid())};
  const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(alphabet[rng() % 36]);
  return s;
}

}  // namespace

Network Network::Load() {
  const char* path = std::getenv("ALTSCRIBE_DEVNET_JSON");
  std::string p = path && *path ? path : ALTSCRIBE_DEVNET_JSON;
  std::string text = testing::ReadWholeFile(p);
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    ADD_FAILURE() << "no local network description at " << p
                  << " (run through ctest, which starts tests/e2e/devnet)";
    return {};
  }
  return {j.value("pds", ""), j.value("plc", ""), j.value("appview", "")};
}

std::unique_ptr<Account> Account::Create(const Network& net, const std::string& prefix) {
  auto a = std::make_unique<Account>();
  a->handle_ = prefix + RandomSuffix(8) + ".test";
  a->password_ = "pw-" + RandomSuffix(16);
  atproto::XrpcClient client(net.pds, http::Limits{.timeout = std::chrono::seconds(30)});
  auto r = client.Procedure(
      "com.atproto.server.createAccount",
      {{"handle", a->handle_}, {"email", a->handle_ + "@example.com"}, {"password", a->password_}});
  EXPECT_TRUE(r.ok() && r->ok()) << "createAccount " << a->handle_ << ": "
                                 << (r.ok() ? r->Describe() : r.status().message());
  if (!r.ok() || !r->ok()) return a;
  a->did_ = r->json.value("did", "");
  atproto::Session s{a->did_, a->handle_, r->json.value("accessJwt", ""),
                     r->json.value("refreshJwt", "")};
  atproto::AgentOptions o;
  o.identifier = a->handle_;
  o.password = a->password_;
  a->agent_ = std::make_unique<atproto::Agent>(std::move(client), std::move(o), s);
  return a;
}

Ref Account::Post(const PostSpec& spec) {
  json record = {{"$type", "app.bsky.feed.post"},
                 {"text", spec.text},
                 {"createdAt", atproto::Datetime::Now().ToString()},
                 {"langs", spec.langs}};
  if (!spec.mention_handle.empty()) {
    std::string at = "@" + spec.mention_handle;
    size_t start = spec.text.find(at);
    EXPECT_NE(start, std::string::npos) << "the text must contain " << at;
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
    auto blob = agent_->UploadBlob(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), mime);
    EXPECT_TRUE(blob.ok()) << blob.status().message();
    if (!blob.ok()) return {};
    images.push_back(
        {{"image", (*blob)["blob"]}, {"alt", i < spec.alts.size() ? spec.alts[i] : ""}});
  }
  for (const std::string& raw : spec.raw_blobs) {
    auto blob = agent_->UploadBlob(raw, "image/jpeg");
    EXPECT_TRUE(blob.ok()) << blob.status().message();
    if (!blob.ok()) return {};
    images.push_back({{"image", (*blob)["blob"]}, {"alt", ""}});
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
      if (decoded.ok()) {
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
  auto r =
      agent_->Procedure("com.atproto.repo.createRecord",
                        {{"repo", did_}, {"collection", "app.bsky.feed.post"}, {"record", record}});
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return {};
  return {(*r)["uri"], (*r)["cid"]};
}

void Account::Delete(const Ref& post) {
  std::string rkey = post.uri.substr(post.uri.rfind('/') + 1);
  auto r =
      agent_->Procedure("com.atproto.repo.deleteRecord",
                        {{"repo", did_}, {"collection", "app.bsky.feed.post"}, {"rkey", rkey}});
  EXPECT_TRUE(r.ok()) << r.status().message();
}

std::vector<json> BotPosts(const Network& net, const std::string& bot_did) {
  atproto::XrpcClient client(net.pds, http::Limits{});
  std::vector<json> out;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    atproto::Params p = {{"repo", bot_did}, {"collection", "app.bsky.feed.post"}, {"limit", "100"}};
    if (!cursor.empty()) p.push_back({"cursor", cursor});
    auto r = client.Query("com.atproto.repo.listRecords", p);
    if (!r.ok() || !r->ok()) break;
    for (const auto& rec : r->json["records"]) out.push_back(rec);
    cursor = r->json.value("cursor", "");
    if (cursor.empty() || r->json["records"].empty()) break;
  }
  return out;
}

std::vector<json> ReplyThread(const Network& net, const std::string& bot_did,
                              const std::string& mention_uri) {
  std::vector<json> all = BotPosts(net, bot_did);
  std::vector<json> thread;
  std::string parent = mention_uri;
  for (bool found = true; found;) {
    found = false;
    for (const auto& rec : all) {
      const json& v = rec["value"];
      if (v.contains("reply") && v["reply"]["parent"]["uri"] == parent) {
        thread.push_back(rec);
        parent = rec["uri"];
        found = true;
        break;
      }
    }
  }
  return thread;
}

BotProcess::BotProcess(const Network& net, const Account& bot, const std::string& state,
                       const std::string& log, std::vector<std::string> extra_env) {
  std::vector<std::string> argv = {testing::AltscribeBin(),
                                   "bot",
                                   "--pds",
                                   net.pds,
                                   "--handle",
                                   bot.handle(),
                                   "--state",
                                   state,
                                   "--plc",
                                   net.plc,
                                   "--allow-private-fetch",
                                   "--poll-ms",
                                   "200",
                                   "--model",
                                   testing::TinyModelPath(),
                                   "--mmproj",
                                   testing::TinyMmprojPath(),
                                   "--threads",
                                   "2"};
  std::vector<std::string> env = {"ALTSCRIBE_APP_PASSWORD=" + bot.password(),
                                  "ALTSCRIBE_LOG=debug"};
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  pid_ = testing::SpawnProcess(argv, env, log);
}

BotProcess::BotProcess(std::vector<std::string> args, std::vector<std::string> env,
                       const std::string& log) {
  std::vector<std::string> argv = {
      testing::AltscribeBin(),   "bot",       "--model", testing::TinyModelPath(), "--mmproj",
      testing::TinyMmprojPath(), "--threads", "2"};
  argv.insert(argv.end(), args.begin(), args.end());
  env.push_back("ALTSCRIBE_LOG=debug");
  pid_ = testing::SpawnProcess(argv, env, log);
}

BotProcess::~BotProcess() {
  if (pid_ > 0) Stop();
}

int BotProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int sig = 0;
  int rc = WaitExit(30'000, &sig);
  if (rc == -1 && sig == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return rc;
}

int BotProcess::WaitExit(int timeout_ms, int* signal) {
  *signal = 0;
  for (int waited = 0; waited < timeout_ms; waited += 50) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFSIGNALED(status)) {
        *signal = WTERMSIG(status);
        return -1;
      }
      return WEXITSTATUS(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

}  // namespace altscribe::e2e
