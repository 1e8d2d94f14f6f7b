#include "firehose/frame.h"

#include <string>

namespace altscribe::firehose {
namespace {

using cbor::Kind;
using cbor::Value;

// Reads typed fields of one body map, remembering the first error ("#commit: field 'seq' ...").
class Fields {
 public:
  Fields(Value map, std::string_view type) : map_(map), type_(type) {}
  const Status& status() const { return status_; }

  int64_t Int(std::string_view key) { return Get(key, Kind::kInt).AsInt(); }
  std::string_view Text(std::string_view key) { return Get(key, Kind::kText).AsText(); }
  std::span<const uint8_t> Bytes(std::string_view key) { return Get(key, Kind::kBytes).AsBytes(); }
  CidRef Link(std::string_view key) { return Get(key, Kind::kLink).AsLink(); }
  bool OptionalBool(std::string_view key) {
    auto v = Optional(key, Kind::kBool);
    return v && v->AsBool();
  }
  std::optional<std::string_view> OptionalText(std::string_view key) {
    auto v = Optional(key, Kind::kText);
    return v ? std::optional(v->AsText()) : std::nullopt;
  }
  std::optional<CidRef> OptionalLink(std::string_view key) {
    auto v = Optional(key, Kind::kLink);
    return v ? std::optional(v->AsLink()) : std::nullopt;
  }
  std::optional<Value> Array(std::string_view key) {
    Value v = Get(key, Kind::kArray);
    return v.kind() == Kind::kArray ? std::optional(v) : std::nullopt;
  }
  void Fail(const std::string& what) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::string(type_) + ": " + what);
  }

 private:
  // A required field of the given kind; on error returns the map itself (whose typed accessors
  // then give 0 / empty) and records the error.
  Value Get(std::string_view key, Kind kind) {
    auto v = map_.Find(key);
    if (!v) {
      Fail("missing field '" + std::string(key) + "'");
      return map_;
    }
    if (v->kind() != kind) {
      Fail("field '" + std::string(key) + "' is " + cbor::KindName(v->kind()) + ", expected " +
           cbor::KindName(kind));
      return map_;
    }
    return *v;
  }
  // An optional (or nullable) field: absent or null gives nullopt; another kind is an error.
  std::optional<Value> Optional(std::string_view key, Kind kind) {
    auto v = map_.Find(key);
    if (!v || v->is_null()) return std::nullopt;
    if (v->kind() != kind) {
      Fail("field '" + std::string(key) + "' is " + cbor::KindName(v->kind()) + ", expected " +
           cbor::KindName(kind) + " or null");
      return std::nullopt;
    }
    return v;
  }

  Value map_;
  std::string_view type_;
  Status status_;
};

Result<Frame> ParseCommit(Value body) {
  Fields f(body, "#commit");
  CommitMessage c;
  c.seq = f.Int("seq");
  c.repo = f.Text("repo");
  c.rev = f.Text("rev");
  c.since = f.OptionalText("since");
  c.commit = f.Link("commit");
  c.blocks = f.Bytes("blocks");
  c.prev_data = f.OptionalLink("prevData");
  c.time = f.Text("time");
  c.too_big = f.OptionalBool("tooBig");
  c.rebase = f.OptionalBool("rebase");
  if (auto ops = f.Array("ops")) {
    c.ops.reserve(ops->size());
    for (Value op : ops->items()) {
      if (op.kind() != Kind::kMap) {
        f.Fail("an op is " + std::string(cbor::KindName(op.kind())) + ", expected map");
        break;
      }
      Fields of(op, "#commit op");
      RepoOp r;
      r.action = of.Text("action");
      r.path = of.Text("path");
      r.cid = of.OptionalLink("cid");
      r.prev = of.OptionalLink("prev");
      if (!of.status().ok()) return of.status();
      c.ops.push_back(r);
    }
  }
  if (!f.status().ok()) return f.status();
  return Frame(std::move(c));
}

Result<Frame> ParseSync(Value body) {
  Fields f(body, "#sync");
  SyncMessage s;
  s.seq = f.Int("seq");
  s.did = f.Text("did");
  s.blocks = f.Bytes("blocks");
  s.rev = f.Text("rev");
  s.time = f.Text("time");
  if (!f.status().ok()) return f.status();
  return Frame(s);
}

Result<Frame> ParseIdentity(Value body) {
  Fields f(body, "#identity");
  IdentityMessage m;
  m.seq = f.Int("seq");
  m.did = f.Text("did");
  m.time = f.Text("time");
  m.handle = f.OptionalText("handle");
  if (!f.status().ok()) return f.status();
  return Frame(m);
}

Result<Frame> ParseAccount(Value body) {
  Fields f(body, "#account");
  AccountMessage m;
  m.seq = f.Int("seq");
  m.did = f.Text("did");
  m.time = f.Text("time");
  auto active = body.Find("active");
  if (!active || active->kind() != Kind::kBool) {
    f.Fail("missing bool field 'active'");
  } else {
    m.active = active->AsBool();
  }
  m.status = f.OptionalText("status");
  if (!f.status().ok()) return f.status();
  return Frame(m);
}

Result<Frame> ParseInfo(Value body) {
  Fields f(body, "#info");
  InfoMessage m;
  m.name = f.Text("name");
  m.message = f.OptionalText("message");
  if (!f.status().ok()) return f.status();
  return Frame(m);
}

Result<Frame> ParseError(Value body) {
  Fields f(body, "error frame");
  ErrorFrame e;
  e.error = f.Text("error");
  e.message = f.OptionalText("message");
  if (!f.status().ok()) return f.status();
  return Frame(e);
}

}  // namespace

Result<Frame> FrameParser::Parse(std::span<const uint8_t> frame) {
  if (frame.size() > kMaxFrameBytes) {
    return Status::TooLarge("frame of " + std::to_string(frame.size()) + " bytes, over the " +
                            std::to_string(kMaxFrameBytes) + "-byte limit");
  }
  if (frame.empty()) return Status::InvalidArgument("frame: empty");
  cbor::Limits limits;
  limits.max_bytes = kMaxFrameBytes;
  size_t header_size = 0;
  Status st = header_.DecodePrefix(frame, &header_size, limits);
  if (!st.ok()) return st.WithPrefix("frame header");
  Value header = header_.root();
  if (header.kind() != Kind::kMap) return Status::InvalidArgument("frame header: not a map");
  auto op = header.Find("op");
  if (!op || op->kind() != Kind::kInt) {
    return Status::InvalidArgument("frame header: no integer 'op'");
  }
  std::string_view type;
  if (auto t = header.Find("t")) {
    if (t->kind() != Kind::kText) return Status::InvalidArgument("frame header: 't' is not text");
    type = t->AsText();
  }
  std::span<const uint8_t> body_bytes = frame.subspan(header_size);
  if (body_bytes.empty()) return Status::InvalidArgument("frame: truncated, no body after header");
  st = body_.Decode(body_bytes, limits);
  if (!st.ok()) {
    return Status(st.code(), "frame body (at frame byte " + std::to_string(header_size) +
                                 "): " + st.message());
  }
  Value body = body_.root();
  const int64_t op_value = op->AsInt();
  if (op_value != 1 && op_value != -1) return Frame(UnknownMessage{op_value, type});
  if (body.kind() != Kind::kMap) return Status::InvalidArgument("frame body: not a map");
  if (op_value == -1) return ParseError(body);
  if (type == "#commit") return ParseCommit(body);
  if (type == "#sync") return ParseSync(body);
  if (type == "#identity") return ParseIdentity(body);
  if (type == "#account") return ParseAccount(body);
  if (type == "#info") return ParseInfo(body);
  return Frame(UnknownMessage{op_value, type});
}

}  // namespace altscribe::firehose
