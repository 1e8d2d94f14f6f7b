#include "core/sha256.h"

#include <gtest/gtest.h>

#include <fstream>

namespace altscribe {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 h;
  h.Update("a", 1);
  h.Update("bc", 2);
  EXPECT_EQ(h.HexDigest(), Sha256Hex("abc"));
}

TEST(Sha256, File) {
  std::string p = testing::TempDir() + "/sha_file";
  std::ofstream(p) << "abc";
  auto r = Sha256File(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Sha256Hex("abc"));
  EXPECT_FALSE(Sha256File(p + ".missing").ok());
}

TEST(Sha256, IsSha256Hex) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("x")));
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'g')));
}

}  // namespace
}  // namespace altscribe
