// bacalhau/schema_check.h — checks a request body against swagger 2.0 definitions (test-only).
//
// The wire fake loads testdata/swagger-v1.9.3-putjob.json (verbatim from Bacalhau's swagger)
// and applies testdata/wire-overlay.json on top (per definition: "required" lists and property
// replacements for the places where the swagger is wrong). The checker understands the subset
// those files use: $ref, allOf, type, properties, additionalProperties, items, enum, required,
// minItems/maxItems, minLength/maxLength, minimum, pattern, and x-forbidden-key-prefix.
// Keys the schema does not name are accepted (Go's JSON decoder ignores them too).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace altscribe::bacalhau::testing {

class SchemaCheck {
 public:
  // Reads both files from `dir`.
  static Result<SchemaCheck> Load(const std::string& dir);
  // OK, or InvalidArgument naming the first problem ("Job.Tasks[0].Engine: required").
  Status Check(const nlohmann::json& value, const std::string& definition) const;

 private:
  Status CheckValue(const nlohmann::json& v, const nlohmann::json& schema, const std::string& where,
                    int depth) const;
  nlohmann::json definitions_;
};

}  // namespace altscribe::bacalhau::testing
