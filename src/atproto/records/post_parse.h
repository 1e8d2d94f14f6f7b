// atproto/records/post_parse.h — the post parser's pieces that the view parser reuses.
// Internal to atproto/records; `path` is the JSON path of the value, for error messages.
#pragma once

#include <string>

#include "atproto/records/json_fields.h"
#include "atproto/records/post.h"

namespace altscribe::atproto::records_internal {

Result<Post> ParsePost(const Json& record, const std::string& path);
Result<StrongRef> ParseStrongRef(const Json& j, const std::string& path);
// An aspectRatio object {width, height}, both integers >= 1.
Result<AspectRatio> ParseAspectRatio(const Json& j, const std::string& path);
// The optional "aspectRatio" field of `obj`.
Result<std::optional<AspectRatio>> OptAspectRatio(const Json& obj, const std::string& path);

}  // namespace altscribe::atproto::records_internal
