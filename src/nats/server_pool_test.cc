// nats/server_pool_test.cc — URL lists, discovered cluster peers and the reconnect wait.
#include "nats/server_pool.h"

#include <gtest/gtest.h>

#include "nats/connection.h"

namespace altscribe::nats {
namespace {

using std::chrono::milliseconds;

TEST(ServerPool, ParsesOneUrlInEachForm) {
  auto a = ParseServerUrl("nats://h1:4223");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->ToString(), "h1:4223");
  EXPECT_EQ(ParseServerUrl("h2")->ToString(), "h2:4222");
  EXPECT_EQ(ParseServerUrl("10.0.0.1:5000")->ToString(), "10.0.0.1:5000");
  auto v6 = ParseServerUrl("nats://[::1]:4300");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 4300);
}

TEST(ServerPool, BadUrlsAreOneClearLine) {
  EXPECT_EQ(ParseServerUrl("tls://h:1").status().message(),
            "nats: unsupported URL scheme in 'tls://h:1' (nats:// only)");
  EXPECT_EQ(ParseServerUrl("h:0").status().message(), "nats: bad port in URL 'h:0'");
  EXPECT_EQ(ParseServerUrl("h:99999").status().message(), "nats: bad port in URL 'h:99999'");
  EXPECT_EQ(ParseServerUrl("h:").status().message(), "nats: bad port in URL 'h:'");
  EXPECT_EQ(ParseServerUrl(":4222").status().message(), "nats: no host in URL ':4222'");
  EXPECT_EQ(ParseServerUrl("[::1").status().message(), "nats: unterminated '[' in URL '[::1'");
  EXPECT_EQ(ParseServerUrl("user@h:1").status().message(), "nats: bad host in URL 'user@h:1'");
}

TEST(ServerPool, ParsesAListAndDropsRepeats) {
  auto l = ParseServerList("nats://h1:4222, nats://h2:4223,h1:4222");
  ASSERT_TRUE(l.ok()) << l.status().message();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ(DescribePool(*l), "h1:4222, h2:4223");
  EXPECT_EQ(ParseServerList("h1,,h2").status().message(), "nats: empty server URL in 'h1,,h2'");
  EXPECT_EQ(ParseServerList("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseServerList("h1,h2:x").status().message(), "nats: bad port in URL 'h2:x'");
}

TEST(ServerPool, ParseUrlFillsHostPortAndServers) {
  ConnectOptions o;
  ASSERT_TRUE(ParseUrl("nats://a:1,nats://b:2", &o).ok());
  EXPECT_EQ(o.host, "a");
  EXPECT_EQ(o.port, 1);
  ASSERT_EQ(o.servers.size(), 2u);
  EXPECT_EQ(o.servers[1].ToString(), "b:2");
  ConnectOptions bad;
  EXPECT_FALSE(ParseUrl("a:1,", &bad).ok());
  EXPECT_TRUE(bad.servers.empty());  // untouched on error
}

TEST(ServerPool, DiscoveredPeersAreAddedOnce) {
  std::vector<ServerAddress> pool = *ParseServerList("127.0.0.1:4222");
  EXPECT_EQ(AddDiscovered({"127.0.0.1:4222", "127.0.0.1:4223", "garbage:x"}, &pool), 1);
  EXPECT_EQ(AddDiscovered({"127.0.0.1:4223"}, &pool), 0);
  ASSERT_EQ(pool.size(), 2u);
  EXPECT_FALSE(pool[0].discovered);
  EXPECT_TRUE(pool[1].discovered);
}

TEST(ServerPool, ReconnectDelayDoublesUpToTheCap) {
  auto d = [](int round) {
    return ReconnectDelay(round, milliseconds(50), milliseconds(2000), 0.0, 0.5);
  };
  EXPECT_EQ(d(0), milliseconds(50));
  EXPECT_EQ(d(1), milliseconds(50));
  EXPECT_EQ(d(2), milliseconds(100));
  EXPECT_EQ(d(3), milliseconds(200));
  EXPECT_EQ(d(6), milliseconds(1600));
  EXPECT_EQ(d(7), milliseconds(2000));
  EXPECT_EQ(d(1000), milliseconds(2000));
}

TEST(ServerPool, ReconnectDelayJitterSpreadsBothWays) {
  auto d = [](double u) { return ReconnectDelay(3, milliseconds(50), milliseconds(2000), 0.2, u); };
  EXPECT_EQ(d(0.0), milliseconds(160));  // 200 * 0.8
  EXPECT_EQ(d(0.5), milliseconds(200));
  EXPECT_EQ(d(1.0), milliseconds(240));  // 200 * 1.2
  EXPECT_EQ(ReconnectDelay(1, milliseconds(50), milliseconds(50), 1.0, 0.0), milliseconds(0));
}

TEST(Retryable, NetworkTimeoutAndNoRespondersOnly) {
  EXPECT_TRUE(IsRetryable(Status::Network("nats: not connected (reconnecting to a:1)")));
  EXPECT_TRUE(IsRetryable(Status::Timeout("x")));
  EXPECT_TRUE(IsRetryable(Status::NotFound("nats: no responders for 'x'")));
  EXPECT_FALSE(IsRetryable(Status::NotFound("no such stream")));
  EXPECT_FALSE(IsRetryable(Status::InvalidArgument("x")));
  EXPECT_FALSE(IsRetryable(Status::Ok()));
}

}  // namespace
}  // namespace altscribe::nats
