// storage/s3_client.h — an S3 client over libcurl with AWS Signature Version 4.
//
// Operations: CreateBucket (idempotent), PutObject, GetObject (size-limited), HeadObject,
// DeleteObject, ListObjectsV2 (prefix, max-keys, continuation) and presigned GET URLs.
// Requests are signed by libcurl (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3"), with the pieces
// curl 7.88 leaves to the caller done here: x-amz-content-sha256 (the body's real SHA-256),
// x-amz-security-token, the key path and the query encoded and sorted before curl signs them.
// Presigned URLs are signed here (sigv4.h).
//
// Addressing: path style "<endpoint>/<bucket>/<key>" (S3-compatible servers, IP endpoints) or
// virtual-host style "<scheme>://<bucket>.<endpoint host>/<key>" (AWS). Keys are any UTF-8;
// every byte outside A-Z a-z 0-9 - . _ ~ / is percent-encoded, so ' ', '+', ':' and non-ASCII
// keys round-trip.
//
// Errors are one line, "s3: <METHOD> <bucket>/<key>: <why>": for an S3 error response the
// HTTP status and the <Error> Code and Message ("s3: PUT b/k: 403 SignatureDoesNotMatch: The
// request signature we calculated does not match ..."), else the transport's error ("cannot
// connect to 127.0.0.1:4569: Connection refused"). Codes: 404 → NotFound, 400 → InvalidArgument,
// 413 or a too-large GetObject → TooLarge, others → Network (timeouts: Timeout). The secret key
// never appears in a message or a log line.
//
// Thread-safe: const after construction; each call uses its own curl handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/s3_credentials.h"
#include "storage/s3_xml.h"

namespace altscribe::storage {

struct S3ClientOptions {
  // "http(s)://host[:port]" without a path, e.g. "http://127.0.0.1:4569" or
  // "https://s3.eu-west-1.amazonaws.com".
  std::string endpoint;
  std::string region = "us-east-1";
  bool path_style = true;                     // false: virtual-host style (bucket in the host name)
  std::chrono::milliseconds timeout{30'000};  // per request
  std::chrono::milliseconds connect_timeout{5'000};
};

struct S3ObjectInfo {
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::string content_type;
};

class S3Client {
 public:
  // InvalidArgument for an endpoint that is not an http(s) URL without path/query, or an empty
  // region or key pair.
  static Result<S3Client> Create(S3ClientOptions options, S3Credentials credentials);

  // Creates the bucket; OK when it already exists and is ours (BucketAlreadyOwnedByYou).
  Status CreateBucket(std::string_view bucket) const;
  // Stores `body` at `key` (replacing what was there).
  Status PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                   std::string_view content_type = "application/octet-stream") const;
  // The object's bytes. NotFound for a missing key; TooLarge when over `max_bytes` (nothing
  // past the limit is read).
  Result<std::string> GetObject(std::string_view bucket, std::string_view key,
                                uint64_t max_bytes = 16 << 20) const;
  // NotFound for a missing key.
  Result<S3ObjectInfo> HeadObject(std::string_view bucket, std::string_view key) const;
  // OK also when the key did not exist (S3 semantics).
  Status DeleteObject(std::string_view bucket, std::string_view key) const;
  // One page of ListObjectsV2: keys starting with `prefix`, in key order, at most `max_keys`
  // (1..1000); pass the page's next_continuation_token to get the next one.
  Result<S3ListPage> ListObjects(std::string_view bucket, std::string_view prefix,
                                 std::string_view continuation_token = "",
                                 int max_keys = 1000) const;

  // A URL that fetches the object with a plain GET and no credentials until `expires` from
  // `now` (1 s .. 7 days). Computed locally; does not contact the server.
  Result<std::string> PresignGet(
      std::string_view bucket, std::string_view key, std::chrono::seconds expires,
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

  const S3ClientOptions& options() const { return options_; }

 private:
  struct Target;
  S3Client(S3ClientOptions options, S3Credentials credentials, std::string scheme,
           std::string host_port)
      : options_(std::move(options)),
        credentials_(std::move(credentials)),
        scheme_(std::move(scheme)),
        host_port_(std::move(host_port)) {}

  Result<Target> MakeTarget(std::string_view bucket, std::string_view key) const;

  S3ClientOptions options_;
  S3Credentials credentials_;
  std::string scheme_;     // "http" / "https"
  std::string host_port_;  // as sent in Host: "127.0.0.1:4569", "s3.amazonaws.com"
};

}  // namespace altscribe::storage
