// cbor_fuzz — libFuzzer target for firehose/cbor.h.
//
// Property checked beyond "no crash, no sanitizer report": strict DAG-CBOR is canonical, so an
// accepted input re-encodes to exactly its own bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "firehose/cbor.h"
#include "firehose/test_encoder.h"

using namespace altscribe::firehose;

namespace {

void Encode(cbor::Value v, testing::CborWriter* w) {
  switch (v.kind()) {
    case cbor::Kind::kNull:
      w->Null();
      break;
    case cbor::Kind::kBool:
      w->Bool(v.AsBool());
      break;
    case cbor::Kind::kInt:
      w->Int(v.AsInt());
      break;
    case cbor::Kind::kBytes: {
      auto b = v.AsBytes();
      w->Bytes(std::vector<uint8_t>(b.begin(), b.end()));
      break;
    }
    case cbor::Kind::kText:
      w->Text(v.AsText());
      break;
    case cbor::Kind::kLink: {
      auto b = v.AsLink().bytes();
      w->Link(std::vector<uint8_t>(b.begin(), b.end()));
      break;
    }
    case cbor::Kind::kArray:
      w->Array(v.size());
      for (cbor::Value item : v.items()) Encode(item, w);  // depth ≤ 64: Decode checked it
      break;
    case cbor::Kind::kMap:
      w->Map(v.size());
      for (auto [key, value] : v.entries()) {
        w->Text(key);
        if (v.Find(key)->offset() != value.offset()) abort();  // lookup finds every key
        Encode(value, w);
      }
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  static cbor::Document doc;  // reused, as a connection would
  size_t used = 0;
  if (!doc.DecodePrefix(in, &used).ok()) return 0;
  if (used == 0 || used > size) abort();
  testing::CborWriter w;
  Encode(doc.root(), &w);
  if (w.bytes().size() != used || !std::equal(w.bytes().begin(), w.bytes().end(), data)) abort();
  return 0;
}
