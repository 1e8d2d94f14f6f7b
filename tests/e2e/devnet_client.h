// tests/e2e/devnet_client.h — the local Bluesky network (tests/e2e/devnet) as a client sees it,
// without GoogleTest: its URLs, fresh accounts that post (images, mentions, quotes, replies), and
// the post records of a repository; errors are Status, for programs that are not tests
// (bench/mention_latency). network.h is the e2e tests' counterpart (failures fail the test).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "atproto/xrpc/agent.h"
#include "core/status.h"

namespace altscribe::devnet {

struct Ref {
  std::string uri, cid;
};

// The URLs of a running network.
struct Network {
  std::string pds, plc, appview;
  std::string ozone, ozone_did, admin_password;  // the moderation service and its admin
};
// Reads a network description (network.json, see devnet/README.md). NotFound when the file is
// missing, InvalidArgument when it is not a description.
Result<Network> ReadNetwork(const std::string& path);

// An account on the network's PDS with a logged-in agent.
struct Account {
  std::string did, handle, password;
  std::unique_ptr<atproto::Agent> agent;
};
// Creates "<prefix><8 random [a-z0-9]>.test" with a random password. REQUIRES: prefix of 1–10
// lowercase letters or digits (the part before ".test" must have 3–18 characters).
Result<Account> CreateAccount(const Network& net, const std::string& prefix);

// A post: `text` with images (uploaded as blobs; alt texts optional), optionally a reply to
// `reply_to` (root: `reply_root`, else `reply_to`) and/or quoting `quote`. `mention_handle` +
// `mention_did` put a mention facet over "@handle", which the text must contain.
struct PostSpec {
  std::string text;
  std::vector<std::vector<uint8_t>> images;
  std::vector<std::string> alts;
  const Ref* reply_to = nullptr;
  const Ref* reply_root = nullptr;
  const Ref* quote = nullptr;
  std::string mention_handle, mention_did;
  std::vector<std::string> langs = {"en"};
  std::vector<std::string> self_labels;  // e.g. {"bot"}
  // Raw blobs uploaded as they are (for corrupt-image tests), after `images`.
  std::vector<std::string> raw_blobs;
  bool gallery = false;  // app.bsky.embed.gallery (up to 20 images) instead of embed.images
};
// Creates the post in the account's repository; returns once createRecord has answered.
Result<Ref> CreatePost(Account& account, const PostSpec& spec);
Status DeletePost(Account& account, const Ref& post);
// Applies label `val` ("graphic-media") to `post` through Ozone, as a moderator would
// (tools.ozone.moderation.emitEvent, admin auth). The network copies Ozone's labels into the
// AppView (launch-network.mjs), so views show it shortly after.
Status LabelThroughOzone(const Network& net, const Ref& post, const std::string& val);

// The app.bsky.feed.post records ({uri, cid, value}) of `did`'s repository, newest record key
// first, at most `max_pages` pages of `page_size` (com.atproto.repo.listRecords, no login).
Result<std::vector<nlohmann::json>> ListPosts(const Network& net, const std::string& did,
                                              int max_pages = 20, int page_size = 100);

}  // namespace altscribe::devnet
