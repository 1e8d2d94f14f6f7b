// nats/connection.cc — see connection.h.
#include "nats/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>

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

// Connects a TCP socket to host:port within `timeout`; returns the fd or a one-line error.
Result<int> DialTcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    return Status::Network("nats: cannot resolve " + where + ": " + gai_strerror(rc));
  }
  std::string last = "no address";
  auto deadline = Clock::now() + timeout;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int err = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        int n = poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
        socklen_t len = sizeof(err);
        if (n == 0) {
          err = ETIMEDOUT;
        } else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
          err = errno;
        }
      }
    }
    if (err == 0) {
      freeaddrinfo(res);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      return fd;
    }
    last = std::strerror(err);
    close(fd);
  }
  freeaddrinfo(res);
  return Status::Network("nats: cannot connect to " + where + ": " + last);
}

}  // namespace

Status ParseUrl(const std::string& url, ConnectOptions* options) {
  std::string rest = url;
  if (rest.rfind("nats://", 0) == 0) rest = rest.substr(7);
  if (rest.find("://") != std::string::npos) {
    return Status::InvalidArgument("nats: unsupported URL scheme in '" + url + "' (nats:// only)");
  }
  size_t colon = rest.rfind(':');
  std::string host = rest.substr(0, colon);
  int port = 4222;
  if (colon != std::string::npos) {
    std::string p = rest.substr(colon + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port <= 0 || port > 65535) {
      return Status::InvalidArgument("nats: bad port in URL '" + url + "'");
    }
  }
  if (host.empty()) return Status::InvalidArgument("nats: no host in URL '" + url + "'");
  options->host = host;
  options->port = port;
  return Status::Ok();
}

Connection::Connection(ConnectOptions options, int fd)
    : options_(std::move(options)),
      fd_(fd),
      where_("nats " + options_.host + ":" + std::to_string(options_.port)),
      inbox_prefix_("_INBOX." + RandomToken(22)) {}

Result<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& options) {
  ASSIGN_OR_RETURN(int fd, DialTcp(options.host, options.port, options.connect_timeout));
  std::unique_ptr<Connection> c(new Connection(options, fd));
  c->read_deadline_ = Clock::now() + options.connect_timeout;
  Status s = c->Handshake();
  if (!s.ok()) return s;
  c->read_deadline_.reset();
  c->reader_ = std::thread([conn = c.get()] { conn->ReaderLoop(); });
  return c;
}

Status Connection::Handshake() {
  std::string line;
  RETURN_IF_ERROR(ReadControlLine(&line));
  if (line.rfind("INFO ", 0) != 0) {
    return Status::Network(where_ + ": expected INFO, got '" + line.substr(0, 80) + "'");
  }
  auto info = ParseInfo(std::string_view(line).substr(5));
  if (!info.ok()) return info.status().WithPrefix(where_);
  info_ = *info;
  if (!info_.headers) {
    return Status::Unsupported(where_ + ": server " + info_.version +
                               " does not support headers (nats-server 2.2 or newer needed)");
  }
  RETURN_IF_ERROR(Write(
      ConnectLine(options_.name, options_.user, options_.password, options_.token) + "PING\r\n"));
  while (true) {
    RETURN_IF_ERROR(ReadControlLine(&line));
    if (line == "PONG") return Status::Ok();
    if (line.rfind("-ERR", 0) == 0) {
      return Status::Network(where_ + ": server refused the connection: '" +
                             ParseErrText(std::string_view(line).substr(4)) + "'");
    }
    if (line == "PING") RETURN_IF_ERROR(Write("PONG\r\n"));
    // +OK and INFO updates need nothing here.
  }
}

Connection::~Connection() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_.ok()) closed_ = Status::Network(where_ + ": connection closed by the client");
  }
  shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  close(fd_);
}

Status Connection::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

std::string Connection::last_server_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

Status Connection::Write(std::string_view bytes) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  return WriteLocked(bytes);
}

Status Connection::WriteLocked(std::string_view bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_.ok()) return closed_;
  }
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Status::Network(where_ + ": write failed: " + std::strerror(errno));
      CloseWith(s);
      return s;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Reads more bytes into buf_; honours read_deadline_ during the handshake.
Status Connection::ReadMore() {
  if (buf_pos_ > 0 && buf_pos_ == buf_.size()) {
    buf_.clear();
    buf_pos_ = 0;
  } else if (buf_pos_ > 64 * 1024) {
    buf_.erase(0, buf_pos_);
    buf_pos_ = 0;
  }
  if (read_deadline_) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*read_deadline_ - Clock::now());
    pollfd p{fd_, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (n == 0) return Status::Timeout(where_ + ": no answer from the server within the timeout");
  }
  char tmp[64 * 1024];
  while (true) {
    ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Status::Network(where_ + ": connection closed by the server");
    if (n < 0) return Status::Network(where_ + ": read failed: " + std::strerror(errno));
    buf_.append(tmp, static_cast<size_t>(n));
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
  return Status::Network(where_ + ": protocol error: control line longer than " +
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
    return Status::Network(where_ + ": protocol error: message of " +
                           std::to_string(head.total_bytes) + " bytes exceeds max_payload");
  }
  std::string body;
  RETURN_IF_ERROR(ReadExact(head.total_bytes + 2, &body));
  if (body.compare(head.total_bytes, 2, "\r\n") != 0) {
    return Status::Network(where_ + ": protocol error: message payload not followed by CRLF");
  }
  Message m;
  m.subject = std::move(head.subject);
  m.reply = std::move(head.reply);
  if (has_headers) {
    auto hb = ParseHeaders(std::string_view(body).substr(0, head.header_bytes));
    if (!hb.ok()) return hb.status().WithPrefix(where_);
    m.status = hb->status;
    m.description = std::move(hb->description);
    m.headers = std::move(hb->fields);
  }
  m.data = body.substr(head.header_bytes, head.total_bytes - head.header_bytes);
  Dispatch(std::move(m), head.sid);
  return Status::Ok();
}

void Connection::ReaderLoop() {
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
        s = Write("PONG\r\n");
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
      } else if (v != "+OK" && v.rfind("INFO ", 0) != 0) {
        s = Status::Network(where_ + ": protocol error: unknown line '" +
                            std::string(v.substr(0, 80)) + "'");
      }
    }
    if (!s.ok()) {
      if (!fatal.empty())
        s = Status::Network(where_ + ": server closed the connection: '" + fatal + "'");
      CloseWith(s);
      return;
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
    cb = it->second;
  }
  (*cb)(std::move(m));
}

void Connection::CloseWith(Status why) {
  std::map<std::string, std::shared_ptr<MessageQueue>> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_.ok()) closed_ = why;
    pending = pending_;
  }
  for (auto& [token, q] : pending) q->Close();
  cv_.notify_all();
  shutdown(fd_, SHUT_RDWR);
}

Status Connection::Publish(const std::string& subject, std::string_view data,
                           const Headers& headers, const std::string& reply) {
  if (!IsValidSubject(subject, false)) {
    return Status::InvalidArgument("nats: invalid subject '" + subject + "'");
  }
  if (!reply.empty() && !IsValidSubject(reply, false)) {
    return Status::InvalidArgument("nats: invalid reply subject '" + reply + "'");
  }
  RETURN_IF_ERROR(ValidateHeaders(headers));
  std::string hdr = headers.empty() ? "" : EncodeHeaders(headers);
  size_t total = hdr.size() + data.size();
  if (total > static_cast<size_t>(info_.max_payload)) {
    return Status::TooLarge("nats: message of " + std::to_string(total) + " bytes to '" + subject +
                            "' exceeds the server's max_payload of " +
                            std::to_string(info_.max_payload));
  }
  std::string out;
  out.reserve(subject.size() + reply.size() + total + 48);
  out += headers.empty() ? "PUB " : "HPUB ";
  out += subject;
  if (!reply.empty()) out += " " + reply;
  if (!headers.empty()) out += " " + std::to_string(hdr.size());
  out += " " + std::to_string(total) + "\r\n";
  out += hdr;
  out.append(data);
  out += "\r\n";
  return Write(out);
}

Result<uint64_t> Connection::Subscribe(const std::string& subject, MessageCallback callback,
                                       const std::string& queue_group) {
  if (!IsValidSubject(subject, true)) {
    return Status::InvalidArgument("nats: invalid subject '" + subject + "'");
  }
  if (queue_group.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("nats: invalid queue group '" + queue_group + "'");
  }
  uint64_t sid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sid = next_sid_++;
    subs_[sid] = std::make_shared<MessageCallback>(std::move(callback));
  }
  Status s = Write("SUB " + subject + (queue_group.empty() ? "" : " " + queue_group) + " " +
                   std::to_string(sid) + "\r\n");
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    subs_.erase(sid);
    return s;
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
  Status s = Write("UNSUB " + std::to_string(sid) + "\r\n");
  // On a closed connection the server has forgotten the subscription anyway.
  return status().ok() ? s : Status::Ok();
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
  auto q = std::make_shared<MessageQueue>();
  std::string token;
  {
    std::lock_guard<std::mutex> lock(mu_);
    token = std::to_string(next_inbox_++);
    pending_[token] = q;
  }
  Status s = Publish(subject, data, headers, inbox_prefix_ + "." + token);
  std::optional<Message> reply;
  if (s.ok()) reply = q->Pop(Clock::now() + timeout);
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(token);
  }
  if (!s.ok()) return s;
  if (!reply) {
    Status closed = status();
    if (!closed.ok()) return closed;
    return Status::Timeout("nats: request to '" + subject + "' timed out after " +
                           std::to_string(timeout.count()) + " ms");
  }
  if (reply->status == 503) {
    return Status::NotFound("nats: no responders for '" + subject + "'");
  }
  return std::move(*reply);
}

Status Connection::Flush(std::chrono::milliseconds timeout) {
  uint64_t n;
  {
    std::lock_guard<std::mutex> wlock(write_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      n = ++pings_sent_;
    }
    RETURN_IF_ERROR(WriteLocked("PING\r\n"));
  }
  std::unique_lock<std::mutex> lock(mu_);
  bool done = cv_.wait_for(lock, timeout, [&] { return pongs_received_ >= n || !closed_.ok(); });
  if (!closed_.ok()) return closed_;
  if (!done) {
    return Status::Timeout(where_ + ": no PONG within " + std::to_string(timeout.count()) + " ms");
  }
  return Status::Ok();
}

}  // namespace altscribe::nats
