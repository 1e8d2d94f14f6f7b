// firehose/test_commits.h — #commit frames shaped like the live network's, for tests and
// bench/firehose: post records with facets, replies, langs and image embeds; MST nodes; a signed
// commit object; a commit body with any ops; and NetworkLikeCommit(), a generator whose mix of
// ops and sizes follows the public firehose (~10 blocks, ~5 KB per frame; likes, posts, follows,
// reposts, deletions). Built on test_encoder.h; every map's keys are written in DAG-CBOR order
// (length first, then bytewise). Deterministic for a given seed. Not for production output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firehose/test_encoder.h"

namespace altscribe::firehose::testing {

struct FacetSpec {
  size_t byte_start = 0, byte_end = 0;
  std::string type = "app.bsky.richtext.facet#mention";
  std::string did;  // for #mention
  std::string uri;  // for #link
};

struct StrongRefSpec {
  std::string uri, cid;
};

struct PostSpec {
  std::string text;
  std::vector<FacetSpec> facets;
  std::optional<StrongRefSpec> reply_root, reply_parent;
  std::vector<std::string> langs;
  int images = 0;  // app.bsky.embed.images with this many blob refs
  std::string created_at = "2024-05-01T12:00:00.000Z";
};

// An app.bsky.feed.post record.
inline std::vector<uint8_t> PostRecord(const PostSpec& p) {
  CborWriter w;
  size_t n = 3 + (p.images > 0) + !p.langs.empty() + p.reply_root.has_value() + !p.facets.empty();
  w.Map(n).Text("text").Text(p.text).Text("$type").Text("app.bsky.feed.post");
  if (p.images > 0) {
    w.Text("embed")
        .Map(2)
        .Text("$type")
        .Text("app.bsky.embed.images")
        .Text("images")
        .Array(p.images);
    for (int i = 0; i < p.images; ++i) {
      std::vector<uint8_t> blob(16, static_cast<uint8_t>(i + 1));
      w.Map(3).Text("alt").Text("").Text("image").Map(4);
      w.Text("ref").Link(CidFor(blob, 0x55)).Text("size").Int(123456 + i);
      w.Text("$type").Text("blob").Text("mimeType").Text("image/jpeg");
      w.Text("aspectRatio").Map(2).Text("width").Int(1200).Text("height").Int(900);
    }
  }
  if (!p.langs.empty()) {
    w.Text("langs").Array(p.langs.size());
    for (const auto& l : p.langs) w.Text(l);
  }
  if (p.reply_root) {
    w.Text("reply").Map(2);
    w.Text("root").Map(2).Text("cid").Text(p.reply_root->cid).Text("uri").Text(p.reply_root->uri);
    const StrongRefSpec& parent = p.reply_parent ? *p.reply_parent : *p.reply_root;
    w.Text("parent").Map(2).Text("cid").Text(parent.cid).Text("uri").Text(parent.uri);
  }
  if (!p.facets.empty()) {
    w.Text("facets").Array(p.facets.size());
    for (const auto& f : p.facets) {
      w.Map(2)
          .Text("index")
          .Map(2)
          .Text("byteEnd")
          .Int(f.byte_end)
          .Text("byteStart")
          .Int(f.byte_start);
      bool mention = f.type.ends_with("#mention");
      w.Text("features").Array(1).Map(2);
      if (mention) {
        w.Text("did").Text(f.did);
      } else {
        w.Text("uri").Text(f.uri);
      }
      w.Text("$type").Text(f.type);
    }
  }
  w.Text("createdAt").Text(p.created_at);
  return w.Take();
}

// A record that is not a post (like, repost, follow): {$type, subject, createdAt}.
inline std::vector<uint8_t> SubjectRecord(std::string_view type, std::string_view subject_uri,
                                          std::string_view subject_cid) {
  CborWriter w;
  w.Map(3).Text("$type").Text(type).Text("subject");
  if (subject_cid.empty()) {
    w.Text(subject_uri);  // a follow's subject is a DID
  } else {
    w.Map(2).Text("cid").Text(subject_cid).Text("uri").Text(subject_uri);
  }
  w.Text("createdAt").Text("2024-05-01T12:00:00.000Z");
  return w.Take();
}

// A repository MST node {e: [{k, p, t, v}], l}: `entries` entries with keys of `key_len` bytes.
inline std::vector<uint8_t> MstNode(uint32_t seed, int entries, size_t key_len = 24) {
  CborWriter w;
  w.Map(2).Text("e").Array(entries);
  for (int i = 0; i < entries; ++i) {
    std::vector<uint8_t> key(key_len);
    for (size_t j = 0; j < key_len; ++j)
      key[j] = static_cast<uint8_t>('a' + (seed + i * 7 + j) % 26);
    std::vector<uint8_t> leaf = {static_cast<uint8_t>(seed), static_cast<uint8_t>(i), 1};
    w.Map(4).Text("k").Bytes(key).Text("p").Int(i == 0 ? 0 : 9).Text("t");
    if (i % 2) {
      w.Link(CidFor({static_cast<uint8_t>(seed), static_cast<uint8_t>(i), 2}));
    } else {
      w.Null();
    }
    w.Text("v").Link(CidFor(leaf));
  }
  w.Text("l").Link(CidFor({static_cast<uint8_t>(seed), 0xFF}));
  return w.Take();
}

// A signed commit object {did, rev, sig, data, prev, version: 3}.
inline std::vector<uint8_t> CommitObject(std::string_view did, std::string_view rev,
                                         const std::vector<uint8_t>& data_root) {
  CborWriter w;
  w.Map(6).Text("did").Text(did).Text("rev").Text(rev).Text("sig").Bytes(
      std::vector<uint8_t>(64, 0x5A));
  w.Text("data").Link(CidFor(data_root)).Text("prev").Null().Text("version").Int(3);
  return w.Take();
}

struct OpSpec {
  std::string action;           // "create", "update", "delete"
  std::string path;             // "app.bsky.feed.post/3k…"
  std::vector<uint8_t> record;  // empty for deletes
};

struct CommitSpec {
  std::string repo = "did:plc:author";
  std::string rev = "3kabd2222222c";
  int64_t seq = 1;
  std::vector<OpSpec> ops;
  std::vector<std::vector<uint8_t>> mst;  // MST node blocks, after the commit object
  bool too_big = false;
  bool omit_records = false;  // leave the ops' records out of the CAR
};

// A #commit body: the CAR holds the commit object (root), the MST nodes, then each op's record.
inline std::vector<uint8_t> CommitBodyFor(const CommitSpec& c) {
  std::vector<uint8_t> data_root = c.mst.empty() ? std::vector<uint8_t>{0xA0} : c.mst[0];
  std::vector<uint8_t> commit = CommitObject(c.repo, c.rev, data_root);
  std::vector<std::vector<uint8_t>> blocks = {commit};
  blocks.insert(blocks.end(), c.mst.begin(), c.mst.end());
  if (!c.omit_records) {
    for (const auto& op : c.ops) {
      if (!op.record.empty()) blocks.push_back(op.record);
    }
  }
  std::vector<uint8_t> car = MakeCar({CidFor(commit)}, blocks);
  CborWriter w;
  w.Map(12).Text("ops").Array(c.ops.size());
  for (const auto& op : c.ops) {
    w.Map(3).Text("cid");
    if (op.record.empty()) {
      w.Null();
    } else {
      w.Link(CidFor(op.record));
    }
    w.Text("path").Text(op.path).Text("action").Text(op.action);
  }
  w.Text("rev").Text(c.rev).Text("seq").Int(c.seq).Text("repo").Text(c.repo);
  w.Text("time").Text("2024-05-01T12:00:00.000Z").Text("blobs").Array(0);
  w.Text("since")
      .Text("3kabd2222222b")
      .Text("blocks")
      .Bytes(car)
      .Text("commit")
      .Link(CidFor(commit));
  w.Text("rebase")
      .Bool(false)
      .Text("tooBig")
      .Bool(c.too_big)
      .Text("prevData")
      .Link(CidFor(data_root));
  return w.Take();
}

inline std::vector<uint8_t> CommitFrame(const CommitSpec& c) {
  return Concat(Header(1, "#commit"), CommitBodyFor(c));
}

// The n-th commit of a synthetic stream sized like the live network: per 100 commits about 45
// likes, 20 post creates (one in `mention_every` of them mentions `bot_did` in a facet; others
// mention other accounts, link, reply or carry images), 15 follows, 10 reposts, 5 post deletions
// and 5 profile updates; each with 6–8 MST nodes of 4–8 entries (~9 blocks, ~5 KB per frame).
inline std::vector<uint8_t> NetworkLikeCommit(uint64_t n, const std::string& bot_did,
                                              int mention_every = 10) {
  uint64_t x = n * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  auto next = [&x]() {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    return x;
  };
  CommitSpec c;
  char repo[40];
  snprintf(repo, sizeof repo, "did:plc:%024llx", static_cast<unsigned long long>(next() % 100000));
  c.repo = repo;
  c.seq = static_cast<int64_t>(n + 1);
  char rkey[16];
  snprintf(rkey, sizeof rkey, "3k%011llx", static_cast<unsigned long long>(n));
  std::string other = "did:plc:" + std::string(24, 'q');
  std::string subject_uri = "at://" + other + "/app.bsky.feed.post/3kzzzzzzzzz22";
  std::string subject_cid = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
  int kind = static_cast<int>(next() % 100);
  if (kind < 45) {
    c.ops.push_back({"create", "app.bsky.feed.like/" + std::string(rkey),
                     SubjectRecord("app.bsky.feed.like", subject_uri, subject_cid)});
  } else if (kind < 65) {
    PostSpec p;
    p.text = "Out on the trail this morning, the light through the pines was something else. ";
    p.langs = {"en"};
    if (n % mention_every == 0) {
      p.text = "@altbot.bsky.social " + p.text;
      p.facets.push_back({0, 19, "app.bsky.richtext.facet#mention", bot_did, ""});
      p.reply_root = StrongRefSpec{subject_uri, subject_cid};
    } else if (next() % 3 == 0) {
      p.text = "@friend.bsky.social " + p.text;
      p.facets.push_back({0, 19, "app.bsky.richtext.facet#mention", other, ""});
    } else if (next() % 3 == 0) {
      p.text += "https://example.com/a/long/link";
      p.facets.push_back({80, 110, "app.bsky.richtext.facet#link", "", "https://example.com/a"});
    }
    if (next() % 4 == 0) p.reply_root = StrongRefSpec{subject_uri, subject_cid};
    if (next() % 4 == 0) p.images = 1 + static_cast<int>(next() % 3);
    c.ops.push_back({"create", "app.bsky.feed.post/" + std::string(rkey), PostRecord(p)});
  } else if (kind < 80) {
    c.ops.push_back({"create", "app.bsky.graph.follow/" + std::string(rkey),
                     SubjectRecord("app.bsky.graph.follow", other, "")});
  } else if (kind < 90) {
    c.ops.push_back({"create", "app.bsky.feed.repost/" + std::string(rkey),
                     SubjectRecord("app.bsky.feed.repost", subject_uri, subject_cid)});
  } else if (kind < 95) {
    c.ops.push_back({"delete", "app.bsky.feed.post/3kzzzzzzzzz22", {}});
  } else {
    PostSpec profile;  // stand-in for an app.bsky.actor.profile update of similar size
    profile.text = "photographer, hiker, bird person";
    c.ops.push_back({"update", "app.bsky.actor.profile/self", PostRecord(profile)});
  }
  int nodes = 6 + static_cast<int>(next() % 3);
  for (int i = 0; i < nodes; ++i) {
    c.mst.push_back(
        MstNode(static_cast<uint32_t>(n * 16 + i), 4 + static_cast<int>(next() % 5), 14));
  }
  return CommitFrame(c);
}

}  // namespace altscribe::firehose::testing
