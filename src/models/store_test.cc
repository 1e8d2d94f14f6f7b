#include "models/store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_env.h"

namespace altscribe::models {
namespace {

// Sets (or, with nullptr, clears) an environment variable; sets or clears it as before later.
void SetEnv(const char* name, const char* value) {
  if (value) {
    ::setenv(name, value, 1);
  } else {
    ::unsetenv(name);
  }
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
      had_ = true;
    }
    SetEnv(name_, value);
  }
  ~ScopedEnv() { SetEnv(name_, had_ ? old_.c_str() : nullptr); }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(StoreTest, DefaultModelDirFollowsTheEnvironment) {
  ScopedEnv home("HOME", "/home/alice");
  {
    ScopedEnv dir("ALTSCRIBE_MODEL_DIR", "/srv/models");
    ScopedEnv xdg("XDG_DATA_HOME", "/data");
    EXPECT_EQ(DefaultModelDir(), "/srv/models");
  }
  ScopedEnv dir("ALTSCRIBE_MODEL_DIR", nullptr);
  {
    ScopedEnv xdg("XDG_DATA_HOME", "/data");
    EXPECT_EQ(DefaultModelDir(), "/data/altscribe/models");
  }
  {
    ScopedEnv xdg("XDG_DATA_HOME", "relative/ignored");
    EXPECT_EQ(DefaultModelDir(), "/home/alice/.local/share/altscribe/models");
  }
  ScopedEnv xdg("XDG_DATA_HOME", nullptr);
  EXPECT_EQ(DefaultModelDir(), "/home/alice/.local/share/altscribe/models");
}

TEST(StoreTest, ListsCompleteGgufFiles) {
  std::string dir = altscribe::testing::MakeTempDir("store");
  std::ofstream(dir + "/b.gguf") << "12345";
  std::ofstream(dir + "/a.gguf") << "1";
  std::ofstream(dir + "/c.gguf.part") << "partial";
  std::ofstream(dir + "/notes.txt") << "x";
  std::filesystem::create_directory(dir + "/d.gguf");
  auto files = ListInstalled(dir);
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].name, "a.gguf");
  EXPECT_EQ((*files)[0].size, 1u);
  EXPECT_EQ((*files)[0].path, dir + "/a.gguf");
  EXPECT_EQ((*files)[1].name, "b.gguf");
  EXPECT_EQ((*files)[1].size, 5u);
}

TEST(StoreTest, MissingDirectoryIsEmptyAndAFileIsAnError) {
  std::string dir = altscribe::testing::MakeTempDir("store");
  auto files = ListInstalled(dir + "/missing");
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
  std::ofstream(dir + "/file") << "x";
  EXPECT_EQ(ListInstalled(dir + "/file").status().code(), Code::kInvalidArgument);
}

TEST(StoreTest, Paths) {
  EXPECT_EQ(ModelFilePath("/m", "x.gguf"), "/m/x.gguf");
  EXPECT_EQ(ModelFilePath("/m/", "x.gguf"), "/m/x.gguf");
  EXPECT_EQ(PartFilePath("/m", "x.gguf"), "/m/x.gguf.part");
  EXPECT_FALSE(RegularFileSize("/nonexistent/file").has_value());
}

}  // namespace
}  // namespace altscribe::models
