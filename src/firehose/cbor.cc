#include "firehose/cbor.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace altscribe::firehose::cbor {
namespace {

using internal::Node;

Status Error(size_t pos, const std::string& what) {
  return Status::InvalidArgument("cbor: byte " + std::to_string(pos) + ": " + what);
}

// True when [p, p+n) is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool ValidUtf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

const char* MajorName(int major) {
  static const char* kNames[] = {
      "integer", "negative integer", "byte string", "text string", "array", "map",
      "tag",     "simple value"};
  return kNames[major];
}

}  // namespace

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "integer";
    case Kind::kBytes:
      return "bytes";
    case Kind::kText:
      return "text";
    case Kind::kArray:
      return "array";
    case Kind::kMap:
      return "map";
    case Kind::kLink:
      return "link";
  }
  return "?";
}

Status Document::Decode(std::span<const uint8_t> in, const Limits& limits) {
  size_t consumed = 0;
  RETURN_IF_ERROR(DecodePrefix(in, &consumed, limits));
  if (consumed != in.size()) {
    return Error(consumed, std::to_string(in.size() - consumed) + " trailing bytes after the item");
  }
  return Status::Ok();
}

Status Document::DecodePrefix(std::span<const uint8_t> in, size_t* consumed, const Limits& limits) {
  nodes_.clear();
  stack_.clear();
  in_ = {};
  if (in.size() > limits.max_bytes || in.size() > UINT32_MAX) {
    return Status::TooLarge("cbor: input of " + std::to_string(in.size()) + " bytes, over the " +
                            std::to_string(limits.max_bytes) + "-byte limit");
  }
  const uint8_t* p = in.data();
  const size_t n = in.size();
  size_t pos = 0;
  do {
    const size_t head = pos;
    if (pos >= n) return Error(head, "truncated: expected an item, input ended");
    if (nodes_.size() >= limits.max_items) {
      return Status::TooLarge("cbor: byte " + std::to_string(head) + ": more than " +
                              std::to_string(limits.max_items) + " items");
    }
    const uint8_t ib = p[pos++];
    const int major = ib >> 5;
    const int ai = ib & 31;
    bool at_key = !stack_.empty() && stack_.back().is_map && stack_.back().remaining % 2 == 0;
    if (at_key && major != 3) {
      return Error(head, std::string("map key must be a text string, not a ") + MajorName(major));
    }
    // Major 7 first: floats and simple values have their own meaning of the additional info.
    if (major == 7) {
      if (ai == 25 || ai == 26 || ai == 27) {
        return Error(head, "floating-point number (atproto data has no floats)");
      }
      if (ai == 31) return Error(head, "break without an indefinite-length item (unsupported)");
      if (ai == 23) return Error(head, "undefined is not allowed");
      if (ai < 20 || ai == 24 || (ai >= 28 && ai <= 30)) {
        return Error(head, "simple value " + std::to_string(ai) + " is not allowed");
      }
    }
    uint64_t arg = 0;
    if (major != 7) {
      if (ai < 24) {
        arg = static_cast<uint64_t>(ai);
      } else if (ai <= 27) {
        const size_t width = size_t{1} << (ai - 24);
        if (n - pos < width) return Error(head, "truncated head");
        for (size_t k = 0; k < width; ++k) arg = (arg << 8) | p[pos + k];
        pos += width;
        static const uint64_t kMin[] = {24, 0x100, 0x10000, 0x100000000ull};
        if (arg < kMin[ai - 24]) {
          return Error(head, std::string(MajorName(major)) + " head not in shortest form");
        }
      } else if (ai == 31) {
        return Error(head, std::string("indefinite-length ") + MajorName(major) +
                               " (DAG-CBOR requires definite lengths)");
      } else {
        return Error(head, "reserved additional information " + std::to_string(ai));
      }
    }
    Node node{};
    node.pos = static_cast<uint32_t>(head);
    const size_t left = n - pos;
    bool container_opened = false;
    switch (major) {
      case 0:
      case 1:
        if (arg > static_cast<uint64_t>(INT64_MAX)) {
          return Error(head, "integer outside the 64-bit signed range");
        }
        node.kind = Kind::kInt;
        node.i = major == 0 ? static_cast<int64_t>(arg) : -1 - static_cast<int64_t>(arg);
        break;
      case 2:
      case 3: {
        if (arg > left) {
          return Error(head, std::string(MajorName(major)) + " of " + std::to_string(arg) +
                                 " bytes, but only " + std::to_string(left) + " bytes left");
        }
        if (major == 3 && !ValidUtf8(p + pos, arg)) return Error(head, "text is not valid UTF-8");
        node.kind = major == 2 ? Kind::kBytes : Kind::kText;
        node.s.off = static_cast<uint32_t>(pos);
        node.s.len = static_cast<uint32_t>(arg);
        pos += arg;
        if (at_key) {
          Open& m = stack_.back();
          if (m.has_prev_key) {
            const uint8_t* prev = p + m.prev_key_off;
            int order = 0;
            if (m.prev_key_len != arg) {
              order = m.prev_key_len < arg ? -1 : 1;
            } else {
              order = std::memcmp(prev, p + node.s.off, arg);
            }
            if (order >= 0) {
              std::string key(reinterpret_cast<const char*>(p + node.s.off),
                              std::min<size_t>(arg, 64));
              for (char& c : key) c = static_cast<unsigned char>(c) < 0x20 ? '?' : c;  // one line
              if (order == 0) return Error(head, "duplicate map key \"" + key + "\"");
              return Error(head, "map key \"" + key +
                                     "\" out of order (keys sort by length, then bytewise)");
            }
          }
          m.prev_key_off = node.s.off;
          m.prev_key_len = node.s.len;
          m.has_prev_key = true;
        }
        break;
      }
      case 4:
      case 5: {
        const uint64_t min_bytes = major == 5 ? 2 : 1;  // every item takes at least one byte
        if (arg > left / min_bytes) {
          return Error(head, std::string(MajorName(major)) + " of " + std::to_string(arg) +
                                 " items, but only " + std::to_string(left) + " bytes left");
        }
        node.kind = major == 4 ? Kind::kArray : Kind::kMap;
        node.count = static_cast<uint32_t>(arg);
        if (arg > 0) {
          if (stack_.size() >= limits.max_depth) {
            return Error(head, "nested deeper than " + std::to_string(limits.max_depth));
          }
          stack_.push_back(Open{static_cast<uint32_t>(nodes_.size()), arg * (major == 5 ? 2 : 1), 0,
                                0, major == 5, false});
          container_opened = true;
        }
        break;
      }
      case 6: {
        if (arg != 42) {
          return Error(head, "tag " + std::to_string(arg) + " (only tag 42, a CID link, allowed)");
        }
        // The tagged item: a definite byte string, 0x00 then a binary CIDv1.
        if (pos >= n) return Error(pos, "truncated: tag 42 without its content");
        const size_t inner = pos;
        const uint8_t b = p[pos++];
        if ((b >> 5) != 2) return Error(inner, "tag 42 content is not a byte string");
        uint64_t len = b & 31;
        if (len == 31) return Error(inner, "indefinite-length byte string in tag 42");
        if (len >= 28) return Error(inner, "reserved additional information in tag 42 content");
        if (len >= 24) {
          const size_t width = size_t{1} << (len - 24);
          if (n - pos < width) return Error(inner, "truncated head");
          uint64_t v = 0;
          for (size_t k = 0; k < width; ++k) v = (v << 8) | p[pos + k];
          pos += width;
          static const uint64_t kMin[] = {24, 0x100, 0x10000, 0x100000000ull};
          if (v < kMin[len - 24]) return Error(inner, "byte string head not in shortest form");
          len = v;
        }
        if (len > n - pos) {
          return Error(inner, "CID link of " + std::to_string(len) + " bytes, but only " +
                                  std::to_string(n - pos) + " bytes left");
        }
        if (len == 0 || p[pos] != 0x00) {
          return Error(inner, "CID link without its 0x00 multibase prefix");
        }
        auto cid = CidRef::Parse(std::span<const uint8_t>(p + pos + 1, len - 1));
        if (!cid.ok()) return Error(inner, cid.status().message());
        node.kind = Kind::kLink;
        node.s.off = static_cast<uint32_t>(pos + 1);
        node.s.len = static_cast<uint32_t>(len - 1);
        pos += len;
        break;
      }
      case 7:
        if (ai == 22) {
          node.kind = Kind::kNull;
        } else {
          node.kind = Kind::kBool;
          node.flag = ai == 21;
        }
        break;
    }
    nodes_.push_back(node);
    if (container_opened) continue;
    nodes_.back().end = static_cast<uint32_t>(nodes_.size());
    // The item is complete: close every container it completes.
    while (!stack_.empty()) {
      Open& open = stack_.back();
      if (--open.remaining > 0) break;
      nodes_[open.node].end = static_cast<uint32_t>(nodes_.size());
      stack_.pop_back();
    }
  } while (!stack_.empty());
  in_ = in.first(pos);
  *consumed = pos;
  return Status::Ok();
}

const internal::Node& Value::node() const { return doc_->nodes_[index_]; }

std::string_view Value::AsText() const {
  const Node& n = node();
  if (n.kind != Kind::kText) return {};
  return {reinterpret_cast<const char*>(doc_->in_.data()) + n.s.off, n.s.len};
}

std::span<const uint8_t> Value::AsBytes() const {
  const Node& n = node();
  if (n.kind != Kind::kBytes) return {};
  return doc_->in_.subspan(n.s.off, n.s.len);
}

CidRef Value::AsLink() const {
  const Node& n = node();
  if (n.kind != Kind::kLink) return {};
  auto cid = CidRef::Parse(doc_->in_.subspan(n.s.off, n.s.len));  // checked by Decode
  return cid.ok() ? *cid : CidRef();
}

std::optional<Value> Value::Find(std::string_view key) const {
  if (kind() != Kind::kMap) return std::nullopt;
  for (auto [k, v] : entries()) {
    if (k.size() > key.size()) break;  // keys are sorted by length first
    if (k == key) return v;
  }
  return std::nullopt;
}

Value::Items Value::items() const {
  return kind() == Kind::kArray ? Items{doc_, index_ + 1, node().end} : Items{doc_, index_, index_};
}

Value::Entries Value::entries() const {
  return kind() == Kind::kMap ? Entries{doc_, index_ + 1, node().end}
                              : Entries{doc_, index_, index_};
}

Value::ItemIterator Value::Items::begin() const { return ItemIterator(doc, first); }
Value::ItemIterator Value::Items::end() const { return ItemIterator(doc, last); }
Value::EntryIterator Value::Entries::begin() const { return EntryIterator(doc, first); }
Value::EntryIterator Value::Entries::end() const { return EntryIterator(doc, last); }

Value::ItemIterator& Value::ItemIterator::operator++() {
  i_ = doc_->nodes_[i_].end;
  return *this;
}

std::pair<std::string_view, Value> Value::EntryIterator::operator*() const {
  Value key(doc_, i_);
  return {key.AsText(), Value(doc_, doc_->nodes_[i_].end)};
}

Value::EntryIterator& Value::EntryIterator::operator++() {
  i_ = doc_->nodes_[doc_->nodes_[i_].end].end;
  return *this;
}

}  // namespace altscribe::firehose::cbor
