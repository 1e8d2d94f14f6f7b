// firehose/repo_stream_test.cc — RepoStream against a real WebSocket server on loopback
// (tests/support/ws_server.h) that plays a relay: frames in order over ws and wss, resuming
// with ?cursor= after drops, duplicates from replays dropped, every bad input of the issue sent
// over the wire (one clear line, the stream resumes from the last good seq, nothing lost),
// FutureCursor / OutdatedCursor, handler errors, Stop().
#include "firehose/repo_stream.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "firehose/test_encoder.h"
#include "ws_server.h"

namespace altscribe::firehose {
namespace {

using altscribe::testing::WsConnection;
using altscribe::testing::WsServer;
using altscribe::testing::WsServerOptions;
using namespace altscribe::firehose::testing;  // NOLINT: the frame builders
using std::chrono::milliseconds;
using Bytes = std::vector<uint8_t>;

const std::string kPath = "/xrpc/com.atproto.sync.subscribeRepos";

// A #commit frame for `seq` creating one post; `corrupt` flips a byte of the record block so
// that its CID no longer matches.
Bytes CommitFrame(int64_t seq, bool corrupt = false) {
  SimpleCommit spec;
  spec.seq = seq;
  spec.rkey = "3k" + std::to_string(seq);
  spec.commit_text = "commit " + std::to_string(seq);
  spec.corrupt = corrupt;
  return Concat(Header(1, "#commit"), CommitBody(Post("post " + std::to_string(seq)), spec));
}

Bytes IdentityFrame(int64_t seq) {
  CborWriter w;
  w.Map(3).Text("did").Text("did:plc:abc").Text("seq").Int(seq).Text("time").Text("2024-05-01");
  return Concat(Header(1, "#identity"), w.Take());
}

// Odd seqs are commits, even ones identities.
Bytes Good(int64_t seq) { return seq % 2 ? CommitFrame(seq) : IdentityFrame(seq); }

Bytes ErrorFrameBytes(std::string_view error, std::string_view message) {
  CborWriter w;
  w.Map(2).Text("error").Text(error).Text("message").Text(message);
  return Concat(Header(-1, ""), w.Take());
}

Bytes InfoFrame(std::string_view name) {
  CborWriter w;
  w.Map(1).Text("name").Text(name);
  return Concat(Header(1, "#info"), w.Take());
}

// The relay: connection 0 sends seqs 1.. `first` through Send(); later connections replay from
// their cursor (inclusive, to make duplicates) up to `last`, then stall.
struct Relay {
  std::function<void(WsConnection&)> first;
  int64_t last = 4;
  WsServerOptions tls;

  std::unique_ptr<WsServer> Start() {
    auto server = std::make_unique<WsServer>(
        [this](WsConnection& c) {
          if (c.index() == 0) {
            first(c);
          } else {
            auto cursor = c.Query("cursor");
            int64_t from = cursor ? std::stoll(*cursor) : 1;
            for (int64_t seq = std::max<int64_t>(from, 1); seq <= last; ++seq) {
              c.SendBinary(Good(seq));
            }
          }
          c.Stall();
        },
        tls);
    EXPECT_TRUE(server->Start().ok());
    return server;
  }
};

// Runs a RepoStream until the handler has seen `stop_at`; records what happened.
struct StreamRun {
  std::vector<int64_t> seqs;  // handled
  std::vector<std::string> types;
  std::vector<Status> drops;
  int cursor_resets = 0;
  RepoStreamCounters counters;

  StreamRun(const std::string& service, int64_t stop_at,
            std::optional<int64_t> cursor = std::nullopt,
            std::function<Status(int64_t)> veto = nullptr, std::string ca_file = "") {
    RepoStreamOptions o;
    o.service = service;
    o.cursor = cursor;
    o.subscription.backoff.base = milliseconds(1);
    o.subscription.ws.extra_ca_file = ca_file;
    RepoStream* self = nullptr;
    RepoStream stream(o, [&](const Frame& frame, int64_t seq) {
      if (veto) {
        Status st = veto(seq);
        if (!st.ok()) return st;
      }
      std::visit(
          [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, CommitMessage>) types.push_back("#commit");
            if constexpr (std::is_same_v<T, IdentityMessage>) types.push_back("#identity");
            if constexpr (std::is_same_v<T, InfoMessage>) types.push_back("#info");
          },
          frame);
      seqs.push_back(seq);
      if (seq == stop_at) self->Stop();
      return Status::Ok();
    });
    self = &stream;
    stream.OnDisconnect([&](const Status& s) { drops.push_back(s); });
    stream.OnCursorReset([&] { ++cursor_resets; });
    Status st = stream.Run();
    EXPECT_TRUE(st.ok()) << st.message();
    counters = stream.counters();
    EXPECT_EQ(stream.cursor(), std::optional<int64_t>(stop_at));
  }
};

TEST(RepoStreamTest, FramesInOrderOverWs) {
  Relay relay{.first = [](WsConnection& c) {
    for (int64_t seq = 1; seq <= 4; ++seq) c.SendBinary(Good(seq));
  }};
  auto server = relay.Start();
  StreamRun run("http://127.0.0.1:" + std::to_string(server->port()) + "/", 4);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(run.types, (std::vector<std::string>{"#commit", "#identity", "#commit", "#identity"}));
  EXPECT_EQ(server->targets(), std::vector<std::string>{kPath});
  EXPECT_EQ(run.counters.frames, 4u);
  EXPECT_EQ(run.counters.handled, 4u);
  EXPECT_EQ(run.counters.reconnects, 0u);
  EXPECT_GT(run.counters.bytes, 0u);
}

TEST(RepoStreamTest, FramesInOrderOverWssWithACursor) {
  altscribe::testing::TestCert cert =
      altscribe::testing::MakeSelfSignedCert({"localhost"}, {"127.0.0.1"});
  std::string ca = ::testing::TempDir() + "/repo_stream_ca." + std::to_string(::getpid());
  std::ofstream(ca) << cert.cert_pem;
  Relay relay{.first =
                  [](WsConnection& c) {
                    for (int64_t seq = 7; seq <= 9; ++seq) c.SendBinary(Good(seq));
                  },
              .tls = {.tls = true, .cert = cert}};
  auto server = relay.Start();
  StreamRun run("https://127.0.0.1:" + std::to_string(server->port()), 9, 6, nullptr, ca);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{7, 8, 9}));
  EXPECT_EQ(server->targets(), std::vector<std::string>{kPath + "?cursor=6"});
}

TEST(RepoStreamTest, ServerClosingMidStreamResumesFromTheLastSeqWithoutDuplicates) {
  Relay relay{.first =
                  [](WsConnection& c) {
                    for (int64_t seq = 1; seq <= 3; ++seq) c.SendBinary(Good(seq));
                    c.CloseAbruptly();
                  },
              .last = 6};
  auto server = relay.Start();
  StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 6);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(server->targets().size(), 2u);
  EXPECT_EQ(server->targets()[1], kPath + "?cursor=3");
  EXPECT_EQ(run.counters.duplicates, 1u);  // seq 3, replayed
  EXPECT_EQ(run.counters.reconnects, 1u);
  ASSERT_EQ(run.drops.size(), 1u);
  EXPECT_EQ(run.drops[0].code(), Code::kNetwork);
}

// A bad input sent after seqs 1 and 2: one clear line, then a reconnect with cursor=2 and seqs
// 3 and 4 from the replay; nothing lost, nothing twice.
struct BadInput {
  const char* name;
  Bytes frame;
  const char* says;  // in the one-line reason
};

Bytes Repeat(uint8_t byte, size_t n) { return Bytes(n, byte); }

std::vector<BadInput> BadInputs() {
  std::vector<BadInput> v;
  Bytes good = IdentityFrame(3);
  v.push_back({"truncated", Bytes(good.begin(), good.end() - 5), "but only 5 bytes left"});
  v.push_back(
      {"garbage", {0xFF, 0x00, 'g', 'a', 'r', 'b', 'a', 'g', 'e'}, "frame header: cbor: byte 0: "});
  {
    CborWriter h;  // "op" before "t": not DAG-CBOR key order
    h.Map(2).Text("op").Int(1).Text("t").Text("#identity");
    v.push_back({"unsorted keys", Concat(h.Take(), good), "map key \"t\" out of order"});
  }
  {
    CborWriter b;
    b.Map(3).Text("did").Text("did:plc:abc").Text("did").Text("did:plc:abc").Text("seq").Int(3);
    v.push_back(
        {"duplicate keys", Concat(Header(1, "#identity"), b.Take()), "duplicate map key \"did\""});
  }
  {
    CborWriter h;
    h.Raw({0xBF}).Text("t").Text("#identity").Text("op").Int(1).Raw({0xFF});
    v.push_back({"indefinite length", Concat(h.Take(), good), "indefinite-length map"});
  }
  {
    CborWriter b;
    b.Map(3).Text("did").Text("did:plc:abc").Text("seq").Raw({0xF9, 0x3E, 0x00});
    b.Text("time").Text("2024");
    v.push_back({"float", Concat(Header(1, "#identity"), b.Take()), "floating-point number"});
  }
  {
    CborWriter b;
    b.Map(3).Text("did").Head(6, 43).Text("did:plc:abc").Text("seq").Int(3);
    b.Text("time").Text("2024");
    v.push_back({"tag 43", Concat(Header(1, "#identity"), b.Take()), "tag 43 (only tag 42"});
  }
  v.push_back({"CID mismatch", CommitFrame(3, true), "#commit seq 3: CAR: byte 137: block bafy"});
  {
    CborWriter b;
    b.Map(1).Text("blocks").Head(2, 0xFFFFFFFF, 4);
    v.push_back(
        {"4 GB length", Concat(Header(1, "#commit"), b.Take()), "byte string of 4294967295 bytes"});
  }
  v.push_back(
      {"10000-deep nesting", Concat(Repeat(0x81, 10'000), {0x00}), "nested deeper than 64"});
  {
    CborWriter b;
    b.Map(4).Text("did").Text("did:plc:abc").Text("pad").Text(std::string((5 << 20) + 10, 'p'));
    b.Text("seq").Int(3).Text("time").Text("2024");
    v.push_back({"frame over 5 MB", Concat(Header(1, "#identity"), b.Take()),
                 "over the 5242880-byte limit"});
  }
  v.push_back({"message over the WebSocket limit", Bytes(6 << 20, 0xA1),
               "message over the 5308416-byte limit"});
  return v;
}

TEST(RepoStreamTest, BadInputsOverTheWire) {
  for (const BadInput& bad : BadInputs()) {
    SCOPED_TRACE(bad.name);
    Relay relay{.first = [&](WsConnection& c) {
      c.SendBinary(Good(1));
      c.SendBinary(Good(2));
      c.SendBinary(bad.frame);
      c.SendBinary(Good(3));  // never handled on this connection: it was dropped
    }};
    auto server = relay.Start();
    StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 4);
    EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2, 3, 4}));
    ASSERT_EQ(server->targets().size(), 2u);
    EXPECT_EQ(server->targets()[1], kPath + "?cursor=2");
    ASSERT_EQ(run.drops.size(), 1u);
    const std::string& why = run.drops[0].message();
    EXPECT_NE(why.find(bad.says), std::string::npos) << why;
    EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    EXPECT_LT(why.size(), 300u) << why;
    if (why.rfind("websocket: ", 0) != 0) {
      EXPECT_EQ(why.rfind("bad frame after seq 2: ", 0), 0u) << why;
      EXPECT_EQ(run.counters.bad_frames, 1u);
    }
    EXPECT_EQ(run.counters.duplicates, 1u);  // seq 2, replayed
    std::printf("  %-34s -> firehose: %s\n", bad.name, why.c_str());
  }
}

TEST(RepoStreamTest, TextMessageIsRefused) {
  Relay relay{.first = [](WsConnection& c) {
    c.SendBinary(Good(1));
    c.SendText("{\"not\":\"cbor\"}");
  }};
  auto server = relay.Start();
  StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 4);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2, 3, 4}));
  ASSERT_EQ(run.drops.size(), 1u);
  EXPECT_EQ(run.drops[0].message(), "text message of 14 bytes after seq 1 (frames are binary)");
}

TEST(RepoStreamTest, UnknownFramesAndOutdatedCursorAreNotErrors) {
  Relay relay{.first = [](WsConnection& c) {
    c.SendBinary(ErrorFrameBytes("OutdatedCursor", "cursor is older than the window"));
    c.SendBinary(InfoFrame("OutdatedCursor"));
    c.SendBinary(Concat(Header(1, "#labels"), CborWriter().Map(0).Take()));
    c.SendBinary(Concat(Header(2, "#commit"), CborWriter().Map(0).Take()));
    for (int64_t seq = 1; seq <= 2; ++seq) c.SendBinary(Good(seq));
  }};
  auto server = relay.Start();
  StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 2, 0);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(run.types, (std::vector<std::string>{"#info", "#commit", "#identity"}));
  EXPECT_TRUE(run.drops.empty());
  EXPECT_EQ(run.counters.ignored, 2u);
  EXPECT_EQ(server->targets(), std::vector<std::string>{kPath + "?cursor=0"});
}

TEST(RepoStreamTest, FutureCursorResetsTheCursorAndReconnectsWithoutOne) {
  Relay relay{.first =
                  [](WsConnection& c) {
                    c.SendBinary(ErrorFrameBytes("FutureCursor", "Cursor in the future."));
                  },
              .last = 2};
  auto server = relay.Start();
  StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 2, 100);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(run.cursor_resets, 1);
  EXPECT_EQ(server->targets(), (std::vector<std::string>{kPath + "?cursor=100", kPath}));
  ASSERT_EQ(run.drops.size(), 1u);
  EXPECT_EQ(run.drops[0].message(),
            "error frame FutureCursor: Cursor in the future. (after seq 100); dropping the cursor");
}

TEST(RepoStreamTest, OtherErrorFramesReconnectFromTheCursor) {
  Relay relay{.first = [](WsConnection& c) {
    c.SendBinary(Good(1));
    c.SendBinary(ErrorFrameBytes("ConsumerTooSlow", "too slow"));
  }};
  auto server = relay.Start();
  StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 4);
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(server->targets()[1], kPath + "?cursor=1");
  EXPECT_EQ(run.drops[0].message(), "error frame ConsumerTooSlow: too slow after seq 1");
}

TEST(RepoStreamTest, HandlerErrorReconnectsAndRedeliversTheFrame) {
  Relay relay{.first = [](WsConnection& c) {
    for (int64_t seq = 1; seq <= 4; ++seq) c.SendBinary(Good(seq));
  }};
  auto server = relay.Start();
  int refusals = 0;
  StreamRun run("ws://127.0.0.1:" + std::to_string(server->port()), 4, std::nullopt,
                [&](int64_t seq) {
                  if (seq == 3 && refusals++ == 0) return Status::IoError("state.db: disk full");
                  return Status::Ok();
                });
  EXPECT_EQ(run.seqs, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(refusals, 2);
  EXPECT_EQ(server->targets()[1], kPath + "?cursor=2");
  EXPECT_EQ(run.drops[0].message(), "handler, seq 3, resuming after seq 2: state.db: disk full");
}

TEST(RepoStreamTest, StopInterruptsABlockedRead) {
  Relay relay{.first = [](WsConnection& c) { c.SendBinary(Good(1)); }};
  auto server = relay.Start();
  RepoStreamOptions o;
  o.service = "ws://127.0.0.1:" + std::to_string(server->port());
  std::mutex mu;
  std::condition_variable cv;
  bool got = false;
  RepoStream stream(o, [&](const Frame&, int64_t) {
    std::lock_guard<std::mutex> lock(mu);
    got = true;
    cv.notify_all();
    return Status::Ok();
  });
  std::thread runner([&] { EXPECT_TRUE(stream.Run().ok()); });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return got; });
  }
  stream.Stop();  // the server is stalled: Run() is blocked in a read
  runner.join();
  EXPECT_EQ(stream.cursor(), std::optional<int64_t>(1));
  EXPECT_EQ(stream.counters().reconnects, 0u);
}

TEST(RepoStreamTest, SubscribeUrl) {
  EXPECT_EQ(*RepoStream::SubscribeUrl("https://bsky.network/", std::nullopt),
            "wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos");
  EXPECT_EQ(*RepoStream::SubscribeUrl("http://localhost:2583", 17),
            "ws://localhost:2583/xrpc/com.atproto.sync.subscribeRepos?cursor=17");
  EXPECT_EQ(*RepoStream::SubscribeUrl("WSS://relay.example", 0),
            "wss://relay.example/xrpc/com.atproto.sync.subscribeRepos?cursor=0");
  EXPECT_EQ(RepoStream::SubscribeUrl("ftp://x", std::nullopt).status().message(),
            "firehose: service URL 'ftp://x': want http, https, ws or wss");
  EXPECT_FALSE(RepoStream::SubscribeUrl("bsky.network", std::nullopt).ok());
  EXPECT_FALSE(RepoStream::SubscribeUrl("https://x/?a=1", std::nullopt).ok());
  RepoStreamOptions o;
  o.service = "gopher://x";
  RepoStream stream(o, [](const Frame&, int64_t) { return Status::Ok(); });
  EXPECT_EQ(stream.Run().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace altscribe::firehose
