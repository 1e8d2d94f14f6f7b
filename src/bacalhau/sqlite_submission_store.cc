#include "bacalhau/sqlite_submission_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

namespace altscribe::bacalhau {

Result<std::unique_ptr<SqliteSubmissionStore>> SqliteSubmissionStore::Open(
    const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(Code::kIoError, "bacalhau submissions: " + path + ": " + why);
  }
  ::chmod(path.c_str(), 0600);
  std::unique_ptr<SqliteSubmissionStore> store(new SqliteSubmissionStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  RETURN_IF_ERROR(store->Exec("opening", "PRAGMA journal_mode = WAL", {}, nullptr));
  RETURN_IF_ERROR(store->Exec("creating the table",
                              "CREATE TABLE IF NOT EXISTS bacalhau_submissions ("
                              " job_id TEXT PRIMARY KEY, job_json TEXT NOT NULL,"
                              " bacalhau_id TEXT NOT NULL DEFAULT '')",
                              {}, nullptr));
  return store;
}

SqliteSubmissionStore::~SqliteSubmissionStore() { sqlite3_close(db_); }

Status SqliteSubmissionStore::Exec(const std::string& what, const std::string& sql,
                                   const std::vector<std::string>& args,
                                   std::vector<Submission>* rows) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = nullptr;
  auto fail = [&](const char* why) {
    Status s(Code::kIoError, "bacalhau submissions: " + path_ + ": " + what + ": " + why);
    sqlite3_finalize(st);
    return s;
  };
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return fail(sqlite3_errmsg(db_));
  for (size_t i = 0; i < args.size(); ++i)
    sqlite3_bind_text(st, static_cast<int>(i + 1), args[i].data(), static_cast<int>(args[i].size()),
                      SQLITE_TRANSIENT);
  while (true) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return fail(sqlite3_errmsg(db_));
    if (!rows) continue;
    auto col = [&](int c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    rows->push_back({col(0), col(1), col(2)});
  }
  sqlite3_finalize(st);
  return Status::Ok();
}

Status SqliteSubmissionStore::Put(const Submission& s) {
  return Exec("saving " + s.job_id,
              "INSERT INTO bacalhau_submissions (job_id, job_json, bacalhau_id) VALUES (?, ?, ?)"
              " ON CONFLICT(job_id) DO UPDATE SET job_json = excluded.job_json,"
              " bacalhau_id = excluded.bacalhau_id",
              {s.job_id, s.job_json, s.bacalhau_id}, nullptr);
}

Status SqliteSubmissionStore::Remove(const std::string& job_id) {
  return Exec("removing " + job_id, "DELETE FROM bacalhau_submissions WHERE job_id = ?", {job_id},
              nullptr);
}

Result<std::optional<Submission>> SqliteSubmissionStore::Find(const std::string& job_id) {
  std::vector<Submission> rows;
  RETURN_IF_ERROR(Exec("reading " + job_id,
                       "SELECT job_id, job_json, bacalhau_id FROM bacalhau_submissions"
                       " WHERE job_id = ?",
                       {job_id}, &rows));
  if (rows.empty()) return std::optional<Submission>();
  return std::optional<Submission>(rows[0]);
}

Result<std::vector<Submission>> SqliteSubmissionStore::List() {
  std::vector<Submission> rows;
  RETURN_IF_ERROR(
      Exec("listing", "SELECT job_id, job_json, bacalhau_id FROM bacalhau_submissions", {}, &rows));
  return rows;
}

}  // namespace altscribe::bacalhau
