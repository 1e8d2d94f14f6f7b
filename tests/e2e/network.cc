#include "network.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "test_env.h"

namespace altscribe::e2e {

using json = nlohmann::json;

Network Network::Load() {
  const char* path = std::getenv("ALTSCRIBE_DEVNET_JSON");
  std::string p = path && *path ? path : ALTSCRIBE_DEVNET_JSON;
  auto net = devnet::ReadNetwork(p);
  if (!net.ok()) {
    ADD_FAILURE() << net.status().message()
                  << " (run through ctest, which starts tests/e2e/devnet)";
    return {};
  }
  return Network{*net};
}

std::unique_ptr<Account> Account::Create(const Network& net, const std::string& prefix) {
  auto account = std::make_unique<Account>();
  auto a = devnet::CreateAccount(net, prefix);
  EXPECT_TRUE(a.ok()) << a.status().message();
  if (a.ok()) account->a_ = std::move(a).value();
  return account;
}

Ref Account::Post(const PostSpec& spec) {
  auto r = devnet::CreatePost(a_, spec);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Ref{};
}

void Account::Delete(const Ref& post) {
  Status s = devnet::DeletePost(a_, post);
  EXPECT_TRUE(s.ok()) << s.message();
}

std::vector<json> BotPosts(const Network& net, const std::string& bot_did) {
  auto posts = devnet::ListPosts(net, bot_did);
  EXPECT_TRUE(posts.ok()) << posts.status().message();
  return posts.ok() ? *posts : std::vector<json>{};
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
                       const std::string& log, std::vector<std::string> extra_env,
                       std::vector<std::string> model_args) {
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
                                   "200"};
  if (model_args.empty()) {
    model_args = {"--model",   testing::TinyModelPath(),
                  "--mmproj",  testing::TinyMmprojPath(),
                  "--threads", "2"};
  }
  argv.insert(argv.end(), model_args.begin(), model_args.end());
  // The tests post many mentions from one account about one post, within seconds: the courtesy
  // limits (bot/courtesy.h) are lifted unless a test passes its own (later entries win).
  std::vector<std::string> env = {"ALTSCRIBE_APP_PASSWORD=" + bot.password(), "ALTSCRIBE_LOG=debug",
                                  "ALTSCRIBE_LIMIT_PER_MINUTE=100000",
                                  "ALTSCRIBE_LIMIT_PER_HOUR=100000", "ALTSCRIBE_NEW_ACCOUNT_DAYS=0",
                                  "ALTSCRIBE_REPEAT_WINDOW_S=0",
                                  // the AppView serves image URLs from loopback here
                                  "ALTSCRIBE_CDN_HOSTS=localhost"};
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  pid_ = testing::SpawnProcess(argv, env, log);
}

BotProcess::BotProcess(std::vector<std::string> args, std::vector<std::string> env,
                       const std::string& log) {
  std::vector<std::string> argv = {
      testing::AltscribeBin(),   "bot",       "--model", testing::TinyModelPath(), "--mmproj",
      testing::TinyMmprojPath(), "--threads", "2"};
  argv.insert(argv.end(), args.begin(), args.end());
  env.insert(env.begin(), {"ALTSCRIBE_LIMIT_PER_MINUTE=100000", "ALTSCRIBE_LIMIT_PER_HOUR=100000",
                           "ALTSCRIBE_NEW_ACCOUNT_DAYS=0", "ALTSCRIBE_REPEAT_WINDOW_S=0"});
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
