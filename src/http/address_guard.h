// http/address_guard.h — which IP addresses a request from an untrusted URL may reach.
//
// Blocked: IPv4 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16, 172.16/12, 192.0.0/24,
// 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 (multicast), 240/4 and
// broadcast; IPv6 ::, ::1, fe80::/10, fec0::/10, fc00::/7, ff00::/8, 2001:db8::/32, 100::/64, and
// any IPv6 address that embeds a blocked IPv4 one (v4-mapped ::ffff:a.b.c.d, v4-compatible
// ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). Everything else is public.
#pragma once

#include <sys/socket.h>

#include <string>

namespace altscribe::http {

// True when a connection to `addr` must be refused under block_private_addresses.
// Unknown address families are blocked.
bool IsBlockedAddress(const struct sockaddr* addr);

// True for loopback: IPv4 127/8, IPv6 ::1, and 127/8 mapped into IPv6 (::ffff:127.x.y.z).
bool IsLoopbackAddress(const struct sockaddr* addr);

// "10.0.0.1" or "fe80::1" (no port).
std::string FormatAddress(const struct sockaddr* addr);

}  // namespace altscribe::http
