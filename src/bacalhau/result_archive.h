// bacalhau/result_archive.h — reading one file out of a published Bacalhau result.
//
// Bacalhau publishes an execution's result folder as a gzip-compressed tar archive: "stdout",
// "stderr", "exitCode" and one folder per ResultPath ("outputs/result.json" for our worker).
// The archive comes from a compute node, so reading is strict and bounded:
//   * gzip through zlib, inflated at most `max_inflated` bytes (a bomb stops there: TooLarge);
//   * tar: 512-byte headers with a valid checksum, octal sizes, "ustar" magic (POSIX or GNU),
//     regular files ('0' or NUL), directories, PAX extended headers ('x', their "path=" record
//     names the next entry; 'g' global headers are skipped) and GNU long names ('L');
//     anything else (links, devices) is skipped, never followed; the archive must end with its
//     zero blocks or at the end of data after a whole entry; a truncated entry is an error.
// Names are compared after dropping a leading "./" and "/".
//
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::bacalhau {

// Inflates a gzip stream (one or more members). InvalidArgument on corrupt data, TooLarge past
// `max_inflated`.
Result<std::string> Gunzip(std::string_view gz, uint64_t max_inflated);

// The regular files of a tar archive, in order: (name, contents).
Result<std::vector<std::pair<std::string, std::string>>> ReadTar(std::string_view tar);

// The contents of `name` inside a .tar.gz. NotFound when it is not there.
Result<std::string> ReadFileFromTarGz(std::string_view targz, std::string_view name,
                                      uint64_t max_inflated = 64'000'000);

// Writers, for the wire fake and tests: a ustar archive of regular files (directories implied
// by "dir/" entries with empty contents), and gzip.
std::string WriteTar(const std::vector<std::pair<std::string, std::string>>& files);
std::string Gzip(std::string_view data);

}  // namespace altscribe::bacalhau
