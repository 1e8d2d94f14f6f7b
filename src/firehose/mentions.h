// firehose/mentions.h — what a #commit means for a bot: posts that mention it, and deleted posts.
//
// MentionFilter::Scan reads one parsed commit (firehose/frame.h) and appends
//   * a MentionEvent for each `create` op on app.bsky.feed.post/<rkey> whose record (the block of
//     the op's CID in the commit's CAR, its sha-256 checked) has a facet feature
//     {$type: "app.bsky.richtext.facet#mention", did} naming one of the bot DIDs — one event per
//     (post, bot) pair. A DID only in the text, or in a facet of another type, is no mention.
//   * a DeletionEvent for each `delete` op on app.bsky.feed.post (whoever's post it is: the bot's
//     store decides whether it was a mention or the target of one).
// MentionEvent carries what bot::NewMention (src/bot/store.h) needs, field for field: uri, cid,
// account_did (the bot), author_did, root and parent; plus the post's langs.
//
// Fast by construction (most of the network's commits are likes, follows and reposts): a commit
// without a post create or delete costs one pass over its ops' paths and nothing else; its CAR is
// not read unless Options::verify_every_commit. For post creates the CAR is read once, every
// block checked against its CID (CarReader), and a record is decoded only when the bytes of a bot
// DID occur in its block (memmem) — a post that mentions none of them is never decoded.
//
// Errors (InvalidArgument, one line naming the commit "commit <repo> seq N: …"): the CAR's own
// (CarReader: a block whose hash does not match its CID, truncation, …); a post create whose CID
// is missing from the CAR (unless the commit is tooBig, whose blocks may be partial: skipped); a
// candidate record that is not strict DAG-CBOR, or whose facets/reply have the wrong shape.
// On error nothing of that commit is appended (*out keeps what it had): a commit is taken whole
// or not at all.
//
// Events own their strings (they outlive the frame). A MentionFilter keeps its decode buffers
// between calls: one per thread (not thread-safe). O(ops + CAR bytes) per commit.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "firehose/cbor.h"
#include "firehose/frame.h"

namespace altscribe::firehose {

inline constexpr std::string_view kPostCollection = "app.bsky.feed.post";
inline constexpr std::string_view kMentionFeature = "app.bsky.richtext.facet#mention";

struct PostRef {
  std::string uri;
  std::string cid;
  bool operator==(const PostRef&) const = default;
};

struct MentionEvent {
  std::string uri;                // "at://<repo>/app.bsky.feed.post/<rkey>"
  std::string cid;                // the record's CID, string form ("bafyrei…")
  std::string account_did;        // the bot it mentions
  std::string author_did;         // the commit's repo
  std::optional<PostRef> root;    // record.reply.root, when the post is a reply
  std::optional<PostRef> parent;  // record.reply.parent
  std::vector<std::string> langs;
  int64_t seq = 0;  // the commit's seq (the cursor to persist with it)
};

struct DeletionEvent {
  std::string uri;  // "at://<repo>/app.bsky.feed.post/<rkey>"
  int64_t seq = 0;
};

struct CommitEvents {
  std::vector<MentionEvent> mentions;
  std::vector<DeletionEvent> deletions;
  void clear() {
    mentions.clear();
    deletions.clear();
  }
};

class MentionFilter {
 public:
  struct Options {
    // Read and check the CAR of every commit, not only of those that create posts (the strict,
    // slower mode; the benchmark measures both).
    bool verify_every_commit = false;
  };
  struct Counters {
    uint64_t commits = 0;          // Scan calls
    uint64_t cars_read = 0;        // commits whose CAR was read and checked
    uint64_t records_decoded = 0;  // post records decoded (a bot DID's bytes were in the block)
  };

  // REQUIRES: bot_dids not empty; each a DID ("did:plc:…", "did:web:…").
  explicit MentionFilter(std::vector<std::string> bot_dids, Options options);
  explicit MentionFilter(std::vector<std::string> bot_dids)
      : MentionFilter(std::move(bot_dids), Options()) {}
  MentionFilter(const MentionFilter&) = delete;
  MentionFilter& operator=(const MentionFilter&) = delete;

  // Appends the commit's mentions and deletions to *out (errors above; then *out is unchanged).
  Status Scan(const CommitMessage& commit, CommitEvents* out);

  const std::vector<std::string>& bot_dids() const { return bot_dids_; }
  const Counters& counters() const { return counters_; }

 private:
  // Decodes a candidate post record and appends its events; `commit` names errors.
  Status ReadPost(const CommitMessage& commit, const RepoOp& op, std::span<const uint8_t> block,
                  CommitEvents* out);
  bool MayMention(std::span<const uint8_t> block) const;

  std::vector<std::string> bot_dids_;
  Options options_;
  Counters counters_;
  cbor::Document record_;
  std::vector<const RepoOp*> creates_;  // reused across calls
  std::vector<bool> found_;
};

}  // namespace altscribe::firehose
