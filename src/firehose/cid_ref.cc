#include "firehose/cid_ref.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "firehose/varint.h"

namespace altscribe::firehose {
namespace {

Status Invalid(const std::string& why) { return Status::InvalidArgument("CID: " + why); }

// One SHA-256 context per thread, the algorithm fetched once: the one-shot SHA256() looks the
// algorithm up on every call, which costs as much as hashing a 500-byte block.
struct Sha256Context {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Sha256Context() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  bool Digest(std::span<const uint8_t> data, uint8_t out[32]) {
    unsigned int len = 0;
    return md && ctx && EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
           EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
           EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == 32;
  }
};

}  // namespace

Result<CidRef> CidRef::ParsePrefix(std::span<const uint8_t>* in) {
  std::span<const uint8_t> p = *in;
  if (p.size() >= 2 && p[0] == 0x12 && p[1] == 0x20) {
    return Invalid("CIDv0 (bare multihash) is not allowed; atproto links are CIDv1");
  }
  uint64_t version, codec, hash, len;
  VarintError e = GetVarint(&p, &version);
  if (e != VarintError::kOk) return Invalid(std::string("version: ") + VarintErrorText(e));
  if (version != 1) return Invalid("version " + std::to_string(version) + ", expected 1");
  if ((e = GetVarint(&p, &codec)) != VarintError::kOk) {
    return Invalid(std::string("codec: ") + VarintErrorText(e));
  }
  if ((e = GetVarint(&p, &hash)) != VarintError::kOk) {
    return Invalid(std::string("multihash code: ") + VarintErrorText(e));
  }
  if ((e = GetVarint(&p, &len)) != VarintError::kOk) {
    return Invalid(std::string("digest length: ") + VarintErrorText(e));
  }
  if (len == 0 || len > kMaxDigest) {
    return Invalid("digest length " + std::to_string(len) + " outside 1..64");
  }
  if (p.size() < len) return Invalid("truncated digest");
  CidRef c;
  c.codec_ = codec;
  c.hash_code_ = hash;
  c.digest_ = p.first(len);
  size_t total = static_cast<size_t>(p.data() - in->data()) + len;
  c.bytes_ = in->first(total);
  *in = in->subspan(total);
  return c;
}

Result<CidRef> CidRef::Parse(std::span<const uint8_t> bytes) {
  std::span<const uint8_t> rest = bytes;
  auto c = ParsePrefix(&rest);
  if (!c.ok()) return c;
  if (!rest.empty()) return Invalid(std::to_string(rest.size()) + " bytes after the digest");
  return c;
}

bool CidRef::MatchesSha256(std::span<const uint8_t> block) const {
  if (hash_code_ != kSha256 || digest_.size() != 32) return false;
  thread_local Sha256Context sha;
  uint8_t md[32];
  return sha.Digest(block, md) && std::memcmp(md, digest_.data(), 32) == 0;
}

std::string CidRef::ToString() const {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out = "b";
  out.reserve(1 + (bytes_.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes_) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 31]);
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

}  // namespace altscribe::firehose
