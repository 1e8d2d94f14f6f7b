#include "bot/sqlite.h"

#include <sqlite3.h>

namespace altscribe::bot::sqlite {

// ---- Stmt ----

Stmt::Stmt(Stmt&& other) noexcept : db_(other.db_), s_(other.s_), what_(std::move(other.what_)) {
  other.s_ = nullptr;
}

Stmt::~Stmt() {
  if (s_) sqlite3_finalize(s_);
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, what_);
}

Status Stmt::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(s_, col); }

std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  if (!p) return "";
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(s_, col)));
}

std::optional<std::string> Stmt::OptionalText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

// ---- Db ----

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Db> db(new Db(raw, path));
  if (rc != SQLITE_OK) return db->Error(rc, "opening");
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

Status Db::Error(int rc, const std::string& what) const {
  std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if (msg.empty() || msg == "not an error") msg = sqlite3_errstr(rc);
  Code code = Code::kIoError;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = Code::kTimeout;
      break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      code = Code::kInternal;
      break;
    case SQLITE_CANTOPEN:
      code = Code::kNotFound;
      break;
    default:
      break;
  }
  return Status(code, path_ + ": " + what + ": " + msg);
}

Status Db::Exec(const std::string& sql, const std::string& what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, what);
}

Result<Stmt> Db::Prepare(std::string_view sql, std::initializer_list<SqlValue> args,
                         const std::string& what) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return Error(rc, what);
  Stmt stmt(this, raw, what);
  int i = 1;
  for (const SqlValue& v : args) {
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(raw, i);
    } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(raw, i, *n);
    } else {
      std::string_view s = std::get<std::string_view>(v);
      rc = sqlite3_bind_text64(raw, i, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) return Error(rc, what);
    ++i;
  }
  return stmt;
}

Status Db::Run(std::string_view sql, std::initializer_list<SqlValue> args,
               const std::string& what) {
  ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, args, what));
  return stmt.Run();
}

Result<std::optional<int64_t>> Db::QueryInt(std::string_view sql,
                                            std::initializer_list<SqlValue> args,
                                            const std::string& what) {
  ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, args, what));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.Int(0));
}

Status Db::SetBusyTimeout(int ms) {
  int rc = sqlite3_busy_timeout(db_, ms);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "setting the busy timeout");
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

}  // namespace altscribe::bot::sqlite
