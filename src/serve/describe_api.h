// serve/describe_api.h — POST /v1/describe.
//
// Accepts, in this order of checks:
//   1. readiness: 503 (Retry-After) until the model is loaded;
//   2. the caller's IP under the per-IP rate limit: 429 with Retry-After;
//   3. access (serve/access.h): 401 without a valid bearer token when tokens are configured,
//      403 for non-loopback callers when none are;
//   4. the token under the per-token rate limit: 429 with Retry-After;
//   5. the body (bodies over the upload limit were already answered 413 by the HTTP layer):
//        multipart/form-data  an "image" file field; "mode" and "lang" fields
//        application/json     {"url": "https://…", "mode"?: "alt", "lang"?: "en"}
//        image/* or application/octet-stream   the image bytes themselves
//      mode and lang may also come as query parameters. Anything else: 415. Bad mode, lang,
//      JSON or a missing field: 400.
//   6. a URL is fetched under the same policy as the bot's images (jobs/fetch.h: http(s) only,
//      size and time limits, host allow-list, private addresses refused at connect time); a
//      host that resolves to a private address is refused up front with 403; other fetch
//      failures are 422 (413 when the image is over the size limit);
//   7. bytes that are not an image we read: 415; then describe (serve/http_error.h maps the
//      failures).
// Success answers 200 with the JSON of `altscribe describe --json` for one image.
//
// Thread-safe: the HTTP server calls Handle() from its worker threads; the model serialises
// generation itself.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "jobs/fetch.h"
#include "serve/access.h"
#include "serve/rate_limit.h"
#include "vision/describe.h"
#include "vision/model.h"

namespace altscribe::serve {

struct DescribeApiOptions {
  std::vector<std::string> tokens;  // empty: loopback callers only
  RateLimit ip_limit{60, 20};
  RateLimit token_limit{120, 30};
  // For {"url": …}: private addresses are refused unless a test network turns it off.
  jobs::FetchPolicy fetch = [] {
    jobs::FetchPolicy p;
    p.limits.http.block_private_addresses = true;
    return p;
  }();
  vision::DescribeOptions describe;  // defaults; mode and lang per request
};

class DescribeApi {
 public:
  explicit DescribeApi(DescribeApiOptions options);

  // Makes the API ready. REQUIRES: `model` outlives every Handle() call.
  void SetModel(vision::VisionModel* model, double load_ms);
  bool ready() const { return model_.load() != nullptr; }
  // Requests inside Handle() right now (waiting for the model or running).
  int in_flight() const { return in_flight_.load(); }

  void Handle(const httplib::Request& req, httplib::Response& res);

 private:
  struct Input;
  bool Admit(const httplib::Request& req, httplib::Response& res);
  bool ParseInput(const httplib::Request& req, httplib::Response& res, Input* in);
  bool Fetch(const std::string& url, httplib::Response& res, Input* in);

  const DescribeApiOptions options_;
  const Access access_;
  RateLimiter ip_limiter_, token_limiter_;
  std::atomic<vision::VisionModel*> model_{nullptr};
  std::atomic<double> load_ms_{0};
  std::atomic<int> in_flight_{0};
};

}  // namespace altscribe::serve
