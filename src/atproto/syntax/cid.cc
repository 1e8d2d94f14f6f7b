#include "atproto/syntax/cid.h"

#include <vector>

#include "core/text.h"

namespace altscribe::atproto {
namespace {

Status Invalid(std::string_view s, const char* why) {
  return Status::InvalidArgument("invalid CID '" + std::string(Utf8Prefix(s, 80)) + "': " + why);
}

bool IsBase58(char c) {
  return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'H') || (c >= 'J' && c <= 'N') ||
         (c >= 'P' && c <= 'Z') || (c >= 'a' && c <= 'k') || (c >= 'm' && c <= 'z');
}

// RFC 4648 base32, lowercase, no padding. False on a character outside [a-z2-7] or non-zero
// trailing bits.
bool DecodeBase32(std::string_view s, std::vector<uint8_t>* out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : s) {
    uint32_t v;
    if (c >= 'a' && c <= 'z') {
      v = static_cast<uint32_t>(c - 'a');
    } else if (c >= '2' && c <= '7') {
      v = static_cast<uint32_t>(c - '2' + 26);
    } else {
      return false;
    }
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>(buffer >> bits));
      buffer &= (1u << bits) - 1;
    }
  }
  return bits < 5 && buffer == 0;
}

// Reads an unsigned LEB128 varint (at most 9 bytes, minimal) from the front of `b`.
bool ReadVarint(const std::vector<uint8_t>& b, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int i = 0; i < 9; ++i) {
    if (*pos >= b.size()) return false;
    uint8_t byte = b[(*pos)++];
    *v |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if (!(byte & 0x80)) return !(byte == 0 && i > 0);  // no redundant trailing zero byte
  }
  return false;
}

}  // namespace

Result<Cid> Cid::Parse(std::string_view s) {
  if (s.size() < kMinLength) return Invalid(s, "too short");
  if (s.size() > kMaxLength) return Invalid(s, "longer than 256 characters");
  if (s.substr(0, 2) == "Qm") {
    if (s.size() != 46) return Invalid(s, "a CIDv0 has 46 characters");
    for (char c : s) {
      if (!IsBase58(c)) return Invalid(s, "CIDv0 character outside base58btc");
    }
    return Cid(std::string(s), 0, kCodecDagPb);
  }
  if (s[0] != 'b') return Invalid(s, "not a base32 CIDv1 ('b…') or a CIDv0 ('Qm…')");
  std::vector<uint8_t> bytes;
  if (!DecodeBase32(s.substr(1), &bytes)) return Invalid(s, "not lowercase base32");
  size_t pos = 0;
  uint64_t version, codec, hash_code, digest_len;
  if (!ReadVarint(bytes, &pos, &version) || version != 1) return Invalid(s, "version is not 1");
  if (!ReadVarint(bytes, &pos, &codec)) return Invalid(s, "truncated codec");
  if (!ReadVarint(bytes, &pos, &hash_code)) return Invalid(s, "truncated multihash");
  if (!ReadVarint(bytes, &pos, &digest_len)) return Invalid(s, "truncated multihash");
  if (digest_len == 0 || digest_len != bytes.size() - pos) {
    return Invalid(s, "multihash length does not match the digest");
  }
  return Cid(std::string(s), 1, codec);
}

}  // namespace altscribe::atproto
