// firehose/jetstream_event.cc — see jetstream_event.h.
#include "firehose/jetstream_event.h"

namespace altscribe::firehose {
namespace {

Status Bad(const std::string& what) { return Status::InvalidArgument("jetstream event: " + what); }

// Reads a required string member; false (and *error set) when missing or not a string.
bool GetString(const nlohmann::json& obj, const char* key, std::string* out, Status* error,
               const char* where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) {
    *error = Bad(std::string(where) + "missing string field '" + key + "'");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

}  // namespace

Result<std::optional<JetstreamEvent>> ParseJetstreamEvent(std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Bad("not JSON (" + std::to_string(json.size()) + " bytes)");
  if (!doc.is_object()) return Bad("not a JSON object");
  JetstreamEvent ev;
  Status error;
  std::string kind;
  if (!GetString(doc, "did", &ev.did, &error, "") || !GetString(doc, "kind", &kind, &error, "")) {
    return error;
  }
  auto time = doc.find("time_us");
  if (time == doc.end() || !time->is_number_integer())
    return Bad("missing integer field 'time_us'");
  ev.time_us = time->get<int64_t>();
  if (kind == "commit") {
    ev.kind = JetstreamEvent::Kind::kCommit;
    auto c = doc.find("commit");
    if (c == doc.end() || !c->is_object()) return Bad("kind commit without a 'commit' object");
    JetstreamCommit commit;
    if (!GetString(*c, "rev", &commit.rev, &error, "commit: ") ||
        !GetString(*c, "operation", &commit.operation, &error, "commit: ") ||
        !GetString(*c, "collection", &commit.collection, &error, "commit: ") ||
        !GetString(*c, "rkey", &commit.rkey, &error, "commit: ")) {
      return error;
    }
    if (commit.operation != "create" && commit.operation != "update" &&
        commit.operation != "delete") {
      return Bad("commit: unknown operation '" + commit.operation + "'");
    }
    if (auto cid = c->find("cid"); cid != c->end() && cid->is_string()) {
      commit.cid = cid->get<std::string>();
    }
    if (auto record = c->find("record"); record != c->end() && record->is_object()) {
      commit.record = *record;
    }
    ev.commit = std::move(commit);
  } else if (kind == "identity" || kind == "account") {
    ev.kind = kind == "identity" ? JetstreamEvent::Kind::kIdentity : JetstreamEvent::Kind::kAccount;
    if (auto info = doc.find(kind); info != doc.end()) ev.info = *info;
  } else {
    return std::optional<JetstreamEvent>();
  }
  return std::optional<JetstreamEvent>(std::move(ev));
}

}  // namespace altscribe::firehose
