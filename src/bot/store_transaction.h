// bot/store_transaction.h — Store's transaction helpers, shared by the translation units that
// implement Store (store.cc, store_courtesy.cc). Internal: include only from those.
#pragma once

#include <mutex>
#include <string>
#include <utility>

#include "bot/sqlite.h"
#include "bot/store.h"

namespace altscribe::bot {

// Runs `body` inside BEGIN … COMMIT (rolled back when it fails), holding mu_. Writers take the
// write lock up front (IMMEDIATE), so two processes never deadlock upgrading a read lock.
template <typename F>
auto Store::Transaction(const char* what, F&& body, bool write) -> decltype(body()) {
  std::lock_guard<std::mutex> lock(mu_);
  Status begin = db_->Exec(write ? "BEGIN IMMEDIATE" : "BEGIN",
                           std::string("beginning a transaction for ") + what);
  if (!begin.ok()) return begin;
  auto result = body();
  Status end = result.ok() ? db_->Exec("COMMIT", std::string("committing ") + what) : Status::Ok();
  if (!result.ok() || !end.ok()) {
    (void)db_->Exec("ROLLBACK", "rolling back");
    if (!end.ok()) return end;
  }
  return result;
}

template <typename F>
auto Store::Write(const char* what, F&& body) -> decltype(body()) {
  return Transaction(what, std::forward<F>(body), true);
}

template <typename F>
auto Store::Read(const char* what, F&& body) -> decltype(body()) {
  return Transaction(what, std::forward<F>(body), false);
}

}  // namespace altscribe::bot
