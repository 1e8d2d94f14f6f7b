// Store: deleted posts — cancelling the mentions they concern and the retractions of the bot's
// replies to them (see "deletions" in store.h).
#include <string>
#include <vector>

#include "bot/sqlite.h"
#include "bot/store.h"
#include "bot/store_transaction.h"

namespace altscribe::bot {
namespace {

using sqlite::SqlValue;
SqlValue Text(std::string_view s) { return SqlValue(s); }
SqlValue Int(int64_t n) { return SqlValue(n); }

}  // namespace

Result<std::optional<Store::Retraction>> Store::LoadRetraction(std::string_view mention_uri) {
  ASSIGN_OR_RETURN(sqlite::Stmt s,
                   db_->Prepare("SELECT deleted_uri, state FROM retractions WHERE mention_uri = ?1",
                                {Text(mention_uri)}, "reading a retraction"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Retraction>();
  Retraction r;
  r.mention_uri = std::string(mention_uri);
  r.deleted_uri = s.Text(0);
  r.done = s.Text(1) == "done";
  ASSIGN_OR_RETURN(Mention m, LoadMention(mention_uri));
  for (auto it = m.parts.rbegin(); it != m.parts.rend(); ++it) {
    if (it->state != PartState::kPending) r.parts.push_back(*it);
  }
  return std::optional<Retraction>(std::move(r));
}

Result<int> Store::RecordDeletion(std::string_view account_did, std::string_view deleted_uri) {
  const std::string why = "deleted: " + std::string(deleted_uri);
  return Write("a deletion", [&]() -> Result<int> {
    std::vector<std::string> uris;
    {
      // The mention itself, or mentions whose plan is about the deleted post.
      ASSIGN_OR_RETURN(
          sqlite::Stmt s,
          db_->Prepare("SELECT uri FROM mentions WHERE (uri = ?2 OR target_uri = ?2) AND "
                       "account_did = ?1 ORDER BY seq",
                       {Text(account_did), Text(deleted_uri)}, "finding the deleted post"));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        uris.push_back(s.Text(0));
      }
    }
    const int64_t now = Now();
    for (const std::string& uri : uris) {
      RETURN_IF_ERROR(
          db_->Run("UPDATE mentions SET state = 'failed', reason = ?2, updated_ms = ?3 "
                   "WHERE uri = ?1 AND state NOT IN ('done', 'failed')",
                   {Text(uri), Text(why), Int(now)}, "cancelling mention " + uri));
      ASSIGN_OR_RETURN(auto written,
                       db_->QueryInt("SELECT count(*) FROM parts WHERE mention_uri = ?1 AND "
                                     "state != 'pending'",
                                     {Text(uri)}, "reading the parts of " + uri));
      if (written.value_or(0) == 0) continue;
      RETURN_IF_ERROR(db_->Run(
          "INSERT INTO retractions(mention_uri, deleted_uri, state, created_ms, updated_ms) "
          "VALUES(?1, ?2, 'pending', ?3, ?3) ON CONFLICT(mention_uri) DO NOTHING",
          {Text(uri), Text(deleted_uri), Int(now)}, "recording the retraction of " + uri));
    }
    return static_cast<int>(uris.size());
  });
}

Result<std::vector<Store::Retraction>> Store::PendingRetractions(std::string_view account_did) {
  return Read("reading retractions", [&]() -> Result<std::vector<Retraction>> {
    std::vector<std::string> uris;
    {
      ASSIGN_OR_RETURN(
          sqlite::Stmt s,
          db_->Prepare("SELECT r.mention_uri FROM retractions r JOIN mentions m "
                       "ON m.uri = r.mention_uri WHERE r.state = 'pending' "
                       "AND (?1 = '' OR m.account_did = ?1) ORDER BY r.created_ms, r.mention_uri",
                       {Text(account_did)}, "listing retractions"));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        uris.push_back(s.Text(0));
      }
    }
    std::vector<Retraction> out;
    for (const std::string& uri : uris) {
      ASSIGN_OR_RETURN(std::optional<Retraction> r, LoadRetraction(uri));
      if (r) out.push_back(std::move(*r));
    }
    return out;
  });
}

Result<std::optional<Store::Retraction>> Store::GetRetraction(std::string_view mention_uri) {
  return Read("reading a retraction",
              [&]() -> Result<std::optional<Retraction>> { return LoadRetraction(mention_uri); });
}

Status Store::MarkRetracted(std::string_view mention_uri) {
  return Write("a retraction", [&]() -> Status {
    RETURN_IF_ERROR(
        db_->Run("UPDATE retractions SET state = 'done', updated_ms = ?2 WHERE mention_uri = ?1 "
                 "AND state = 'pending'",
                 {Text(mention_uri), Int(Now())}, "recording the retraction"));
    ASSIGN_OR_RETURN(auto n,
                     db_->QueryInt("SELECT count(*) FROM retractions WHERE mention_uri = ?1",
                                   {Text(mention_uri)}, "recording the retraction"));
    if (n.value_or(0) == 0) {
      return Status::NotFound("mention " + std::string(mention_uri) + " has no retraction");
    }
    return Status::Ok();
  });
}

}  // namespace altscribe::bot
