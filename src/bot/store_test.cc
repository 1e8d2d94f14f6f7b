// The state store on real SQLite files: the mention lifecycle, exactly-once posting bookkeeping,
// restarts, concurrent writers (threads and a second connection), file permissions and files
// that are not ours.
#include "bot/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bot/sqlite.h"
#include "test_env.h"

namespace altscribe::bot {
namespace {

namespace t = altscribe::testing;

constexpr char kBot[] = "did:plc:bot";

NewMention Mention(int i, const std::string& account = kBot) {
  NewMention m;
  m.uri = "at://did:plc:bob/app.bsky.feed.post/3kmention" + std::to_string(i);
  m.cid = "bafycid" + std::to_string(i);
  m.account_did = account;
  m.author_did = "did:plc:bob";
  m.root = StrongRef{"at://did:plc:alice/app.bsky.feed.post/3kroot", "bafyroot"};
  m.parent = StrongRef{"at://did:plc:alice/app.bsky.feed.post/3kroot", "bafyroot"};
  return m;
}

// Distinct, valid TIDs.
std::string Tid(int n) {
  std::string s = "3kabcdefgh222";
  const char* alphabet = "234567abcdefghijklmnopqrstuvwxyz";
  for (int i = 12; i >= 8 && n > 0; --i, n /= 32) s[i] = alphabet[n % 32];
  return s;
}

std::vector<PartDraft> Parts(int n, int base = 0) {
  std::vector<PartDraft> parts;
  for (int k = 0; k < n; ++k)
    parts.push_back({Tid(base + k + 1), "Image 1 of 1: part " + std::to_string(k)});
  return parts;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = t::MakeTempDir("store") + "/state/bot.db"; }
  std::unique_ptr<Store> OpenStore() {
    StoreOptions o;
    o.now_ms = [this] { return clock_.load(); };
    auto s = Store::Open(path_, o);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Walks mention i to done with `parts` parts.
  static void Finish(Store& s, const NewMention& m, int parts, int base) {
    ASSERT_TRUE(s.AddMention(m).ok());
    ASSERT_TRUE(s.SavePlan(m.uri, R"({"target":"x"})").ok());
    ASSERT_TRUE(s.SaveResults(m.uri, R"({"id":"j"})", Parts(parts, base)).ok());
    for (int k = 0; k < parts; ++k) {
      auto p = s.RecordIntent(m.uri, k);
      ASSERT_TRUE(p.ok()) << p.status().message();
      ASSERT_TRUE(s.MarkPosted(m.uri, k, m.uri + "/reply" + std::to_string(k), "bafyr").ok());
    }
  }

  std::string path_;
  std::atomic<int64_t> clock_{1'700'000'000'000};
};

TEST_F(StoreTest, MentionLifecycle) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  NewMention m = Mention(1);
  auto added = s->AddMention(m);
  ASSERT_TRUE(added.ok() && *added);
  auto got = s->GetMention(m.uri);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->state, MentionState::kReceived);
  EXPECT_EQ(got->info.cid, "bafycid1");
  EXPECT_EQ(got->info.root, m.root);
  EXPECT_EQ(got->received_ms, 1'700'000'000'000);

  clock_ += 10;
  ASSERT_EQ(*s->BeginAttempt(m.uri), 1);
  ASSERT_TRUE(s->SavePlan(m.uri, R"({"target":"at://x","images":2,"mode":"alt"})").ok());
  EXPECT_EQ(s->GetMention(m.uri)->state, MentionState::kPlanned);
  ASSERT_TRUE(s->SaveResults(m.uri, R"({"id":"job"})", Parts(2)).ok());
  got = s->GetMention(m.uri);
  EXPECT_EQ(got->state, MentionState::kDescribed);
  EXPECT_EQ(got->results, R"({"id":"job"})");
  ASSERT_EQ(got->parts.size(), 2u);
  EXPECT_EQ(got->parts[1].rkey, Tid(2));
  EXPECT_EQ(got->parts[1].state, PartState::kPending);
  EXPECT_EQ(got->updated_ms, 1'700'000'000'010);

  auto p0 = s->RecordIntent(m.uri, 0);
  ASSERT_TRUE(p0.ok()) << p0.status().message();
  EXPECT_EQ(p0->state, PartState::kIntent);
  EXPECT_EQ(p0->attempts, 1);
  EXPECT_EQ(p0->rkey, Tid(1));
  EXPECT_EQ(s->GetMention(m.uri)->state, MentionState::kPosting);
  ASSERT_TRUE(s->MarkPosted(m.uri, 0, "at://did:plc:bot/app.bsky.feed.post/" + Tid(1), "c0").ok());
  EXPECT_EQ(s->GetMention(m.uri)->state, MentionState::kPosting);
  ASSERT_TRUE(s->RecordIntent(m.uri, 1).ok());
  ASSERT_TRUE(s->MarkPosted(m.uri, 1, "at://did:plc:bot/app.bsky.feed.post/" + Tid(2), "c1").ok());
  got = s->GetMention(m.uri);
  EXPECT_EQ(got->state, MentionState::kDone);
  EXPECT_EQ(got->parts[0].uri, "at://did:plc:bot/app.bsky.feed.post/" + Tid(1));
  EXPECT_EQ(got->parts[1].cid, "c1");
  EXPECT_TRUE(s->Pending()->empty());
}

TEST_F(StoreTest, RestartKeepsEverything) {
  NewMention a = Mention(1), b = Mention(2);
  {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->SaveSession({kBot, "Bot.Test", "http://pds", "access-1", "refresh-1"}).ok());
    ASSERT_TRUE(s->SaveCursor(kBot, "notifications", "cursor-7").ok());
    ASSERT_TRUE(s->AddMention(a).ok());
    ASSERT_TRUE(s->AddMention(b).ok());
    ASSERT_TRUE(s->SavePlan(a.uri, "{}").ok());
    ASSERT_TRUE(s->SaveResults(a.uri, "", Parts(2)).ok());
    ASSERT_TRUE(s->RecordIntent(a.uri, 0).ok());
    // ... and the process dies before MarkPosted.
  }
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto session = s->LoadSession("bot.test");
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->refresh_jwt, "refresh-1");
  EXPECT_EQ(*s->LoadCursor(kBot, "notifications"), "cursor-7");
  auto pending = s->Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].info.uri, a.uri);  // oldest first
  EXPECT_EQ((*pending)[0].state, MentionState::kPosting);
  EXPECT_EQ((*pending)[0].results, "");
  EXPECT_EQ((*pending)[0].parts[0].state, PartState::kIntent);
  EXPECT_EQ((*pending)[1].state, MentionState::kReceived);
  // The retry learns that an earlier attempt may have written the record.
  auto again = s->RecordIntent(a.uri, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->rkey, Tid(1));  // the same record key as before the crash
}

TEST_F(StoreTest, TransitionsAreIdempotentAndNeverRegress) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  NewMention m = Mention(1);
  ASSERT_TRUE(*s->AddMention(m));
  EXPECT_FALSE(*s->AddMention(m));  // the second notification of the same mention
  ASSERT_TRUE(s->SavePlan(m.uri, R"({"v":1})").ok());
  ASSERT_TRUE(s->SavePlan(m.uri, R"({"v":2})").ok());
  EXPECT_EQ(s->GetMention(m.uri)->plan, R"({"v":1})");
  ASSERT_TRUE(s->SaveResults(m.uri, "{}", Parts(1)).ok());
  ASSERT_TRUE(s->SaveResults(m.uri, "{}", Parts(3, 50)).ok());  // a re-run composes again
  auto got = s->GetMention(m.uri);
  ASSERT_EQ(got->parts.size(), 1u);
  EXPECT_EQ(got->parts[0].rkey, Tid(1));
  EXPECT_EQ(s->SavePlan(m.uri, "{}").ok(), true);
  EXPECT_EQ(s->GetMention(m.uri)->state, MentionState::kDescribed);

  ASSERT_TRUE(s->RecordIntent(m.uri, 0).ok());
  ASSERT_TRUE(s->MarkPosted(m.uri, 0, "at://did:plc:bot/p/1", "c1").ok());
  ASSERT_TRUE(s->MarkPosted(m.uri, 0, "at://did:plc:bot/p/1", "c1").ok());  // twice: harmless
  ASSERT_TRUE(s->MarkPosted(m.uri, 0, "at://did:plc:bot/p/other", "c9").ok());
  auto after = s->RecordIntent(m.uri, 0);  // intent after posted does not regress
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, PartState::kPosted);
  EXPECT_EQ(after->attempts, 1);
  got = s->GetMention(m.uri);
  EXPECT_EQ(got->state, MentionState::kDone);
  EXPECT_EQ(got->parts[0].uri, "at://did:plc:bot/p/1");
  EXPECT_EQ(got->parts[0].cid, "c1");
  ASSERT_TRUE(s->MarkFailed(m.uri, "too late").ok());
  EXPECT_EQ(s->GetMention(m.uri)->state, MentionState::kDone);
}

TEST_F(StoreTest, OutOfOrderTransitionsAreRefused) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  NewMention m = Mention(1);
  EXPECT_EQ(s->SavePlan(m.uri, "{}").code(), Code::kNotFound);
  ASSERT_TRUE(s->AddMention(m).ok());
  EXPECT_EQ(s->SaveResults(m.uri, "{}", Parts(1)).message(),
            "mention " + m.uri + ": is received, not yet planned");
  EXPECT_EQ(s->RecordIntent(m.uri, 0).status().message(),
            "mention " + m.uri + ": has no reply parts yet (it is received)");
  ASSERT_TRUE(s->SavePlan(m.uri, "{}").ok());
  ASSERT_TRUE(s->SaveResults(m.uri, "{}", Parts(2)).ok());
  EXPECT_EQ(s->RecordIntent(m.uri, 1).status().message(),
            "mention " + m.uri + ": part 1 cannot be posted before part 0");
  EXPECT_EQ(s->RecordIntent(m.uri, 2).status().code(), Code::kNotFound);
  ASSERT_TRUE(s->MarkFailed(m.uri, "the PDS refused the reply").ok());
  auto failed = s->GetMention(m.uri);
  EXPECT_EQ(failed->state, MentionState::kFailed);
  EXPECT_EQ(failed->reason, "the PDS refused the reply");
  EXPECT_FALSE(s->RecordIntent(m.uri, 0).ok()) << "nothing may be posted for a failed mention";
  ASSERT_TRUE(s->MarkFailed(m.uri, "another reason").ok());
  EXPECT_EQ(s->GetMention(m.uri)->reason, "the PDS refused the reply");
}

TEST_F(StoreTest, InputIsValidated) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  NewMention bad = Mention(1);
  bad.uri = "https://bsky.app/profile/bob/post/1";
  EXPECT_FALSE(s->AddMention(bad).ok());
  NewMention m = Mention(2);
  ASSERT_TRUE(s->AddMention(m).ok());
  EXPECT_FALSE(s->SavePlan(m.uri, "not json").ok());
  EXPECT_FALSE(s->SavePlan(m.uri, "[1]").ok());
  ASSERT_TRUE(s->SavePlan(m.uri, "{}").ok());
  EXPECT_NE(s->SaveResults(m.uri, "{}", {{"not-a-tid", "x"}}).message().find("is not a TID"),
            std::string::npos);
  EXPECT_NE(s->SaveResults(m.uri, "{}", {{Tid(1), "a"}, {Tid(1), "b"}}).message().find("share"),
            std::string::npos);
  EXPECT_FALSE(s->SaveResults(m.uri, "{}", {}).ok());
  EXPECT_FALSE(s->SaveResults(m.uri, "{}", {{Tid(1), ""}}).ok());
  EXPECT_EQ(s->GetMention(m.uri)->state, MentionState::kPlanned);  // nothing half-written
  EXPECT_TRUE(s->GetMention(m.uri)->parts.empty());
}

TEST_F(StoreTest, SessionsAndCursors) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->LoadSession(kBot)->has_value());
  ASSERT_TRUE(s->SaveSession({kBot, "alt.bot", "http://pds:2583", "a1", "r1"}).ok());
  ASSERT_TRUE(s->SaveSession({kBot, "alt.bot", "http://pds:2583", "a2", "r2"}).ok());
  auto by_did = s->LoadSession(kBot);
  ASSERT_TRUE(by_did.ok() && by_did->has_value());
  EXPECT_EQ((*by_did)->access_jwt, "a2");
  EXPECT_EQ((*by_did)->pds_url, "http://pds:2583");
  EXPECT_EQ((*s->LoadSession("ALT.bot"))->did, kBot);
  ASSERT_TRUE(s->ClearSession(kBot).ok());
  EXPECT_FALSE(s->LoadSession(kBot)->has_value());
  EXPECT_FALSE(s->SaveSession({"bot", "h", "p", "a", "r"}).ok());

  EXPECT_FALSE(s->LoadCursor(kBot, "notifications")->has_value());
  ASSERT_TRUE(s->SaveCursor(kBot, "notifications", "c1").ok());
  ASSERT_TRUE(s->SaveCursor(kBot, "notifications", "c2").ok());
  ASSERT_TRUE(s->SaveCursor("did:plc:other", "notifications", "o1").ok());
  EXPECT_EQ(*s->LoadCursor(kBot, "notifications"), "c2");
  EXPECT_EQ(*s->LoadCursor("did:plc:other", "notifications"), "o1");
}

TEST_F(StoreTest, BatchAndCursorCommitTogether) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::vector<NewMention> batch = {Mention(1), Mention(2), Mention(1)};
  CursorUpdate cursor{kBot, "notifications", "page-2"};
  auto added = s->AddMentions(batch, &cursor);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(*added, 2);
  EXPECT_EQ(*s->LoadCursor(kBot, "notifications"), "page-2");
  batch = {Mention(3), Mention(4)};
  batch[1].author_did = "bob";  // invalid: the whole batch and its cursor are refused
  cursor.value = "page-3";
  EXPECT_FALSE(s->AddMentions(batch, &cursor).ok());
  EXPECT_EQ(*s->LoadCursor(kBot, "notifications"), "page-2");
  EXPECT_EQ(s->GetMention(Mention(3).uri).status().code(), Code::kNotFound);
}

TEST_F(StoreTest, ListingForStatus) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  Finish(*s, Mention(1), 1, 0);
  ASSERT_TRUE(s->AddMention(Mention(2)).ok());
  ASSERT_TRUE(s->AddMention(Mention(3, "did:plc:otherbot")).ok());
  ASSERT_TRUE(s->MarkFailed(Mention(2).uri, "no images").ok());
  auto all = s->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].info.uri, Mention(3).uri);  // newest first
  auto failed = s->List({.limit = 10, .state = MentionState::kFailed});
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].reason, "no images");
  EXPECT_EQ(s->List({.limit = 1})->size(), 1u);
  EXPECT_EQ(s->Pending("did:plc:otherbot")->size(), 1u);
  EXPECT_EQ(s->Pending(kBot)->size(), 0u);
  auto counts = s->CountByState();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[MentionState::kDone], 1);
  EXPECT_EQ((*counts)[MentionState::kFailed], 1);
  EXPECT_EQ((*counts)[MentionState::kReceived], 1);
  EXPECT_EQ(ParseMentionState("posting").value(), MentionState::kPosting);
  EXPECT_FALSE(ParseMentionState("lost").ok());
}

TEST_F(StoreTest, ConcurrentWritersThreadsAndProcesses) {
  auto a = OpenStore();
  auto b = OpenStore();  // a second connection to the same file, as another process would have
  ASSERT_TRUE(a && b);
  constexpr int kThreads = 6, kEach = 15;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      Store& s = th % 2 ? *a : *b;
      for (int i = 0; i < kEach; ++i) {
        int n = th * 1000 + i;
        Finish(s, Mention(n), 2, n * 2);
        ASSERT_TRUE(s.SaveCursor(kBot, "notifications", std::to_string(n)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto counts = a->CountByState();
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ((*counts)[MentionState::kDone], kThreads * kEach);
  EXPECT_EQ(counts->size(), 1u);
  auto one = b->GetMention(Mention(5003).uri);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->parts.size(), 2u);
  EXPECT_EQ(one->parts[1].state, PartState::kPosted);
}

TEST_F(StoreTest, FileModeIs0600) {
  {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->AddMention(Mention(1)).ok());
    EXPECT_EQ(ModeOf(path_), 0600u);
    EXPECT_EQ(ModeOf(path_ + "-wal"), 0600u);
    EXPECT_EQ(ModeOf(path_ + "-shm"), 0600u);
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  auto s = OpenStore();
  ASSERT_TRUE(s);
  EXPECT_EQ(ModeOf(path_), 0600u) << "a readable state file is fixed at Open()";
  EXPECT_TRUE(s->GetMention(Mention(1).uri).ok());
}

TEST_F(StoreTest, ANewFileIs0600WhateverTheUmask) {
  mode_t old = ::umask(0);
  auto s = OpenStore();
  ::umask(old);
  ASSERT_TRUE(s);
  EXPECT_EQ(ModeOf(path_), 0600u);
}

TEST_F(StoreTest, FilesThatAreNotOursGetAClearError) {
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  t::WriteWholeFile(path_, t::RandomBytes(8192));
  auto garbage = Store::Open(path_);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(),
            path_ +
                ": not an SQLite database, so not an altscribe state store (move it away or "
                "point --state at another file)");

  std::string foreign = std::filesystem::path(path_).parent_path() / "photos.db";
  t::WriteWholeFile(foreign, "");
  {
    auto db = sqlite::Db::Open(foreign);
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)->Exec("CREATE TABLE photos(id INTEGER, caption TEXT)", "test").ok());
  }
  auto other = Store::Open(foreign);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(),
            foreign +
                ": an SQLite database of another program, not an altscribe state store "
                "(point --state at another file)");

  auto dir = Store::Open(std::filesystem::path(path_).parent_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("not a regular file"), std::string::npos);
}

TEST_F(StoreTest, ANewerSchemaIsRefused) {
  { ASSERT_TRUE(OpenStore()); }
  {
    auto db = sqlite::Db::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'", "t").ok());
  }
  auto s = Store::Open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            path_ + ": written by a newer altscribe (schema 99; this one knows up to " +
                std::to_string(Store::kSchemaVersion) + ")");
}

TEST_F(StoreTest, DamagedFileFailsCleanly) {
  {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    for (int i = 0; i < 50; ++i) Finish(*s, Mention(i), 1, i);
  }
  // Keep the header, scribble over the pages behind it.
  std::string bytes = t::ReadWholeFile(path_);
  ASSERT_GT(bytes.size(), 8192u);
  std::string noise = t::RandomBytes(bytes.size() - 100, 7);
  bytes.replace(100, noise.size(), noise);
  t::WriteWholeFile(path_, bytes);
  std::filesystem::remove(path_ + "-wal");
  std::filesystem::remove(path_ + "-shm");
  auto s = Store::Open(path_);
  Status st = s.ok() ? (*s)->GetMention(Mention(1).uri).status() : s.status();
  ASSERT_FALSE(st.ok()) << "a scribbled file cannot read back as valid";
  EXPECT_EQ(st.message().rfind(path_, 0), 0u) << st.message();  // names the file
}

}  // namespace
}  // namespace altscribe::bot
