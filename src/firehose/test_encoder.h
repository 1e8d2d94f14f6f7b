// firehose/test_encoder.h — a tiny CBOR/CAR writer for tests, fuzz seeds and benchmarks.
//
// Deliberately low-level: it writes exactly what it is told (heads in shortest form unless a
// width is forced), so tests can also build the malformed inputs the decoder must refuse (keys
// out of order, long heads, floats, indefinite lengths). Not for production output.
#pragma once

#include <openssl/sha.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace altscribe::firehose::testing {

class CborWriter {
 public:
  // A head: major type and argument, shortest form; `width` 1/2/4/8 forces a longer one.
  CborWriter& Head(int major, uint64_t arg, int width = 0) {
    uint8_t m = static_cast<uint8_t>(major << 5);
    if (width == 0) {
      width = arg < 24 ? -1 : arg <= 0xFF ? 1 : arg <= 0xFFFF ? 2 : arg <= 0xFFFFFFFF ? 4 : 8;
    }
    if (width < 0) {
      out_.push_back(m | static_cast<uint8_t>(arg));
      return *this;
    }
    out_.push_back(m | (width == 1 ? 24 : width == 2 ? 25 : width == 4 ? 26 : 27));
    for (int i = width - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(arg >> (8 * i)));
    return *this;
  }
  CborWriter& Int(int64_t v) {
    return v >= 0 ? Head(0, v) : Head(1, static_cast<uint64_t>(-1 - v));
  }
  CborWriter& Text(std::string_view s) {
    Head(3, s.size());
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }
  CborWriter& Bytes(const std::vector<uint8_t>& b) {
    Head(2, b.size());
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  CborWriter& Array(uint64_t n) { return Head(4, n); }
  CborWriter& Map(uint64_t pairs) { return Head(5, pairs); }
  CborWriter& Bool(bool b) { return Raw({static_cast<uint8_t>(b ? 0xF5 : 0xF4)}); }
  CborWriter& Null() { return Raw({0xF6}); }
  // Tag 42, byte string 0x00 + cid.
  CborWriter& Link(const std::vector<uint8_t>& cid) {
    Head(6, 42);
    Head(2, cid.size() + 1);
    out_.push_back(0x00);
    out_.insert(out_.end(), cid.begin(), cid.end());
    return *this;
  }
  CborWriter& Raw(std::initializer_list<uint8_t> b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  CborWriter& Append(const std::vector<uint8_t>& b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  const std::vector<uint8_t>& bytes() const { return out_; }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

inline void PutVarint(std::vector<uint8_t>* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

// The binary CIDv1 of `block`: codec (0x71 dag-cbor, 0x55 raw), sha2-256.
inline std::vector<uint8_t> CidFor(const std::vector<uint8_t>& block, uint64_t codec = 0x71) {
  std::vector<uint8_t> cid = {0x01};
  PutVarint(&cid, codec);
  cid.push_back(0x12);
  cid.push_back(0x20);
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256(block.data(), block.size(), md);
  cid.insert(cid.end(), md, md + SHA256_DIGEST_LENGTH);
  return cid;
}

// A CAR v1: header {roots, version: 1}, then one section per block with its true CID.
inline std::vector<uint8_t> MakeCar(const std::vector<std::vector<uint8_t>>& roots,
                                    const std::vector<std::vector<uint8_t>>& blocks) {
  CborWriter h;
  h.Map(2).Text("roots").Array(roots.size());
  for (const auto& r : roots) h.Link(r);
  h.Text("version").Int(1);
  std::vector<uint8_t> car;
  PutVarint(&car, h.bytes().size());
  car.insert(car.end(), h.bytes().begin(), h.bytes().end());
  for (const auto& b : blocks) {
    std::vector<uint8_t> cid = CidFor(b);
    PutVarint(&car, cid.size() + b.size());
    car.insert(car.end(), cid.begin(), cid.end());
    car.insert(car.end(), b.begin(), b.end());
  }
  return car;
}

inline std::vector<uint8_t> Concat(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// A subscribeRepos frame header: {t, op}, or {op} alone for error frames (t empty).
inline std::vector<uint8_t> Header(int op, std::string_view t) {
  CborWriter w;
  if (t.empty()) {
    w.Map(1).Text("op").Int(op);
  } else {
    w.Map(2).Text("t").Text(t).Text("op").Int(op);
  }
  return w.Take();
}

inline std::vector<uint8_t> Post(std::string_view text) {
  CborWriter w;
  w.Map(2).Text("text").Text(text).Text("$type").Text("app.bsky.feed.post");
  return w.Take();
}

// What CommitBody() varies: the seq, the record's key, the commit block's stand-in text, and
// whether a byte of the record's block is flipped so that its CID no longer matches.
struct SimpleCommit {
  int64_t seq = 42;
  std::string rkey = "3kabc";
  std::string commit_text = "commit object stand-in";
  bool corrupt = false;
};

// A #commit body with one create op for `record`, its block in the CAR.
inline std::vector<uint8_t> CommitBody(const std::vector<uint8_t>& record,
                                       const SimpleCommit& spec = {}) {
  std::vector<uint8_t> commit_block = Post(spec.commit_text);
  std::vector<uint8_t> commit_cid = CidFor(commit_block);
  std::vector<uint8_t> car = MakeCar({commit_cid}, {commit_block, record});
  if (spec.corrupt) car[car.size() - 3] ^= 0x20;
  CborWriter w;
  // Keys in DAG-CBOR order: length first, then bytewise.
  w.Map(12)
      .Text("ops")
      .Array(1)
      .Map(3)
      .Text("cid")
      .Link(CidFor(record))
      .Text("path")
      .Text("app.bsky.feed.post/" + spec.rkey)
      .Text("action")
      .Text("create")
      .Text("rev")
      .Text("3kabd")
      .Text("seq")
      .Int(spec.seq)
      .Text("repo")
      .Text("did:plc:abc")
      .Text("time")
      .Text("2024-05-01T00:00:00.000Z")
      .Text("blobs")
      .Array(0)
      .Text("since")
      .Null()
      .Text("blocks")
      .Bytes(car)
      .Text("commit")
      .Link(commit_cid)
      .Text("rebase")
      .Bool(false)
      .Text("tooBig")
      .Bool(false)
      .Text("prevData")
      .Null();
  return w.Take();
}

}  // namespace altscribe::firehose::testing
