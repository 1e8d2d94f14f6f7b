// nats/socket.h — the few blocking TCP calls Connection needs, each failing with one line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::nats {

// Connects a TCP socket (close-on-exec, TCP_NODELAY, blocking) to host:port within `timeout`;
// returns the fd or "nats: cannot connect to host:port: <reason>".
Result<int> DialTcp(const std::string& host, int port, std::chrono::milliseconds timeout);

// Writes all of `bytes` to `fd` (no SIGPIPE). On failure returns errno's text.
Status SendAll(int fd, std::string_view bytes);

}  // namespace altscribe::nats
