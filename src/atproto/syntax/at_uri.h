// atproto/syntax/at_uri.h — an AT-URI: at://AUTHORITY[/COLLECTION[/RKEY]].
//
// The authority is a DID or a handle, the collection an NSID, the record key a RecordKey; no
// trailing '/', query or fragment (the restricted form atproto uses for records); at most 8192
// characters. A post's URI is at://<did>/app.bsky.feed.post/<tid>.
// Value type: cheap enough to copy, comparable, const methods may be called concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "atproto/syntax/at_identifier.h"
#include "atproto/syntax/nsid.h"
#include "atproto/syntax/record_key.h"
#include "core/status.h"

namespace altscribe::atproto {

class AtUri {
 public:
  static constexpr size_t kMaxLength = 8192;

  // Errors (InvalidArgument): "invalid AT-URI 'x': ..." (with the part's own error when the
  // authority, collection or record key is malformed).
  static Result<AtUri> Parse(std::string_view s);
  // The URI of a record: always valid.
  static AtUri ForRecord(AtIdentifier authority, Nsid collection, RecordKey rkey);

  const AtIdentifier& authority() const { return authority_; }
  const std::optional<Nsid>& collection() const { return collection_; }
  const std::optional<RecordKey>& rkey() const { return rkey_; }
  // True when the URI names one record (collection and record key present).
  bool IsRecord() const { return rkey_.has_value(); }

  // "at://authority[/collection[/rkey]]" (a handle authority in lowercase).
  std::string ToString() const;

  friend bool operator==(const AtUri&, const AtUri&) = default;

 private:
  explicit AtUri(AtIdentifier authority) : authority_(std::move(authority)) {}
  AtIdentifier authority_;
  std::optional<Nsid> collection_;
  std::optional<RecordKey> rkey_;
};

}  // namespace altscribe::atproto
