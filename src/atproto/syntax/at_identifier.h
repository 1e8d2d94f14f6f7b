// atproto/syntax/at_identifier.h — a DID or a handle, as in an AT-URI's authority or an XRPC
// `repo` / `actor` parameter. Strings starting with "did:" must be DIDs; anything else must be a
// handle (normalized to lowercase).
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "atproto/syntax/did.h"
#include "atproto/syntax/handle.h"
#include "core/status.h"

namespace altscribe::atproto {

class AtIdentifier {
 public:
  // Errors (InvalidArgument) are those of Did::Parse or Handle::Parse.
  static Result<AtIdentifier> Parse(std::string_view s);
  AtIdentifier(Did did) : v_(std::move(did)) {}           // NOLINT: implicit
  AtIdentifier(Handle handle) : v_(std::move(handle)) {}  // NOLINT: implicit

  bool IsDid() const { return std::holds_alternative<Did>(v_); }
  bool IsHandle() const { return std::holds_alternative<Handle>(v_); }
  // REQUIRES: IsDid() / IsHandle().
  const Did& did() const { return std::get<Did>(v_); }
  const Handle& handle() const { return std::get<Handle>(v_); }
  const std::string& str() const;

  friend bool operator==(const AtIdentifier&, const AtIdentifier&) = default;

 private:
  std::variant<Did, Handle> v_;
};

}  // namespace altscribe::atproto
