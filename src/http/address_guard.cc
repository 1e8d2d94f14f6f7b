#include "http/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace altscribe::http {
namespace {

// `a` is the address in host byte order.
bool IsBlockedV4(uint32_t a) {
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 CGNAT
         in(0x7F000000, 8) ||   // 127/8 loopback
         in(0xA9FE0000, 16) ||  // 169.254/16 link-local (cloud metadata)
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
         in(0xC0000200, 24) ||  // 192.0.2/24 TEST-NET-1
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xC6336400, 24) ||  // 198.51.100/24 TEST-NET-2
         in(0xCB007100, 24) ||  // 203.0.113/24 TEST-NET-3
         in(0xE0000000, 4) ||   // 224/4 multicast
         in(0xF0000000, 4);     // 240/4 reserved, includes 255.255.255.255
}

uint32_t V4At(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

bool IsBlockedV6(const uint8_t* b) {
  static const uint8_t kZero[16] = {};
  // ::/96 covers :: (unspecified), ::1 (loopback) and the deprecated v4-compatible form.
  if (std::memcmp(b, kZero, 12) == 0) {
    uint32_t v4 = V4At(b + 12);
    return v4 <= 1 || IsBlockedV4(v4);
  }
  // ::ffff:a.b.c.d (v4-mapped)
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) return IsBlockedV4(V4At(b + 12));
  // 64:ff9b::/96 (NAT64 well-known prefix)
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return IsBlockedV4(V4At(b + 12));
  // 2002::/16 (6to4): the next 32 bits are an IPv4 address
  if (b[0] == 0x20 && b[1] == 0x02) return IsBlockedV4(V4At(b + 2));
  if (b[0] == 0xff) return true;                           // ff00::/8 multicast
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10 site-local
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // 2001:db8::/32
  static const uint8_t kDiscard[8] = {0x01, 0, 0, 0, 0, 0, 0, 0};                 // 100::/64
  if (std::memcmp(b, kDiscard, 8) == 0) return true;
  return false;
}

}  // namespace

bool IsBlockedAddress(const struct sockaddr* addr) {
  if (addr == nullptr) return true;
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return IsBlockedV4(ntohl(in->sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return IsBlockedV6(in6->sin6_addr.s6_addr);
  }
  return true;
}

bool IsLoopbackAddress(const struct sockaddr* addr) {
  if (addr == nullptr) return false;
  auto loopback_v4 = [](uint32_t a) { return (a & 0xFF000000u) == 0x7F000000u; };
  if (addr->sa_family == AF_INET) {
    return loopback_v4(ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    const uint8_t* b = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr.s6_addr;
    static const uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b, kLoopback, 16) == 0) return true;
    return std::memcmp(b, kMapped, 12) == 0 && loopback_v4(V4At(b + 12));
  }
  return false;
}

std::string FormatAddress(const struct sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (addr == nullptr) return buf;
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace altscribe::http
