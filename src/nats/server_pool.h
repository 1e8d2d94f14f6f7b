// nats/server_pool.h — the servers a Connection may use: parsed from URL lists, grown by the
// cluster peers a server announces in INFO connect_urls, and the reconnect wait between rounds.
//
// Pure values and functions (no I/O), tested value by value in server_pool_test.cc.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"

namespace altscribe::nats {

struct ServerAddress {
  std::string host = "127.0.0.1";
  int port = 4222;
  bool discovered = false;  // learnt from INFO connect_urls, not configured

  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const ServerAddress& o) const { return host == o.host && port == o.port; }
};

// Parses one "nats://host:port", "host:port" or "host" (port 4222). IPv6 literals go in brackets
// ("[::1]:4222"). Fails with a one-line error naming the URL.
Result<ServerAddress> ParseServerUrl(const std::string& url);
// Parses a comma-separated list ("nats://h1:4222,nats://h2:4223"; spaces around commas are
// ignored). Fails on an empty list or on the first bad URL.
Result<std::vector<ServerAddress>> ParseServerList(const std::string& urls);

// Adds each "host:port" of `connect_urls` (as INFO announces them) that is not in `pool` yet,
// marked discovered. Returns how many were added; malformed entries are skipped.
int AddDiscovered(const std::vector<std::string>& connect_urls, std::vector<ServerAddress>* pool);

// "h1:4222, h2:4223" — for "not connected (reconnecting to …)" errors.
std::string DescribePool(const std::vector<ServerAddress>& pool);

// How long to wait after the `round`-th full pass over the pool failed (round >= 1):
// min * 2^(round-1), capped at max, then scaled by 1 + jitter * (2 * unit_random - 1) so that a
// fleet that lost the same server does not come back in lock step. `unit_random` is in [0, 1);
// `jitter` in [0, 1]. Never negative.
std::chrono::milliseconds ReconnectDelay(int round, std::chrono::milliseconds min,
                                         std::chrono::milliseconds max, double jitter,
                                         double unit_random);

}  // namespace altscribe::nats
