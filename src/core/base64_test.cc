#include "core/base64.h"

#include <gtest/gtest.h>

#include <vector>

namespace altscribe {
namespace {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

}  // namespace
}  // namespace altscribe

TEST(Base64, DecodesWhatItEncodesAndRefusesMalformedText) {
  const std::vector<std::string> samples = {
      "", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)};
  for (const std::string& s : samples) {
    auto d = altscribe::Base64Decode(altscribe::Base64Encode(s));
    ASSERT_TRUE(d.ok()) << s;
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(*altscribe::Base64Decode("TUFO"), "MAN");
  for (const char* bad : {"abc", "ab=c", "a===", "====", "Zm9v\n", "Zm9v!A==", "Zg==Zg=="}) {
    auto d = altscribe::Base64Decode(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) EXPECT_NE(d.status().message().find("base64:"), std::string::npos);
  }
}
