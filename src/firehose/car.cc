#include "firehose/car.h"

#include <cstdio>
#include <string>

#include "firehose/cbor.h"
#include "firehose/varint.h"

namespace altscribe::firehose {
namespace {

Status Error(size_t pos, const std::string& what) {
  return Status::InvalidArgument("CAR: byte " + std::to_string(pos) + ": " + what);
}

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<CarReader> CarReader::Open(std::span<const uint8_t> car, const Limits& limits) {
  if (car.size() > limits.max_bytes) {
    return Status::TooLarge("CAR: " + std::to_string(car.size()) + " bytes, over the " +
                            std::to_string(limits.max_bytes) + "-byte limit");
  }
  CarReader r;
  r.limits_ = limits;
  r.size_ = car.size();
  std::span<const uint8_t> in = car;
  uint64_t len = 0;
  VarintError e = GetVarint(&in, &len);
  if (e != VarintError::kOk) return Error(0, std::string("header length: ") + VarintErrorText(e));
  if (len > limits.max_header) {
    return Status::TooLarge("CAR: header of " + std::to_string(len) + " bytes, over the " +
                            std::to_string(limits.max_header) + "-byte limit");
  }
  const size_t header_pos = car.size() - in.size();
  if (len > in.size()) {
    return Error(header_pos, "header of " + std::to_string(len) + " bytes, but only " +
                                 std::to_string(in.size()) + " bytes left");
  }
  // One header decoder per thread, kept for its buffers: opening a CAR allocates only the roots.
  thread_local cbor::Document doc;
  Status st = doc.Decode(in.first(len));
  if (!st.ok()) return Error(header_pos, "header: " + st.message());
  cbor::Value header = doc.root();
  if (header.kind() != cbor::Kind::kMap) return Error(header_pos, "header is not a map");
  auto version = header.Find("version");
  if (!version || version->kind() != cbor::Kind::kInt) {
    return Error(header_pos, "header has no integer version");
  }
  if (version->AsInt() != 1) {
    return Error(header_pos, "CAR version " + std::to_string(version->AsInt()) + ", expected 1");
  }
  auto roots = header.Find("roots");
  if (!roots || roots->kind() != cbor::Kind::kArray) {
    return Error(header_pos, "header has no roots array");
  }
  if (roots->size() > limits.max_roots) {
    return Status::TooLarge("CAR: " + std::to_string(roots->size()) + " roots, over the limit of " +
                            std::to_string(limits.max_roots));
  }
  for (cbor::Value root : roots->items()) {
    if (root.kind() != cbor::Kind::kLink) {
      return Error(header_pos + root.offset(), "a root is not a CID link");
    }
    r.roots_.push_back(root.AsLink());
  }
  r.rest_ = in.subspan(len);
  return r;
}

Result<CarBlock> CarReader::Next() {
  const size_t pos = offset();
  std::span<const uint8_t> in = rest_;
  uint64_t len = 0;
  VarintError e = GetVarint(&in, &len);
  if (e != VarintError::kOk)
    return Error(pos, std::string("section length: ") + VarintErrorText(e));
  if (len > limits_.max_section) {
    return Status::TooLarge("CAR: byte " + std::to_string(pos) + ": section of " +
                            std::to_string(len) + " bytes, over the " +
                            std::to_string(limits_.max_section) + "-byte limit");
  }
  if (len > in.size()) {
    return Error(pos, "section of " + std::to_string(len) + " bytes, but only " +
                          std::to_string(in.size()) + " bytes left");
  }
  if (len == 0) return Error(pos, "empty section");
  std::span<const uint8_t> section = in.first(len);
  const size_t cid_pos = pos + (in.data() - rest_.data());
  auto cid = CidRef::ParsePrefix(&section);
  if (!cid.ok()) return Error(cid_pos, cid.status().message());
  if (!cid->IsAtprotoBlock()) {
    return Error(cid_pos, "CID codec " + Hex(cid->codec()) + ", hash " + Hex(cid->hash_code()) +
                              " is not an atproto block (dag-cbor 0x71 or raw 0x55, sha2-256)");
  }
  if (!cid->MatchesSha256(section)) {
    return Error(cid_pos, "block " + cid->ToString() + " does not match its CID's sha-256");
  }
  rest_ = in.subspan(len);
  return CarBlock{*cid, section};
}

}  // namespace altscribe::firehose
