// The result archive reader: what publishers write, and every broken archive named.
#include "bacalhau/result_archive.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

namespace altscribe::bacalhau {
namespace {

TEST(ResultArchive, ReadsTheFileFromAPublishedFolder) {
  std::string big(300'000, 'x');
  std::string targz = Gzip(WriteTar(
      {{"exitCode", "0"}, {"stdout", "hi"}, {"outputs/", ""}, {"outputs/result.json", big}}));
  auto r = ReadFileFromTarGz(targz, "outputs/result.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, big);
  EXPECT_EQ(*ReadFileFromTarGz(targz, "./outputs/result.json"), big);
  auto missing = ReadFileFromTarGz(targz, "outputs/other.json");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "result archive has no outputs/other.json");
}

TEST(ResultArchive, PaxPathNamesTheNextEntry) {
  // Rewrite the first entry as a PAX header whose path= renames "short".
  std::string record = "28 path=outputs/result.json\n";
  std::string pax = WriteTar({{"PaxHeaders/x", record}, {"short", "body"}});
  pax[156] = 'x';
  // Fix the checksum of the edited header.
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(pax[i]);
  char field[8];
  snprintf(field, sizeof(field), "%06o", sum);
  memcpy(&pax[148], field, 7);
  auto files = ReadTar(pax);
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].first, "outputs/result.json");
  EXPECT_EQ((*files)[0].second, "body");
}

TEST(ResultArchive, BrokenArchivesAreNamed) {
  std::string tar = WriteTar({{"outputs/result.json", std::string(1000, 'a')}});
  std::string bad_sum = tar;
  bad_sum[0] = 'X';
  EXPECT_EQ(ReadTar(bad_sum).status().message(), "tar: header checksum mismatch");
  EXPECT_EQ(ReadTar(tar.substr(0, 700)).status().message(), "tar: truncated entry");
  EXPECT_EQ(ReadTar(tar.substr(0, 300)).status().message(), "tar: truncated header");
  std::string gz = Gzip(tar);
  EXPECT_EQ(Gunzip(gz.substr(0, gz.size() / 2), 1 << 20).status().message(),
            "result archive: truncated gzip data");
  EXPECT_EQ(Gunzip("not gzip at all", 1 << 20).status().code(), Code::kInvalidArgument);
  auto bomb = Gunzip(Gzip(std::string(5'000'000, '\0')), 1'000'000);
  EXPECT_EQ(bomb.status().code(), Code::kTooLarge);
  EXPECT_EQ(bomb.status().message(), "result archive inflates past 1000000 bytes");
}

}  // namespace
}  // namespace altscribe::bacalhau
