// firehose/cbor.h — a strict, zero-copy DAG-CBOR decoder for the atproto data model.
//
// Document::Decode checks one CBOR item in a single iterative pass (an explicit stack, never
// recursion: O(input) time, O(depth) stack) and records a flat tape of nodes. Strings, byte
// strings and CID links are views into the input, which must outlive the Document and every
// Value taken from it. A Document reused across inputs keeps its capacity (no allocation in the
// steady state).
//
// Accepted (DAG-CBOR restricted to atproto's data model):
//   integers within int64; byte strings; UTF-8 text strings; arrays; maps whose keys are text
//   strings, unique, sorted length-first then bytewise; false, true, null; tag 42 around a byte
//   string 0x00 + a binary CIDv1 (firehose/cid_ref.h). Every head in its shortest form.
// Refused with InvalidArgument, one line "cbor: byte N: <what>" (N = offset of the item's head):
//   truncation; indefinite lengths and stray breaks; non-shortest heads; floats (atproto has none);
//   undefined and other simple values; tags other than 42; a CID link not prefixed by 0x00 or not
//   a CIDv1; keys that are not text, out of order or repeated; invalid UTF-8 (overlong, surrogate,
//   above U+10FFFF); integers outside int64; nesting deeper than Limits::max_depth; trailing
//   bytes (Decode only). A length or count larger than the bytes left is refused as truncation
//   before anything is allocated, so "4 GB" costs nothing.
// Refused with TooLarge: input over Limits::max_bytes, more than Limits::max_items items.
//
// Thread-safety: a Document is not; const Values of a finished Document may be read concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "firehose/cid_ref.h"

namespace altscribe::firehose::cbor {

struct Limits {
  size_t max_bytes = 5 << 20;    // the whole input (a firehose frame is at most 5 MB)
  uint32_t max_depth = 64;       // arrays and maps nested in each other
  uint32_t max_items = 1 << 18;  // nodes on the tape (24 bytes each)
};

enum class Kind : uint8_t { kNull, kBool, kInt, kBytes, kText, kArray, kMap, kLink };
const char* KindName(Kind kind);  // "null", "bool", "integer", "bytes", "text", ...

namespace internal {
struct Node {
  uint32_t pos;    // offset of the head in the input
  uint32_t end;    // tape index just past this item's subtree
  uint32_t count;  // array items or map pairs
  Kind kind;
  bool flag;  // bool value
  union {
    int64_t i;
    struct {
      uint32_t off, len;  // bytes, text, link (the CID after the 0x00 prefix)
    } s;
  };
};
}  // namespace internal

class Document;

// A decoded item: a cheap handle (document pointer + tape index). Accessors REQUIRE the kind
// they name; other kinds get 0 / false / empty.
class Value {
 public:
  Kind kind() const { return node().kind; }
  size_t offset() const { return node().pos; }  // byte offset of its head in the input
  bool is_null() const { return kind() == Kind::kNull; }

  bool AsBool() const { return kind() == Kind::kBool && node().flag; }
  int64_t AsInt() const { return kind() == Kind::kInt ? node().i : 0; }
  std::string_view AsText() const;
  std::span<const uint8_t> AsBytes() const;
  CidRef AsLink() const;
  size_t size() const { return node().count; }  // array items or map pairs

  // Map lookup by key: O(pairs) scan, stopping early thanks to the canonical key order.
  std::optional<Value> Find(std::string_view key) const;

  class ItemIterator;
  class EntryIterator;
  struct Items {
    const Document* doc;
    uint32_t first, last;
    ItemIterator begin() const;
    ItemIterator end() const;
  };
  struct Entries {
    const Document* doc;
    uint32_t first, last;
    EntryIterator begin() const;
    EntryIterator end() const;
  };
  Items items() const;      // REQUIRES: kind() == kArray
  Entries entries() const;  // REQUIRES: kind() == kMap; yields (key, value) in key order

 private:
  friend class Document;
  Value(const Document* doc, uint32_t index) : doc_(doc), index_(index) {}
  const internal::Node& node() const;
  const Document* doc_;
  uint32_t index_;
};

class Value::ItemIterator {
 public:
  Value operator*() const { return Value(doc_, i_); }
  ItemIterator& operator++();
  bool operator!=(const ItemIterator& o) const { return i_ != o.i_; }

 private:
  friend struct Value::Items;
  ItemIterator(const Document* doc, uint32_t i) : doc_(doc), i_(i) {}
  const Document* doc_;
  uint32_t i_;
};

class Value::EntryIterator {
 public:
  std::pair<std::string_view, Value> operator*() const;
  EntryIterator& operator++();
  bool operator!=(const EntryIterator& o) const { return i_ != o.i_; }

 private:
  friend struct Value::Entries;
  EntryIterator(const Document* doc, uint32_t i) : doc_(doc), i_(i) {}
  const Document* doc_;
  uint32_t i_;
};

class Document {
 public:
  Document() = default;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // Decodes exactly one item filling `in`; trailing bytes are an error.
  Status Decode(std::span<const uint8_t> in, const Limits& limits = {});
  // Decodes one item from the front of `in` and stores its size in *consumed (frames are two
  // items back to back).
  Status DecodePrefix(std::span<const uint8_t> in, size_t* consumed, const Limits& limits = {});

  // The decoded item. REQUIRES: the last Decode/DecodePrefix returned OK.
  Value root() const { return Value(this, 0); }

 private:
  friend class Value;
  friend class Value::ItemIterator;
  friend class Value::EntryIterator;
  struct Open {
    uint32_t node;
    uint64_t remaining;  // items left; for maps 2 × pairs (keys and values)
    uint32_t prev_key_off, prev_key_len;
    bool is_map, has_prev_key;
  };
  std::span<const uint8_t> in_;
  std::vector<internal::Node> nodes_;
  std::vector<Open> stack_;
};

}  // namespace altscribe::firehose::cbor
