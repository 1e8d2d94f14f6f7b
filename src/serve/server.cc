#include "serve/server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/pipeline_metrics.h"
#include "serve/description_page.h"
#include "serve/http_error.h"
#include "serve/web_assets.h"

namespace altscribe::serve {
namespace {

// Security headers for everything the server answers. Pages load only their own assets.
void SecurityHeaders(httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' blob: data:; style-src 'self' "
                 "'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; "
                 "frame-ancestors 'none'");
}

// The route label for metrics: fixed strings only, so callers cannot grow the label set.
std::string RouteLabel(const std::string& path) {
  if (path == "/v1/describe" || path == "/healthz" || path == "/metrics" || path == "/") {
    return path;
  }
  if (path.starts_with("/d/")) return "/d/:id";
  if (FindWebAsset(path)) return "asset";
  return "other";
}

bool ValidDescriptionId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status ParseListenAddress(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--listen '" + text + "' is not HOST:PORT");
  }
  std::string h = text.substr(0, colon), p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "127.0.0.1";
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(p) > 65535) {
    return Status::InvalidArgument("--listen '" + text + "': the port must be 0..65535");
  }
  *host = h;
  *port = std::stoi(p);
  return Status::Ok();
}

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (options_.describe_api) api_ = std::make_unique<DescribeApi>(options_.api);
  http_ = std::make_unique<httplib::Server>();
  metrics::Registry& r = metrics::Registry::Default();
  ready_metric_ =
      r.AddCallbackGauge("altscribe_ready", "1 when the model or bot is ready.", {}, [this] {
        return metrics::Samples{{{}, Ready() ? 1.0 : 0}};
      });
  workers_metric_ =
      r.AddCallbackGauge("altscribe_workers", "Worker threads, by kind.", {"kind"}, [this] {
        return metrics::Samples{{{"http"}, static_cast<double>(options_.threads)}};
      });
  if (api_) {
    queue_metric_ = r.AddCallbackGauge(
        "altscribe_queue_depth", "Work waiting or running, by queue.", {"queue"}, [this] {
          return metrics::Samples{{{"describe_requests"}, double(api_->in_flight())}};
        });
  }
  Routes();
}

Server::~Server() {
  Stop();
  ready_metric_.Reset();
  workers_metric_.Reset();
  queue_metric_.Reset();
}

bool Server::Ready() const {
  if (api_) return api_->ready();
  return options_.ready ? options_.ready() : true;
}

void Server::SetModel(vision::VisionModel* model, double load_ms) {
  if (api_) api_->SetModel(model, load_ms);
}

void Server::Routes() {
  httplib::Server& s = *http_;
  const int threads = std::max(1, options_.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_read_timeout(30, 0);
  s.set_write_timeout(30, 0);
  s.set_keep_alive_timeout(5);
  // cpp-httplib listens with a backlog of 5, so a burst of connections overflows the accept
  // queue (clients then see resets). Remember the socket to listen again with a deep backlog.
  s.set_socket_options([this](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });

  s.set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    SecurityHeaders(res);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Every error without a body of its own gets the JSON one (404 for unknown paths, 413 for
  // bodies over the limit, 400 for malformed requests).
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message = res.status == 413   ? "the request body is over this server's limit"
                              : res.status == 404 ? "no such page or API"
                                                  : "the request could not be handled (HTTP " +
                                                        std::to_string(res.status) + ")";
        SendError(res, res.status, DefaultErrorCode(res.status), message);
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        LogError("serve: " + req.method + " " + req.path + ": " + what);
        SendError(res, 500, "internal", "internal error");
      });
  auto& requests = metrics::Registry::Default().AddCounter(
      "altscribe_http_requests_total", "HTTP requests answered, by route and status.",
      {"route", "code"});
  s.set_logger([&requests](const httplib::Request& req, const httplib::Response& res) {
    requests.With({RouteLabel(req.path), std::to_string(res.status)}).Inc();
  });

  s.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    bool ready = Ready();
    res.status = ready ? 200 : 503;
    if (!ready) res.set_header("Retry-After", "5");
    res.set_content(nlohmann::json{{"status", ready ? "ready" : "starting"}}.dump(),
                    "application/json");
  });
  s.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::Registry::Default().Render(), "text/plain; version=0.0.4");
  });
  if (!api_) return;

  s.Post("/v1/describe",
         [this](const httplib::Request& req, httplib::Response& res) { api_->Handle(req, res); });
  auto asset = [](const std::string& path, httplib::Response& res) {
    const WebAsset* a = FindWebAsset(path);
    if (!a) return false;
    res.set_content(std::string(a->body), std::string(a->content_type).c_str());
    res.set_header("Cache-Control", "no-cache");
    return true;
  };
  s.Get("/",
        [asset](const httplib::Request&, httplib::Response& res) { asset("/index.html", res); });
  s.Get(R"(/([a-z0-9_-]+\.(?:js|css|svg)))",
        [asset](const httplib::Request& req, httplib::Response& res) {
          if (!asset(req.path, res)) res.status = 404;
        });
  s.Get(R"(/d/([^/]*))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    std::optional<std::string> body;
    if (options_.descriptions && ValidDescriptionId(id)) {
      auto loaded = options_.descriptions->LoadFullDescription(id);
      if (!loaded.ok()) {
        LogWarn("serve: /d/: " + loaded.status().message());
        return SendError(res, 500, "internal", "the description store could not be read");
      }
      body = *loaded;
    }
    std::optional<bot::FullDescription> doc;
    if (body) {
      auto parsed = bot::FullDescription::FromJson(*body);
      if (parsed.ok()) doc = std::move(parsed).value();
      if (!parsed.ok()) LogWarn("serve: /d/" + id + ": " + parsed.status().message());
    }
    // The pages load nothing at all (this replaces the header set before routing).
    res.headers.erase("Content-Security-Policy");
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-store");
    if (!doc) {
      res.status = 404;
      res.set_content(RenderDescriptionNotFoundPage(), "text/html; charset=utf-8");
      return;
    }
    res.set_content(RenderDescriptionPage(*doc), "text/html; charset=utf-8");
  });
}

Status Server::Start() {
  if (thread_.joinable()) return Status::Ok();
  errno = 0;
  int port = options_.port == 0
                 ? http_->bind_to_any_port(options_.host)
                 : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0) {
    std::string cause = errno ? std::strerror(errno) : "cannot bind";
    return Status::IoError("cannot listen on " + options_.host + ":" +
                           std::to_string(options_.port) + ": " + cause);
  }
  port_ = port;
  if (listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);  // Linux updates the backlog in place
  // Bound and listening already: connections made from now on wait in the backlog.
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  return Status::Ok();
}

void Server::Stop() {
  if (!thread_.joinable()) return;
  http_->stop();
  thread_.join();
}

}  // namespace altscribe::serve
