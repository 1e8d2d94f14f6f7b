// atproto/records/json_fields.h — typed reads of JSON fields for the record and view parsers.
//
// Internal to atproto/records. Every error names the field's path from the document root
// ("post.embed.images[2].alt: expected a string, got a number"); a missing required field is
// "…: missing". JSON null counts as absent for optional fields. Only integers are numbers here
// (atproto data has no floats).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "atproto/syntax/at_uri.h"
#include "atproto/syntax/cid.h"
#include "atproto/syntax/datetime.h"
#include "atproto/syntax/did.h"
#include "atproto/syntax/handle.h"
#include "core/status.h"

namespace altscribe::atproto::records_internal {

using Json = nlohmann::json;

// Arrays without a lexicon maximum are refused beyond this many items (a giant array is an
// attack or a bug, never a post).
inline constexpr size_t kMaxArrayItems = 1000;

std::string Join(const std::string& path, std::string_view key);  // "path.key"
std::string At(const std::string& path, size_t index);            // "path[index]"
// "a string", "a number", "an object", ...
const char* TypeName(const Json& j);
Status TypeError(const std::string& path, const char* expected, const Json& got);

// InvalidArgument unless `j` is an object.
Status ExpectObject(const Json& j, const std::string& path);
// The field, or null when absent (or JSON null) and not `required`. REQUIRES: obj is an object.
Result<const Json*> Field(const Json& obj, std::string_view key, const std::string& path,
                          bool required);

Result<std::string> String(const Json& obj, std::string_view key, const std::string& path);
Result<std::optional<std::string>> OptString(const Json& obj, std::string_view key,
                                             const std::string& path);
Result<int64_t> Int(const Json& obj, std::string_view key, const std::string& path);
Result<bool> OptBool(const Json& obj, std::string_view key, const std::string& path);
// The array field (null when absent and not required); TooLarge beyond `max_items`.
Result<const Json*> Array(const Json& obj, std::string_view key, const std::string& path,
                          bool required, size_t max_items);
// The object's "$type", or "" when absent. Wrong type is an error.
Result<std::string> Type(const Json& obj, const std::string& path);

// Required string fields that must pass the syntax type's parser ("post.reply.root.uri: invalid
// AT-URI 'x': ..."). Datetimes are parsed leniently.
Result<Did> DidField(const Json& obj, std::string_view key, const std::string& path);
Result<Handle> HandleField(const Json& obj, std::string_view key, const std::string& path);
Result<AtUri> AtUriField(const Json& obj, std::string_view key, const std::string& path);
Result<Cid> CidField(const Json& obj, std::string_view key, const std::string& path);
Result<Datetime> DatetimeField(const Json& obj, std::string_view key, const std::string& path);

}  // namespace altscribe::atproto::records_internal
