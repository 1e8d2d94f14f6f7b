// tests/support/http_server.h — a small, real HTTP/1.1 server on 127.0.0.1 for tests.
//
// It listens on an ephemeral port, accepts on one thread and serves each connection on its own
// thread, one request per connection ("Connection: close"). Routes map an exact path (the query
// is ignored for matching) to a handler; unknown paths get 404. Every request is recorded, so a
// test can check what a client sent (method, headers such as Range, body).
//
// Built-in behaviours for testing clients against bad networks: serving bytes with Range
// support (206 + Content-Range, 416), cutting the connection after N body bytes, stalling
// before the response or in the middle of the body, redirects, and close-delimited bodies
// without Content-Length.
//
//   altscribe::testing::HttpServer server;
//   ASSERT_TRUE(server.Start().ok());
//   server.ServeBytes("/model.gguf", data, {.cut_after = 1000});
//   ... http::Get(server.Url("/model.gguf"), limits) ...
//   EXPECT_EQ(server.Requests("/model.gguf")[1].Header("Range"), "bytes=1000-");
//
// Thread-safe. Stop() (also run by the destructor) wakes stalled handlers and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::testing {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/path?query" as sent
  std::string path;    // "/path"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body{};

  // The first header with this name (case-insensitive), or "".
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
};

struct HttpReply {
  static constexpr size_t kNever = std::numeric_limits<size_t>::max();

  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};  // Content-Length is added for you
  std::string body{};
  bool content_length = true;  // false: no Content-Length; the body ends when the server closes
  std::chrono::milliseconds delay{0};  // wait before sending anything
  size_t stall_after = kNever;         // after this many body bytes ...
  std::chrono::milliseconds stall{0};  // ... wait this long, then go on
  size_t cut_after = kNever;           // close the connection after this many body bytes
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// Options for ServeBytes().
struct BytesOptions {
  bool ranges = true;                    // honour Range (206/416) and send Accept-Ranges
  bool content_length = true;            // false: close-delimited body
  size_t cut_after = HttpReply::kNever;  // cut the connection after this many body bytes ...
  int cut_times = 1;                     // ... on this many responses, then serve whole ones
  std::chrono::milliseconds delay{0};
  std::string content_type = "application/octet-stream";
};

class HttpServer {
 public:
  HttpServer() = default;
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds 127.0.0.1:0 and starts accepting.
  Status Start();
  // Stops accepting, wakes stalls, closes connections and joins all threads. Idempotent.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;

  // Registers (or replaces) the handler for an exact path.
  void Route(const std::string& path, HttpHandler handler);

  // Serves `data` at `path` (GET and HEAD).
  void ServeBytes(const std::string& path, std::string data, BytesOptions options = {});
  // Answers with `status` and a Location header.
  void Redirect(const std::string& path, const std::string& location, int status = 302);
  // A fixed reply.
  void Reply(const std::string& path, HttpReply reply);
  // Waits `delay` before answering 200 with `body` (for client timeouts).
  void Stall(const std::string& path, std::chrono::milliseconds delay, std::string body = "ok");

  // Recorded requests, in arrival order; all of them, or those for one path.
  std::vector<HttpRequest> Requests() const;
  std::vector<HttpRequest> Requests(const std::string& path) const;
  size_t RequestCount(const std::string& path) const { return Requests(path).size(); }

  // Sleeps up to `d`; returns early (false) when the server is stopping. For handlers.
  bool SleepFor(std::chrono::milliseconds d);

 private:
  void AcceptLoop();
  void Serve(int fd);
  HttpReply Dispatch(const HttpRequest& request);
  bool Send(int fd, const std::string& data);
  void Forget(int fd);

  int listen_fd_ = -1;
  int wake_fd_[2] = {-1, -1};  // a pipe that wakes the accept loop on Stop()
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  std::map<std::string, HttpHandler> routes_;
  std::vector<HttpRequest> requests_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
};

}  // namespace altscribe::testing
