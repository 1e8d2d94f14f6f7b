#include "http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace altscribe::testing {
namespace {

constexpr size_t kMaxHead = 64 * 1024;

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Reads until `buf` holds at least `want` bytes or the peer closes. False on EOF/error.
bool RecvAtLeast(int fd, std::string* buf, size_t want) {
  char chunk[16384];
  while (buf->size() < want) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf->append(chunk, static_cast<size_t>(n));
  }
  return true;
}

// Reads more until `buf` contains `token` (searching from `from`); returns its position.
size_t RecvUntil(int fd, std::string* buf, const std::string& token, size_t from = 0) {
  while (true) {
    size_t pos = buf->find(token, from);
    if (pos != std::string::npos) return pos;
    if (buf->size() > kMaxHead + from) return std::string::npos;
    if (!RecvAtLeast(fd, buf, buf->size() + 1)) return std::string::npos;
  }
}

// Parses "bytes=a-b", "bytes=a-", "bytes=-n" against `size` into [*begin, *end). Returns false
// for anything else (then the whole body is served). *unsatisfiable when a >= size.
bool ParseRange(const std::string& header, size_t size, size_t* begin, size_t* end,
                bool* unsatisfiable) {
  *unsatisfiable = false;
  std::string v = Trim(header);
  if (v.rfind("bytes=", 0) != 0 || v.find(',') != std::string::npos) return false;
  std::string spec = v.substr(6);
  auto dash = spec.find('-');
  if (dash == std::string::npos) return false;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  auto digits = [](const std::string& t) {
    return !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
  };
  if (a.empty()) {  // suffix: the last n bytes
    if (!digits(b)) return false;
    size_t n = std::min<size_t>(std::strtoull(b.c_str(), nullptr, 10), size);
    if (n == 0) {
      *unsatisfiable = true;
      return true;
    }
    *begin = size - n;
    *end = size;
    return true;
  }
  if (!digits(a) || (!b.empty() && !digits(b))) return false;
  size_t first = std::strtoull(a.c_str(), nullptr, 10);
  if (first >= size) {
    *unsatisfiable = true;
    return true;
  }
  size_t last =
      b.empty() ? size - 1 : std::min<size_t>(std::strtoull(b.c_str(), nullptr, 10), size - 1);
  if (last < first) return false;
  *begin = first;
  *end = last + 1;
  return true;
}

}  // namespace

std::string HttpRequest::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

bool HttpRequest::HasHeader(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return true;
  }
  return false;
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  if (listen_fd_ >= 0) return Status::Internal("HttpServer already started");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe2(wake_fd_, O_CLOEXEC) != 0) {
    Status s = Status::IoError(std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno));
    ::close(listen_fd_);
    listen_fd_ = -1;
    return s;
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread(&HttpServer::AcceptLoop, this);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (listen_fd_ < 0 || stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_cv_.notify_all();
  }
  char byte = 0;
  (void)!::write(wake_fd_[1], &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  ::close(listen_fd_);
  ::close(wake_fd_[0]);
  ::close(wake_fd_[1]);
  listen_fd_ = -1;
}

std::string HttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpServer::Route(const std::string& path, HttpHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  routes_[path] = std::move(handler);
}

void HttpServer::ServeBytes(const std::string& path, std::string data, BytesOptions options) {
  auto bytes = std::make_shared<const std::string>(std::move(data));
  auto cuts = std::make_shared<std::atomic<int>>(0);
  Route(path, [bytes, options, cuts](const HttpRequest& request) {
    HttpReply reply;
    reply.delay = options.delay;
    reply.content_length = options.content_length;
    reply.headers.push_back({"Content-Type", options.content_type});
    size_t begin = 0, end = bytes->size();
    std::string range = request.Header("Range");
    if (options.ranges) {
      reply.headers.push_back({"Accept-Ranges", "bytes"});
      bool unsatisfiable = false;
      if (!range.empty() && ParseRange(range, bytes->size(), &begin, &end, &unsatisfiable)) {
        if (unsatisfiable) {
          reply.status = 416;
          reply.headers.push_back({"Content-Range", "bytes */" + std::to_string(bytes->size())});
          return reply;
        }
        reply.status = 206;
        reply.headers.push_back({"Content-Range", "bytes " + std::to_string(begin) + "-" +
                                                      std::to_string(end - 1) + "/" +
                                                      std::to_string(bytes->size())});
      }
    }
    reply.body = bytes->substr(begin, end - begin);
    if (options.cut_after != HttpReply::kNever && cuts->fetch_add(1) < options.cut_times) {
      reply.cut_after = options.cut_after;
    }
    return reply;
  });
}

void HttpServer::Redirect(const std::string& path, const std::string& location, int status) {
  Route(path, [location, status](const HttpRequest&) {
    HttpReply reply;
    reply.status = status;
    reply.headers.push_back({"Location", location});
    reply.body = "redirecting\n";
    return reply;
  });
}

void HttpServer::Reply(const std::string& path, HttpReply reply) {
  Route(path, [reply](const HttpRequest&) { return reply; });
}

void HttpServer::Stall(const std::string& path, std::chrono::milliseconds delay, std::string body) {
  HttpReply reply;
  reply.delay = delay;
  reply.body = std::move(body);
  Reply(path, std::move(reply));
}

std::vector<HttpRequest> HttpServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<HttpRequest> HttpServer::Requests(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<HttpRequest> out;
  for (const auto& r : requests_) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

bool HttpServer::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back(&HttpServer::Serve, this, fd);
  }
}

void HttpServer::Forget(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

bool HttpServer::Send(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

HttpReply HttpServer::Dispatch(const HttpRequest& request) {
  HttpHandler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = routes_.find(request.path);
    if (it != routes_.end()) handler = it->second;
  }
  if (!handler) {
    HttpReply reply;
    reply.status = 404;
    reply.body = "not found\n";
    return reply;
  }
  return handler(request);
}

void HttpServer::Serve(int fd) {
  std::string buf;
  size_t head_end = RecvUntil(fd, &buf, "\r\n\r\n");
  if (head_end == std::string::npos) return Forget(fd);
  HttpRequest request;
  {
    std::string head = buf.substr(0, head_end);
    size_t eol = head.find("\r\n");
    std::string line = head.substr(0, eol);
    size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 <= sp1) return Forget(fd);
    request.method = line.substr(0, sp1);
    request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    request.path = request.target.substr(0, request.target.find('?'));
    size_t pos = eol == std::string::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string h = head.substr(pos, next - pos);
      if (auto colon = h.find(':'); colon != std::string::npos) {
        request.headers.push_back({Trim(h.substr(0, colon)), Trim(h.substr(colon + 1))});
      }
      pos = next + 2;
    }
  }
  buf.erase(0, head_end + 4);
  if (strcasecmp(request.Header("Expect").c_str(), "100-continue") == 0) {
    Send(fd, "HTTP/1.1 100 Continue\r\n\r\n");
  }
  if (std::string cl = request.Header("Content-Length"); !cl.empty()) {
    size_t n = std::strtoull(cl.c_str(), nullptr, 10);
    RecvAtLeast(fd, &buf, n);
    request.body = buf.substr(0, n);
  } else if (strcasecmp(request.Header("Transfer-Encoding").c_str(), "chunked") == 0) {
    size_t pos = 0;
    while (true) {
      size_t eol = RecvUntil(fd, &buf, "\r\n", pos);
      if (eol == std::string::npos) break;
      size_t size = std::strtoull(buf.substr(pos, eol - pos).c_str(), nullptr, 16);
      if (!RecvAtLeast(fd, &buf, eol + 2 + size + 2)) break;
      request.body.append(buf, eol + 2, size);
      pos = eol + 2 + size + 2;
      if (size == 0) break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }

  HttpReply reply = Dispatch(request);
  if (reply.delay.count() > 0 && !SleepFor(reply.delay)) return Forget(fd);
  std::string head =
      "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) + "\r\n";
  for (const auto& [k, v] : reply.headers) head += k + ": " + v + "\r\n";
  if (reply.content_length) head += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  head += "Connection: close\r\n\r\n";
  bool ok = Send(fd, head);
  if (ok && request.method != "HEAD") {
    size_t end = std::min(reply.body.size(), reply.cut_after);
    size_t pause = std::min(end, reply.stall_after);
    ok = Send(fd, reply.body.substr(0, pause));
    if (ok && pause < end) {
      ok = SleepFor(reply.stall) && Send(fd, reply.body.substr(pause, end - pause));
    }
  }
  // Close gracefully: FIN first, then wait for the client to close, so that what was sent is
  // read before the connection goes (an early close() with unread input would send a reset).
  ::shutdown(fd, SHUT_WR);
  char sink[4096];
  while (ok && !stopping_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) break;
    ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n <= 0) break;
  }
  Forget(fd);
}

}  // namespace altscribe::testing
