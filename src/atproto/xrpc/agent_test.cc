// Agent against a scripted PDS on loopback: sessions are created only when needed, refreshed
// once on ExpiredToken, rate limits and server errors are honoured, secrets never leak.
#include "atproto/xrpc/agent.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http_server.h"

namespace altscribe::atproto {
namespace {

namespace t = altscribe::testing;
using json = nlohmann::json;

t::HttpReply Json(int status, const json& body) {
  return {.status = status, .headers = {{"Content-Type", "application/json"}}, .body = body.dump()};
}

class FakePds {
 public:
  FakePds() {
    EXPECT_TRUE(server.Start().ok());
    server.Route("/xrpc/com.atproto.server.createSession", [this](const t::HttpRequest& r) {
      ++creates;
      json in = json::parse(r.body);
      if (in["password"] != "app-pass-1234")
        return Json(401, {{"error", "AuthenticationRequired"},
                          {"message", "Invalid identifier or password"}});
      return Issue();
    });
    server.Route("/xrpc/com.atproto.server.refreshSession", [this](const t::HttpRequest& r) {
      ++refreshes;
      if (refresh_fails || r.Header("Authorization") != "Bearer refresh-" + std::to_string(gen)) {
        return Json(400, {{"error", "ExpiredToken"}, {"message", "Token has expired"}});
      }
      return Issue();
    });
    server.Route("/xrpc/app.bsky.notification.listNotifications", [this](const t::HttpRequest& r) {
      if (r.Header("Authorization") != "Bearer access-" + std::to_string(gen)) {
        return Json(400, {{"error", "ExpiredToken"}, {"message", "Token has expired"}});
      }
      return Json(200, {{"notifications", json::array()}});
    });
  }
  t::HttpReply Issue() {
    ++gen;
    return Json(200, {{"did", "did:plc:bot"},
                      {"handle", "alttext.test"},
                      {"accessJwt", "access-" + std::to_string(gen)},
                      {"refreshJwt", "refresh-" + std::to_string(gen)}});
  }
  XrpcClient Client() { return XrpcClient(server.Url(""), http::Limits{}); }

  t::HttpServer server;
  std::atomic<int> creates{0}, refreshes{0}, gen{0};
  bool refresh_fails = false;
};

AgentOptions Options(std::vector<std::chrono::milliseconds>* sleeps = nullptr,
                     std::vector<Session>* saved = nullptr) {
  AgentOptions o;
  o.identifier = "alttext.test";
  o.password = "app-pass-1234";
  o.sleep = [sleeps](std::chrono::milliseconds d) {
    if (sleeps) sleeps->push_back(d);
  };
  o.jitter = [] { return 1.0; };
  o.now_epoch_s = [] { return int64_t{1'700'000'000}; };
  o.on_session = [saved](const Session& s) {
    if (saved) saved->push_back(s);
    return Status::Ok();
  };
  return o;
}

TEST(Agent, LogsInOnceAndPersistsTheSession) {
  FakePds pds;
  std::vector<Session> saved;
  Agent a(pds.Client(), Options(nullptr, &saved));
  ASSERT_TRUE(a.Query("app.bsky.notification.listNotifications", {}).ok());
  ASSERT_TRUE(a.Query("app.bsky.notification.listNotifications", {}).ok());
  EXPECT_EQ(pds.creates, 1);
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].did, "did:plc:bot");
  EXPECT_EQ(saved[0].access_jwt, "access-1");
}

TEST(Agent, AStoredSessionIsUsedWithoutLoggingIn) {
  FakePds pds;
  pds.gen = 5;
  Agent a(pds.Client(), Options(), Session{"did:plc:bot", "alttext.test", "access-5", "refresh-5"});
  ASSERT_TRUE(a.Query("app.bsky.notification.listNotifications", {}).ok());
  EXPECT_EQ(pds.creates, 0);
  EXPECT_EQ(pds.refreshes, 0);
}

TEST(Agent, ExpiredTokenRefreshesOnceAndRetries) {
  FakePds pds;
  pds.gen = 5;
  std::vector<Session> saved;
  Agent a(pds.Client(), Options(nullptr, &saved),
          Session{"did:plc:bot", "alttext.test", "access-OLD", "refresh-5"});
  auto r = a.Query("app.bsky.notification.listNotifications", {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(pds.refreshes, 1);
  EXPECT_EQ(pds.creates, 0) << "a working refresh token means no createSession";
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].access_jwt, "access-6");
}

TEST(Agent, ExpiredRefreshTokenFallsBackToLogin) {
  FakePds pds;
  pds.refresh_fails = true;
  Agent a(pds.Client(), Options(), Session{"did:plc:bot", "h", "access-OLD", "refresh-OLD"});
  ASSERT_TRUE(a.Query("app.bsky.notification.listNotifications", {}).ok());
  EXPECT_EQ(pds.refreshes, 1);
  EXPECT_EQ(pds.creates, 1);
}

TEST(Agent, ConcurrentExpiredCallsRefreshOnce) {
  FakePds pds;
  pds.gen = 5;
  Agent a(pds.Client(), Options(), Session{"did:plc:bot", "h", "access-OLD", "refresh-5"});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&] { ok += a.Query("app.bsky.notification.listNotifications", {}).ok(); });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(pds.refreshes, 1);
  EXPECT_EQ(pds.creates, 0);
}

TEST(Agent, WrongPasswordIsAClearErrorWithoutTheSecret) {
  FakePds pds;
  AgentOptions o = Options();
  o.password = "wrong-secret-pw";
  Agent a(pds.Client(), o);
  auto r = a.Query("app.bsky.notification.listNotifications", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Invalid identifier or password"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("wrong-secret-pw"), std::string::npos);
}

TEST(Agent, RateLimitedQueriesWaitForTheServer) {
  FakePds pds;
  std::atomic<int> calls{0};
  pds.server.Route("/xrpc/app.bsky.feed.getPosts", [&](const t::HttpRequest&) {
    if (calls++ == 0) {
      t::HttpReply r = Json(429, {{"error", "RateLimitExceeded"}});
      r.headers.push_back({"RateLimit-Reset", "1700000042"});
      return r;
    }
    return Json(200, {{"posts", json::array()}});
  });
  std::vector<std::chrono::milliseconds> sleeps;
  Agent a(pds.Client(), Options(&sleeps));
  auto r = a.Query("app.bsky.feed.getPosts", {{"uris", "at://x"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_EQ(sleeps[0], std::chrono::seconds(42));
}

TEST(Agent, ServerErrorsRetryQueriesButNotProcedures) {
  FakePds pds;
  std::atomic<int> q{0}, p{0};
  pds.server.Route("/xrpc/app.bsky.feed.getPosts", [&](const t::HttpRequest&) {
    return ++q < 3 ? Json(502, {{"error", "UpstreamFailure"}})
                   : Json(200, {{"posts", json::array()}});
  });
  pds.server.Route("/xrpc/com.atproto.repo.createRecord", [&](const t::HttpRequest&) {
    ++p;
    return Json(500, {{"error", "InternalServerError"}});
  });
  std::vector<std::chrono::milliseconds> sleeps;
  Agent a(pds.Client(), Options(&sleeps));
  EXPECT_TRUE(a.Query("app.bsky.feed.getPosts", {}).ok());
  EXPECT_EQ(q, 3);
  auto w = a.Procedure("com.atproto.repo.createRecord", {{"x", 1}});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kNetwork);
  EXPECT_EQ(p, 1)
      << "a 500 on a write is ambiguous: the caller checks, the agent must not repeat it";
}

TEST(Agent, ClientErrorsAreNeverRetried) {
  FakePds pds;
  std::atomic<int> n{0};
  pds.server.Route("/xrpc/com.atproto.repo.getRecord", [&](const t::HttpRequest&) {
    ++n;
    return Json(400, {{"error", "RecordNotFound"}, {"message", "Could not locate record"}});
  });
  Agent a(pds.Client(), Options());
  auto r = a.Query("com.atproto.repo.getRecord", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace altscribe::atproto
