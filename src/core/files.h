// core/files.h — small, checked file operations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace altscribe {

// Reads a whole regular file. Errors: NotFound ("no such file"), InvalidArgument (a directory),
// TooLarge (more than max_bytes; nothing beyond the limit is read), IoError. Messages name the
// path.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes);

// Writes `data` to path.tmp-<pid>, fsyncs, then renames over `path`: readers see the old file or
// the whole new one, never a part. On failure nothing is left behind.
Status WriteFileAtomic(const std::string& path, const void* data, size_t size);

// Creates `dir` and its parents (like mkdir -p).
Status MakeDirs(const std::string& dir);

bool IsRegularFile(const std::string& path);

// "1.5 MB", "640 KB", "12 B" (decimal units, as download sizes are shown).
std::string FormatBytes(uint64_t bytes);

}  // namespace altscribe
