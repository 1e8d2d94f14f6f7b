#include "http/address_guard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

namespace altscribe::http {
namespace {

// `text` as a socket address (IPv6 when it holds a colon).
sockaddr_storage Addr(const std::string& text) {
  sockaddr_storage ss{};
  if (text.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr), 1) << text;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text.c_str(), &in->sin_addr), 1) << text;
  }
  return ss;
}

bool Blocked(const std::string& text) {
  sockaddr_storage ss = Addr(text);
  return IsBlockedAddress(reinterpret_cast<sockaddr*>(&ss));
}

bool Loopback(const std::string& text) {
  sockaddr_storage ss = Addr(text);
  return IsLoopbackAddress(reinterpret_cast<sockaddr*>(&ss));
}

// Loopback is what allow_loopback opens: nothing else that the guard blocks.
TEST(AddressGuardTest, LoopbackIsOnlyLoopback) {
  for (const char* a : {"127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(Loopback(a)) << a;
  }
  for (const char* a : {"0.0.0.0", "10.0.0.1", "169.254.169.254", "192.168.0.1", "128.0.0.1",
                        "8.8.8.8", "::", "::2", "fe80::1", "fd00::1", "::ffff:10.0.0.1",
                        "::127.0.0.1", "64:ff9b::127.0.0.1", "2002:7f00:0001::1"}) {
    EXPECT_FALSE(Loopback(a)) << a;
  }
  EXPECT_FALSE(IsLoopbackAddress(nullptr));
}

TEST(AddressGuardTest, BlocksPrivateIPv4) {
  for (const char* a : {"0.0.0.0", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
                        "127.0.0.1", "127.1.2.3", "169.254.169.254", "172.16.0.1", "172.31.255.255",
                        "192.168.1.1", "192.0.2.5", "198.18.0.1", "198.51.100.7", "203.0.113.9",
                        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"}) {
    EXPECT_TRUE(Blocked(a)) << a;
  }
}

TEST(AddressGuardTest, AllowsPublicIPv4) {
  for (const char* a : {"1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.15.255.255",
                        "172.32.0.1", "192.169.0.1", "198.20.0.1", "11.0.0.1", "223.255.255.255"}) {
    EXPECT_FALSE(Blocked(a)) << a;
  }
}

TEST(AddressGuardTest, BlocksPrivateIPv6) {
  for (const char* a : {"::", "::1", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1",
                        "ff02::1", "2001:db8::1", "100::1",
                        // IPv4 inside IPv6
                        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
                        "::127.0.0.1", "64:ff9b::10.0.0.1", "2002:c0a8:0101::1"}) {
    EXPECT_TRUE(Blocked(a)) << a;
  }
}

TEST(AddressGuardTest, AllowsPublicIPv6) {
  for (const char* a : {"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8",
                        "64:ff9b::808:808", "2002:0808:0808::1"}) {
    EXPECT_FALSE(Blocked(a)) << a;
  }
}

TEST(AddressGuardTest, FormatsAddresses) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "10.0.0.1", &in.sin_addr);
  EXPECT_EQ(FormatAddress(reinterpret_cast<sockaddr*>(&in)), "10.0.0.1");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:10.0.0.1", &in6.sin6_addr);
  EXPECT_EQ(FormatAddress(reinterpret_cast<sockaddr*>(&in6)), "::ffff:10.0.0.1");
}

TEST(AddressGuardTest, UnknownFamilyIsBlocked) {
  sockaddr sa{};
  sa.sa_family = AF_UNIX;
  EXPECT_TRUE(IsBlockedAddress(&sa));
  EXPECT_TRUE(IsBlockedAddress(nullptr));
}

}  // namespace
}  // namespace altscribe::http
