// nats/server_pool.cc — see server_pool.h.
#include "nats/server_pool.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace altscribe::nats {

Result<ServerAddress> ParseServerUrl(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("nats://", 0) == 0) rest = rest.substr(7);
  if (rest.find("://") != std::string::npos) {
    return Status::InvalidArgument("nats: unsupported URL scheme in '" + url + "' (nats:// only)");
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  ServerAddress a;
  std::string host = rest, port_text;
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    size_t close = rest.find(']');
    if (close == std::string::npos) {
      return Status::InvalidArgument("nats: unterminated '[' in URL '" + url + "'");
    }
    host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("nats: bad URL '" + url + "'");
      port_text = after.substr(1);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    if (port_text.empty()) return Status::InvalidArgument("nats: bad port in URL '" + url + "'");
  }
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return Status::InvalidArgument("nats: bad port in URL '" + url + "'");
    }
    a.port = port;
  }
  if (host.empty()) return Status::InvalidArgument("nats: no host in URL '" + url + "'");
  if (host.find_first_of(" \t/@") != std::string::npos) {
    return Status::InvalidArgument("nats: bad host in URL '" + url + "'");
  }
  a.host = host;
  return a;
}

Result<std::vector<ServerAddress>> ParseServerList(const std::string& urls) {
  std::vector<ServerAddress> out;
  size_t start = 0;
  while (start <= urls.size()) {
    size_t comma = urls.find(',', start);
    std::string one = urls.substr(start, comma == std::string::npos ? comma : comma - start);
    one.erase(0, one.find_first_not_of(" \t"));
    one.erase(one.find_last_not_of(" \t") + 1);
    if (one.empty()) {
      return Status::InvalidArgument("nats: empty server URL in '" + urls + "'");
    }
    ASSIGN_OR_RETURN(ServerAddress a, ParseServerUrl(one));
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int AddDiscovered(const std::vector<std::string>& connect_urls, std::vector<ServerAddress>* pool) {
  int added = 0;
  for (const std::string& u : connect_urls) {
    auto a = ParseServerUrl(u);
    if (!a.ok()) continue;
    if (std::find(pool->begin(), pool->end(), *a) != pool->end()) continue;
    a->discovered = true;
    pool->push_back(*a);
    ++added;
  }
  return added;
}

std::string DescribePool(const std::vector<ServerAddress>& pool) {
  std::string out;
  for (const auto& a : pool) {
    if (!out.empty()) out += ", ";
    out += a.ToString();
  }
  return out;
}

std::chrono::milliseconds ReconnectDelay(int round, std::chrono::milliseconds min,
                                         std::chrono::milliseconds max, double jitter,
                                         double unit_random) {
  if (round < 1) round = 1;
  double base = static_cast<double>(min.count());
  for (int i = 1; i < round && base < static_cast<double>(max.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(max.count()));
  jitter = std::clamp(jitter, 0.0, 1.0);
  unit_random = std::clamp(unit_random, 0.0, 1.0);
  double scaled = base * (1.0 + jitter * (2.0 * unit_random - 1.0));
  return std::chrono::milliseconds(std::max<int64_t>(0, std::llround(scaled)));
}

}  // namespace altscribe::nats
