// tests/e2e/network.h — the local Bluesky network from a test's point of view: accounts that
// post images, mention, quote and reply, and a bot process to run against it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "atproto/xrpc/agent.h"
#include "subprocess.h"

namespace altscribe::e2e {

struct Ref {
  std::string uri, cid;
};

// The running network (tests/e2e/devnet), read from ALTSCRIBE_DEVNET_JSON.
struct Network {
  std::string pds, plc, appview;
  static Network Load();  // fails the test (ADD_FAILURE) when the file is missing
};

class Account {
 public:
  // Creates a fresh account "<prefix><random>.test" on the network's PDS.
  static std::unique_ptr<Account> Create(const Network& net, const std::string& prefix);

  const std::string& did() const { return did_; }
  const std::string& handle() const { return handle_; }
  const std::string& password() const { return password_; }
  atproto::Agent& agent() { return *agent_; }

  // Posts `text` with images (uploaded blobs; alt texts optional), optionally as a reply to
  // `reply_to` (root taken from it) and/or quoting `quote`. `mention` (a handle+DID) gets a
  // facet over "@handle" inside the text, which must contain it.
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
    // Raw blobs uploaded as they are (for corrupt-image tests), appended after `images`.
    std::vector<std::string> raw_blobs;
    bool gallery = false;  // app.bsky.embed.gallery (up to 20 images) instead of embed.images
  };
  Ref Post(const PostSpec& spec);
  void Delete(const Ref& post);

 private:
  std::string did_, handle_, password_;
  std::unique_ptr<atproto::Agent> agent_;
};

// The bot's posts that reply (directly or down the thread) to `mention`, in thread order:
// part 0 replies to the mention, part k to part k-1. Read from the bot's repository on the PDS.
std::vector<nlohmann::json> ReplyThread(const Network& net, const std::string& bot_did,
                                        const std::string& mention_uri);
// All of the bot's post records.
std::vector<nlohmann::json> BotPosts(const Network& net, const std::string& bot_did);

// `altscribe bot` against the network with the tiny model, in the background.
class BotProcess {
 public:
  BotProcess(const Network& net, const Account& bot, const std::string& state,
             const std::string& log, std::vector<std::string> extra_env = {});
  // `altscribe bot` with these arguments (plus the tiny model) and environment.
  BotProcess(std::vector<std::string> args, std::vector<std::string> env, const std::string& log);
  ~BotProcess();  // SIGTERM, then waits
  // Sends SIGTERM and returns the exit status (0 for a clean stop).
  int Stop();
  // Waits for the process to exit on its own (e.g. an injected crash); -1 on timeout.
  int WaitExit(int timeout_ms, int* signal);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace altscribe::e2e
