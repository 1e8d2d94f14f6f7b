// bacalhau/sqlite_submission_store.h — SubmissionStore in an SQLite file (normally the bot's
// state file: its own table, `bacalhau_submissions`, created when missing, beside the bot's
// tables; a separate connection, WAL, busy timeout), so a restarted bot resumes following its
// Bacalhau jobs instead of submitting them again. Thread-safe (one mutex around the connection).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "bacalhau/submission_store.h"

struct sqlite3;

namespace altscribe::bacalhau {

class SqliteSubmissionStore final : public SubmissionStore {
 public:
  // Opens (creating if needed) `path`; errors name the file.
  static Result<std::unique_ptr<SqliteSubmissionStore>> Open(const std::string& path);
  ~SqliteSubmissionStore() override;

  Status Put(const Submission& s) override;
  Status Remove(const std::string& job_id) override;
  Result<std::optional<Submission>> Find(const std::string& job_id) override;
  Result<std::vector<Submission>> List() override;

 private:
  explicit SqliteSubmissionStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const std::string& what, const std::string& sql, const std::vector<std::string>& args,
              std::vector<Submission>* rows);

  std::mutex mu_;
  sqlite3* db_;  // GUARDED_BY(mu_)
  const std::string path_;
};

}  // namespace altscribe::bacalhau
