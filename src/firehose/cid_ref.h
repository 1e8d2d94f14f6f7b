// firehose/cid_ref.h — a CID in binary form, as a view over bytes (tag 42 payloads, CAR
// sections). The string form is atproto::Cid (atproto/syntax/cid.h); ToCid() converts.
//
// Accepted: CIDv1 = varint version 1, varint codec, varint multihash code, varint digest length,
// then exactly that many digest bytes (1..64). CIDv0 (a bare multihash) is refused: atproto
// links are CIDv1. Codec and hash are not restricted here; IsAtprotoBlock() says whether the CID
// is one atproto blocks use (dag-cbor 0x71 or raw 0x55, sha2-256 with a 32-byte digest).
// Value type over borrowed bytes: the bytes must outlive it. Parsing is O(length), no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "atproto/syntax/cid.h"
#include "core/status.h"

namespace altscribe::firehose {

class CidRef {
 public:
  static constexpr uint64_t kSha256 = 0x12;
  static constexpr size_t kMaxDigest = 64;

  CidRef() = default;

  // Parses a CID that fills `bytes` exactly. Errors (InvalidArgument): "CID: <why>".
  static Result<CidRef> Parse(std::span<const uint8_t> bytes);
  // Parses a CID at the front of `*in` and advances `*in` past it (CAR sections: CID, block).
  static Result<CidRef> ParsePrefix(std::span<const uint8_t>* in);

  uint64_t codec() const { return codec_; }
  uint64_t hash_code() const { return hash_code_; }
  std::span<const uint8_t> digest() const { return digest_; }
  std::span<const uint8_t> bytes() const { return bytes_; }  // the whole binary CID
  bool empty() const { return bytes_.empty(); }

  bool IsAtprotoBlock() const {
    return (codec_ == atproto::Cid::kCodecDagCbor || codec_ == atproto::Cid::kCodecRaw) &&
           hash_code_ == kSha256 && digest_.size() == 32;
  }

  // True when sha2-256(block) equals the digest; false for other hashes. O(block); thread-safe
  // (one hashing context per thread, kept for the thread's life).
  bool MatchesSha256(std::span<const uint8_t> block) const;

  // "b" + lowercase base32 of bytes(): the string form ("bafyrei…"). Allocates.
  std::string ToString() const;
  Result<atproto::Cid> ToCid() const { return atproto::Cid::Parse(ToString()); }

  friend bool operator==(const CidRef& a, const CidRef& b) {
    return std::equal(a.bytes_.begin(), a.bytes_.end(), b.bytes_.begin(), b.bytes_.end());
  }

 private:
  std::span<const uint8_t> bytes_;
  std::span<const uint8_t> digest_;
  uint64_t codec_ = 0;
  uint64_t hash_code_ = 0;
};

}  // namespace altscribe::firehose
