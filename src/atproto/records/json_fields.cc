#include "atproto/records/json_fields.h"

namespace altscribe::atproto::records_internal {

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string At(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

const char* TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a float";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      break;
  }
  return "invalid JSON";
}

Status TypeError(const std::string& path, const char* expected, const Json& got) {
  return Status::InvalidArgument(path + ": expected " + expected + ", got " + TypeName(got));
}

Status ExpectObject(const Json& j, const std::string& path) {
  return j.is_object() ? Status::Ok() : TypeError(path, "an object", j);
}

Result<const Json*> Field(const Json& obj, std::string_view key, const std::string& path,
                          bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(Join(path, key) + ": missing");
    return static_cast<const Json*>(nullptr);
  }
  return &*it;
}

Result<std::string> String(const Json& obj, std::string_view key, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, key, path, true));
  if (!v->is_string()) return TypeError(Join(path, key), "a string", *v);
  return v->get<std::string>();
}

Result<std::optional<std::string>> OptString(const Json& obj, std::string_view key,
                                             const std::string& path) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, key, path, false));
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return TypeError(Join(path, key), "a string", *v);
  return std::optional<std::string>(v->get<std::string>());
}

Result<int64_t> Int(const Json& obj, std::string_view key, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, key, path, true));
  if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<int64_t>();
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) {
      return Status::InvalidArgument(Join(path, key) + ": integer out of range");
    }
    return static_cast<int64_t>(u);
  }
  return TypeError(Join(path, key), "an integer", *v);
}

Result<bool> OptBool(const Json& obj, std::string_view key, const std::string& path) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, key, path, false));
  if (!v) return false;
  if (!v->is_boolean()) return TypeError(Join(path, key), "a boolean", *v);
  return v->get<bool>();
}

Result<const Json*> Array(const Json& obj, std::string_view key, const std::string& path,
                          bool required, size_t max_items) {
  ASSIGN_OR_RETURN(const Json* v, Field(obj, key, path, required));
  if (!v) return v;
  if (!v->is_array()) return TypeError(Join(path, key), "an array", *v);
  if (v->size() > max_items) {
    return Status::TooLarge(Join(path, key) + ": " + std::to_string(v->size()) +
                            " items, more than the " + std::to_string(max_items) + " allowed");
  }
  return v;
}

Result<std::string> Type(const Json& obj, const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> t, OptString(obj, "$type", path));
  return t.value_or("");
}

namespace {

template <typename T>
Result<T> Syntax(const Json& obj, std::string_view key, const std::string& path,
                 Result<T> (*parse)(std::string_view)) {
  ASSIGN_OR_RETURN(std::string s, String(obj, key, path));
  Result<T> r = parse(s);
  if (!r.ok()) return r.status().WithPrefix(Join(path, key));
  return r;
}

}  // namespace

Result<Did> DidField(const Json& obj, std::string_view key, const std::string& path) {
  return Syntax<Did>(obj, key, path, &Did::Parse);
}
Result<Handle> HandleField(const Json& obj, std::string_view key, const std::string& path) {
  return Syntax<Handle>(obj, key, path, &Handle::Parse);
}
Result<AtUri> AtUriField(const Json& obj, std::string_view key, const std::string& path) {
  return Syntax<AtUri>(obj, key, path, &AtUri::Parse);
}
Result<Cid> CidField(const Json& obj, std::string_view key, const std::string& path) {
  return Syntax<Cid>(obj, key, path, &Cid::Parse);
}
Result<Datetime> DatetimeField(const Json& obj, std::string_view key, const std::string& path) {
  return Syntax<Datetime>(obj, key, path, &Datetime::ParseLenient);
}

}  // namespace altscribe::atproto::records_internal
