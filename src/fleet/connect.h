// fleet/connect.h — how the bot, the workers and `altscribe fleet` reach NATS.
//
// Credentials never come from flags: the CLI reads them from ALTSCRIBE_NATS_TOKEN(_FILE) or
// ALTSCRIBE_NATS_USER + ALTSCRIBE_NATS_PASSWORD(_FILE) (cli/nats_flags.h).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "nats/connection.h"

namespace altscribe::fleet {

struct NatsServer {
  std::string urls;  // "nats://host:4222[,nats://host2:4222…]"
  std::string name;  // the connection name the server shows
  std::string user, password, token;
};

// Connects to a server of `urls` that answers; the connection then reconnects by itself to any
// of them, or to a cluster peer the servers announce (nats/connection.h).
Result<std::unique_ptr<nats::Connection>> Connect(const NatsServer& server);

}  // namespace altscribe::fleet
