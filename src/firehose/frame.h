// firehose/frame.h — com.atproto.sync.subscribeRepos frames (one WebSocket binary message).
//
// A frame is two DAG-CBOR items back to back (firehose/cbor.h): a header {op, t?} and a body.
// op 1 is a message whose type is t: "#commit", "#sync", "#identity", "#account" and "#info" are
// decoded into the structs below; any other t (including retired "#handle", "#tombstone") is an
// UnknownMessage for the caller to ignore. op -1 is an error frame, body {error, message?}
// (FutureCursor, OutdatedCursor, ...): an ErrorFrame value, not a Status, since the server sent
// it on purpose; the caller decides (OutdatedCursor: carry on; FutureCursor: reset the cursor).
// Other ops are an UnknownMessage too.
//
// Refused (Status): a frame over 5 MB (TooLarge, before decoding); bytes that are not two strict
// DAG-CBOR items (InvalidArgument, "frame header: cbor: byte N: …" / "frame body: …"); a known
// body missing a required field or with a field of the wrong type ("#commit: field 'seq' …").
// Unknown body fields are ignored (lexicons evolve by adding fields).
//
// Every string_view, span and CidRef points into the frame bytes, which must outlive the Frame.
// The commit's `blocks` is returned as CAR bytes, unchecked: read them with CarReader.
// A FrameParser keeps its decode buffers between calls: reuse one per connection (not thread-
// safe); O(frame) per call.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"
#include "firehose/cbor.h"
#include "firehose/cid_ref.h"

namespace altscribe::firehose {

inline constexpr size_t kMaxFrameBytes = 5 << 20;

struct RepoOp {
  std::string_view action;     // "create", "update", "delete"
  std::string_view path;       // "app.bsky.feed.post/3k…"
  std::optional<CidRef> cid;   // null for deletes
  std::optional<CidRef> prev;  // the previous record's CID, when the relay sends it
};

struct CommitMessage {
  int64_t seq = 0;
  std::string_view repo;  // DID
  std::string_view rev;   // TID
  std::optional<std::string_view> since;
  CidRef commit;
  std::span<const uint8_t> blocks;  // CAR v1
  std::vector<RepoOp> ops;
  std::optional<CidRef> prev_data;
  std::string_view time;
  bool too_big = false;
  bool rebase = false;
};

struct SyncMessage {
  int64_t seq = 0;
  std::string_view did;
  std::span<const uint8_t> blocks;  // CAR v1 holding the signed commit
  std::string_view rev;
  std::string_view time;
};

struct IdentityMessage {
  int64_t seq = 0;
  std::string_view did;
  std::string_view time;
  std::optional<std::string_view> handle;
};

struct AccountMessage {
  int64_t seq = 0;
  std::string_view did;
  std::string_view time;
  bool active = false;
  std::optional<std::string_view> status;  // "takendown", "suspended", "deleted", ...
};

struct InfoMessage {
  std::string_view name;  // "OutdatedCursor"
  std::optional<std::string_view> message;
};

struct ErrorFrame {
  std::string_view error;  // "FutureCursor", "OutdatedCursor", "ConsumerTooSlow", ...
  std::optional<std::string_view> message;
  bool is_future_cursor() const { return error == "FutureCursor"; }
  bool is_outdated_cursor() const { return error == "OutdatedCursor"; }
};

struct UnknownMessage {
  int64_t op = 0;
  std::string_view type;  // t, or empty
};

using Frame = std::variant<CommitMessage, SyncMessage, IdentityMessage, AccountMessage, InfoMessage,
                           ErrorFrame, UnknownMessage>;

class FrameParser {
 public:
  Result<Frame> Parse(std::span<const uint8_t> frame);

 private:
  cbor::Document header_;
  cbor::Document body_;
};

}  // namespace altscribe::firehose
