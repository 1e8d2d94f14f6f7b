// cli/config_file.h — the TOML config file (--config FILE).
//
// Top-level keys and the keys of any table except [[account]] are flag settings, named as the
// flags are ("poll-ms" or "poll_ms" both work): [model] model = "...", mmproj = "..." is the same
// as --model/--mmproj. Each [[account]] table is one bot account (handle, pds,
// app-password-file, ...), so one process can serve several. Secrets are not allowed in the
// file: an "app-password" key is refused (use app-password-file).
//
//   state = "/var/lib/altscribe/bot.db"
//   plc = "https://plc.directory"
//   [model]
//   model = "/models/SmolVLM-256M-Instruct-Q8_0.gguf"
//   mmproj = "/models/mmproj-SmolVLM-256M-Instruct-Q8_0.gguf"
//   [[account]]
//   handle = "alttext.bsky.social"
//   pds = "https://bsky.social"
//   app-password-file = "/etc/altscribe/alttext.password"
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::cli {

using Settings = std::vector<std::pair<std::string, std::string>>;

struct ConfigFile {
  Settings settings;               // flag name (with '-') → value as text
  std::vector<Settings> accounts;  // one per [[account]]
};

// Errors: NotFound, or InvalidArgument with the file, line and cause of a TOML syntax error.
Result<ConfigFile> LoadConfigFile(const std::string& path);

}  // namespace altscribe::cli
