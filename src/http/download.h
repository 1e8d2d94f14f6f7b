// http/download.h — resumable download of one big file (a model) into a partial file.
//
// DownloadToFile() appends to whatever `part_path` already holds by asking for the rest with a
// Range request, so an interrupted download continues where it stopped on the next call:
//   206 Partial Content  -> the body is appended at the current size;
//   200 OK (the server ignored the Range) -> the partial file is truncated and refilled from 0;
//   416 Range Not Satisfiable with "Content-Range: bytes */N" and N == the current size -> the
//       file was already complete (also assumed when a 416 carries no Content-Range); with N
//       smaller than the current size the partial file is discarded and fetched again.
// The file is created (or truncated) only once a successful response arrives, so an error
// status (404 ...) writes nothing. A transfer that is cut off leaves what arrived in part_path.
// Big files have no total time limit by default: a transfer is abandoned when it stays below
// low_speed_bytes per second for low_speed_time instead.
//
// Thread-safe for different part files; two calls on the same part file must not overlap (the
// caller locks; see models/pull.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::http {

struct DownloadOptions {
  std::chrono::milliseconds connect_timeout{15'000};
  uint64_t low_speed_bytes = 1'000;         // abandon when below this many bytes/s ...
  std::chrono::seconds low_speed_time{60};  // ... for this long (0 turns the check off)
  std::chrono::milliseconds timeout{0};     // whole transfer; 0 = no limit
  uint64_t max_bytes = 0;                   // size of the whole file; 0 = no limit
  int max_redirects = 10;                   // Hugging Face redirects to its CDN
  bool block_private_addresses = false;     // see http/client.h
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Authorization
  // Called on the calling thread as data arrives: bytes in the file so far and the full size
  // (0 when the server does not say). May be empty.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct DownloadResult {
  uint64_t size = 0;              // bytes in part_path now: the whole file
  uint64_t resumed_from = 0;      // bytes kept from an earlier attempt (0: fetched from the start)
  uint64_t transferred = 0;       // bytes received by this call
  bool already_complete = false;  // the server said there was nothing left to fetch (416)
  std::string effective_url;      // after redirects
};

// Errors: InvalidArgument (malformed URL, scheme other than http/https, bad header);
// NotFound ("HTTP 404 Not Found from URL", also 410); Network (other non-2xx statuses,
// connection failures, a transfer cut off: "... got 1.2 GB of 2.5 GB; run again to resume");
// Timeout (connect timeout, stall, total timeout); TooLarge (over max_bytes);
// IoError ("disk full or file too large while writing PATH: No space left on device", other
// write failures).
Result<DownloadResult> DownloadToFile(const std::string& url, const std::string& part_path,
                                      const DownloadOptions& options);

}  // namespace altscribe::http
