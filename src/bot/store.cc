#include "bot/store.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "bot/sqlite.h"
#include "bot/store_transaction.h"
#include "core/log.h"
#include "core/text.h"

namespace altscribe::bot {
namespace {

using sqlite::SqlValue;

constexpr size_t kMaxPartsPerMention = 100;
constexpr size_t kMaxReasonBytes = 1000;

constexpr const char* kMentionStates[] = {"received", "planned", "described",
                                          "posting",  "done",    "failed"};
constexpr const char* kPartStates[] = {"pending", "intent", "posted"};

SqlValue Text(std::string_view s) { return SqlValue(s); }
SqlValue Int(int64_t n) { return SqlValue(n); }

// A TID: 13 characters of base32-sortable, the first one of the lower half.
bool IsTid(std::string_view s) {
  static constexpr std::string_view kAlphabet = "234567abcdefghijklmnopqrstuvwxyz";
  if (s.size() != 13 || std::string_view("234567abcdefghij").find(s[0]) == std::string_view::npos) {
    return false;
  }
  return s.find_first_not_of(kAlphabet) == std::string_view::npos;
}

bool IsJsonObject(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object();
}

Status Bad(std::string_view uri, const std::string& what) {
  return Status::InvalidArgument("mention " + std::string(uri) + ": " + what);
}

Status NoMention(std::string_view uri) {
  return Status::NotFound("no mention " + std::string(uri) + " in the state store");
}

std::optional<StrongRef> Ref(const sqlite::Stmt& s, int uri_col, int cid_col) {
  if (s.IsNull(uri_col)) return std::nullopt;
  return StrongRef{s.Text(uri_col), s.Text(cid_col)};
}

Status CheckNewMention(const NewMention& m) {
  if (m.uri.rfind("at://", 0) != 0) return Status::InvalidArgument("mention uri must be an AT-URI");
  if (m.cid.empty()) return Bad(m.uri, "has no cid");
  if (m.account_did.rfind("did:", 0) != 0) return Bad(m.uri, "account_did is not a DID");
  if (m.author_did.rfind("did:", 0) != 0) return Bad(m.uri, "author_did is not a DID");
  return Status::Ok();
}

constexpr const char* kMentionColumns =
    "uri, cid, account_did, author_did, root_uri, root_cid, parent_uri, parent_cid, state, "
    "reason, attempts, plan, results, received_ms, updated_ms";

}  // namespace

const char* MentionStateName(MentionState state) { return kMentionStates[static_cast<int>(state)]; }

Result<MentionState> ParseMentionState(std::string_view name) {
  for (int i = 0; i < static_cast<int>(std::size(kMentionStates)); ++i) {
    if (name == kMentionStates[i]) return static_cast<MentionState>(i);
  }
  return Status::InvalidArgument("unknown mention state '" + std::string(name) +
                                 "' (received, planned, described, posting, done, failed)");
}

const char* PartStateName(PartState state) { return kPartStates[static_cast<int>(state)]; }

Store::Store(std::unique_ptr<sqlite::Db> db, std::string path, StoreOptions options)
    : db_(std::move(db)), path_(std::move(path)), options_(std::move(options)) {}

Store::~Store() = default;

int64_t Store::Now() const { return options_.now_ms(); }

// ---- sessions ----

Status Store::SaveSession(const Session& s) {
  if (s.did.rfind("did:", 0) != 0) return Status::InvalidArgument("session: did is not a DID");
  if (s.handle.empty() || s.pds_url.empty()) {
    return Status::InvalidArgument("session for " + s.did + ": handle and PDS URL are required");
  }
  return Write("the session", [&] {
    return db_->Run(
        "INSERT INTO accounts(did, handle, pds_url, access_jwt, refresh_jwt, updated_ms) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(did) DO UPDATE SET "
        "handle = excluded.handle, pds_url = excluded.pds_url, access_jwt = excluded.access_jwt, "
        "refresh_jwt = excluded.refresh_jwt, updated_ms = excluded.updated_ms",
        {Text(s.did), Text(AsciiLower(s.handle)), Text(s.pds_url), Text(s.access_jwt),
         Text(s.refresh_jwt), Int(Now())},
        "saving the session of " + s.did);
  });
}

Result<std::optional<Session>> Store::LoadSession(std::string_view did_or_handle) {
  std::string key(did_or_handle);
  std::string handle = AsciiLower(key);
  return Read("reading the session", [&]() -> Result<std::optional<Session>> {
    ASSIGN_OR_RETURN(sqlite::Stmt s,
                     db_->Prepare("SELECT did, handle, pds_url, access_jwt, refresh_jwt "
                                  "FROM accounts WHERE did = ?1 OR handle = ?2 "
                                  "ORDER BY did = ?1 DESC, updated_ms DESC LIMIT 1",
                                  {Text(key), Text(handle)}, "reading the session of " + key));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<Session>();
    Session out{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
    if (out.access_jwt.empty() && out.refresh_jwt.empty()) return std::optional<Session>();
    return std::optional<Session>(std::move(out));
  });
}

Status Store::ClearSession(std::string_view did) {
  return Write("clearing the session", [&] {
    return db_->Run(
        "UPDATE accounts SET access_jwt = '', refresh_jwt = '', updated_ms = ?2 WHERE did = ?1",
        {Text(did), Int(Now())}, "clearing the session of " + std::string(did));
  });
}

// ---- cursors ----

Status Store::SaveCursor(std::string_view account_did, std::string_view source,
                         std::string_view value) {
  return Write("the cursor", [&] {
    return db_->Run(
        "INSERT INTO cursors(account_did, source, value, updated_ms) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(account_did, source) DO UPDATE SET value = excluded.value, "
        "updated_ms = excluded.updated_ms",
        {Text(account_did), Text(source), Text(value), Int(Now())}, "saving a cursor");
  });
}

Result<std::optional<std::string>> Store::LoadCursor(std::string_view account_did,
                                                     std::string_view source) {
  return Read("reading a cursor", [&]() -> Result<std::optional<std::string>> {
    ASSIGN_OR_RETURN(
        sqlite::Stmt s,
        db_->Prepare("SELECT value FROM cursors WHERE account_did = ?1 AND source = ?2",
                     {Text(account_did), Text(source)}, "reading a cursor"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(s.Text(0));
  });
}

// ---- mentions: intake ----

Result<bool> Store::AddMention(const NewMention& mention) {
  ASSIGN_OR_RETURN(int added, AddMentions(std::span<const NewMention>(&mention, 1), nullptr));
  return added == 1;
}

Result<int> Store::AddMentions(std::span<const NewMention> mentions, const CursorUpdate* cursor) {
  for (const NewMention& m : mentions) RETURN_IF_ERROR(CheckNewMention(m));
  return Write("new mentions", [&]() -> Result<int> {
    int added = 0;
    int64_t now = Now();
    for (const NewMention& m : mentions) {
      RETURN_IF_ERROR(
          db_->Run("INSERT INTO mentions(uri, cid, account_did, author_did, root_uri, root_cid, "
                   "parent_uri, parent_cid, state, received_ms, updated_ms) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'received', ?9, ?9) "
                   "ON CONFLICT(uri) DO NOTHING",
                   {Text(m.uri), Text(m.cid), Text(m.account_did), Text(m.author_did),
                    m.root ? Text(m.root->uri) : SqlValue(nullptr),
                    m.root ? Text(m.root->cid) : SqlValue(nullptr),
                    m.parent ? Text(m.parent->uri) : SqlValue(nullptr),
                    m.parent ? Text(m.parent->cid) : SqlValue(nullptr), Int(now)},
                   "recording mention " + m.uri));
      added += static_cast<int>(db_->Changes());
    }
    if (cursor) {
      RETURN_IF_ERROR(db_->Run(
          "INSERT INTO cursors(account_did, source, value, updated_ms) VALUES(?1, ?2, ?3, ?4) "
          "ON CONFLICT(account_did, source) DO UPDATE SET value = excluded.value, "
          "updated_ms = excluded.updated_ms",
          {Text(cursor->account_did), Text(cursor->source), Text(cursor->value), Int(now)},
          "saving a cursor"));
    }
    return added;
  });
}

// ---- mentions: lifecycle ----

Result<int> Store::BeginAttempt(std::string_view uri) {
  return Write("an attempt", [&]() -> Result<int> {
    RETURN_IF_ERROR(
        db_->Run("UPDATE mentions SET attempts = attempts + 1, updated_ms = ?2 WHERE uri = ?1",
                 {Text(uri), Int(Now())}, "counting an attempt"));
    if (db_->Changes() == 0) return NoMention(uri);
    ASSIGN_OR_RETURN(auto n, db_->QueryInt("SELECT attempts FROM mentions WHERE uri = ?1",
                                           {Text(uri)}, "counting an attempt"));
    return static_cast<int>(n.value_or(0));
  });
}

Status Store::SavePlan(std::string_view uri, std::string_view plan_json) {
  if (!IsJsonObject(plan_json)) return Bad(uri, "the plan is not a JSON object");
  return Write("the plan", [&]() -> Status {
    ASSIGN_OR_RETURN(Mention m, LoadMention(uri));
    if (m.state != MentionState::kReceived) return Status::Ok();  // planned already, or later
    return db_->Run(
        "UPDATE mentions SET state = 'planned', plan = ?2, updated_ms = ?3, "
        "target_uri = json_extract(?2, '$.target') WHERE uri = ?1",
        {Text(uri), Text(plan_json), Int(Now())}, "saving the plan");
  });
}

Status Store::SaveResults(std::string_view uri, std::string_view results_json,
                          const std::vector<PartDraft>& parts) {
  if (!results_json.empty() && !IsJsonObject(results_json)) {
    return Bad(uri, "the results are not a JSON object");
  }
  if (parts.empty()) return Bad(uri, "a reply needs at least one part");
  if (parts.size() > kMaxPartsPerMention) return Bad(uri, "too many reply parts");
  for (size_t k = 0; k < parts.size(); ++k) {
    if (!IsTid(parts[k].rkey)) {
      return Bad(uri, "part " + std::to_string(k) + ": rkey '" + parts[k].rkey + "' is not a TID");
    }
    if (parts[k].text.empty()) return Bad(uri, "part " + std::to_string(k) + " has no text");
    for (size_t j = 0; j < k; ++j) {
      if (parts[j].rkey == parts[k].rkey) return Bad(uri, "two parts share rkey " + parts[k].rkey);
    }
  }
  return Write("the results", [&]() -> Status {
    ASSIGN_OR_RETURN(Mention m, LoadMention(uri));
    if (m.state == MentionState::kReceived) return Bad(uri, "is received, not yet planned");
    if (m.state != MentionState::kPlanned) return Status::Ok();  // described already, or later
    int64_t now = Now();
    for (size_t k = 0; k < parts.size(); ++k) {
      RETURN_IF_ERROR(
          db_->Run("INSERT INTO parts(mention_uri, k, rkey, text, state, updated_ms) "
                   "VALUES(?1, ?2, ?3, ?4, 'pending', ?5)",
                   {Text(uri), Int(static_cast<int64_t>(k)), Text(parts[k].rkey),
                    Text(parts[k].text), Int(now)},
                   "saving reply part " + std::to_string(k)));
    }
    return db_->Run(
        "UPDATE mentions SET state = 'described', results = ?2, updated_ms = ?3 WHERE uri = ?1",
        {Text(uri), results_json.empty() ? SqlValue(nullptr) : Text(results_json), Int(now)},
        "saving the results");
  });
}

Result<Part> Store::RecordIntent(std::string_view uri, int k) {
  return Write("an intent", [&]() -> Result<Part> {
    ASSIGN_OR_RETURN(Mention m, LoadMention(uri));
    if (m.state == MentionState::kFailed) {
      return Bad(uri, "failed (" + m.reason + "); nothing may be posted for it");
    }
    if (m.parts.empty()) {
      return Bad(uri,
                 std::string("has no reply parts yet (it is ") + MentionStateName(m.state) + ")");
    }
    if (k < 0 || k >= static_cast<int>(m.parts.size())) {
      return Status::NotFound("mention " + std::string(uri) + " has no part " + std::to_string(k) +
                              " (it has " + std::to_string(m.parts.size()) + ")");
    }
    Part part = m.parts[k];
    if (part.state == PartState::kPosted) return part;  // done: never post it again
    for (int j = 0; j < k; ++j) {
      if (m.parts[j].state != PartState::kPosted) {
        return Bad(uri, "part " + std::to_string(k) + " cannot be posted before part " +
                            std::to_string(j));
      }
    }
    int64_t now = Now();
    RETURN_IF_ERROR(
        db_->Run("UPDATE parts SET state = 'intent', attempts = attempts + 1, updated_ms = ?3 "
                 "WHERE mention_uri = ?1 AND k = ?2",
                 {Text(uri), Int(k), Int(now)}, "recording the intent to post"));
    if (m.state == MentionState::kDescribed) {
      RETURN_IF_ERROR(
          db_->Run("UPDATE mentions SET state = 'posting', updated_ms = ?2 WHERE uri = ?1",
                   {Text(uri), Int(now)}, "recording the intent to post"));
    }
    part.state = PartState::kIntent;
    part.attempts += 1;
    part.updated_ms = now;
    return part;
  });
}

Status Store::MarkPosted(std::string_view uri, int k, std::string_view post_uri,
                         std::string_view post_cid) {
  if (post_uri.rfind("at://", 0) != 0 || post_cid.empty()) {
    return Bad(uri, "part " + std::to_string(k) + ": a posted record needs an AT-URI and a CID");
  }
  return Write("a posted part", [&]() -> Status {
    ASSIGN_OR_RETURN(Mention m, LoadMention(uri));
    if (k < 0 || k >= static_cast<int>(m.parts.size())) {
      return Status::NotFound("mention " + std::string(uri) + " has no part " + std::to_string(k));
    }
    const Part& part = m.parts[k];
    if (part.state == PartState::kPosted) {
      if (part.uri != post_uri) {
        LogWarn("mention " + std::string(uri) + ": part " + std::to_string(k) +
                " was already posted as " + part.uri + "; keeping that, not " +
                std::string(post_uri));
      }
      return Status::Ok();
    }
    int64_t now = Now();
    RETURN_IF_ERROR(db_->Run(
        "UPDATE parts SET state = 'posted', uri = ?3, cid = ?4, updated_ms = ?5 "
        "WHERE mention_uri = ?1 AND k = ?2",
        {Text(uri), Int(k), Text(post_uri), Text(post_cid), Int(now)}, "recording a posted part"));
    ASSIGN_OR_RETURN(auto left, db_->QueryInt("SELECT count(*) FROM parts WHERE mention_uri = ?1 "
                                              "AND state != 'posted'",
                                              {Text(uri)}, "recording a posted part"));
    if (left.value_or(0) == 0 &&
        (m.state == MentionState::kDescribed || m.state == MentionState::kPosting)) {
      return db_->Run("UPDATE mentions SET state = 'done', updated_ms = ?2 WHERE uri = ?1",
                      {Text(uri), Int(now)}, "finishing the mention");
    }
    return Status::Ok();
  });
}

Status Store::MarkFailed(std::string_view uri, std::string_view reason) {
  std::string why(Utf8Prefix(reason.empty() ? "unknown reason" : reason, kMaxReasonBytes));
  return Write("a failure", [&]() -> Status {
    ASSIGN_OR_RETURN(Mention m, LoadMention(uri));
    if (m.finished()) return Status::Ok();
    return db_->Run(
        "UPDATE mentions SET state = 'failed', reason = ?2, updated_ms = ?3 WHERE uri = ?1",
        {Text(uri), Text(why), Int(Now())}, "recording the failure");
  });
}

// ---- queries ----

Result<Mention> Store::LoadMention(std::string_view uri) {
  Mention m;
  {
    ASSIGN_OR_RETURN(
        sqlite::Stmt s,
        db_->Prepare(std::string("SELECT ") + kMentionColumns + " FROM mentions WHERE uri = ?1",
                     {Text(uri)}, "reading mention " + std::string(uri)));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NoMention(uri);
    m.info = {s.Text(0), s.Text(1), s.Text(2), s.Text(3), Ref(s, 4, 5), Ref(s, 6, 7)};
    auto state = ParseMentionState(s.Text(8));
    if (!state.ok()) return Status::IoError(path_ + ": damaged mention row: " + s.Text(8));
    m.state = *state;
    m.reason = s.Text(9);
    m.attempts = static_cast<int>(s.Int(10));
    m.plan = s.Text(11);
    m.results = s.Text(12);
    m.received_ms = s.Int(13);
    m.updated_ms = s.Int(14);
  }
  ASSIGN_OR_RETURN(sqlite::Stmt p,
                   db_->Prepare("SELECT k, rkey, text, state, attempts, uri, cid, updated_ms "
                                "FROM parts WHERE mention_uri = ?1 ORDER BY k",
                                {Text(uri)}, "reading the parts of " + std::string(uri)));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, p.Step());
    if (!row) break;
    Part part;
    part.k = static_cast<int>(p.Int(0));
    part.rkey = p.Text(1);
    part.text = p.Text(2);
    std::string state = p.Text(3);
    part.state = state == "posted"   ? PartState::kPosted
                 : state == "intent" ? PartState::kIntent
                                     : PartState::kPending;
    part.attempts = static_cast<int>(p.Int(4));
    part.uri = p.Text(5);
    part.cid = p.Text(6);
    part.updated_ms = p.Int(7);
    m.parts.push_back(std::move(part));
  }
  return m;
}

Result<std::vector<Mention>> Store::LoadMentions(std::string_view sql,
                                                 std::initializer_list<sqlite::SqlValue> args) {
  return Read("reading mentions", [&]() -> Result<std::vector<Mention>> {
    std::vector<std::string> uris;
    {
      ASSIGN_OR_RETURN(sqlite::Stmt s, db_->Prepare(sql, args, "listing mentions"));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        uris.push_back(s.Text(0));
      }
    }
    std::vector<Mention> out;
    for (const auto& uri : uris) {
      ASSIGN_OR_RETURN(Mention m, LoadMention(uri));
      out.push_back(std::move(m));
    }
    return out;
  });
}

Result<Mention> Store::GetMention(std::string_view uri) {
  return Read("reading a mention", [&] { return LoadMention(uri); });
}

Result<std::vector<Mention>> Store::Pending(std::string_view account_did) {
  return LoadMentions(
      "SELECT uri FROM mentions WHERE state NOT IN ('done', 'failed') "
      "AND (?1 = '' OR account_did = ?1) ORDER BY seq",
      {Text(account_did)});
}

Result<std::vector<Mention>> Store::List(const ListOptions& options) {
  std::string_view state = options.state ? MentionStateName(*options.state) : "";
  return LoadMentions(
      "SELECT uri FROM mentions WHERE (?1 = '' OR account_did = ?1) "
      "AND (?2 = '' OR state = ?2) ORDER BY seq DESC LIMIT ?3",
      {Text(options.account_did), Text(state), Int(static_cast<int64_t>(options.limit))});
}

Result<std::map<MentionState, int64_t>> Store::CountByState() {
  return Read("counting mentions", [&]() -> Result<std::map<MentionState, int64_t>> {
    ASSIGN_OR_RETURN(sqlite::Stmt s,
                     db_->Prepare("SELECT state, count(*) FROM mentions GROUP BY state", {},
                                  "counting mentions"));
    std::map<MentionState, int64_t> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      auto state = ParseMentionState(s.Text(0));
      if (state.ok()) out[*state] = s.Int(1);
    }
    return out;
  });
}

// ---- full descriptions ----

Result<std::string> Store::SaveFullDescription(std::string_view mention_uri,
                                               std::string_view body_json) {
  auto body = nlohmann::json::parse(body_json, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Status::InvalidArgument("a full description must be a JSON object");
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Status::Internal("no random bytes for a full description's id");
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id;  // base64url without padding: 22 characters for 128 bits
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : random) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) id += kAlphabet[(acc >> (bits -= 6)) & 63];
  }
  if (bits > 0) id += kAlphabet[(acc << (6 - bits)) & 63];
  return Write("a full description", [&]() -> Result<std::string> {
    RETURN_IF_ERROR(db_->Run(
        "INSERT INTO full_descriptions(id, mention_uri, body, created_ms) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(mention_uri) DO NOTHING",
        {Text(id), Text(mention_uri), Text(body_json), Int(Now())}, "saving a full description"));
    ASSIGN_OR_RETURN(sqlite::Stmt s,
                     db_->Prepare("SELECT id FROM full_descriptions WHERE mention_uri = ?1",
                                  {Text(mention_uri)}, "reading a full description"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Internal("a full description vanished after it was saved");
    return s.Text(0);
  });
}

Result<std::optional<std::string>> Store::LoadFullDescription(std::string_view id) {
  return Read("reading a full description", [&]() -> Result<std::optional<std::string>> {
    ASSIGN_OR_RETURN(sqlite::Stmt s,
                     db_->Prepare("SELECT body FROM full_descriptions WHERE id = ?1", {Text(id)},
                                  "reading a full description"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(s.Text(0));
  });
}

}  // namespace altscribe::bot
