#include "atproto/syntax/at_identifier.h"

namespace altscribe::atproto {

Result<AtIdentifier> AtIdentifier::Parse(std::string_view s) {
  if (s.substr(0, 4) == "did:") {
    ASSIGN_OR_RETURN(Did did, Did::Parse(s));
    return AtIdentifier(std::move(did));
  }
  ASSIGN_OR_RETURN(Handle handle, Handle::Parse(s));
  return AtIdentifier(std::move(handle));
}

const std::string& AtIdentifier::str() const { return IsDid() ? did().str() : handle().str(); }

}  // namespace altscribe::atproto
