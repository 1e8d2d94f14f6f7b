// firehose/varint.h — unsigned LEB128 varints as multiformats (CIDs) and CAR files use them.
//
// Accepted: 1 to 9 bytes, 7 bits each, low group first, values below 2^63, shortest form only
// (a last byte of 0x00 after the first is a redundant group and refused). Consumes from the front
// of `in` like leveldb's GetVarint64; on false, `in` and `v` are unspecified. O(1).
#pragma once

#include <cstdint>
#include <span>

namespace altscribe::firehose {

enum class VarintError { kOk, kTruncated, kNotShortest, kTooLong };

inline VarintError GetVarint(std::span<const uint8_t>* in, uint64_t* v) {
  uint64_t value = 0;
  for (size_t i = 0; i < 9; ++i) {
    if (i >= in->size()) return VarintError::kTruncated;
    uint8_t byte = (*in)[i];
    value |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if (!(byte & 0x80)) {
      if (byte == 0 && i > 0) return VarintError::kNotShortest;
      *in = in->subspan(i + 1);
      *v = value;
      return VarintError::kOk;
    }
  }
  return VarintError::kTooLong;
}

inline const char* VarintErrorText(VarintError e) {
  switch (e) {
    case VarintError::kOk:
      return "ok";
    case VarintError::kTruncated:
      return "truncated varint";
    case VarintError::kNotShortest:
      return "varint not in shortest form";
    case VarintError::kTooLong:
      return "varint longer than 9 bytes";
  }
  return "bad varint";
}

}  // namespace altscribe::firehose
