// Store::Open(): the state file itself — creation with mode 0600, recognising SQLite files that
// are not ours, WAL mode, and the schema with its migrations.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "bot/sqlite.h"
#include "bot/store.h"
#include "core/files.h"
#include "core/log.h"

namespace altscribe::bot {
namespace {

constexpr int64_t kApplicationId = 0x616c7473;      // "alts", in the SQLite header at offset 68
constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with the NUL

// kMigrations[v] takes the schema from version v to v + 1. Append only; never edit a released
// step (databases in the field ran it as written).
const char* const kMigrations[] = {
    // 0 → 1: the first schema.
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value ANY NOT NULL
) STRICT;
CREATE TABLE accounts (
  did         TEXT PRIMARY KEY,
  handle      TEXT NOT NULL,
  pds_url     TEXT NOT NULL,
  access_jwt  TEXT NOT NULL DEFAULT '',
  refresh_jwt TEXT NOT NULL DEFAULT '',
  updated_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX accounts_by_handle ON accounts(handle);
CREATE TABLE cursors (
  account_did TEXT NOT NULL,
  source      TEXT NOT NULL,
  value       TEXT NOT NULL,
  updated_ms  INTEGER NOT NULL,
  PRIMARY KEY (account_did, source)
) STRICT;
CREATE TABLE mentions (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  uri         TEXT NOT NULL UNIQUE,
  cid         TEXT NOT NULL,
  account_did TEXT NOT NULL,
  author_did  TEXT NOT NULL,
  root_uri    TEXT,
  root_cid    TEXT,
  parent_uri  TEXT,
  parent_cid  TEXT,
  state       TEXT NOT NULL CHECK (state IN
                ('received', 'planned', 'described', 'posting', 'done', 'failed')),
  reason      TEXT NOT NULL DEFAULT '',
  attempts    INTEGER NOT NULL DEFAULT 0,
  plan        TEXT,
  results     TEXT,
  received_ms INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX mentions_unfinished ON mentions(seq) WHERE state NOT IN ('done', 'failed');
CREATE TABLE parts (
  mention_uri TEXT NOT NULL REFERENCES mentions(uri) ON DELETE CASCADE,
  k           INTEGER NOT NULL CHECK (k >= 0),
  rkey        TEXT NOT NULL,
  text        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'intent', 'posted')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  uri         TEXT,
  cid         TEXT,
  updated_ms  INTEGER NOT NULL,
  PRIMARY KEY (mention_uri, k),
  UNIQUE (mention_uri, rkey)
) STRICT;
)sql",
    // 1 → 2: full descriptions behind shortened replies, by unguessable id.
    R"sql(
CREATE TABLE full_descriptions (
  id          TEXT PRIMARY KEY,
  mention_uri TEXT NOT NULL UNIQUE,
  body        TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
) STRICT;
)sql",
    // 2 → 3: courtesy (bot/courtesy.h): requests per requester, opt-outs, answered targets, writes.
    R"sql(
CREATE TABLE requests (
  mention_uri   TEXT PRIMARY KEY,
  requester_did TEXT NOT NULL,
  decision      TEXT NOT NULL CHECK (decision IN ('answer', 'notice', 'silent')),
  at_ms         INTEGER NOT NULL
) STRICT;
CREATE INDEX requests_by_requester ON requests(requester_did, at_ms);
CREATE TABLE opt_outs (
  did    TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  at_ms  INTEGER NOT NULL
) STRICT;
CREATE TABLE answered_targets (
  target_uri  TEXT NOT NULL,
  account_did TEXT NOT NULL,
  mention_uri TEXT NOT NULL,
  at_ms       INTEGER NOT NULL,
  PRIMARY KEY (target_uri, account_did)
) STRICT;
CREATE TABLE writes (
  account_did TEXT NOT NULL,
  points      INTEGER NOT NULL,
  at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX writes_by_account ON writes(account_did, at_ms);
)sql",
    // 3 → 4: retractions (store_deletions.cc): a mention, or the post it was about, was deleted;
    // the bot deletes its reply parts (pending → done) exactly once. Mentions by target post.
    R"sql(
CREATE TABLE retractions (
  mention_uri TEXT PRIMARY KEY REFERENCES mentions(uri) ON DELETE CASCADE,
  deleted_uri TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'done')),
  created_ms  INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX retractions_pending ON retractions(created_ms) WHERE state = 'pending';
ALTER TABLE mentions ADD COLUMN target_uri TEXT;
UPDATE mentions SET target_uri = json_extract(plan, '$.target')
  WHERE plan IS NOT NULL AND json_valid(plan);
CREATE INDEX mentions_by_target ON mentions(target_uri) WHERE target_uri IS NOT NULL;
)sql",
};
static_assert(std::size(kMigrations) == Store::kSchemaVersion);

std::string Errno() { return std::strerror(errno); }

// Sets `file` to mode 0600 when it exists with any other mode.
Status FixMode(const std::string& file) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : Status::IoError(file + ": " + Errno());
  }
  mode_t mode = st.st_mode & 07777;
  if (mode == 0600) return Status::Ok();
  if (::chmod(file.c_str(), 0600) != 0) {
    return Status::IoError(file + ": cannot set mode 0600: " + Errno());
  }
  char old[8];
  std::snprintf(old, sizeof(old), "%04o", static_cast<unsigned>(mode));
  LogWarn(file + ": had mode " + old + "; set it to 0600 (the state store holds session tokens)");
  return Status::Ok();
}

// Creates the file (mode 0600) when missing; checks that an existing one is a regular file that
// is empty or starts like an SQLite database.
Status PrepareFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::IoError(path + ": " + Errno());
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) RETURN_IF_ERROR(MakeDirs(parent.string()));
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) return Status::IoError(path + ": cannot create: " + Errno());
    if (fd >= 0) {
      ::fchmod(fd, 0600);  // whatever the umask
      ::close(fd);
    }
    if (::stat(path.c_str(), &st) != 0) return Status::IoError(path + ": " + Errno());
  }
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  if (st.st_size == 0) return Status::Ok();
  char head[sizeof(kSqliteMagic)] = {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(path + ": cannot read: " + Errno());
  ssize_t n = ::read(fd, head, sizeof(head));
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof(head)) ||
      std::memcmp(head, kSqliteMagic, sizeof(head)) != 0) {
    return Status::InvalidArgument(path +
                                   ": not an SQLite database, so not an altscribe state store "
                                   "(move it away or point --state at another file)");
  }
  return Status::Ok();
}

// The schema version of an altscribe state store (0 for an empty database), or an error for a
// database of another program or of a newer altscribe. Reads only.
Result<int64_t> SchemaVersion(sqlite::Db& db) {
  const std::string& path = db.path();
  ASSIGN_OR_RETURN(auto app_id, db.QueryInt("PRAGMA application_id", {}, "reading the header"));
  ASSIGN_OR_RETURN(auto objects,
                   db.QueryInt("SELECT count(*) FROM sqlite_master", {}, "reading the schema"));
  if (app_id.value_or(0) == 0 && objects.value_or(0) == 0) return int64_t{0};
  if (app_id.value_or(0) != kApplicationId) {
    return Status::InvalidArgument(path +
                                   ": an SQLite database of another program, not an altscribe "
                                   "state store (point --state at another file)");
  }
  ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT value FROM meta WHERE key = 'schema_version'",
                                             {}, "reading the schema version"));
  if (!version) return Status::IoError(path + ": the state store has no schema version (damaged?)");
  if (*version > Store::kSchemaVersion) {
    return Status::Unsupported(path + ": written by a newer altscribe (schema " +
                               std::to_string(*version) + "; this one knows up to " +
                               std::to_string(Store::kSchemaVersion) + ")");
  }
  return *version;
}

// Brings the schema to kSchemaVersion in one transaction (checking again under the write lock,
// as another process may have migrated meanwhile).
Status Migrate(sqlite::Db& db) {
  const std::string& path = db.path();
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "opening the schema"));
  auto body = [&]() -> Status {
    ASSIGN_OR_RETURN(int64_t version, SchemaVersion(db));
    if (version == Store::kSchemaVersion) return Status::Ok();
    if (version == 0) {
      RETURN_IF_ERROR(
          db.Exec("PRAGMA application_id = " + std::to_string(kApplicationId), "marking the file"));
    }
    for (int64_t v = version; v < Store::kSchemaVersion; ++v) {
      RETURN_IF_ERROR(db.Exec(kMigrations[v], "migrating to schema " + std::to_string(v + 1)));
    }
    RETURN_IF_ERROR(
        db.Run("INSERT INTO meta(key, value) VALUES('schema_version', ?1) "
               "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               {int64_t{Store::kSchemaVersion}}, "recording the schema version"));
    if (version > 0) {
      LogInfo(path + ": migrated the state store from schema " + std::to_string(version) + " to " +
              std::to_string(Store::kSchemaVersion));
    }
    return Status::Ok();
  };
  Status st = body();
  if (!st.ok()) {
    (void)db.Exec("ROLLBACK", "rolling back");
    return st;
  }
  return db.Exec("COMMIT", "saving the schema");
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  RETURN_IF_ERROR(PrepareFile(path));
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Db> db, sqlite::Db::Open(path));
  RETURN_IF_ERROR(db->SetBusyTimeout(static_cast<int>(options.busy_timeout.count())));
  // Recognise the file before changing anything in it (its mode, its journal mode).
  RETURN_IF_ERROR(SchemaVersion(*db).status());
  for (const char* suffix : {"", "-wal", "-shm"}) RETURN_IF_ERROR(FixMode(path + suffix));
  {
    ASSIGN_OR_RETURN(sqlite::Stmt wal,
                     db->Prepare("PRAGMA journal_mode = WAL", {}, "switching to WAL mode"));
    ASSIGN_OR_RETURN(bool row, wal.Step());
    std::string mode = row ? wal.Text(0) : "";
    if (mode != "wal") {
      return Status::IoError(path + ": cannot use WAL mode (journal mode is '" + mode + "')");
    }
  }
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", "configuring"));
  RETURN_IF_ERROR(Migrate(*db));
  // SQLite creates -wal and -shm with the database file's mode; make sure of it.
  for (const char* suffix : {"-wal", "-shm"}) RETURN_IF_ERROR(FixMode(path + suffix));
  if (!options.now_ms) {
    options.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  return std::unique_ptr<Store>(new Store(std::move(db), path, std::move(options)));
}

}  // namespace altscribe::bot
