// Store: the courtesy tables (schema 3) — requests per requester, opt-outs, answered targets and
// the PDS write budget. Policies (limits, notices, who opted out how) live in bot/courtesy.h.
#include "bot/sqlite.h"
#include "bot/store.h"
#include "bot/store_transaction.h"

namespace altscribe::bot {
namespace {

using sqlite::SqlValue;
SqlValue Text(std::string_view s) { return SqlValue(s); }
SqlValue Int(int64_t n) { return SqlValue(n); }

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;

const char* AdmissionName(Store::Admission a) {
  switch (a) {
    case Store::Admission::kAnswer:
      return "answer";
    case Store::Admission::kNotice:
      return "notice";
    case Store::Admission::kSilent:
      return "silent";
  }
  return "silent";
}

}  // namespace

Result<Store::Admission> Store::AdmitRequest(std::string_view requester,
                                             std::string_view mention_uri,
                                             const RateLimits& limits) {
  return Write("a request", [&]() -> Result<Admission> {
    ASSIGN_OR_RETURN(sqlite::Stmt prior,
                     db_->Prepare("SELECT decision FROM requests WHERE mention_uri = ?1",
                                  {Text(mention_uri)}, "reading a request"));
    ASSIGN_OR_RETURN(bool known, prior.Step());
    if (known) {
      std::string d = prior.Text(0);
      return d == "answer"   ? Admission::kAnswer
             : d == "notice" ? Admission::kNotice
                             : Admission::kSilent;
    }
    const int64_t now = Now();
    auto answered_since = [&](int64_t since) -> Result<int64_t> {
      ASSIGN_OR_RETURN(auto n, db_->QueryInt("SELECT count(*) FROM requests WHERE requester_did = "
                                             "?1 AND decision = 'answer' AND at_ms > ?2",
                                             {Text(requester), Int(since)}, "counting requests"));
      return n.value_or(0);
    };
    ASSIGN_OR_RETURN(int64_t minute, answered_since(now - kMinuteMs));
    ASSIGN_OR_RETURN(int64_t hour, answered_since(now - kHourMs));
    Admission a = Admission::kAnswer;
    if (minute >= limits.per_minute || hour >= limits.per_hour) {
      // Over a limit: one notice per stretch of silence. A notice is due unless one was given
      // since the last answer.
      ASSIGN_OR_RETURN(
          auto last_notice,
          db_->QueryInt("SELECT max(at_ms) FROM requests WHERE requester_did = ?1 AND decision = "
                        "'notice'",
                        {Text(requester)}, "reading notices"));
      ASSIGN_OR_RETURN(
          auto last_answer,
          db_->QueryInt("SELECT max(at_ms) FROM requests WHERE requester_did = ?1 AND decision = "
                        "'answer'",
                        {Text(requester)}, "reading answers"));
      bool noticed =
          last_notice.value_or(0) > 0 && last_notice.value_or(0) >= last_answer.value_or(0);
      a = noticed ? Admission::kSilent : Admission::kNotice;
    }
    RETURN_IF_ERROR(db_->Run(
        "INSERT INTO requests(mention_uri, requester_did, decision, at_ms) VALUES(?1, ?2, ?3, ?4)",
        {Text(mention_uri), Text(requester), Text(AdmissionName(a)), Int(now)},
        "recording a request"));
    RETURN_IF_ERROR(db_->Run("DELETE FROM requests WHERE at_ms < ?1", {Int(now - 2 * kDayMs)},
                             "pruning requests"));
    return a;
  });
}

Status Store::SetOptOut(std::string_view did, bool opted_out, std::string_view source) {
  return Write("an opt-out", [&]() -> Status {
    if (!opted_out) {
      return db_->Run("DELETE FROM opt_outs WHERE did = ?1", {Text(did)}, "removing an opt-out");
    }
    return db_->Run(
        "INSERT INTO opt_outs(did, source, at_ms) VALUES(?1, ?2, ?3) "
        "ON CONFLICT(did) DO UPDATE SET source = excluded.source, at_ms = excluded.at_ms",
        {Text(did), Text(source), Int(Now())}, "saving an opt-out");
  });
}

Result<bool> Store::IsOptedOut(std::string_view did) {
  return Read("an opt-out", [&]() -> Result<bool> {
    ASSIGN_OR_RETURN(auto n, db_->QueryInt("SELECT count(*) FROM opt_outs WHERE did = ?1",
                                           {Text(did)}, "reading an opt-out"));
    return n.value_or(0) > 0;
  });
}

Result<std::optional<std::string>> Store::ClaimTarget(std::string_view target_uri,
                                                      std::string_view account_did,
                                                      std::string_view mention_uri,
                                                      int64_t window_ms) {
  return Write("an answered target", [&]() -> Result<std::optional<std::string>> {
    const int64_t now = Now();
    ASSIGN_OR_RETURN(sqlite::Stmt s,
                     db_->Prepare("SELECT mention_uri, at_ms FROM answered_targets WHERE "
                                  "target_uri = ?1 AND account_did = ?2",
                                  {Text(target_uri), Text(account_did)}, "reading a target"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row && s.Text(0) != mention_uri && s.Int(1) > now - window_ms) {
      return std::optional<std::string>(s.Text(0));
    }
    if (row && s.Text(0) == mention_uri) return std::optional<std::string>();
    RETURN_IF_ERROR(db_->Run(
        "INSERT INTO answered_targets(target_uri, account_did, mention_uri, at_ms) "
        "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(target_uri, account_did) DO UPDATE SET "
        "mention_uri = excluded.mention_uri, at_ms = excluded.at_ms",
        {Text(target_uri), Text(account_did), Text(mention_uri), Int(now)}, "claiming a target"));
    return std::optional<std::string>();
  });
}

Status Store::RecordWrite(std::string_view account_did, int points) {
  return Write("a write", [&]() -> Status {
    const int64_t now = Now();
    RETURN_IF_ERROR(db_->Run("INSERT INTO writes(account_did, points, at_ms) VALUES(?1, ?2, ?3)",
                             {Text(account_did), Int(points), Int(now)}, "recording a write"));
    return db_->Run("DELETE FROM writes WHERE at_ms < ?1", {Int(now - kDayMs - kHourMs)},
                    "pruning writes");
  });
}

Result<int64_t> Store::WritePointsSince(std::string_view account_did, int64_t since_ms) {
  return Read("the write budget", [&]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto n, db_->QueryInt("SELECT coalesce(sum(points), 0) FROM writes WHERE "
                                           "account_did = ?1 AND at_ms > ?2",
                                           {Text(account_did), Int(since_ms)}, "summing writes"));
    return n.value_or(0);
  });
}

}  // namespace altscribe::bot
