// storage/s3_client.cc — see s3_client.h.
#include "storage/s3_client.h"

#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "core/files.h"
#include "core/sha256.h"
#include "http/client.h"
#include "http/url.h"
#include "storage/sigv4.h"

namespace altscribe::storage {

struct S3Client::Target {
  std::string url;           // without the query
  std::string host;          // Host header value
  std::string encoded_path;  // "/bucket/key" or "/key"
  std::string label;         // "bucket/key" or "bucket", for messages
};

namespace {

constexpr size_t kMaxKeyBytes = 1024;

// Keys are user data: keep messages on one line and printable.
std::string SanitizeForMessage(std::string_view s) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out;
}

Status BucketNameError(std::string_view bucket) {
  bool ok = bucket.size() >= 3 && bucket.size() <= 63;
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) ok = false;
  }
  if (ok && (bucket.front() == '-' || bucket.front() == '.' || bucket.back() == '-' ||
             bucket.back() == '.')) {
    ok = false;
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("s3: invalid bucket name '" + SanitizeForMessage(bucket) +
                                 "' (3-63 characters: a-z, 0-9, '-', '.')");
}

// "404 NoSuchKey: The specified key does not exist." from an error response.
std::string DescribeErrorResponse(const http::Response& r) {
  S3ErrorBody e = ParseS3Error(r.body);
  std::string status = http::StatusText(r.status);  // "HTTP 404 Not Found"
  if (status.rfind("HTTP ", 0) == 0) status = status.substr(5);
  if (e.code.empty()) return status;
  std::string out = std::to_string(r.status) + " " + e.code;
  if (!e.message.empty()) out += ": " + e.message;
  return out;
}

Code CodeForHttpStatus(long status) {
  switch (status) {
    case 400:
      return Code::kInvalidArgument;
    case 404:
      return Code::kNotFound;
    case 413:
      return Code::kTooLarge;
    default:
      return Code::kNetwork;
  }
}

}  // namespace

Result<S3Client> S3Client::Create(S3ClientOptions options, S3Credentials credentials) {
  auto url = http::ParseHttpUrl(options.endpoint);
  if (!url.ok()) return url.status().WithPrefix("s3: endpoint");
  if (url->path != "/" || options.endpoint.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument("s3: endpoint '" + http::UrlForDisplay(options.endpoint) +
                                   "' must be scheme://host[:port] without a path");
  }
  if (options.region.empty()) return Status::InvalidArgument("s3: empty region");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("s3: empty access key id or secret access key");
  }
  std::string host = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  int default_port = url->scheme == "https" ? 443 : 80;
  if (url->port != default_port) host += ":" + std::to_string(url->port);
  std::string scheme = url->scheme;
  return S3Client(std::move(options), std::move(credentials), std::move(scheme), std::move(host));
}

Result<S3Client::Target> S3Client::MakeTarget(std::string_view bucket, std::string_view key) const {
  RETURN_IF_ERROR(BucketNameError(bucket));
  if (key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument("s3: key is " + std::to_string(key.size()) +
                                   " bytes, over S3's 1024-byte limit");
  }
  Target t;
  std::string encoded_key = UriEncode(key, /*keep_slash=*/true);
  if (options_.path_style) {
    t.host = host_port_;
    t.encoded_path = "/" + std::string(bucket) + (key.empty() ? "" : "/" + encoded_key);
  } else {
    t.host = std::string(bucket) + "." + host_port_;
    t.encoded_path = "/" + encoded_key;
  }
  t.url = scheme_ + "://" + t.host + t.encoded_path;
  t.label = std::string(bucket) + (key.empty() ? "" : "/" + SanitizeForMessage(key));
  return t;
}

namespace {

struct Call {
  std::string method;
  std::string query;  // canonical, may be empty
  std::string body;
  std::string content_type;
  uint64_t max_bytes = 1 << 20;
};

// One signed request. Transport failures become "s3: METHOD label: why"; HTTP error statuses
// are left to the caller (some are fine: 409 on CreateBucket, 404 on DeleteObject).
Result<http::Response> Perform(const S3ClientOptions& options, const S3Credentials& credentials,
                               const std::string& url, const std::string& label, const Call& call) {
  http::Request request;
  request.method = call.method;
  request.url = call.query.empty() ? url : url + "?" + call.query;
  request.body = call.body;
  request.headers.emplace_back("x-amz-content-sha256", Sha256Hex(call.body));
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  if (!call.content_type.empty()) request.headers.emplace_back("Content-Type", call.content_type);
  request.aws_sigv4 =
      http::Request::AwsSigV4{"aws:amz:" + options.region + ":s3", credentials.access_key_id,
                              credentials.secret_access_key};
  http::Limits limits;
  limits.max_bytes = call.max_bytes;
  limits.timeout = options.timeout;
  limits.connect_timeout = options.connect_timeout;
  limits.max_redirects = 0;  // a signed request is not replayed elsewhere
  auto response = http::Send(request, limits);
  if (!response.ok()) return response.status().WithPrefix("s3: " + call.method + " " + label);
  return response;
}

Status ErrorFrom(const http::Response& r, const std::string& method, const std::string& label) {
  return Status(CodeForHttpStatus(r.status),
                "s3: " + method + " " + label + ": " + DescribeErrorResponse(r));
}

}  // namespace

Status S3Client::CreateBucket(std::string_view bucket) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, ""));
  Call call;
  call.method = "PUT";
  if (options_.region != "us-east-1") {
    call.body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        options_.region + "</LocationConstraint></CreateBucketConfiguration>";
    call.content_type = "application/xml";
  }
  ASSIGN_OR_RETURN(http::Response r, Perform(options_, credentials_, t.url, t.label, call));
  if (r.status >= 200 && r.status < 300) return Status::Ok();
  if (r.status == 409) {
    S3ErrorBody e = ParseS3Error(r.body);
    if (e.code == "BucketAlreadyOwnedByYou") return Status::Ok();
    if (e.code == "BucketAlreadyExists") {
      // Some servers say this for our own bucket too: it is ours if we may list it.
      Call head;
      head.method = "HEAD";
      auto h = Perform(options_, credentials_, t.url, t.label, head);
      if (h.ok() && h->status == 200) return Status::Ok();
    }
  }
  return ErrorFrom(r, "PUT", t.label);
}

Status S3Client::PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                           std::string_view content_type) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, key));
  if (key.empty()) return Status::InvalidArgument("s3: PUT " + t.label + ": empty key");
  Call call;
  call.method = "PUT";
  call.body = std::string(body);
  call.content_type = content_type.empty() ? "application/octet-stream" : std::string(content_type);
  ASSIGN_OR_RETURN(http::Response r, Perform(options_, credentials_, t.url, t.label, call));
  if (r.status >= 200 && r.status < 300) return Status::Ok();
  return ErrorFrom(r, "PUT", t.label);
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key,
                                        uint64_t max_bytes) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, key));
  if (key.empty()) return Status::InvalidArgument("s3: GET " + t.label + ": empty key");
  Call call;
  call.method = "GET";
  call.max_bytes = max_bytes;
  ASSIGN_OR_RETURN(http::Response r, Perform(options_, credentials_, t.url, t.label, call));
  if (r.status == 200) return std::move(r.body);
  return ErrorFrom(r, "GET", t.label);
}

Result<S3ObjectInfo> S3Client::HeadObject(std::string_view bucket, std::string_view key) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, key));
  if (key.empty()) return Status::InvalidArgument("s3: HEAD " + t.label + ": empty key");
  Call call;
  call.method = "HEAD";
  ASSIGN_OR_RETURN(http::Response r, Perform(options_, credentials_, t.url, t.label, call));
  if (r.status != 200) return ErrorFrom(r, "HEAD", t.label);
  S3ObjectInfo info;
  std::string length = r.Header("Content-Length");
  auto [p, ec] = std::from_chars(length.data(), length.data() + length.size(), info.size);
  if (length.empty() || ec != std::errc() || p != length.data() + length.size()) {
    return Status::Network("s3: HEAD " + t.label + ": response without a valid Content-Length");
  }
  info.etag = r.Header("ETag");
  if (info.etag.size() >= 2 && info.etag.front() == '"' && info.etag.back() == '"') {
    info.etag = info.etag.substr(1, info.etag.size() - 2);
  }
  info.content_type = r.Header("Content-Type");
  return info;
}

Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, key));
  if (key.empty()) return Status::InvalidArgument("s3: DELETE " + t.label + ": empty key");
  Call call;
  call.method = "DELETE";
  ASSIGN_OR_RETURN(http::Response r, Perform(options_, credentials_, t.url, t.label, call));
  if ((r.status >= 200 && r.status < 300) || r.status == 404) {
    if (r.status == 404 && ParseS3Error(r.body).code == "NoSuchBucket") {
      return ErrorFrom(r, "DELETE", t.label);
    }
    return Status::Ok();
  }
  return ErrorFrom(r, "DELETE", t.label);
}

Result<S3ListPage> S3Client::ListObjects(std::string_view bucket, std::string_view prefix,
                                         std::string_view continuation_token, int max_keys) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, ""));
  if (max_keys < 1 || max_keys > 1000) {
    return Status::InvalidArgument("s3: LIST " + t.label + ": max-keys must be 1..1000");
  }
  std::vector<std::pair<std::string, std::string>> params = {
      {"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) params.emplace_back("prefix", std::string(prefix));
  if (!continuation_token.empty()) {
    params.emplace_back("continuation-token", std::string(continuation_token));
  }
  Call call;
  call.method = "GET";
  call.query = CanonicalQuery(std::move(params));
  call.max_bytes = 16 << 20;
  // The bucket's URL: "/bucket" in path style, "/" in virtual-host style.
  ASSIGN_OR_RETURN(http::Response r, Perform(options_, credentials_, t.url, t.label, call));
  if (r.status != 200) return ErrorFrom(r, "LIST", t.label);
  auto page = ParseListObjectsV2(r.body);
  if (!page.ok()) return page.status().WithPrefix("s3: LIST " + t.label);
  return page;
}

Result<std::string> S3Client::PresignGet(std::string_view bucket, std::string_view key,
                                         std::chrono::seconds expires,
                                         std::chrono::system_clock::time_point now) const {
  ASSIGN_OR_RETURN(Target t, MakeTarget(bucket, key));
  if (key.empty()) return Status::InvalidArgument("s3: presign " + t.label + ": empty key");
  PresignRequest r;
  r.scheme = scheme_;
  r.host = t.host;
  r.encoded_path = t.encoded_path;
  r.region = options_.region;
  r.access_key = credentials_.access_key_id;
  r.secret_key = credentials_.secret_access_key;
  r.session_token = credentials_.session_token;
  r.expires = expires;
  r.now = now;
  auto url = PresignUrl(r);
  if (!url.ok()) return url.status().WithPrefix("s3: presign " + t.label);
  return url;
}

}  // namespace altscribe::storage
