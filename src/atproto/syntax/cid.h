// atproto/syntax/cid.h — a CID in its string form, as JSON records and views carry it.
//
// Accepted: CIDv1 in multibase base32 lowercase ("bafyrei…", "bafkrei…"), whose decoded bytes
// are checked for structure (version 1, codec varint, multihash code and length varints, digest
// of exactly that length); and CIDv0 ("Qm…", 46 base58btc characters, a sha2-256 multihash).
// Other multibases are refused. No binary form yet: the firehose decoder will add one.
// Value type: cheap to copy, comparable, const methods may be called concurrently.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::atproto {

class Cid {
 public:
  static constexpr size_t kMinLength = 8;
  static constexpr size_t kMaxLength = 256;
  static constexpr uint64_t kCodecDagPb = 0x70;    // every CIDv0
  static constexpr uint64_t kCodecDagCbor = 0x71;  // records
  static constexpr uint64_t kCodecRaw = 0x55;      // blobs

  // Errors (InvalidArgument): "invalid CID 'x': ...".
  static Result<Cid> Parse(std::string_view s);

  const std::string& str() const { return s_; }
  int version() const { return version_; }  // 0 or 1
  uint64_t codec() const { return codec_; }

  friend bool operator==(const Cid& a, const Cid& b) { return a.s_ == b.s_; }
  friend std::strong_ordering operator<=>(const Cid& a, const Cid& b) { return a.s_ <=> b.s_; }

 private:
  Cid(std::string s, int version, uint64_t codec)
      : s_(std::move(s)), version_(version), codec_(codec) {}
  std::string s_;
  int version_ = 1;
  uint64_t codec_ = kCodecDagCbor;
};

}  // namespace altscribe::atproto
