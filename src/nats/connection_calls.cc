// nats/connection_calls.cc — Connection's calls from user threads (publish, subscribe, request,
// flush) and how they wait for a reconnect; see connection.h. The reader side is connection.cc.
#include <sys/socket.h>

#include <algorithm>

#include "nats/connection.h"
#include "nats/socket.h"

namespace altscribe::nats {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

std::string Connection::WhereLocked() const { return "nats " + pool_[current_].ToString(); }

Status Connection::NotConnectedLocked() const {
  return Status::Network("nats: not connected (reconnecting to " + DescribePool(pool_) + ")");
}

Status Connection::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

Connection::State Connection::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

uint64_t Connection::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gen_;
}

ServerInfo Connection::server_info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_;
}

std::string Connection::connected_server() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pool_[current_].ToString();
}

std::vector<ServerAddress> Connection::servers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pool_;
}

std::string Connection::last_server_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

Result<uint64_t> Connection::WaitConnectedUntil(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return state_ != State::kReconnecting; });
  if (state_ == State::kClosed) return closed_;
  if (state_ == State::kReconnecting) return NotConnectedLocked();
  return gen_;
}

Result<uint64_t> Connection::WaitConnected(std::chrono::milliseconds wait) {
  return WaitConnectedUntil(Clock::now() + wait);
}

void Connection::CloseOnDisconnect(uint64_t gen, const std::shared_ptr<MessageQueue>& queue) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (gen == gen_ && state_ == State::kConnected) {
      if (watchers_.size() > 64) {
        watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                       [](const auto& w) { return w.expired(); }),
                        watchers_.end());
      }
      watchers_.push_back(queue);
      return;
    }
  }
  queue->Close();
}

Status Connection::Send(std::string_view bytes, Clock::time_point deadline, uint64_t only_gen,
                        uint64_t* ping) {
  // The reader thread (a callback, on_event, keep-alive) must never wait for the reconnect that
  // only it can make.
  if (std::this_thread::get_id() == reader_.get_id()) deadline = Clock::now();
  uint64_t failed_gen = 0;  // the generation a write of ours failed on: wait for the next one
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, deadline, [&] {
        return state_ == State::kClosed || (state_ == State::kConnected && gen_ != failed_gen);
      });
      if (state_ == State::kClosed) return closed_;
      if (state_ != State::kConnected || gen_ == failed_gen) return NotConnectedLocked();
      if (only_gen != 0 && gen_ != only_gen) {
        return Status::Network(WhereLocked() + ": connection was replaced (reconnected)");
      }
    }
    std::lock_guard<std::mutex> wlock(write_mu_);
    int fd;
    uint64_t gen;
    std::string where;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (state_ != State::kConnected) continue;  // dropped meanwhile: wait again
      if (only_gen != 0 && gen_ != only_gen) {
        return Status::Network(WhereLocked() + ": connection was replaced (reconnected)");
      }
      fd = fd_;
      gen = gen_;
      where = WhereLocked();
      if (ping) *ping = ++pings_sent_;
    }
    Status s = SendAll(fd, bytes);
    if (s.ok()) return s;
    shutdown(fd, SHUT_RDWR);  // the reader thread sees it and reconnects
    if (!options_.reconnect) return Status::Network(where + ": write failed: " + s.message());
    failed_gen = gen;
  }
}

Result<std::string> Connection::EncodePub(const std::string& subject, std::string_view data,
                                          const Headers& headers, const std::string& reply) const {
  if (!IsValidSubject(subject, false)) {
    return Status::InvalidArgument("nats: invalid subject '" + subject + "'");
  }
  if (!reply.empty() && !IsValidSubject(reply, false)) {
    return Status::InvalidArgument("nats: invalid reply subject '" + reply + "'");
  }
  RETURN_IF_ERROR(ValidateHeaders(headers));
  std::string hdr = headers.empty() ? "" : EncodeHeaders(headers);
  size_t total = hdr.size() + data.size();
  int64_t max_payload;
  {
    std::lock_guard<std::mutex> lock(mu_);
    max_payload = info_.max_payload;
  }
  if (total > static_cast<size_t>(max_payload)) {
    return Status::TooLarge("nats: message of " + std::to_string(total) + " bytes to '" + subject +
                            "' exceeds the server's max_payload of " + std::to_string(max_payload));
  }
  std::string out;
  out.reserve(subject.size() + reply.size() + total + 48);
  out += headers.empty() ? "PUB " : "HPUB ";
  out += subject;
  if (!reply.empty()) out.append(" ").append(reply);
  if (!headers.empty()) out.append(" ").append(std::to_string(hdr.size()));
  out.append(" ").append(std::to_string(total)).append("\r\n");
  out += hdr;
  out.append(data);
  out += "\r\n";
  return out;
}

Status Connection::Publish(const std::string& subject, std::string_view data,
                           const Headers& headers, const std::string& reply) {
  return PublishWait(subject, data, options_.publish_wait, headers, reply);
}

Status Connection::PublishWait(const std::string& subject, std::string_view data,
                               std::chrono::milliseconds wait, const Headers& headers,
                               const std::string& reply) {
  ASSIGN_OR_RETURN(std::string out, EncodePub(subject, data, headers, reply));
  return Send(out, Clock::now() + wait);
}

Result<uint64_t> Connection::Subscribe(const std::string& subject, MessageCallback callback,
                                       const std::string& queue_group) {
  if (!IsValidSubject(subject, true)) {
    return Status::InvalidArgument("nats: invalid subject '" + subject + "'");
  }
  if (queue_group.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("nats: invalid queue group '" + queue_group + "'");
  }
  // Under write_mu_, so a reconnect's re-SUB either includes this one or comes before it.
  std::lock_guard<std::mutex> wlock(write_mu_);
  uint64_t sid;
  int fd = -1;
  std::string where;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kClosed) return closed_;
    sid = next_sid_++;
    subs_[sid] = Sub{subject, queue_group, std::make_shared<MessageCallback>(std::move(callback))};
    if (state_ == State::kConnected) fd = fd_;
    where = WhereLocked();
  }
  if (fd < 0) return sid;  // sent on reconnect
  Status s = SendAll(fd, "SUB " + subject + (queue_group.empty() ? "" : " " + queue_group) + " " +
                             std::to_string(sid) + "\r\n");
  if (!s.ok()) {
    shutdown(fd, SHUT_RDWR);  // the reconnect sends it again
    if (!options_.reconnect) {
      std::lock_guard<std::mutex> lock(mu_);
      subs_.erase(sid);
      return Status::Network(where + ": write failed: " + s.message());
    }
  }
  return sid;
}

Status Connection::Unsubscribe(uint64_t sid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (subs_.erase(sid) == 0) {
      return Status::NotFound("nats: no subscription " + std::to_string(sid));
    }
  }
  // Wait out a callback in flight, unless this is that callback's own thread.
  if (std::this_thread::get_id() != reader_.get_id()) {
    std::lock_guard<std::mutex> dlock(dispatch_mu_);
  }
  // Not connected: the server has forgotten it, and the reconnect won't send it again.
  (void)Send("UNSUB " + std::to_string(sid) + "\r\n", Clock::now());
  return Status::Ok();
}

std::string Connection::NewInbox() {
  std::lock_guard<std::mutex> lock(mu_);
  return inbox_prefix_ + "." + std::to_string(next_inbox_++);
}

Status Connection::EnsureInbox() {
  // Held until the SUB is written, so no request's PUB can overtake it on the wire.
  std::lock_guard<std::mutex> inbox_lock(inbox_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (inbox_subscribed_) return Status::Ok();
  }
  const size_t prefix_len = inbox_prefix_.size() + 1;
  auto sid = Subscribe(inbox_prefix_ + ".*", [this, prefix_len](Message m) {
    std::shared_ptr<MessageQueue> q;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(m.subject.substr(std::min(prefix_len, m.subject.size())));
      if (it == pending_.end()) return;  // a late reply to a request that timed out
      q = it->second;
    }
    q->Push(std::move(m));
  });
  if (!sid.ok()) return sid.status();
  std::lock_guard<std::mutex> lock(mu_);
  inbox_subscribed_ = true;
  return Status::Ok();
}

Result<Message> Connection::Request(const std::string& subject, std::string_view data,
                                    std::chrono::milliseconds timeout, const Headers& headers) {
  RETURN_IF_ERROR(EnsureInbox());
  const auto deadline = Clock::now() + timeout;
  while (true) {
    ASSIGN_OR_RETURN(uint64_t gen, WaitConnectedUntil(deadline));
    auto q = std::make_shared<MessageQueue>();
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (gen_ != gen || state_ != State::kConnected) continue;  // dropped meanwhile
      token = std::to_string(next_inbox_++);
      pending_[token] = q;
    }
    auto unregister = [&] {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.erase(token);
    };
    auto out = EncodePub(subject, data, headers, inbox_prefix_ + "." + token);
    if (!out.ok()) {
      unregister();
      return out.status();
    }
    Status s = Send(*out, deadline, gen);
    if (!s.ok()) {
      unregister();
      if (generation() != gen && Clock::now() < deadline) continue;  // try the new connection
      return s;
    }
    std::optional<Message> reply = q->Pop(deadline);
    unregister();
    if (!reply) {
      std::lock_guard<std::mutex> lock(mu_);
      if (state_ == State::kClosed) return closed_;
      if (gen_ != gen || state_ != State::kConnected) {
        return Status::Network("nats: connection to " + pool_[current_].ToString() +
                               " lost before '" + subject + "' was answered; retry");
      }
      return Status::Timeout("nats: request to '" + subject + "' timed out after " +
                             std::to_string(timeout.count()) + " ms");
    }
    if (reply->status == 503) {
      return Status::NotFound("nats: no responders for '" + subject + "'");
    }
    return std::move(*reply);
  }
}

Status Connection::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    ASSIGN_OR_RETURN(uint64_t gen, WaitConnectedUntil(deadline));
    uint64_t n = 0;
    Status s = Send("PING\r\n", deadline, gen, &n);
    if (!s.ok()) {
      if (generation() != gen && Clock::now() < deadline) continue;
      return s;
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [&] {
      return state_ != State::kConnected || gen_ != gen || pongs_received_ >= n;
    });
    if (state_ == State::kClosed) return closed_;
    if (state_ == State::kConnected && gen_ == gen) {
      if (pongs_received_ >= n) return Status::Ok();
      return Status::Timeout(WhereLocked() + ": no PONG within " + std::to_string(timeout.count()) +
                             " ms");
    }
    // The connection dropped before the PONG: PING the next one.
  }
}

}  // namespace altscribe::nats
