// serve/describe_json.h — the JSON of `altscribe describe --json`, which POST /v1/describe
// answers too (one writer, so the CLI and the API cannot drift apart):
//
//   {"images":[{"source","alt","error","error_code"?,"format"?,"width"?,"height"?,"timings"}],
//    "model","mode","lang","timings":{"model_load_ms","total_ms"}}
//
// Each failed image has "alt": null, a one-line "error" and its "error_code" (Status::CodeName);
// format/width/height are present once the image's header was read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vision/describe.h"

namespace altscribe::serve {

nlohmann::json DescribeTimingsJson(const vision::DescribeTimings& t);
// One element of "images".
nlohmann::json DescribeResultJson(const vision::DescribeResult& r);
// The whole document around `images` (an array of DescribeResultJson()).
nlohmann::json DescribeDocumentJson(nlohmann::json images, const std::string& model,
                                    const vision::DescribeOptions& options, double model_load_ms,
                                    double total_ms);

}  // namespace altscribe::serve
