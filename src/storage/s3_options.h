// storage/s3_options.h — where results go in S3, from one URL (the CLI's --results-s3 URL).
//
// The form, exactly:
//
//   s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION&path_style=0|1]
//
//   BUCKET      an S3 bucket name (3-63 of a-z 0-9 - .)
//   PREFIX      optional key prefix; a '/' is added at its end when missing ("alt" -> "alt/")
//   endpoint    http(s)://host[:port] of an S3-compatible server; default
//               https://s3.REGION.amazonaws.com (AWS)
//   region      the SigV4 signing region; default us-east-1
//   path_style  1: http://host/BUCKET/key (S3-compatible servers, IP endpoints);
//               0: http://BUCKET.host/key (virtual-host style). Default: 1 when an endpoint is
//               given, 0 for AWS.
//
// e.g. s3://altscribe/prod?endpoint=http://127.0.0.1:4569&region=us-east-1&path_style=1
//
// Query values may be percent-encoded. Credentials never go in the URL (user:password@ is
// refused); they come from the environment or a file (s3_credentials.h).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/s3_client.h"

namespace altscribe::storage {

struct S3Options {
  std::string bucket;
  std::string prefix;    // "" or ending in '/'
  std::string endpoint;  // always set after Parse()
  std::string region = "us-east-1";
  bool path_style = false;

  // InvalidArgument naming the problem ("--results-s3: unknown parameter 'regoin'"-style; the
  // caller adds the flag name): not s3://, empty or invalid bucket, unknown or repeated
  // parameter, path_style not 0/1, endpoint not http(s)://host[:port], credentials in the URL.
  static Result<S3Options> Parse(std::string_view url);

  // The canonical URL form (parameters always spelled out); Parse(ToUrl()) gives the same.
  std::string ToUrl() const;

  // Client options for this endpoint/region/style (default timeouts).
  S3ClientOptions ClientOptions() const;
};

}  // namespace altscribe::storage
