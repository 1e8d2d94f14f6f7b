#include "core/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace altscribe {
namespace {

std::string TempDir() {
  std::string d = testing::TempDir() + "/files_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(d);
  return d;
}

TEST(Files, ReadsWholeFile) {
  std::string p = TempDir() + "/a.bin";
  std::ofstream(p) << "hello";
  auto r = ReadFileBytes(p, 100);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::string(r->begin(), r->end()), "hello");
}

TEST(Files, MissingFileIsNotFoundAndNamesThePath) {
  auto r = ReadFileBytes("/nonexistent/x.jpg", 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "/nonexistent/x.jpg: no such file");
}

TEST(Files, RefusesFilesOverTheLimitWithoutReadingThem) {
  std::string p = TempDir() + "/big.bin";
  std::ofstream(p) << std::string(2000, 'x');
  auto r = ReadFileBytes(p, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
  EXPECT_NE(r.status().message().find("over the 1.0 KB limit"), std::string::npos)
      << r.status().message();
}

TEST(Files, DirectoryIsNotARegularFile) {
  auto r = ReadFileBytes(TempDir(), 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(Files, AtomicWriteReplacesAndLeavesNoTemporaries) {
  std::string d = TempDir() + "/atomic";
  ASSERT_TRUE(MakeDirs(d).ok());
  ASSERT_TRUE(WriteFileAtomic(d + "/f", "one", 3).ok());
  ASSERT_TRUE(WriteFileAtomic(d + "/f", "second", 6).ok());
  auto r = ReadFileBytes(d + "/f", 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(r->begin(), r->end()), "second");
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(d)) n += e.is_regular_file();
  EXPECT_EQ(n, 1);
}

TEST(Files, AtomicWriteIntoMissingDirectoryFails) {
  Status s = WriteFileAtomic("/nonexistent-dir/f", "x", 1);
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_NE(s.message().find("/nonexistent-dir/f"), std::string::npos);
}

TEST(Files, FormatBytes) {
  EXPECT_EQ(FormatBytes(12), "12 B");
  EXPECT_EQ(FormatBytes(1500), "1.5 KB");
  EXPECT_EQ(FormatBytes(20'000'000), "20 MB");
  EXPECT_EQ(FormatBytes(3'790'000'000ull), "3.8 GB");
}

}  // namespace
}  // namespace altscribe
