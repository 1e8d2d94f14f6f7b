#include "cli/config_file.h"

#include <gtest/gtest.h>

#include <map>

#include "cli/flags.h"
#include "test_env.h"

namespace altscribe::cli {
namespace {

namespace t = altscribe::testing;

std::string Write(const std::string& text) {
  return t::WriteWholeFile(t::MakeTempDir("config") + "/bot.toml", text);
}

TEST(ConfigFile, SettingsTablesAndAccounts) {
  auto cfg = LoadConfigFile(Write(R"(
state = "/var/lib/altscribe/bot.db"
poll_ms = 500
allow-private-fetch = true
[model]
model = "/m/model.gguf"
mmproj = "/m/mmproj.gguf"
[[account]]
handle = "one.test"
pds = "http://127.0.0.1:2583"
app-password-file = "/etc/one.pw"
[[account]]
handle = "two.test"
)"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  using Map = std::map<std::string, std::string>;
  EXPECT_EQ(Map(cfg->settings.begin(), cfg->settings.end()),
            (Map{{"state", "/var/lib/altscribe/bot.db"},
                 {"poll-ms", "500"},
                 {"allow-private-fetch", "true"},
                 {"model", "/m/model.gguf"},
                 {"mmproj", "/m/mmproj.gguf"}}));
  ASSERT_EQ(cfg->accounts.size(), 2u);
  EXPECT_EQ(Map(cfg->accounts[0].begin(), cfg->accounts[0].end()),
            (Map{{"handle", "one.test"},
                 {"pds", "http://127.0.0.1:2583"},
                 {"app-password-file", "/etc/one.pw"}}));
  EXPECT_EQ(cfg->accounts[1].size(), 1u);
}

TEST(ConfigFile, Errors) {
  auto syntax = LoadConfigFile(Write("state = \n"));
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("bot.toml:1"), std::string::npos)
      << syntax.status().message();
  auto secret = LoadConfigFile(Write("[[account]]\nhandle = \"a.test\"\napp_password = \"x\"\n"));
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.status().message().find("secrets do not belong"), std::string::npos);
  auto array = LoadConfigFile(Write("model = [1, 2]\n"));
  EXPECT_FALSE(array.ok());
  EXPECT_EQ(LoadConfigFile("/nonexistent/bot.toml").status().code(), Code::kNotFound);
}

TEST(ConfigFile, CommandLineAndEnvironmentWinOverTheFile) {
  std::string state, model;
  int64_t poll = 1000;
  FlagSet f("bot");
  f.String("state", &state, "");
  f.String("model", &model, "");
  f.Int("poll-ms", &poll, "");
  ::setenv("ALTSCRIBE_MODEL", "env.gguf", 1);
  std::vector<std::string> pos;
  ASSERT_TRUE(f.Parse({"--state", "cli.db"}, &pos).ok());
  ASSERT_TRUE(
      f.ApplyDefaults({{"state", "file.db"}, {"model", "file.gguf"}, {"poll-ms", "250"}}, "f.toml")
          .ok());
  ::unsetenv("ALTSCRIBE_MODEL");
  EXPECT_EQ(state, "cli.db");
  EXPECT_EQ(model, "env.gguf");
  EXPECT_EQ(poll, 250);
  Status bad = f.ApplyDefaults({{"colour", "blue"}}, "f.toml");
  EXPECT_EQ(bad.message(),
            "f.toml: unknown setting 'colour' (see altscribe bot --help for the names)");
}

}  // namespace
}  // namespace altscribe::cli
