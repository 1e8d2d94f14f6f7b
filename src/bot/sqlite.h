// bot/sqlite.h — a thin, error-as-value layer over the SQLite C API, for the state store.
//
// Db owns one connection; Stmt is one prepared statement with its bound values. Every failure
// becomes a Status whose message names the database file, what was being done and SQLite's own
// words ("state.db: reading mentions: database disk image is malformed"). Values are bound by
// position from a list of SqlValue (NULL, integer or text).
//
// Not thread-safe: one Db (and its statements) belongs to one thread at a time; the store
// serialises access with its own mutex.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace altscribe::bot::sqlite {

using SqlValue = std::variant<std::nullptr_t, int64_t, std::string_view>;

// Text or NULL.
inline SqlValue OptionalText(const std::optional<std::string>& s) {
  return s ? SqlValue(std::string_view(*s)) : SqlValue(nullptr);
}

class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Advances to the next row: true when there is one, false when done.
  Result<bool> Step();
  // Steps until done (for statements that return no rows).
  Status Run();

  int64_t Int(int col) const;
  std::string Text(int col) const;  // "" for NULL
  std::optional<std::string> OptionalText(int col) const;
  bool IsNull(int col) const;

 private:
  friend class Db;
  Stmt(class Db* db, sqlite3_stmt* stmt, std::string what) : db_(db), s_(stmt), what_(what) {}
  class Db* db_;
  sqlite3_stmt* s_;
  std::string what_;  // for messages: "reading mentions"
};

class Db {
 public:
  // Opens an existing file read-write (the caller creates it, with the permissions it wants).
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results ("BEGIN IMMEDIATE", a migration script).
  Status Exec(const std::string& sql, const std::string& what);
  // Prepares `sql` and binds `args` to ?1, ?2, ... `what` names the operation in errors.
  Result<Stmt> Prepare(std::string_view sql, std::initializer_list<SqlValue> args,
                       const std::string& what);
  // Shorthands: run a statement; read one integer (nullopt when there is no row).
  Status Run(std::string_view sql, std::initializer_list<SqlValue> args, const std::string& what);
  Result<std::optional<int64_t>> QueryInt(std::string_view sql,
                                          std::initializer_list<SqlValue> args,
                                          const std::string& what);

  Status SetBusyTimeout(int ms);
  int64_t Changes() const;  // rows changed by the last statement
  const std::string& path() const { return path_; }

  // "PATH: WHAT: SQLite's message" with a code that fits the SQLite result code.
  Status Error(int rc, const std::string& what) const;

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace altscribe::bot::sqlite
