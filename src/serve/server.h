// serve/server.h — the HTTP server of `altscribe serve` (and of `altscribe bot --metrics-listen`).
//
// Routes:
//   POST /v1/describe   alt text for an uploaded image or a URL (serve/describe_api.h)
//   GET  /              the page for authors (src/serve/web/, embedded), and its assets
//   GET  /d/<id>        a full description from the bot's state store (serve/description_page.h)
//   GET  /healthz       200 {"status":"ready"} once the model (or, for the bot, the account) is
//                       ready; 503 {"status":"starting"} before
//   GET  /metrics       Prometheus text of metrics::Registry::Default(), plus the server's own
//                       altscribe_ready, altscribe_queue_depth, altscribe_workers
// Every 4xx/5xx has a JSON body {"error","code","status"} (pages under /d/ answer HTML).
// Bodies larger than max_body_bytes get 413 before they are read. Requests are counted in
// altscribe_http_requests_total{route,code}.
//
// Lifecycle: Start() binds and serves on a thread of its own; Stop() (also the destructor) stops
// accepting and joins. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "bot/store.h"
#include "core/metrics.h"
#include "core/status.h"
#include "serve/describe_api.h"

namespace httplib {
class Server;
}

namespace altscribe::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free port, see Server::port()
  int threads = 8;  // HTTP worker threads
  uint64_t max_body_bytes = 20'000'000;
  // The describe API; false serves only /healthz and /metrics (the bot's metrics listener).
  bool describe_api = true;
  DescribeApiOptions api;
  bot::Store* descriptions = nullptr;  // for /d/<id>; null: every id is 404
  // Readiness when there is no describe API (the bot: logged in and running).
  std::function<bool()> ready;
};

// Parses "HOST:PORT", "[IPV6]:PORT" or ":PORT" (host 127.0.0.1). Errors are one line.
Status ParseListenAddress(const std::string& text, std::string* host, int* port);

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port and starts serving. Errors: "cannot listen on 127.0.0.1:80: ...".
  Status Start();
  void Stop();
  int port() const { return port_; }

  // Makes the describe API ready. REQUIRES: `model` outlives the server (or Stop()).
  void SetModel(vision::VisionModel* model, double load_ms);

 private:
  void Routes();
  bool Ready() const;

  ServerOptions options_;
  std::unique_ptr<DescribeApi> api_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  int listen_fd_ = -1;  // the listening socket, owned by http_
  metrics::CallbackHandle ready_metric_, queue_metric_, workers_metric_;
};

}  // namespace altscribe::serve
