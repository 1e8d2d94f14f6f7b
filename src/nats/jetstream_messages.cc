// nats/jetstream_messages.cc — see jetstream.h: publishing (once or retrying), fetching from a
// pull consumer, acknowledging, and the $JS.ACK reply subject's metadata.
#include <charconv>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "nats/jetstream.h"
#include "nats/jetstream_reply.h"

namespace altscribe::nats {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using internal::IsToken;
using internal::Nanos;
using internal::ParseReply;
using std::chrono::milliseconds;

const char* AckBody(AckKind kind) {
  switch (kind) {
    case AckKind::kAck:
      return "+ACK";
    case AckKind::kNak:
      return "-NAK";
    case AckKind::kInProgress:
      return "+WPI";
    case AckKind::kTerm:
      return "+TERM";
  }
  return "+ACK";
}

double UnitRandom() {
  thread_local std::mt19937_64 gen(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

std::string RandomId() {
  static const char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  thread_local std::mt19937_64 gen(std::random_device{}());
  std::uniform_int_distribution<int> pick(0, 35);
  std::string out = "pub-";
  for (int i = 0; i < 22; ++i) out += kAlphabet[pick(gen)];
  return out;
}

milliseconds Left(Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

}  // namespace

bool ParseAckSubject(const std::string& reply, JsMessage* m) {
  std::vector<std::string> t;
  size_t start = 0;
  while (true) {
    size_t dot = reply.find('.', start);
    t.push_back(reply.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (t.size() < 9 || t[0] != "$JS" || t[1] != "ACK") return false;
  if (t.size() != 9 && t.size() < 11) return false;
  size_t base = t.size() == 9 ? 2 : 4;  // v2 adds <domain>.<account hash> before the stream
  auto num = [](const std::string& s, uint64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  uint64_t ts = 0;
  if (!num(t[base + 2], &m->delivered) || !num(t[base + 3], &m->stream_seq) ||
      !num(t[base + 4], &m->consumer_seq) || !num(t[base + 5], &ts) ||
      !num(t[base + 6], &m->pending)) {
    return false;
  }
  m->timestamp_ns = static_cast<int64_t>(ts);
  m->domain = base == 4 && t[2] != "_" ? t[2] : "";
  m->stream = t[base];
  m->consumer = t[base + 1];
  return true;
}

Result<PubAck> JetStream::PublishOnce(const std::string& subject, std::string_view data,
                                      const Headers& headers, milliseconds timeout) {
  const std::string what = "publish to '" + subject + "'";
  auto reply = conn_.Request(subject, data, timeout, headers);
  if (!reply.ok()) {
    if (reply.status().code() == Code::kNotFound) {
      return Status::NotFound("jetstream: " + what + ": no responders (no stream stores '" +
                              subject + "', or its leader is being elected)");
    }
    return reply.status().WithPrefix("jetstream: " + what);
  }
  ASSIGN_OR_RETURN(json j, ParseReply(what, reply->data));
  PubAck ack;
  ack.stream = j.value("stream", "");
  ack.seq = j.value("seq", uint64_t{0});
  ack.duplicate = j.value("duplicate", false);
  if (ack.stream.empty()) return Status::Network("jetstream: " + what + ": reply is no PubAck");
  return ack;
}

Result<PubAck> JetStream::Publish(const std::string& subject, std::string_view data,
                                  const std::string& msg_id, Headers headers) {
  if (!msg_id.empty()) headers.emplace_back("Nats-Msg-Id", msg_id);
  return PublishOnce(subject, data, headers, timeout_);
}

Result<PubAck> JetStream::PublishRetrying(const std::string& subject, std::string_view data,
                                          const std::string& msg_id, Headers headers,
                                          const PublishRetry& retry) {
  headers.emplace_back("Nats-Msg-Id", msg_id.empty() ? RandomId() : msg_id);
  const auto start = Clock::now();
  const auto deadline = start + retry.total;
  for (int tries = 1;; ++tries) {
    milliseconds attempt =
        std::max(milliseconds(1), std::min(retry.attempt_timeout, Left(deadline)));
    auto r = PublishOnce(subject, data, headers, attempt);
    if (r.ok() || !IsRetryable(r.status())) return r;
    auto wait = ReconnectDelay(tries, retry.backoff_min, retry.backoff_max, 0.2, UnitRandom());
    if (Left(deadline) <= wait) {
      auto spent = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      return Status(r.status().code(), r.status().message() + " (gave up after " +
                                           std::to_string(tries) + " tries in " +
                                           std::to_string(spent.count()) + " ms)");
    }
    std::this_thread::sleep_for(wait);
  }
}

Result<std::vector<JsMessage>> JetStream::Fetch(const std::string& stream,
                                                const std::string& consumer, int batch,
                                                milliseconds expires) {
  const std::string what = "fetch from '" + stream + "." + consumer + "'";
  if (!IsToken(stream) || !IsToken(consumer) || batch < 1) {
    return Status::InvalidArgument("jetstream: " + what + ": bad stream, consumer or batch");
  }
  const auto deadline = Clock::now() + expires;
  std::vector<JsMessage> out;
  Status no_responders;  // set while the last pull found no consumer leader
  while (static_cast<int>(out.size()) < batch) {
    auto gen = conn_.WaitConnected(Left(deadline));
    if (!gen.ok()) break;  // still reconnecting at `expires` (or closed: see below)
    milliseconds left = Left(deadline);
    if (left < milliseconds(10)) break;
    auto queue = std::make_shared<MessageQueue>();
    const std::string inbox = conn_.NewInbox();
    ASSIGN_OR_RETURN(uint64_t sid,
                     conn_.Subscribe(inbox, [queue](Message m) { queue->Push(std::move(m)); }));
    conn_.CloseOnDisconnect(*gen, queue);  // a dropped connection ends this pull at once
    json req = {{"batch", batch - static_cast<int>(out.size())}, {"expires", Nanos(left)}};
    Status s = conn_.PublishWait("$JS.API.CONSUMER.MSG.NEXT." + stream + "." + consumer, req.dump(),
                                 milliseconds(0), {}, inbox);
    bool again = false;
    Status ended;  // the server ended the pull with an error
    no_responders = Status::Ok();
    // The server ends the pull itself at `expires` (408); the margin covers the round trip.
    const auto pop_deadline = deadline + milliseconds(1000);
    while (s.ok() && static_cast<int>(out.size()) < batch) {
      auto m = queue->Pop(pop_deadline);
      if (!m) break;                                    // connection dropped, or no answer
      if (m->status == 404 || m->status == 408) break;  // no messages / request expired
      if (m->status == 503) {                           // no consumer (leader) right now
        no_responders = Status::NotFound("jetstream: " + what +
                                         ": no responders (no such consumer, or its leader is "
                                         "being elected)");
        again = out.empty();
        break;
      }
      if (m->status == 409) {  // leadership change, consumer deleted, max waiting exceeded...
        if (out.empty() && m->description.find("Leadership Change") == std::string::npos) {
          ended = Status::Network("jetstream: " + what + ": " + m->description);
        }
        break;
      }
      if (m->status != 0) continue;  // 100 idle heartbeat / flow control
      JsMessage jm;
      if (!ParseAckSubject(m->reply, &jm)) continue;
      jm.msg = std::move(*m);
      out.push_back(std::move(jm));
    }
    (void)conn_.Unsubscribe(sid);
    if (!ended.ok()) return ended;
    if (!again) break;  // also when the pull could not be sent: not connected any more
    std::this_thread::sleep_for(std::min(milliseconds(250), Left(deadline)));
  }
  if (out.empty()) {
    if (Status closed = conn_.status(); !closed.ok())
      return closed.WithPrefix("jetstream: " + what);
    if (!no_responders.ok()) return no_responders;
  }
  return out;
}

Status JetStream::SendAck(const JsMessage& m, const std::string& body, const std::string& what,
                          bool sync) {
  if (m.msg.reply.empty()) return Status::InvalidArgument("jetstream: message has no reply");
  if (!sync) return conn_.Publish(m.msg.reply, body);
  auto r = conn_.Request(m.msg.reply, body, timeout_);
  return r.ok() ? Status::Ok()
                : r.status().WithPrefix("jetstream: " + what + " for stream seq " +
                                        std::to_string(m.stream_seq));
}

Status JetStream::Ack(const JsMessage& m, AckKind kind) {
  return SendAck(m, AckBody(kind), AckBody(kind), false);
}

Status JetStream::AckSync(const JsMessage& m, AckKind kind) {
  return SendAck(m, AckBody(kind), AckBody(kind), true);
}

Status JetStream::NakWithDelay(const JsMessage& m, milliseconds delay, bool sync) {
  json body = {{"delay", Nanos(delay)}};
  return SendAck(m, "-NAK " + body.dump(), "-NAK", sync);
}

}  // namespace altscribe::nats
