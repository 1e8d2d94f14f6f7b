// net/websocket.cc — see websocket.h. Every operation is asynchronous underneath and driven on
// the calling thread (io_context::run_one_until), so timeouts, idle pings and Interrupt() need no
// second thread: Interrupt() posts a handler that closes the socket, which aborts whatever is
// pending.
#include "net/websocket.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>

namespace altscribe::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIpLiteral(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<WsUrl> WsUrl::Parse(std::string_view url) {
  WsUrl out;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return Status::InvalidArgument("not a ws:// or wss:// URL");
  std::string scheme = Lower(url.substr(0, colon));
  if (scheme == "ws") {
    out.tls = false;
  } else if (scheme == "wss") {
    out.tls = true;
  } else {
    return Status::InvalidArgument("unsupported scheme '" + scheme + "' (want ws or wss)");
  }
  std::string_view rest = url.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  if (size_t hash = target.find('#'); hash != std::string_view::npos)
    target = target.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("user info in a WebSocket URL is not supported");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("unterminated IPv6 host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::InvalidArgument("junk after the IPv6 host");
      port = after.substr(1);
    }
  } else {
    size_t c = authority.rfind(':');
    out.host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) port = authority.substr(c + 1);
  }
  if (out.host.empty()) return Status::InvalidArgument("no host");
  if (!port.empty()) {
    int value = 0;
    for (char ch : port) {
      if (ch < '0' || ch > '9' || value > 65535) return Status::InvalidArgument("bad port");
      value = value * 10 + (ch - '0');
    }
    if (value < 1 || value > 65535) return Status::InvalidArgument("bad port");
    out.port = std::string(port);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.target = target.empty() ? "/" : std::string(target);
  if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  return out;
}

class WebSocket::Impl {
 public:
  explicit Impl(WebSocketOptions options)
      : options_(std::move(options)),
        guard_(asio::make_work_guard(ioc_)),
        resolver_(ioc_),
        ssl_ctx_(asio::ssl::context::tls_client) {}

  ~Impl() { KillSocket(); }

  Status Connect(std::string_view url);
  Status Read(WsMessage* out);
  void Close();
  void Interrupt() {
    interrupted_ = true;
    asio::post(ioc_, [this] { KillSocket(); });
  }

 private:
  using PlainStream = websocket::stream<beast::tcp_stream>;
  using TlsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  template <typename F>
  decltype(auto) WithStream(F&& f) {
    if (tls_) return f(*tls_);
    return f(*plain_);
  }
  bool HasStream() const { return tls_.has_value() || plain_.has_value(); }

  Status Fail(Code code, const std::string& what) {
    failed_ = true;
    return Status(code, "websocket: " + url_ + ": " + what);
  }
  Status Interrupted() { return Fail(Code::kNetwork, "interrupted"); }

  // Runs handlers until done() or the deadline; false when the deadline came first.
  template <typename Done>
  bool Drive(Done done, Clock::time_point deadline) {
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      ioc_.run_one_until(deadline);
    }
    return true;
  }
  // Runs handlers until done(); on the deadline closes the socket (which completes every pending
  // operation with an error) and still waits for done(). False when the deadline came first.
  template <typename Done>
  bool DriveOrKill(Done done, Clock::time_point deadline) {
    if (Drive(done, deadline)) return true;
    KillSocket();
    Drive(done, Clock::time_point::max());
    return false;
  }

  void KillSocket() {
    error_code ignored;
    resolver_.cancel();
    if (tls_) beast::get_lowest_layer(*tls_).socket().close(ignored);
    if (plain_) beast::get_lowest_layer(*plain_).socket().close(ignored);
  }

  std::string TlsFailure(const error_code& ec) {
    std::string what = "TLS handshake failed: " + ec.message();
    if (host_mismatch_) {
      what = "TLS handshake failed: the certificate is not for " + host_;
    } else if (tls_) {
      long verify = SSL_get_verify_result(tls_->next_layer().native_handle());
      if (verify != X509_V_OK) what += ": " + std::string(X509_verify_cert_error_string(verify));
    }
    return what;
  }

  template <typename Stream>
  Status Upgrade(Stream& s, const WsUrl& u, Clock::time_point deadline);

  WebSocketOptions options_;
  std::string url_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  tcp::resolver resolver_;
  asio::ssl::context ssl_ctx_;
  std::optional<PlainStream> plain_;
  std::optional<TlsStream> tls_;
  beast::flat_buffer buffer_;
  std::atomic<bool> interrupted_{false};
  bool failed_ = false;
  bool host_mismatch_ = false;  // the chain verified, the name did not
  std::string host_;
  bool closed_ = false;
  bool connected_ = false;
  Clock::time_point last_activity_;
  Clock::time_point ping_sent_;
  bool ping_outstanding_ = false;  // sent, no frame received since
  bool ping_writing_ = false;      // async_ping not completed yet
};

Status WebSocket::Impl::Connect(std::string_view url) {
  url_ = std::string(url);
  if (interrupted_) return Interrupted();
  auto parsed = WsUrl::Parse(url_);
  if (!parsed.ok()) return Fail(Code::kInvalidArgument, parsed.status().message());
  const WsUrl& u = *parsed;
  host_ = u.host;
  const Clock::time_point deadline = Clock::now() + options_.connect_timeout;

  if (u.tls) {
    error_code ec;
    ssl_ctx_.set_default_verify_paths(ec);
    if (!options_.extra_ca_file.empty()) {
      ssl_ctx_.load_verify_file(options_.extra_ca_file, ec);
      if (ec)
        return Fail(Code::kIoError, "CA file " + options_.extra_ca_file + ": " + ec.message());
    }
    ssl_ctx_.set_verify_mode(asio::ssl::verify_peer);
    tls_.emplace(ioc_, ssl_ctx_);
    if (!IsIpLiteral(u.host) &&
        !SSL_set_tlsext_host_name(tls_->next_layer().native_handle(), u.host.c_str())) {
      return Fail(Code::kNetwork, "TLS: cannot set SNI host name");
    }
    tls_->next_layer().set_verify_callback(
        [this, check = asio::ssl::host_name_verification(u.host)](
            bool preverified, asio::ssl::verify_context& ctx) mutable {
          const bool ok = check(preverified, ctx);
          if (preverified && !ok) host_mismatch_ = true;
          return ok;
        });
  } else {
    plain_.emplace(ioc_);
  }

  // Resolve.
  bool done = false;
  error_code ec;
  tcp::resolver::results_type endpoints;
  resolver_.async_resolve(u.host, u.port, [&](error_code e, tcp::resolver::results_type r) {
    ec = e;
    endpoints = std::move(r);
    done = true;
  });
  const std::string timeout_what =
      "connect timed out after " + std::to_string(options_.connect_timeout.count()) + " ms";
  if (!DriveOrKill([&] { return done; }, deadline)) return Fail(Code::kTimeout, timeout_what);
  if (interrupted_) return Interrupted();
  if (ec) return Fail(Code::kNetwork, "cannot resolve " + u.host + ": " + ec.message());

  // TCP.
  done = false;
  WithStream([&](auto& s) {
    beast::get_lowest_layer(s).async_connect(endpoints, [&](error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
  });
  if (!DriveOrKill([&] { return done; }, deadline)) return Fail(Code::kTimeout, timeout_what);
  if (interrupted_) return Interrupted();
  if (ec) return Fail(Code::kNetwork, "cannot connect: " + ec.message());

  // TLS.
  if (tls_) {
    done = false;
    tls_->next_layer().async_handshake(asio::ssl::stream_base::client, [&](error_code e) {
      ec = e;
      done = true;
    });
    if (!DriveOrKill([&] { return done; }, deadline)) return Fail(Code::kTimeout, timeout_what);
    if (interrupted_) return Interrupted();
    if (ec) return Fail(Code::kNetwork, TlsFailure(ec));
  }

  Status st = WithStream([&](auto& s) { return Upgrade(s, u, deadline); });
  if (!st.ok()) return st;
  connected_ = true;
  last_activity_ = Clock::now();
  return Status::Ok();
}

template <typename Stream>
Status WebSocket::Impl::Upgrade(Stream& s, const WsUrl& u, Clock::time_point deadline) {
  s.set_option(websocket::stream_base::timeout{
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.connect_timeout),
      websocket::stream_base::none(), false});
  std::string ua = options_.user_agent;
  s.set_option(websocket::stream_base::decorator(
      [ua](websocket::request_type& req) { req.set(beast::http::field::user_agent, ua); }));
  s.read_message_max(options_.max_message_bytes);
  s.auto_fragment(false);
  s.control_callback([this](websocket::frame_type kind, beast::string_view) {
    last_activity_ = Clock::now();
    if (kind != websocket::frame_type::close) ping_outstanding_ = false;
  });
  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != (u.tls ? "443" : "80")) host += ":" + u.port;

  bool done = false;
  error_code ec;
  websocket::response_type res;
  s.async_handshake(res, host, u.target, [&](error_code e) {
    ec = e;
    done = true;
  });
  if (!DriveOrKill([&] { return done; }, deadline)) {
    return Fail(Code::kTimeout, "upgrade timed out after " +
                                    std::to_string(options_.connect_timeout.count()) + " ms");
  }
  if (interrupted_) return Interrupted();
  if (ec == websocket::error::upgrade_declined) {
    return Fail(Code::kNetwork, "upgrade refused: HTTP " + std::to_string(res.result_int()));
  }
  if (ec) return Fail(Code::kNetwork, "upgrade failed: " + ec.message());
  return Status::Ok();
}

Status WebSocket::Impl::Read(WsMessage* out) {
  if (interrupted_) return Interrupted();
  if (!connected_ || failed_ || closed_) return Fail(Code::kNetwork, "not connected");
  bool done = false;
  error_code ec;
  buffer_.clear();
  WithStream([&](auto& s) {
    s.async_read(buffer_, [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
  });
  bool dead = false;
  for (;;) {
    // The deadline moves whenever a frame arrives (the control callback), so recompute it
    // after every handler.
    Clock::time_point deadline;
    while (!done) {
      deadline = ping_outstanding_ ? ping_sent_ + options_.pong_timeout
                                   : last_activity_ + options_.idle_ping;
      if (Clock::now() >= deadline) break;
      ioc_.run_one_until(deadline);
    }
    if (done) break;
    if (ping_outstanding_) {  // no pong, nothing else either
      dead = true;
      KillSocket();
      Drive([&] { return done; }, Clock::time_point::max());
      break;
    }
    ping_outstanding_ = true;
    ping_sent_ = Clock::now();
    if (!ping_writing_) {
      ping_writing_ = true;
      WithStream([&](auto& s) { s.async_ping({}, [this](error_code) { ping_writing_ = false; }); });
    }
  }
  if (interrupted_) return Interrupted();
  if (dead) {
    return Fail(Code::kTimeout, "connection dead: no pong within " +
                                    std::to_string(options_.pong_timeout.count()) +
                                    " ms of a ping");
  }
  if (ec == websocket::error::closed) {
    auto reason = WithStream([](auto& s) { return s.reason(); });
    std::string what = "closed by the server (code " + std::to_string(reason.code);
    if (!reason.reason.empty()) what += ": " + std::string(reason.reason.c_str());
    closed_ = true;
    return Fail(Code::kNetwork, what + ")");
  }
  if (ec == websocket::error::message_too_big) {
    KillSocket();
    return Fail(Code::kTooLarge,
                "message over the " + std::to_string(options_.max_message_bytes) + "-byte limit");
  }
  if (ec == asio::error::eof || ec == beast::http::error::end_of_stream ||
      ec == asio::ssl::error::stream_truncated) {
    return Fail(Code::kNetwork, "connection closed without a close frame");
  }
  if (ec) return Fail(Code::kNetwork, "read failed: " + ec.message());
  last_activity_ = Clock::now();
  ping_outstanding_ = false;
  out->binary = WithStream([](auto& s) { return s.got_binary(); });
  auto data = buffer_.data();
  out->data.assign(static_cast<const char*>(data.data()), data.size());
  return Status::Ok();
}

void WebSocket::Impl::Close() {
  if (!HasStream()) return;
  if (connected_ && !failed_ && !closed_ && !interrupted_) {
    const Clock::time_point deadline = Clock::now() + options_.connect_timeout;
    if (Drive([&] { return !ping_writing_; }, deadline)) {
      bool done = false;
      WithStream([&](auto& s) {
        s.async_close(websocket::close_code::normal, [&](error_code) { done = true; });
      });
      DriveOrKill([&] { return done; }, deadline);
    }
  }
  closed_ = true;
  KillSocket();
  // Let aborted handlers (a pending ping) finish while the stream still exists.
  Drive([&] { return !ping_writing_; }, Clock::now() + std::chrono::seconds(1));
}

WebSocket::WebSocket(WebSocketOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
WebSocket::~WebSocket() = default;

Status WebSocket::Connect(std::string_view url) {
  url_ = std::string(url);
  return impl_->Connect(url);
}
Status WebSocket::Read(WsMessage* out) { return impl_->Read(out); }
void WebSocket::Close() { impl_->Close(); }
void WebSocket::Interrupt() { impl_->Interrupt(); }

}  // namespace altscribe::net
