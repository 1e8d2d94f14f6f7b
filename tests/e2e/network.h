// tests/e2e/network.h — the local Bluesky network from a test's point of view: accounts that
// post images, mention, quote and reply, and a bot process to run against it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "atproto/xrpc/agent.h"
#include "devnet_client.h"
#include "subprocess.h"

namespace altscribe::e2e {

using Ref = devnet::Ref;

// The running network (tests/e2e/devnet), read from ALTSCRIBE_DEVNET_JSON.
struct Network : devnet::Network {
  static Network Load();  // fails the test (ADD_FAILURE) when the file is missing
};

// An account of the network; every failure fails the calling test (devnet_client.h has the
// Status-returning versions).
class Account {
 public:
  using PostSpec = devnet::PostSpec;

  // Creates a fresh account "<prefix><random>.test" on the network's PDS.
  static std::unique_ptr<Account> Create(const Network& net, const std::string& prefix);

  const std::string& did() const { return a_.did; }
  const std::string& handle() const { return a_.handle; }
  const std::string& password() const { return a_.password; }
  atproto::Agent& agent() { return *a_.agent; }

  Ref Post(const PostSpec& spec);
  void Delete(const Ref& post);

 private:
  devnet::Account a_;
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
  // `model_args` replaces the tiny model's flags (e.g. {"--endpoint", URL, "--endpoint-model",
  // NAME} for a scripted OpenAI-compatible server).
  BotProcess(const Network& net, const Account& bot, const std::string& state,
             const std::string& log, std::vector<std::string> extra_env = {},
             std::vector<std::string> model_args = {});
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
