// nats/jetstream_reply.h — internal to jetstream*.cc: reading API replies and checking names.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace altscribe::nats::internal {

inline int64_t Nanos(std::chrono::milliseconds d) { return int64_t{d.count()} * 1000000; }

// The reply as JSON, or the API error as one line ("jetstream: <what>: <description> (err_code
// N)") coded by the API's HTTP-like code: 400 kInvalidArgument, 404 kNotFound, 503 kNetwork,
// others kInternal.
Result<nlohmann::json> ParseReply(const std::string& what, const std::string& body);

// A stream or consumer name: non-empty, no '.', '*', '>' or whitespace.
inline bool IsToken(const std::string& s) {
  return !s.empty() && s.find_first_of(".*> \t\r\n") == std::string::npos;
}

}  // namespace altscribe::nats::internal
