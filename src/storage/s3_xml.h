// storage/s3_xml.h — reading the two S3 XML documents altscribe needs: an <Error> body and a
// ListObjectsV2 result (<ListBucketResult>).
//
// Not a general XML parser: S3 responses are flat, machine-written documents, so elements are
// found by name and their text unescaped (the five named entities and &#N; / &#xN;). Anything
// that is not the expected document is InvalidArgument, never a crash. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace altscribe::storage {

struct S3ErrorBody {
  std::string code;     // "NoSuchKey", "SignatureDoesNotMatch"; "" when the body had none
  std::string message;  // one line; "" when none
};

struct S3ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without the quotes
};

struct S3ListPage {
  std::vector<S3ObjectSummary> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter only
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

// Code and Message of an S3 <Error> document; empty fields when the body is not one.
S3ErrorBody ParseS3Error(std::string_view xml);

// A ListObjectsV2 response body.
Result<S3ListPage> ParseListObjectsV2(std::string_view xml);

// XML character data with entities replaced ("a &amp; b" -> "a & b"). Unknown entities stay.
std::string XmlUnescape(std::string_view s);

}  // namespace altscribe::storage
