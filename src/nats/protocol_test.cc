// nats/protocol_test.cc — the protocol's text pieces, value by value.
#include "nats/protocol.h"

#include <gtest/gtest.h>

#include "nats/connection.h"
#include "nats/jetstream.h"

namespace altscribe::nats {
namespace {

TEST(NatsProtocol, ParsesInfo) {
  auto info = ParseInfo(R"({"server_id":"N1","version":"2.9.10","max_payload":1048576,
                            "headers":true,"jetstream":true})");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->version, "2.9.10");
  EXPECT_EQ(info->max_payload, 1048576);
  EXPECT_TRUE(info->headers);
  EXPECT_TRUE(info->jetstream);
  EXPECT_FALSE(ParseInfo("{not json").ok());
}

TEST(NatsProtocol, ParsesMsgArgs) {
  auto m = ParseMsgArgs("foo.bar 9 11", false);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->subject, "foo.bar");
  EXPECT_EQ(m->sid, 9u);
  EXPECT_EQ(m->reply, "");
  EXPECT_EQ(m->total_bytes, 11u);

  m = ParseMsgArgs("foo 1 _INBOX.x.1 23 30", true);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->reply, "_INBOX.x.1");
  EXPECT_EQ(m->header_bytes, 23u);
  EXPECT_EQ(m->total_bytes, 30u);

  EXPECT_FALSE(ParseMsgArgs("foo 1", false).ok());
  EXPECT_FALSE(ParseMsgArgs("foo x 3", false).ok());
  EXPECT_FALSE(ParseMsgArgs("foo 1 3x", false).ok());
  EXPECT_FALSE(ParseMsgArgs("foo 1 31 30", true).ok());  // headers larger than the total
  EXPECT_FALSE(ParseMsgArgs("a b c d e f", true).ok());
}

TEST(NatsProtocol, HeadersRoundTrip) {
  Headers h = {{"Nats-Msg-Id", "job-1"}, {"X", "a b"}, {"X", "c"}};
  std::string block = EncodeHeaders(h);
  EXPECT_EQ(block, "NATS/1.0\r\nNats-Msg-Id: job-1\r\nX: a b\r\nX: c\r\n\r\n");
  auto parsed = ParseHeaders(block);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->status, 0);
  EXPECT_EQ(parsed->fields, h);
}

TEST(NatsProtocol, ParsesStatusLines) {
  auto p = ParseHeaders("NATS/1.0 503\r\n\r\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, 503);
  p = ParseHeaders("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, 408);
  EXPECT_EQ(p->description, "Request Timeout");
  EXPECT_EQ(p->fields.size(), 1u);
  EXPECT_FALSE(ParseHeaders("HTTP/1.1 200\r\n\r\n").ok());
  EXPECT_FALSE(ParseHeaders("NATS/1.0 abc\r\n\r\n").ok());
  EXPECT_FALSE(ParseHeaders("NATS/1.0\r\nno colon\r\n\r\n").ok());
}

TEST(NatsProtocol, RejectsBadHeaders) {
  EXPECT_FALSE(ValidateHeaders({{"Bad Key", "v"}}).ok());
  EXPECT_FALSE(ValidateHeaders({{"K", "line\r\nbreak"}}).ok());
  EXPECT_TRUE(ValidateHeaders({{"K", "v"}}).ok());
}

TEST(NatsProtocol, ValidatesSubjects) {
  EXPECT_TRUE(IsValidSubject("altscribe.jobs.m1", false));
  EXPECT_FALSE(IsValidSubject("", false));
  EXPECT_FALSE(IsValidSubject("a..b", false));
  EXPECT_FALSE(IsValidSubject(".a", false));
  EXPECT_FALSE(IsValidSubject("a.", false));
  EXPECT_FALSE(IsValidSubject("a b", false));
  EXPECT_FALSE(IsValidSubject("a.*", false));
  EXPECT_TRUE(IsValidSubject("a.*.c", true));
  EXPECT_TRUE(IsValidSubject("a.>", true));
  EXPECT_FALSE(IsValidSubject("a.>.c", true));
  EXPECT_FALSE(IsValidSubject("a.b*", true));
}

TEST(NatsProtocol, ConnectLineAndErrText) {
  std::string line = ConnectLine("w1", "", "", "");
  EXPECT_EQ(line.substr(0, 8), "CONNECT ");
  EXPECT_NE(line.find("\"no_responders\":true"), std::string::npos);
  EXPECT_NE(line.find("\"headers\":true"), std::string::npos);
  EXPECT_NE(line.find("\"verbose\":false"), std::string::npos);
  EXPECT_EQ(line.substr(line.size() - 2), "\r\n");
  EXPECT_EQ(ParseErrText(" 'Authorization Violation'"), "Authorization Violation");
}

TEST(NatsProtocol, ParsesUrls) {
  ConnectOptions o;
  ASSERT_TRUE(ParseUrl("nats://10.0.0.1:4333", &o).ok());
  EXPECT_EQ(o.host, "10.0.0.1");
  EXPECT_EQ(o.port, 4333);
  ASSERT_TRUE(ParseUrl("localhost", &o).ok());
  EXPECT_EQ(o.port, 4222);
  EXPECT_FALSE(ParseUrl("tls://h:1", &o).ok());
  EXPECT_FALSE(ParseUrl("h:99999", &o).ok());
}

TEST(NatsProtocol, ParsesAckSubjects) {
  JsMessage m;
  ASSERT_TRUE(ParseAckSubject("$JS.ACK.JOBS.workers.2.17.5.1700000000000000000.3", &m));
  EXPECT_EQ(m.stream, "JOBS");
  EXPECT_EQ(m.consumer, "workers");
  EXPECT_EQ(m.delivered, 2u);
  EXPECT_EQ(m.stream_seq, 17u);
  EXPECT_EQ(m.consumer_seq, 5u);
  ASSERT_TRUE(ParseAckSubject("$JS.ACK.dom.acchash.JOBS.w.1.9.9.1700000000.0.rnd", &m));
  EXPECT_EQ(m.stream, "JOBS");
  EXPECT_EQ(m.stream_seq, 9u);
  EXPECT_FALSE(ParseAckSubject("_INBOX.abc.1", &m));
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.x.1.1.1.1", &m));
}

}  // namespace
}  // namespace altscribe::nats
