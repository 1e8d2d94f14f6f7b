// firehose/jetstream_event.h — one event of Jetstream (github.com/bluesky-social/jetstream), the
// JSON re-encoding of the firehose:
//   {"did":"did:plc:…","time_us":1725911162329308,"kind":"commit",
//    "commit":{"rev":"…","operation":"create","collection":"app.bsky.feed.post","rkey":"…",
//              "record":{…},"cid":"bafy…"}}
// "kind" is also "identity" (with an "identity" object) or "account" (with an "account" object).
// "record" and "cid" are absent for deletes.
//
// Refused (InvalidArgument, one line "jetstream event: …"): text that is not JSON, not an
// object, a missing or mistyped did/time_us/kind, a commit without its strings, an operation
// other than create/update/delete. Unknown kinds are not errors: the result is empty, and the
// caller ignores the event. Unknown fields are ignored.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::firehose {

struct JetstreamCommit {
  std::string rev;
  std::string operation;  // "create", "update", "delete"
  std::string collection;
  std::string rkey;
  std::string cid;                       // empty for deletes
  std::optional<nlohmann::json> record;  // absent for deletes
};

struct JetstreamEvent {
  enum class Kind { kCommit, kIdentity, kAccount };
  std::string did;
  int64_t time_us = 0;
  Kind kind = Kind::kCommit;
  std::optional<JetstreamCommit> commit;  // kCommit
  nlohmann::json info;                    // the "identity" or "account" object, else null
};

// Parses one message (text JSON, decompressed when it came compressed).
Result<std::optional<JetstreamEvent>> ParseJetstreamEvent(std::string_view json);

}  // namespace altscribe::firehose
