// bot/store.h — the bot's state store: sessions, cursors and every mention's lifecycle, in SQLite.
//
// One file (WAL mode, synchronous=FULL, a busy timeout) holds everything the bot must not lose:
//   * accounts: per bot DID the handle, PDS URL and session tokens. The tokens are secrets: the
//     file is created with mode 0600, and an existing file with looser permissions is fixed to
//     0600 at Open() (with a warning). Nothing here ever logs a token.
//   * cursors: per (account, source) an opaque string (a listNotifications cursor, a firehose seq).
//   * mentions, keyed by the mention's AT-URI, each moving through
//         received → planned → described → posting → done | failed(reason)
//     with its plan (JSON text: target post, images, mode, lang), its results (JSON text: the
//     JobResult), attempts and timestamps; and its reply parts (mention, k) with the record key
//     (a TID) chosen when the part is stored and never changed, the text, and the part's own state
//         pending → intent → posted (with the posted record's uri and cid).
//
// Exactly-once posting: before createRecord for part k, call RecordIntent(mention, k); it returns
// the part with its fixed rkey and an attempt count. attempts > 1 means an earlier try may have
// written the record: ask the PDS (getRecord on that rkey) before creating it again. After the
// record exists, MarkPosted(mention, k, uri, cid). A mention whose parts are all posted is done.
//
// Every transition is one transaction. Transitions are idempotent and never regress: asking for
// a state the mention (or part) already reached or passed changes nothing and succeeds, so a bot
// that restarts and repeats a step is harmless; the first plan, results and parts written win.
// Transitions that skip a step, or post for a failed mention, are InvalidArgument.
//
// Thread-safe: one connection behind a mutex; any number of threads may call any method. Several
// processes may open the same file (WAL; writers wait up to the busy timeout), e.g.
// `altscribe bot status` while the bot runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bot/sqlite.h"
#include "core/status.h"

namespace altscribe::bot {

enum class MentionState { kReceived, kPlanned, kDescribed, kPosting, kDone, kFailed };
const char* MentionStateName(MentionState state);  // "received", "planned", ...
Result<MentionState> ParseMentionState(std::string_view name);

enum class PartState { kPending, kIntent, kPosted };
const char* PartStateName(PartState state);  // "pending", "intent", "posted"

// A logged-in bot account. access_jwt and refresh_jwt are secrets.
struct Session {
  std::string did;
  std::string handle;
  std::string pds_url;
  std::string access_jwt;
  std::string refresh_jwt;
};

struct StrongRef {
  std::string uri;
  std::string cid;
  bool operator==(const StrongRef&) const = default;
};

// What intake knows about a mention.
struct NewMention {
  std::string uri;  // the mention post's AT-URI: the key
  std::string cid;
  std::string account_did;  // the bot account it addressed
  std::string author_did;
  std::optional<StrongRef> root;    // the mention's own reply.root; nullopt if not a reply
  std::optional<StrongRef> parent;  // the mention's own reply.parent
};

// A reply part as the composer made it.
struct PartDraft {
  std::string rkey;  // a TID (13 characters of base32-sortable); unique within the mention
  std::string text;
};

struct Part {
  int k = 0;  // 0-based position in the reply thread
  std::string rkey;
  std::string text;
  PartState state = PartState::kPending;
  int attempts = 0;  // RecordIntent() calls so far
  std::string uri;   // of the posted record, once posted
  std::string cid;
  int64_t updated_ms = 0;
};

struct Mention {
  NewMention info;
  MentionState state = MentionState::kReceived;
  std::string reason;       // why it failed
  int attempts = 0;         // BeginAttempt() calls so far
  std::string plan;         // JSON text; "" before planning
  std::string results;      // JSON text; "" before describing, or for answers without a job
  int64_t received_ms = 0;  // unix milliseconds
  int64_t updated_ms = 0;
  std::vector<Part> parts;  // by k

  bool finished() const { return state == MentionState::kDone || state == MentionState::kFailed; }
};

// Optional cursor update committed together with a batch of mentions.
struct CursorUpdate {
  std::string account_did;
  std::string source;
  std::string value;
};

struct ListOptions {
  size_t limit = 50;
  std::optional<MentionState> state;  // only mentions in this state
  std::string account_did;            // "" = every account
};

struct StoreOptions {
  std::chrono::milliseconds busy_timeout{10'000};
  std::function<int64_t()> now_ms;  // unix milliseconds; default: the system clock
};

class Store {
 public:
  static constexpr int kSchemaVersion = 4;

  // Opens (creating it, and its directory, when missing) the state file at `path`, fixes its
  // permissions to 0600 and brings its schema up to date. Errors name the file: a file that is
  // not SQLite ("… is not an SQLite database"), an SQLite database of another program ("… is
  // not an altscribe state store"), one written by a newer altscribe, or I/O failures.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }

  // ---- sessions ----
  // Inserts or replaces the account's row (did is the key).
  Status SaveSession(const Session& session);
  // The session of the account whose DID or handle (any case) is `did_or_handle`; nullopt when
  // there is none or its tokens were cleared.
  Result<std::optional<Session>> LoadSession(std::string_view did_or_handle);
  // Forgets the tokens (keeps the account's did, handle and PDS). No error if absent.
  Status ClearSession(std::string_view did);

  // ---- cursors ----
  Status SaveCursor(std::string_view account_did, std::string_view source, std::string_view value);
  Result<std::optional<std::string>> LoadCursor(std::string_view account_did,
                                                std::string_view source);

  // ---- mentions: intake ----
  // Records a mention as received; true when it is new (a known URI changes nothing).
  Result<bool> AddMention(const NewMention& mention);
  // The same for a batch plus, optionally, the cursor that follows it, in one transaction: the
  // cursor moves only if every mention was stored. Returns how many were new.
  Result<int> AddMentions(std::span<const NewMention> mentions, const CursorUpdate* cursor);

  // ---- mentions: lifecycle (see the file comment) ----
  // Counts one more processing attempt; returns the new count (for giving up on poison input).
  Result<int> BeginAttempt(std::string_view uri);
  // received → planned. `plan_json` must be a JSON object.
  Status SavePlan(std::string_view uri, std::string_view plan_json);
  // planned → described, storing the results (a JSON object, or "" for an answer without a job)
  // and the reply parts k = 0..n-1 (n ≥ 1) in state pending.
  Status SaveResults(std::string_view uri, std::string_view results_json,
                     const std::vector<PartDraft>& parts);
  // Part k: pending|intent → intent (attempts + 1), and the mention described → posting.
  // REQUIRES parts 0..k-1 posted (part k replies to part k-1). A part already posted is returned
  // unchanged (do not post it again). InvalidArgument for a failed mention.
  Result<Part> RecordIntent(std::string_view uri, int k);
  // Part k → posted with the record's uri and cid; the mention → done when it was the last part.
  // A part already posted keeps its first uri/cid.
  Status MarkPosted(std::string_view uri, int k, std::string_view post_uri,
                    std::string_view post_cid);
  // Any unfinished state → failed(reason). A finished mention keeps its state.
  Status MarkFailed(std::string_view uri, std::string_view reason);

  // ---- queries (for recovery and `altscribe bot status`) ----
  // NotFound when the store has no such mention.
  Result<Mention> GetMention(std::string_view uri);
  // Unfinished mentions (received … posting), oldest first; of one account unless "".
  Result<std::vector<Mention>> Pending(std::string_view account_did = "");
  // The most recent mentions first.
  Result<std::vector<Mention>> List(const ListOptions& options = {});
  Result<std::map<MentionState, int64_t>> CountByState();

  // ---- deletions (store_deletions.cc) ----
  // A post was deleted (a firehose delete of app.bsky.feed.post). The mentions it concerns — the
  // mention post itself, or mentions whose plan targets it — of `account_did`:
  //   * an unfinished one becomes failed("deleted: <uri>"), so it is never answered (or never
  //     answered further);
  //   * one with reply parts in intent or posted gets a pending retraction (once: a redelivered
  //     deletion changes nothing), for the bot to delete those records.
  // Returns how many mentions it concerned (0 for the deletion of any other post).
  Result<int> RecordDeletion(std::string_view account_did, std::string_view deleted_uri);
  struct Retraction {
    std::string mention_uri;
    std::string deleted_uri;  // the post whose deletion caused it
    bool done = false;
    std::vector<Part> parts;  // the parts in intent or posted, newest (highest k) first
  };
  // Retractions still to do, oldest first; of one account unless "".
  Result<std::vector<Retraction>> PendingRetractions(std::string_view account_did = "");
  // The mention's retraction, nullopt when it has none.
  Result<std::optional<Retraction>> GetRetraction(std::string_view mention_uri);
  // pending → done (idempotent). NotFound when the mention has no retraction.
  Status MarkRetracted(std::string_view mention_uri);

  // ---- full descriptions (bot/full_description.h; served at /d/<id> by altscribe serve) ----
  // Stores `body_json` (a JSON object) for the mention under a new unguessable id (128 random
  // bits, base64url, 22 characters) and returns the id. A mention that already has one keeps
  // its first body and id, and gets that id back.
  Result<std::string> SaveFullDescription(std::string_view mention_uri, std::string_view body_json);
  // The body stored under `id`; nullopt when there is none.
  Result<std::optional<std::string>> LoadFullDescription(std::string_view id);

  // ---- courtesy (store_courtesy.cc; the policies are in bot/courtesy.h) ----
  // Decides once per mention whether `requester` is answered (a repeated call for the same
  // mention returns the first decision): kAnswer while the requester had fewer than
  // limits.per_minute answers in the last minute and limits.per_hour in the last hour; past a
  // limit, one kNotice, then kSilent until the exceeded window has passed.
  enum class Admission { kAnswer, kNotice, kSilent };
  struct RateLimits {
    int per_minute = 4;
    int per_hour = 20;
  };
  Result<Admission> AdmitRequest(std::string_view requester_did, std::string_view mention_uri,
                                 const RateLimits& limits);
  // Opt-outs by `did` ("@bot stop"); SetOptOut(did, false, …) removes one ("@bot start").
  Status SetOptOut(std::string_view did, bool opted_out, std::string_view source);
  Result<bool> IsOptedOut(std::string_view did);
  // The first mention answered about `target_uri` by `account_did` within the last `window_ms`,
  // if it is another mention; otherwise records `mention_uri` as the one and returns nullopt.
  Result<std::optional<std::string>> ClaimTarget(std::string_view target_uri,
                                                 std::string_view account_did,
                                                 std::string_view mention_uri, int64_t window_ms);
  // The PDS write budget: points spent by `account_did` (createRecord = 3, …) and their sum
  // since `since_ms`. Rows older than a day are pruned.
  Status RecordWrite(std::string_view account_did, int points);
  Result<int64_t> WritePointsSince(std::string_view account_did, int64_t since_ms);
  int64_t NowMs() const { return Now(); }

 private:
  Store(std::unique_ptr<sqlite::Db> db, std::string path, StoreOptions options);
  int64_t Now() const;
  Result<Mention> LoadMention(std::string_view uri);  // REQUIRES mu_ held
  // store_deletions.cc; REQUIRES mu_ held.
  Result<std::optional<Retraction>> LoadRetraction(std::string_view mention_uri);
  // The mentions whose uris `sql` selects, in its order, in one read transaction.
  Result<std::vector<Mention>> LoadMentions(std::string_view sql,
                                            std::initializer_list<sqlite::SqlValue> args);

  template <typename F>
  auto Transaction(const char* what, F&& body, bool write) -> decltype(body());
  template <typename F>
  auto Write(const char* what, F&& body) -> decltype(body());
  template <typename F>
  auto Read(const char* what, F&& body) -> decltype(body());

  std::mutex mu_;
  std::unique_ptr<sqlite::Db> db_;  // GUARDED_BY(mu_)
  const std::string path_;
  const StoreOptions options_;
};

}  // namespace altscribe::bot
