// jobs/fetch.h — getting a job's image bytes under the executor's fetch policy.
//
// Job URLs come from other people's posts, so fetching is the SSRF surface of every executor:
//   * only http(s) URLs: never a local path or another scheme;
//   * an optional host allow-list, checked against the URL the job names and every redirect's
//     target before it is requested (redirects are then followed hop by hop, each hop with the
//     limits' timeout);
//   * block_private_addresses (in limits.http, ON by default) refuses loopback/private/link-local
//     targets at connect time, after DNS, for the first request and every redirect (see
//     http/client.h); limits.http.allow_loopback opens loopback alone, for tests on 127.0.0.1;
//   * size and time limits from limits.
// When the job carries the bytes, nothing is fetched. When it names a sha256, the bytes must
// match it.
//
// Thread-safe: pure functions over their arguments.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "jobs/job.h"
#include "vision/source.h"

namespace altscribe::jobs {

struct FetchPolicy {
  // Host patterns: "cdn.bsky.app" (that host, any case) or "*.bsky.network" (any subdomain, not
  // the bare domain). Empty: every host is allowed.
  std::vector<std::string> allow_hosts;
  // limits.http.block_private_addresses is the SSRF guard: on unless a caller turns it off.
  vision::SourceLimits limits = [] {
    vision::SourceLimits l;
    l.http.block_private_addresses = true;
    return l;
  }();
};

// True when `host` matches one of `patterns` (or `patterns` is empty).
bool HostAllowed(std::string_view host, const std::vector<std::string>& patterns);

// The bytes of `image`: its in-memory bytes, else the URL fetched under `policy`. Errors are one
// line without the URL: "host 'evil.example' is not on the allow-list", "the server answered HTTP
// 404 Not Found", "image bytes do not match the job's sha256 (got 3a7bd3e2…)", and those of
// vision::LoadSource.
using ImageBytes = std::shared_ptr<const std::vector<uint8_t>>;
Result<ImageBytes> FetchImage(const JobImage& image, const FetchPolicy& policy);

}  // namespace altscribe::jobs
