// models/pull.h — `altscribe model pull`: download a catalogue model pair or one GGUF URL.
//
// The target is a catalogue name (both files of the pair are fetched; see models/catalogue.h)
// or an http(s) URL (one file, named after the URL's last path segment). For each file:
//   - DIR/<file> already there -> skipped with a message (its checksum is checked if one is
//     known);
//   - otherwise it is fetched into DIR/<file>.part, continuing a .part left by an earlier run;
//     an flock on the .part keeps two pulls from writing the same file;
//   - the expected sha256 (--sha256 for a URL, the catalogue's when it has one) is checked; on a
//     mismatch the .part is deleted: "checksum mismatch for F: expected A, got B";
//   - the .part is fsynced and renamed into place, and the directory fsynced: DIR/<file> is
//     either absent or complete.
// A failed download keeps a non-empty .part for the next run; an error status (404 ...) before
// any byte arrived leaves nothing behind.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "core/status.h"
#include "http/download.h"

namespace altscribe::models {

struct PullOptions {
  std::string target;    // catalogue name or http(s) URL
  std::string dir;       // model directory; "" = DefaultModelDir()
  std::string sha256;    // expected SHA-256 (hex) of a URL target; "" = not checked
  std::string hf_token;  // sent as a Bearer token to Hugging Face (or hf_endpoint) only
  // Replaces "https://huggingface.co" in catalogue URLs: a mirror (what $HF_ENDPOINT means to
  // the Hugging Face tools). "" = huggingface.co.
  std::string hf_endpoint;
  FILE* out = stderr;              // messages and progress
  std::optional<bool> tty;         // live progress bar; default: whether `out` is a terminal
  http::DownloadOptions download;  // limits; Pull() sets `progress` itself
};

// Errors: InvalidArgument (bad URL, --sha256 with a catalogue name, malformed checksum),
// NotFound (unknown catalogue name, HTTP 404), Network/Timeout (see http/download.h),
// IoError ("disk full or file too large while writing ...", "checksum mismatch for ...").
Status Pull(const PullOptions& options);

}  // namespace altscribe::models
