// models/store.h — the model directory: where downloaded GGUF files live and what is there.
//
// The directory is $ALTSCRIBE_MODEL_DIR when set, else $XDG_DATA_HOME/altscribe/models (when
// XDG_DATA_HOME is an absolute path), else ~/.local/share/altscribe/models. A download in
// progress is DIR/<file>.part until it is complete and verified (see models/pull.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace altscribe::models {

std::string DefaultModelDir();

struct InstalledFile {
  std::string name;  // "gemma-3-4b-it-Q4_K_M.gguf"
  std::string path;  // DIR/name
  uint64_t size = 0;
};

// The complete *.gguf regular files in `dir`, sorted by name (partial *.part files are not
// listed). A directory that does not exist holds nothing: an empty list, not an error.
// Errors: InvalidArgument (not a directory), IoError (cannot be read).
Result<std::vector<InstalledFile>> ListInstalled(const std::string& dir);

// DIR/name and DIR/name.part.
std::string ModelFilePath(const std::string& dir, const std::string& name);
std::string PartFilePath(const std::string& dir, const std::string& name);

// The size of a regular file, or nullopt when there is none.
std::optional<uint64_t> RegularFileSize(const std::string& path);

}  // namespace altscribe::models
