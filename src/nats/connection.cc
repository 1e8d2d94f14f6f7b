// nats/connection.cc — see connection.h. The reader side (handshake, reading, reconnecting) is
// here; the socket calls are in socket.cc, the server pool and backoff in server_pool.cc.
#include "nats/connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <random>

#include "nats/socket.h"

namespace altscribe::nats {
namespace {

using Clock = std::chrono::steady_clock;

std::string RandomToken(size_t n) {
  static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::mt19937_64 gen((uint64_t{rd()} << 32) ^ rd());
  std::uniform_int_distribution<int> pick(0, 61);
  std::string out(n, '0');
  for (char& c : out) c = kAlphabet[pick(gen)];
  return out;
}

double UnitRandom() {
  thread_local std::mt19937_64 gen(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

int64_t MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max<int64_t>(0, left.count());
}

}  // namespace

Status ParseUrl(const std::string& url, ConnectOptions* options) {
  ASSIGN_OR_RETURN(std::vector<ServerAddress> servers, ParseServerList(url));
  options->host = servers[0].host;
  options->port = servers[0].port;
  options->servers = std::move(servers);
  return Status::Ok();
}

bool IsRetryable(const Status& s) {
  switch (s.code()) {
    case Code::kNetwork:
    case Code::kTimeout:
      return true;
    case Code::kNotFound:
      return s.message().find("no responders") != std::string::npos;
    default:
      return false;
  }
}

Connection::Connection(ConnectOptions options, std::vector<ServerAddress> pool)
    : options_(std::move(options)),
      inbox_prefix_("_INBOX." + RandomToken(22)),
      state_(State::kReconnecting),
      pool_(std::move(pool)) {}

Result<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& options) {
  std::vector<ServerAddress> pool = options.servers;
  if (pool.empty()) pool.push_back(ServerAddress{options.host, options.port});
  std::unique_ptr<Connection> c(new Connection(options, pool));
  std::string errors;
  Status last;
  for (size_t i = 0; i < pool.size(); ++i) {
    ServerInfo info;
    Status s = c->Dial(pool[i], &info);
    if (s.ok()) {
      s = c->Install(i, info);
      if (!s.ok()) c->DropSocket();
    }
    if (s.ok()) {
      c->reader_ = std::thread([conn = c.get()] { conn->Run(); });
      return c;
    }
    last = s;
    errors += (errors.empty() ? "" : "; ") + s.message();
  }
  if (pool.size() == 1) return last;
  return Status(last.code(), "nats: no server of " + DescribePool(pool) + " answered: " + errors);
}

Status Connection::Dial(const ServerAddress& server, ServerInfo* info) {
  ASSIGN_OR_RETURN(int fd, DialTcp(server.host, server.port, options_.connect_timeout));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) {
      close(fd);
      return Status::Network("nats: connection closed by the client");
    }
    active_fd_ = fd;
  }
  rfd_ = fd;
  rwhere_ = "nats " + server.ToString();
  buf_.clear();
  buf_pos_ = 0;
  pings_out_ = 0;
  read_deadline_ = Clock::now() + options_.connect_timeout;
  Status s = Handshake(info);
  read_deadline_.reset();
  if (!s.ok()) DropSocket();
  return s;
}

void Connection::DropSocket() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_fd_ = -1;
  }
  if (rfd_ >= 0) close(rfd_);
  rfd_ = -1;
}

Status Connection::Handshake(ServerInfo* out) {
  std::string line;
  RETURN_IF_ERROR(ReadControlLine(&line));
  if (line.rfind("INFO ", 0) != 0) {
    return Status::Network(rwhere_ + ": expected INFO, got '" + line.substr(0, 80) + "'");
  }
  auto info = ParseInfo(std::string_view(line).substr(5));
  if (!info.ok()) return info.status().WithPrefix(rwhere_);
  *out = *info;
  if (!out->headers) {
    return Status::Unsupported(rwhere_ + ": server " + out->version +
                               " does not support headers (nats-server 2.2 or newer needed)");
  }
  Status w =
      SendAll(rfd_, ConnectLine(options_.name, options_.user, options_.password, options_.token) +
                        "PING\r\n");
  if (!w.ok()) return Status::Network(rwhere_ + ": write failed: " + w.message());
  while (true) {
    RETURN_IF_ERROR(ReadControlLine(&line));
    if (line == "PONG") return Status::Ok();
    if (line.rfind("-ERR", 0) == 0) {
      return Status::Network(rwhere_ + ": server refused the connection: '" +
                             ParseErrText(std::string_view(line).substr(4)) + "'");
    }
    if (line == "PING") {
      w = SendAll(rfd_, "PONG\r\n");
      if (!w.ok()) return Status::Network(rwhere_ + ": write failed: " + w.message());
    }
    // +OK and INFO updates need nothing here; no MSG can come before our first SUB.
  }
}

Status Connection::Install(size_t server_index, const ServerInfo& info) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  std::string subs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return Status::Network("nats: connection closed by the client");
    for (const auto& [sid, sub] : subs_) {
      subs += "SUB " + sub.subject + (sub.queue.empty() ? "" : " " + sub.queue) + " " +
              std::to_string(sid) + "\r\n";
    }
  }
  if (!subs.empty()) {
    Status w = SendAll(rfd_, subs);
    if (!w.ok()) return Status::Network(rwhere_ + ": write failed: " + w.message());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    fd_ = rfd_;
    state_ = State::kConnected;
    ++gen_;
    current_ = server_index;
    info_ = info;
    pings_sent_ = pongs_received_ = 0;
    if (options_.discover_servers) AddDiscovered(info.connect_urls, &pool_);
  }
  cv_.notify_all();
  return Status::Ok();
}

Connection::~Connection() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    if (state_ != State::kClosed) {
      state_ = State::kClosed;
      if (closed_.ok())
        closed_ = Status::Network(WhereLocked() + ": connection closed by the client");
    }
    if (active_fd_ >= 0) shutdown(active_fd_, SHUT_RDWR);
  }
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  if (rfd_ >= 0) close(rfd_);
}

void Connection::Run() {
  while (true) {
    Disconnected(ReadLoop());
    if (!Reconnect()) return;
  }
}

void Connection::Disconnected(const Status& why) {
  if (rfd_ >= 0) shutdown(rfd_, SHUT_RDWR);  // wakes a writer blocked in send()
  std::vector<std::shared_ptr<MessageQueue>> wake;
  bool closing, closed;
  std::string server;
  {
    std::lock_guard<std::mutex> wlock(write_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    fd_ = -1;
    active_fd_ = -1;
    closing = closing_;
    server = pool_[current_].ToString();
    last_drop_ = why;
    if (closing_ || !options_.reconnect) {
      state_ = State::kClosed;
      if (closed_.ok()) closed_ = why;
    } else {
      state_ = State::kReconnecting;
    }
    closed = state_ == State::kClosed;
    for (auto& [token, q] : pending_) wake.push_back(q);
    for (auto& w : watchers_) {
      if (auto q = w.lock()) wake.push_back(std::move(q));
    }
    watchers_.clear();
    if (rfd_ >= 0) close(rfd_);
    rfd_ = -1;
  }
  cv_.notify_all();
  for (auto& q : wake) q->Close();
  if (!closing) {
    Emit(closed ? ConnectionEvent::Kind::kClosed : ConnectionEvent::Kind::kDisconnected, server,
         why);
  }
}

bool Connection::Reconnect() {
  const auto start = Clock::now();
  Status last;
  for (int round = 1;; ++round) {
    std::vector<ServerAddress> pool;
    size_t first;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_ || state_ == State::kClosed) return false;
      last = last_drop_;
      pool = pool_;
      first = current_ + 1;  // the one just lost goes last
    }
    for (size_t k = 0; k < pool.size(); ++k) {
      size_t i = (first + k) % pool.size();
      ServerInfo info;
      Status s = Dial(pool[i], &info);
      if (s.ok()) {
        s = Install(i, info);
        if (!s.ok()) DropSocket();
      }
      if (s.ok()) {
        Emit(ConnectionEvent::Kind::kReconnected, pool[i].ToString(), Status::Ok());
        return true;
      }
      last = s;
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return false;
    }
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (options_.reconnect_give_up.count() > 0 && spent >= options_.reconnect_give_up) {
      Status why =
          Status::Network("nats: gave up reconnecting to " + DescribePool(pool) + " after " +
                          std::to_string(spent.count()) + " ms: " + last.message());
      {
        std::lock_guard<std::mutex> lock(mu_);
        state_ = State::kClosed;
        if (closed_.ok()) closed_ = why;
      }
      cv_.notify_all();
      Emit(ConnectionEvent::Kind::kClosed, pool[current_ % pool.size()].ToString(), why);
      return false;
    }
    auto delay = ReconnectDelay(round, options_.reconnect_wait_min, options_.reconnect_wait_max,
                                options_.reconnect_jitter, UnitRandom());
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, delay, [&] { return closing_; })) return false;
  }
}

void Connection::Emit(ConnectionEvent::Kind kind, const std::string& server, const Status& why) {
  if (options_.on_event) options_.on_event(ConnectionEvent{kind, server, why});
}

// Reads more bytes into buf_: honours read_deadline_ during handshakes, and otherwise sends a
// keep-alive PING after ping_interval of silence.
Status Connection::ReadMore() {
  if (buf_pos_ > 0 && buf_pos_ == buf_.size()) {
    buf_.clear();
    buf_pos_ = 0;
  } else if (buf_pos_ > 64 * 1024) {
    buf_.erase(0, buf_pos_);
    buf_pos_ = 0;
  }
  while (true) {
    pollfd p{rfd_, POLLIN, 0};
    int64_t wait = read_deadline_ ? MsLeft(*read_deadline_) : options_.ping_interval.count();
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(wait, INT32_MAX)));
    if (n < 0 && errno == EINTR) continue;
    if (n != 0) break;
    if (read_deadline_) {
      return Status::Timeout(rwhere_ + ": no answer from the server within the timeout");
    }
    if (pings_out_ >= options_.max_pings_out) {
      return Status::Network(rwhere_ + ": connection is stale (" + std::to_string(pings_out_) +
                             " PINGs unanswered)");
    }
    ++pings_out_;
    uint64_t ping;
    RETURN_IF_ERROR(Send("PING\r\n", Clock::now(), 0, &ping));
  }
  char tmp[64 * 1024];
  while (true) {
    ssize_t n = recv(rfd_, tmp, sizeof(tmp), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Status::Network(rwhere_ + ": connection closed by the server");
    if (n < 0) return Status::Network(rwhere_ + ": read failed: " + std::strerror(errno));
    buf_.append(tmp, static_cast<size_t>(n));
    pings_out_ = 0;
    return Status::Ok();
  }
}

Status Connection::ReadControlLine(std::string* line) {
  while (true) {
    size_t eol = buf_.find("\r\n", buf_pos_);
    if (eol != std::string::npos) {
      if (eol - buf_pos_ > options_.max_control_line) break;
      line->assign(buf_, buf_pos_, eol - buf_pos_);
      buf_pos_ = eol + 2;
      return Status::Ok();
    }
    if (buf_.size() - buf_pos_ > options_.max_control_line) break;
    RETURN_IF_ERROR(ReadMore());
  }
  return Status::Network(rwhere_ + ": protocol error: control line longer than " +
                         std::to_string(options_.max_control_line) + " bytes");
}

Status Connection::ReadExact(size_t n, std::string* out) {
  while (buf_.size() - buf_pos_ < n) RETURN_IF_ERROR(ReadMore());
  out->assign(buf_, buf_pos_, n);
  buf_pos_ += n;
  return Status::Ok();
}

Status Connection::ReadMessage(std::string_view args, bool has_headers) {
  ASSIGN_OR_RETURN(MsgHead head, ParseMsgArgs(args, has_headers));
  const size_t limit = static_cast<size_t>(info_.max_payload) + 64 * 1024;
  if (head.total_bytes > limit) {
    return Status::Network(rwhere_ + ": protocol error: message of " +
                           std::to_string(head.total_bytes) + " bytes exceeds max_payload");
  }
  std::string body;
  RETURN_IF_ERROR(ReadExact(head.total_bytes + 2, &body));
  if (body.compare(head.total_bytes, 2, "\r\n") != 0) {
    return Status::Network(rwhere_ + ": protocol error: message payload not followed by CRLF");
  }
  Message m;
  m.subject = std::move(head.subject);
  m.reply = std::move(head.reply);
  if (has_headers) {
    auto hb = ParseHeaders(std::string_view(body).substr(0, head.header_bytes));
    if (!hb.ok()) return hb.status().WithPrefix(rwhere_);
    m.status = hb->status;
    m.description = std::move(hb->description);
    m.headers = std::move(hb->fields);
  }
  m.data = body.substr(head.header_bytes, head.total_bytes - head.header_bytes);
  Dispatch(std::move(m), head.sid);
  return Status::Ok();
}

void Connection::OnInfo(std::string_view json) {
  auto info = ParseInfo(json);
  if (!info.ok()) return;  // an INFO update we can't read changes nothing we rely on
  std::lock_guard<std::mutex> lock(mu_);
  info_ = *info;
  if (options_.discover_servers) AddDiscovered(info->connect_urls, &pool_);
}

Status Connection::ReadLoop() {
  std::string line;
  std::string fatal;  // an -ERR that the server closes the connection after
  while (true) {
    Status s = ReadControlLine(&line);
    if (s.ok()) {
      std::string_view v(line);
      if (v.rfind("MSG ", 0) == 0) {
        s = ReadMessage(v.substr(4), false);
      } else if (v.rfind("HMSG ", 0) == 0) {
        s = ReadMessage(v.substr(5), true);
      } else if (v == "PING") {
        s = Send("PONG\r\n", Clock::now());
      } else if (v == "PONG") {
        std::lock_guard<std::mutex> lock(mu_);
        ++pongs_received_;
        cv_.notify_all();
      } else if (v.rfind("-ERR", 0) == 0) {
        std::string text = ParseErrText(v.substr(4));
        // Per the spec only these leave the connection open; every other -ERR closes it.
        bool keeps_open =
            text.rfind("Permissions Violation", 0) == 0 || text.rfind("Invalid Subject", 0) == 0;
        if (!keeps_open) fatal = text;
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = text;
      } else if (v.rfind("INFO ", 0) == 0) {
        OnInfo(v.substr(5));
      } else if (v != "+OK") {
        s = Status::Network(rwhere_ + ": protocol error: unknown line '" +
                            std::string(v.substr(0, 80)) + "'");
      }
    }
    if (!s.ok()) {
      if (!fatal.empty()) {
        s = Status::Network(rwhere_ + ": server closed the connection: '" + fatal + "'");
      }
      return s;
    }
  }
}

void Connection::Dispatch(Message m, uint64_t sid) {
  std::lock_guard<std::mutex> dlock(dispatch_mu_);
  std::shared_ptr<MessageCallback> cb;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = subs_.find(sid);
    if (it == subs_.end()) return;  // unsubscribed while in flight
    cb = it->second.callback;
  }
  (*cb)(std::move(m));
}

}  // namespace altscribe::nats
