// tests/e2e/firehose_e2e_test.cc — RepoStream against the real PDS of the local network
// (tests/e2e/devnet): a post made through the PDS's API comes back on its subscribeRepos as a
// #commit whose CAR blocks verify and whose record decodes to the post; a second stream started
// from the cursor the first one reports sees only what came after (no duplicate).
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "devnet_client.h"
#include "firehose/car.h"
#include "firehose/cbor.h"
#include "firehose/repo_stream.h"

namespace altscribe::firehose {
namespace {

std::string NetworkJson() {
  const char* env = std::getenv("ALTSCRIBE_DEVNET_JSON");
  return env != nullptr && *env != '\0' ? env : ALTSCRIBE_DEVNET_JSON;
}

// What a stream saw of one account: its #commit creates of posts, checked.
struct Watch {
  std::string did;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int64_t> seqs;  // every frame handled, any repo
  struct Seen {
    int64_t seq;
    std::string path, cid, text;
  };
  std::vector<Seen> posts;
  std::vector<std::string> problems;

  Status Handle(const Frame& frame, int64_t seq) {
    std::lock_guard<std::mutex> lock(mu);
    seqs.push_back(seq);
    const auto* commit = std::get_if<CommitMessage>(&frame);
    if (commit == nullptr || commit->repo != did) return Status::Ok();
    for (const RepoOp& op : commit->ops) {
      if (op.action != "create" || op.path.rfind("app.bsky.feed.post/", 0) != 0 || !op.cid)
        continue;
      // The CAR: every block's hash matches its CID (RepoStream checked it too), and the
      // record's block is there and decodes to the post.
      auto car = CarReader::Open(commit->blocks);
      if (!car.ok()) {
        problems.push_back(car.status().message());
        continue;
      }
      std::string text;
      Status st = car->ForEach([&](const CarBlock& block) {
        if (!(block.cid == *op.cid)) return;
        cbor::Document doc;
        Status d = doc.Decode(block.data);
        if (!d.ok()) {
          problems.push_back("record: " + d.message());
          return;
        }
        auto type = doc.root().Find("$type");
        auto t = doc.root().Find("text");
        if (!type || type->AsText() != "app.bsky.feed.post" || !t) {
          problems.push_back("record is not a post");
          return;
        }
        text = std::string(t->AsText());
      });
      if (!st.ok()) problems.push_back(st.message());
      posts.push_back({seq, std::string(op.path), op.cid->ToString(), text});
    }
    cv.notify_all();
    return Status::Ok();
  }

  // Waits (up to a minute) for a post with this record CID.
  bool WaitFor(const std::string& cid) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] {
      for (const Seen& s : posts) {
        if (s.cid == cid) return true;
      }
      return false;
    });
  }
};

std::string Rkey(const std::string& uri) { return uri.substr(uri.rfind('/') + 1); }

TEST(FirehoseE2eTest, SeesAPostsCommitAndResumesFromTheCursorWithoutDuplicates) {
  auto net = devnet::ReadNetwork(NetworkJson());
  ASSERT_TRUE(net.ok()) << net.status().message();
  auto account = devnet::CreateAccount(*net, "fh");
  ASSERT_TRUE(account.ok()) << account.status().message();

  // From cursor 0 the PDS replays its whole log, so nothing can be missed while connecting.
  Watch first;
  first.did = account->did;
  RepoStreamOptions o;
  o.service = net->pds;
  o.cursor = 0;
  RepoStream stream(o, [&](const Frame& f, int64_t seq) { return first.Handle(f, seq); });
  std::vector<Status> drops;
  stream.OnDisconnect([&](const Status& s) { drops.push_back(s); });
  std::thread runner([&] { EXPECT_TRUE(stream.Run().ok()); });

  const std::string text = "firehose e2e " + account->handle;
  auto post = devnet::CreatePost(*account, devnet::PostSpec{.text = text});
  ASSERT_TRUE(post.ok()) << post.status().message();
  const bool seen = first.WaitFor(post->cid);
  stream.Stop();
  runner.join();
  ASSERT_TRUE(seen) << "the post's #commit did not arrive";
  EXPECT_TRUE(drops.empty()) << drops[0].message();
  EXPECT_TRUE(first.problems.empty()) << first.problems[0];
  ASSERT_EQ(first.posts.size(), 1u);
  EXPECT_EQ(first.posts[0].path, "app.bsky.feed.post/" + Rkey(post->uri));
  EXPECT_EQ(first.posts[0].text, text);
  EXPECT_EQ(stream.counters().bad_frames, 0u);
  const std::optional<int64_t> cursor = stream.cursor();
  ASSERT_TRUE(cursor.has_value());
  EXPECT_GE(*cursor, first.posts[0].seq);

  // Again from that cursor: a second post arrives, nothing at or before the cursor does.
  Watch second;
  second.did = account->did;
  o.cursor = cursor;
  RepoStream again(o, [&](const Frame& f, int64_t seq) { return second.Handle(f, seq); });
  std::thread runner2([&] { EXPECT_TRUE(again.Run().ok()); });
  auto post2 = devnet::CreatePost(*account, devnet::PostSpec{.text = text + " again"});
  ASSERT_TRUE(post2.ok()) << post2.status().message();
  const bool seen2 = second.WaitFor(post2->cid);
  again.Stop();
  runner2.join();
  ASSERT_TRUE(seen2) << "the second post's #commit did not arrive";
  ASSERT_EQ(second.posts.size(), 1u);  // not the first post again
  EXPECT_EQ(second.posts[0].text, text + " again");
  EXPECT_TRUE(second.problems.empty()) << second.problems[0];
  for (int64_t seq : second.seqs) {
    if (seq != 0) {  // 0: #info
      EXPECT_GT(seq, *cursor);
    }
  }
  std::printf("  first stream: %llu frames (%llu bytes) up to seq %lld; second from there: %zu\n",
              static_cast<unsigned long long>(stream.counters().frames),
              static_cast<unsigned long long>(stream.counters().bytes),
              static_cast<long long>(*cursor), second.seqs.size());
}

}  // namespace
}  // namespace altscribe::firehose
