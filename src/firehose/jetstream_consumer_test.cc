// firehose/jetstream_consumer_test.cc — JetstreamConsumer against a loopback server that plays
// Jetstream (the Go server cannot be installed here; this one follows its documented protocol:
// /subscribe?wantedCollections=…&cursor=<time_us>&compress=true, one JSON event per message,
// zstd frames made with a dictionary when compress=true). The dictionary is trained here with
// ZDICT_trainFromBuffer from sample events, as Jetstream trained its own.
#include "firehose/jetstream_consumer.h"

#include <gtest/gtest.h>
#include <zdict.h>
#include <zstd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "ws_server.h"

namespace altscribe::firehose {
namespace {

using altscribe::testing::WsConnection;
using altscribe::testing::WsServer;
using std::chrono::milliseconds;

constexpr int64_t kSecond = 1'000'000;

std::string PostEvent(int64_t time_us, const std::string& did, const std::string& rkey,
                      const std::string& text) {
  nlohmann::json j = {{"did", did},
                      {"time_us", time_us},
                      {"kind", "commit"},
                      {"commit",
                       {{"rev", "3l3qo2vutsw2b"},
                        {"operation", "create"},
                        {"collection", "app.bsky.feed.post"},
                        {"rkey", rkey},
                        {"record",
                         {{"$type", "app.bsky.feed.post"},
                          {"createdAt", "2024-09-09T19:46:02.102Z"},
                          {"langs", {"en"}},
                          {"text", text}}},
                        {"cid", "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}}};
  return j.dump();
}

// The event log the server plays: posts at 1 s steps, with an identity, an account, a delete,
// an event kind Jetstream might add later, and two posts in the same microsecond.
std::vector<std::pair<int64_t, std::string>> EventLog() {
  std::vector<std::pair<int64_t, std::string>> log;
  for (int k = 1; k <= 8; ++k) {
    const int64_t t = k * kSecond;
    std::string did = "did:plc:user" + std::to_string(k % 3);
    if (k == 3) {
      log.push_back({t, R"({"did":"did:plc:user0","time_us":3000000,"kind":"identity",)"
                        R"("identity":{"did":"did:plc:user0","handle":"a.test","seq":1}})"});
    } else if (k == 5) {
      log.push_back({t, R"({"did":"did:plc:user2","time_us":5000000,"kind":"commit","commit":)"
                        R"({"rev":"r","operation":"delete","collection":"app.bsky.feed.post",)"
                        R"("rkey":"k1"}})"});
    } else if (k == 6) {
      log.push_back({t, R"({"did":"did:plc:user0","time_us":6000000,"kind":"labels","x":1})"});
      log.push_back({t, R"({"did":"did:plc:user0","time_us":6000000,"kind":"account",)"
                        R"("account":{"active":false,"status":"deactivated"}})"});
    } else {
      log.push_back({t, PostEvent(t, did, "k" + std::to_string(k), "post " + std::to_string(k))});
    }
    if (k == 7) log.push_back({t, PostEvent(t, "did:plc:other", "k7", "same microsecond")});
  }
  return log;
}

// Names each handled event: "<time_s>:<did>:<what>".
std::string Describe(const JetstreamEvent& e) {
  std::string what;
  if (e.commit) {
    what = e.commit->operation + "/" + e.commit->rkey;
    if (e.commit->record) what += "=" + (*e.commit->record)["text"].get<std::string>();
  } else {
    what = e.kind == JetstreamEvent::Kind::kIdentity
               ? "identity:" + e.info["handle"].get<std::string>()
               : "account:" + e.info["status"].get<std::string>();
  }
  return std::to_string(e.time_us / kSecond) + ":" + e.did + ":" + what;
}

const std::vector<std::string> kAll = {
    "1:did:plc:user1:create/k1=post 1", "2:did:plc:user2:create/k2=post 2",
    "3:did:plc:user0:identity:a.test",  "4:did:plc:user1:create/k4=post 4",
    "5:did:plc:user2:delete/k1",        "6:did:plc:user0:account:deactivated",
    "7:did:plc:user1:create/k7=post 7", "7:did:plc:other:create/k7=same microsecond",
    "8:did:plc:user2:create/k8=post 8"};

// Zstd with a dictionary, as Jetstream's server does it.
struct Compressor {
  std::string dict;
  std::string Compress(const std::string& in, bool state_size = true) const {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_loadDictionary(cctx, dict.data(), dict.size());
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, state_size ? 1 : 0);
    std::string out(ZSTD_compressBound(in.size()), '\0');
    size_t n = ZSTD_compress2(cctx, out.data(), out.size(), in.data(), in.size());
    ZSTD_freeCCtx(cctx);
    EXPECT_FALSE(ZSTD_isError(n));
    out.resize(n);
    return out;
  }
};

std::string TrainDictionary(uint32_t seed) {
  std::string samples;
  std::vector<size_t> sizes;
  for (int i = 0; i < 2000; ++i) {
    std::string s = PostEvent(
        1'725'911'162'329'308 + i * 7919 + seed, "did:plc:u" + std::to_string(i * 31 % 997),
        "3l3qo" + std::to_string(i * seed % 100'000),
        "sample post number " + std::to_string(i) + " about " + (i % 2 ? "cats" : "the weather"));
    samples += s;
    sizes.push_back(s.size());
  }
  std::string dict(16 << 10, '\0');
  size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(),
                                   static_cast<unsigned>(sizes.size()));
  EXPECT_FALSE(ZDICT_isError(n)) << ZDICT_getErrorName(n);
  dict.resize(ZDICT_isError(n) ? 0 : n);
  return dict;
}

std::string WriteTemp(const std::string& name, const std::string& data) {
  std::string path = ::testing::TempDir() + "/" + name + "." + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

// The server: connection 0 runs `first` (default: everything from the cursor); later ones play
// the log from their cursor (inclusive) to the end and stall. Compresses when asked to.
struct FakeJetstream {
  std::function<void(WsConnection&, const FakeJetstream&)> first;
  Compressor zstd;

  void Play(WsConnection& c, size_t max_events = SIZE_MAX) const {
    auto cursor = c.Query("cursor");
    const int64_t from = cursor ? std::stoll(*cursor) : 0;
    const bool compress = c.Query("compress") == std::optional<std::string>("true");
    size_t sent = 0;
    for (const auto& [t, json] : EventLog()) {
      if (t < from || sent == max_events) continue;
      compress ? c.SendBinary(zstd.Compress(json)) : c.SendText(json);
      ++sent;
    }
  }

  std::unique_ptr<WsServer> Start() {
    auto server = std::make_unique<WsServer>([this](WsConnection& c) {
      if (c.index() == 0 && first) {
        first(c, *this);
      } else {
        Play(c);
      }
      c.Stall();
    });
    EXPECT_TRUE(server->Start().ok());
    return server;
  }
};

struct StreamRun {
  std::vector<std::string> got;
  std::vector<Status> drops;
  JetstreamCounters counters;
  std::optional<int64_t> cursor;

  explicit StreamRun(JetstreamOptions o, size_t want = kAll.size()) {
    o.subscription.backoff.base = milliseconds(1);
    JetstreamConsumer* self = nullptr;
    JetstreamConsumer consumer(o, [&](const JetstreamEvent& e) {
      got.push_back(Describe(e));
      if (got.size() == want) self->Stop();
      return Status::Ok();
    });
    self = &consumer;
    consumer.OnDisconnect([&](const Status& s) { drops.push_back(s); });
    Status st = consumer.Run();
    EXPECT_TRUE(st.ok()) << st.message();
    counters = consumer.counters();
    cursor = consumer.cursor();
  }
};

std::string Service(const WsServer& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

TEST(JetstreamConsumerTest, PlainEventsInOrderResumingWithARewoundCursor) {
  FakeJetstream js{.first = [](WsConnection& c, const FakeJetstream& self) {
    self.Play(c, 5);  // up to the account event at 6 s
    c.CloseAbruptly();
  }};
  auto server = js.Start();
  StreamRun run(JetstreamOptions{.service = Service(*server)});
  EXPECT_EQ(run.got, kAll);
  auto targets = server->targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0], "/subscribe?wantedCollections=app.bsky.feed.post");
  // The last handled event was at 5 s; rewound by 3 s.
  EXPECT_EQ(targets[1], "/subscribe?wantedCollections=app.bsky.feed.post&cursor=2000000");
  EXPECT_EQ(run.counters.duplicates, 4u);  // 2 s … 5 s again
  EXPECT_EQ(run.counters.ignored, 1u);     // kind "labels" (sent once: on connection 1)
  EXPECT_EQ(run.counters.reconnects, 1u);
  EXPECT_EQ(run.cursor, std::optional<int64_t>(8 * kSecond));
}

TEST(JetstreamConsumerTest, StartingCursorSkipsWhatWasHandledBefore) {
  FakeJetstream js;
  auto server = js.Start();
  StreamRun run(JetstreamOptions{.service = Service(*server),
                                 .wanted_collections = {"app.bsky.feed.post", "app.bsky.feed.like"},
                                 .cursor_us = 4 * kSecond},
                5);
  EXPECT_EQ(run.got, std::vector<std::string>(kAll.begin() + 4, kAll.end()));
  EXPECT_EQ(server->targets()[0],
            "/subscribe?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.feed.like"
            "&cursor=1000000");
  EXPECT_EQ(run.counters.duplicates, 4u);  // 1 s … 4 s
}

TEST(JetstreamConsumerTest, ZstdWithADictionaryResumes) {
  FakeJetstream js{.first =
                       [](WsConnection& c, const FakeJetstream& self) {
                         self.Play(c, 3);
                         c.CloseAbruptly();
                       },
                   .zstd = {TrainDictionary(1)}};
  ASSERT_FALSE(js.zstd.dict.empty());
  // Compression works: an event is much smaller than its JSON.
  const std::string sample = PostEvent(1, "did:plc:u1", "3l3qo1", "a post about cats");
  EXPECT_LT(js.zstd.Compress(sample).size(), sample.size() / 2);
  std::printf("  zstd with a trained 16 KB-cap dictionary: %zu-byte event -> %zu bytes\n",
              sample.size(), js.zstd.Compress(sample).size());
  auto server = js.Start();
  StreamRun run(JetstreamOptions{.service = Service(*server),
                                 .zstd_dictionary = WriteTemp("jetstream.dict", js.zstd.dict)});
  EXPECT_EQ(run.got, kAll);
  auto targets = server->targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0], "/subscribe?wantedCollections=app.bsky.feed.post&compress=true");
  EXPECT_EQ(targets[1],
            "/subscribe?wantedCollections=app.bsky.feed.post&cursor=0&compress=true");  // 3 s − 3 s
  EXPECT_EQ(run.counters.duplicates, 3u);
}

// A bad message on connection 0 after two good events: one line, reconnect, nothing lost.
TEST(JetstreamConsumerTest, BadMessagesDropTheConnectionAndLoseNothing) {
  const Compressor right{TrainDictionary(1)};
  const Compressor wrong{TrainDictionary(2)};
  std::string big = PostEvent(3 * kSecond, "did:plc:big", "kb", std::string(20'000, 'x'));
  struct Case {
    const char* name;
    bool binary;
    std::string message;
    const char* says;
  } cases[] = {
      {"not JSON", false, "{\"did\":", "jetstream event: not JSON (7 bytes)"},
      {"no time_us", false, R"({"did":"d","kind":"commit"})",
       "jetstream event: missing integer field 'time_us'"},
      {"bad operation", false,
       R"({"did":"d","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"patch",)"
       R"("collection":"c","rkey":"k"}})",
       "jetstream event: commit: unknown operation 'patch'"},
      {"other dictionary", true, wrong.Compress(EventLog()[2].second), "zstd: "},
      {"garbage", true, "\x28\xb5\x2f\xfd garbage", "zstd: "},
      {"not zstd", true, "plain bytes", "zstd: not a zstd frame (11 bytes)"},
      {"over the cap, size stated", true, right.Compress(big), "zstd: frame decompresses to 20"},
      {"over the cap, size not stated", true, right.Compress(big, false),
       "zstd: frame decompresses to over the 10000-byte cap"},
  };
  const std::string dict_path = WriteTemp("jetstream.right", right.dict);
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.name);
    FakeJetstream js{.first =
                         [&](WsConnection& c, const FakeJetstream& self) {
                           self.Play(c, 2);
                           bad.binary ? c.SendBinary(bad.message) : c.SendText(bad.message);
                           self.Play(c);  // never read: the connection was dropped
                         },
                     .zstd = right};
    auto server = js.Start();
    StreamRun run(JetstreamOptions{
        .service = Service(*server), .zstd_dictionary = dict_path, .max_event_bytes = 10'000});
    EXPECT_EQ(run.got, kAll);
    ASSERT_EQ(run.drops.size(), 1u);
    const std::string& why = run.drops[0].message();
    EXPECT_EQ(why.rfind(bad.says, 0), 0u) << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    EXPECT_EQ(run.counters.bad_messages, 1u);
    std::printf("  %-30s -> jetstream: %s\n", bad.name, why.c_str());
  }
}

TEST(JetstreamConsumerTest, BinaryWithoutADictionaryIsRefused) {
  FakeJetstream js{.first = [](WsConnection& c, const FakeJetstream&) {
    c.SendBinary(std::string("\x28\xb5\x2f\xfd", 4));
  }};
  auto server = js.Start();
  StreamRun run(JetstreamOptions{.service = Service(*server)});
  EXPECT_EQ(run.got, kAll);
  ASSERT_EQ(run.drops.size(), 1u);
  EXPECT_EQ(run.drops[0].message(), "binary message of 4 bytes, but no zstd dictionary was given");
}

TEST(JetstreamConsumerTest, MissingOrEmptyDictionaryFailsAtOnce) {
  JetstreamConsumer a(JetstreamOptions{.service = "ws://127.0.0.1:1",
                                       .zstd_dictionary = "/nonexistent/zstd_dictionary"},
                      [](const JetstreamEvent&) { return Status::Ok(); });
  Status st = a.Run();
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_EQ(st.message(), "jetstream: zstd dictionary /nonexistent/zstd_dictionary: cannot open");
  const std::string empty = WriteTemp("empty.dict", "");
  JetstreamConsumer b(JetstreamOptions{.service = "ws://127.0.0.1:1", .zstd_dictionary = empty},
                      [](const JetstreamEvent&) { return Status::Ok(); });
  EXPECT_EQ(b.Run().message(), "jetstream: zstd dictionary " + empty + ": empty file");
}

TEST(JetstreamConsumerTest, HandlerErrorRedeliversTheEvent) {
  FakeJetstream js;
  auto server = js.Start();
  std::vector<std::string> got;
  int refusals = 0;
  JetstreamConsumer* self = nullptr;
  JetstreamOptions o{.service = Service(*server)};
  o.subscription.backoff.base = milliseconds(1);
  JetstreamConsumer consumer(o, [&](const JetstreamEvent& e) {
    if (e.time_us == 4 * kSecond && refusals++ == 0) return Status::IoError("disk full");
    got.push_back(Describe(e));
    if (got.size() == kAll.size()) self->Stop();
    return Status::Ok();
  });
  self = &consumer;
  std::vector<Status> drops;
  consumer.OnDisconnect([&](const Status& s) { drops.push_back(s); });
  ASSERT_TRUE(consumer.Run().ok());
  EXPECT_EQ(got, kAll);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].message(), "handler, event 4000000 of did:plc:user1: disk full");
  EXPECT_EQ(server->targets()[1], "/subscribe?wantedCollections=app.bsky.feed.post&cursor=0");
}

TEST(JetstreamConsumerTest, StopInterruptsABlockedRead) {
  FakeJetstream js;
  auto server = js.Start();
  std::mutex mu;
  std::condition_variable cv;
  size_t n = 0;
  JetstreamConsumer consumer(JetstreamOptions{.service = Service(*server)},
                             [&](const JetstreamEvent&) {
                               std::lock_guard<std::mutex> lock(mu);
                               ++n;
                               cv.notify_all();
                               return Status::Ok();
                             });
  std::thread runner([&] { EXPECT_TRUE(consumer.Run().ok()); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return n == kAll.size(); });
  }
  consumer.Stop();  // the server stalls after the log: Run() is blocked in a read
  runner.join();
  EXPECT_EQ(consumer.cursor(), std::optional<int64_t>(8 * kSecond));
}

TEST(JetstreamConsumerTest, SubscribeUrl) {
  EXPECT_EQ(*JetstreamConsumer::SubscribeUrl("wss://jetstream2.us-east.bsky.network/",
                                             {"app.bsky.feed.post"}, 1725911162329308, true),
            "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post"
            "&cursor=1725911162329308&compress=true");
  EXPECT_EQ(*JetstreamConsumer::SubscribeUrl("https://js.example", {}, std::nullopt, false),
            "wss://js.example/subscribe");
  EXPECT_EQ(*JetstreamConsumer::SubscribeUrl("http://js.example", {"app.bsky.*"}, 5, false),
            "ws://js.example/subscribe?wantedCollections=app.bsky.*&cursor=5");
  EXPECT_FALSE(JetstreamConsumer::SubscribeUrl("ftp://x", {}, std::nullopt, false).ok());
  EXPECT_FALSE(JetstreamConsumer::SubscribeUrl("ws://x", {"a&b=c"}, std::nullopt, false).ok());
}

}  // namespace
}  // namespace altscribe::firehose
