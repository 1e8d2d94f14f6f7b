// core/sha256.h — SHA-256 over bytes or a file, as lowercase hex.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe {

// Incremental hasher. Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  // Returns the 64-character lowercase hex digest. REQUIRES: called once.
  std::string HexDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view data);
// Hashes the first `limit` bytes of a file (all of it by default).
Result<std::string> Sha256File(const std::string& path, uint64_t limit = UINT64_MAX);
// True when `hex` is 64 hex digits (either case).
bool IsSha256Hex(std::string_view hex);

}  // namespace altscribe
