// firehose/car.h — a strict CAR v1 reader over borrowed bytes (the `blocks` of a firehose
// commit, a repo export).
//
// Layout: varint header length, header (a DAG-CBOR map {roots: [links], version: 1}; other keys
// are ignored), then sections until the end: varint section length, a binary CIDv1, the block.
// Varints are shortest-form (firehose/varint.h). Each block's CID must be one atproto uses
// (dag-cbor 0x71 or raw 0x55, sha2-256, 32-byte digest) and the sha-256 of the block must equal
// its digest. The block itself is not decoded (cbor::Document does that for the caller).
// Refused with InvalidArgument, one line "CAR: byte N: <what>": a truncated or non-shortest
// varint, a length past the end, a header that is not such a map, version other than 1, a bad
// CID, an empty section, a hash mismatch. TooLarge: input over Limits::max_bytes, a header or a
// section over its cap (refused from the varint, before reading or allocating anything).
//
// Blocks are views into the input, which must outlive the reader and the blocks. O(input) time
// (one sha-256 per block); the only allocation is the roots vector.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "firehose/cid_ref.h"

namespace altscribe::firehose {

struct CarBlock {
  CidRef cid;
  std::span<const uint8_t> data;
};

class CarReader {
 public:
  struct Limits {
    size_t max_bytes = 5 << 20;    // the whole CAR
    size_t max_header = 64 << 10;  // the header map
    size_t max_section = 2 << 20;  // CID + block
    uint32_t max_roots = 64;
  };

  // Reads and checks the header. Errors as above.
  static Result<CarReader> Open(std::span<const uint8_t> car, const Limits& limits);
  static Result<CarReader> Open(std::span<const uint8_t> car) { return Open(car, Limits()); }

  const std::vector<CidRef>& roots() const { return roots_; }
  bool done() const { return rest_.empty(); }
  size_t offset() const { return size_ - rest_.size(); }  // of the next section

  // Reads and verifies the next section. REQUIRES: !done().
  Result<CarBlock> Next();

  // Reads and verifies every block, calling fn(const CarBlock&) for each; stops at the first error.
  template <typename Fn>
  Status ForEach(Fn&& fn) {
    while (!done()) {
      auto block = Next();
      if (!block.ok()) return block.status();
      fn(*block);
    }
    return Status::Ok();
  }

 private:
  CarReader() = default;
  std::span<const uint8_t> rest_;
  size_t size_ = 0;
  Limits limits_;
  std::vector<CidRef> roots_;
};

}  // namespace altscribe::firehose
