#include "bacalhau/schema_check.h"

#include <fstream>
#include <regex>
#include <sstream>

namespace altscribe::bacalhau::testing {
namespace {

using json = nlohmann::json;

Result<json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument(path + ": not JSON");
  return j;
}

std::string Join(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

bool TypeMatches(const json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return true;
}

}  // namespace

Result<SchemaCheck> SchemaCheck::Load(const std::string& dir) {
  ASSIGN_OR_RETURN(json swagger, ReadJson(dir + "/swagger-v1.9.3-putjob.json"));
  ASSIGN_OR_RETURN(json overlay, ReadJson(dir + "/wire-overlay.json"));
  SchemaCheck check;
  check.definitions_ = swagger["definitions"];
  for (auto& [name, patch] : overlay["definitions"].items()) {
    json& def = check.definitions_[name];
    if (patch.contains("required")) def["required"] = patch["required"];
    if (patch.contains("properties")) {
      for (auto& [prop, schema] : patch["properties"].items()) def["properties"][prop] = schema;
    }
  }
  return check;
}

Status SchemaCheck::Check(const json& value, const std::string& definition) const {
  return CheckValue(value, {{"$ref", "#/definitions/" + definition}}, "", 0);
}

Status SchemaCheck::CheckValue(const json& v, const json& schema, const std::string& where,
                               int depth) const {
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument((where.empty() ? std::string("body") : where) + ": " + what);
  };
  if (depth > 32) return bad("nested too deeply");
  if (schema.contains("$ref")) {
    std::string name =
        schema["$ref"].get<std::string>().substr(std::string("#/definitions/").size());
    if (!definitions_.contains(name)) return bad("unknown definition " + name);
    return CheckValue(v, definitions_[name], where, depth + 1);
  }
  if (schema.contains("allOf")) {
    for (const json& s : schema["allOf"]) RETURN_IF_ERROR(CheckValue(v, s, where, depth + 1));
  }
  if (schema.contains("type")) {
    std::string type = schema["type"];
    if (!TypeMatches(v, type))
      return bad("expected " + type + ", got " + std::string(v.type_name()));
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const json& e : schema["enum"]) found = found || e == v;
    if (!found) return bad("not one of " + schema["enum"].dump() + ": " + v.dump());
  }
  if (v.is_string()) {
    size_t n = v.get_ref<const std::string&>().size();
    if (schema.contains("minLength") && n < schema["minLength"].get<size_t>())
      return bad("too short");
    if (schema.contains("maxLength") && n > schema["maxLength"].get<size_t>())
      return bad("must be empty or absent");
    if (schema.contains("pattern") &&
        !std::regex_match(v.get<std::string>(), std::regex(schema["pattern"].get<std::string>()))) {
      return bad("does not match " + schema["pattern"].get<std::string>() + ": " + v.dump());
    }
  }
  if (v.is_number() && schema.contains("minimum") &&
      v.get<double>() < schema["minimum"].get<double>()) {
    return bad("below the minimum");
  }
  if (v.is_array()) {
    if (schema.contains("minItems") && v.size() < schema["minItems"].get<size_t>())
      return bad("too few items");
    if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<size_t>())
      return bad("too many items");
    if (schema.contains("items")) {
      for (size_t i = 0; i < v.size(); ++i) {
        RETURN_IF_ERROR(
            CheckValue(v[i], schema["items"], where + "[" + std::to_string(i) + "]", depth + 1));
      }
    }
  }
  if (v.is_object()) {
    if (schema.contains("required")) {
      for (const json& r : schema["required"]) {
        if (!v.contains(r.get<std::string>()) || v[r.get<std::string>()].is_null()) {
          return Status::InvalidArgument(Join(where, r.get<std::string>()) + ": required");
        }
      }
    }
    const json* props = schema.contains("properties") ? &schema["properties"] : nullptr;
    for (auto& [key, value] : v.items()) {
      if (schema.contains("x-forbidden-key-prefix") &&
          key.rfind(schema["x-forbidden-key-prefix"].get<std::string>(), 0) == 0) {
        return bad("key " + key + " is not allowed");
      }
      if (value.is_null()) continue;  // Go leaves the zero value
      if (props && props->contains(key)) {
        RETURN_IF_ERROR(CheckValue(value, (*props)[key], Join(where, key), depth + 1));
      } else if (schema.contains("additionalProperties") &&
                 schema["additionalProperties"].is_object()) {
        RETURN_IF_ERROR(
            CheckValue(value, schema["additionalProperties"], Join(where, key), depth + 1));
      }
    }
  }
  return Status::Ok();
}

}  // namespace altscribe::bacalhau::testing
