// tests/support/ws_server.cc — see ws_server.h. Each connection runs asynchronous Beast
// operations on an io_context of its own, driven by its script thread; Stop() posts a socket
// close to every connection, which ends whatever it waits for.
#include "ws_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>

namespace altscribe::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using std::chrono::milliseconds;

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

TestCert MakeSelfSignedCert(const std::vector<std::string>& dns_names,
                            const std::vector<std::string>& ip_addresses) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x),
                   static_cast<long>(Clock::now().time_since_epoch().count() & 0x7FFFFFFF));
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("altscribe test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  auto add = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  };
  add(NID_basic_constraints, "critical,CA:TRUE");
  add(NID_key_usage, "critical,digitalSignature,keyCertSign");
  if (!san.empty()) add(NID_subject_alt_name, san);
  X509_sign(x, key, EVP_sha256());

  TestCert out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  out.cert_pem = BioString(bio);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = BioString(bio);
  BIO_free(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

std::optional<std::string> WsConnection::Query(std::string_view name) const {
  const std::string& t = target();
  size_t q = t.find('?');
  if (q == std::string::npos) return std::nullopt;
  std::string_view query = std::string_view(t).substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

namespace {
class ConnBase;
}

class WsServer::Impl {
 public:
  Impl(Script s, WsServerOptions o) : script(std::move(s)), options(std::move(o)) {}
  Status Start();
  void Stop();
  void DoAccept();

  Script script;
  WsServerOptions options;
  asio::io_context accept_ioc;
  tcp::acceptor acceptor{accept_ioc};
  std::optional<asio::ssl::context> ssl_ctx;
  std::thread accept_thread;
  int port = 0;
  bool started = false;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> stopping{false};
  std::vector<std::string> targets;
  int failed_handshakes = 0;
  std::vector<std::shared_ptr<ConnBase>> conns;
  std::vector<std::thread> threads;
};

namespace {

class ConnBase : public WsConnection {
 public:
  ConnBase(WsServer::Impl* server, std::shared_ptr<asio::io_context> ioc)
      : server_(server), ioc_(std::move(ioc)), guard_(asio::make_work_guard(*ioc_)) {}
  virtual void Serve() = 0;
  void PostKill() {
    asio::post(*ioc_, [this] { Kill(); });
  }
  virtual void Kill() = 0;

  int index() const override { return index_; }
  const std::string& target() const override { return target_; }
  int pings_received() const override { return pings_; }

 protected:
  // Runs handlers until done() or the timeout; false on timeout. Server shutdown closes the
  // socket, which completes every pending operation.
  template <typename Done>
  bool Run(Done done, milliseconds timeout) {
    const Clock::time_point deadline =
        timeout == milliseconds::max() ? Clock::time_point::max() : Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      ioc_->run_one_until(std::min(deadline, Clock::now() + milliseconds(200)));
      if (server_->stopping) Kill();
    }
    return true;
  }
  // As Run, but on timeout closes the socket and waits for done() anyway (handlers refer to the
  // caller's locals).
  template <typename Done>
  bool RunOrKill(Done done, milliseconds timeout) {
    if (Run(done, timeout)) return true;
    Kill();
    Run(done, milliseconds::max());
    return false;
  }

  WsServer::Impl* server_;
  std::shared_ptr<asio::io_context> ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  int index_ = -1;
  std::string target_;
  int pings_ = 0;
  int pongs_ = 0;
  bool gone_ = false;    // the background read ended: the client left or the socket closed
  bool closed_ = false;  // this side sent a close or reset the connection
};

template <bool kTls>
class Conn final : public ConnBase {
 public:
  using Next = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  template <typename... Args>
  Conn(WsServer::Impl* server, std::shared_ptr<asio::io_context> ioc, tcp::socket socket,
       Args&... args)
      : ConnBase(server, std::move(ioc)), ws_(std::move(socket), args...) {}

  void Serve() override {
    if (!Handshake()) {
      std::lock_guard<std::mutex> lock(server_->mu);
      ++server_->failed_handshakes;
      Kill();
      return;
    }
    server_->script(*this);
    if (!closed_ && !gone_) Close(1000, "");
    Kill();
    Run([&] { return gone_; }, milliseconds(5000));
  }

  void Kill() override {
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  bool SendBinary(std::string_view bytes) override { return Send(bytes, true); }
  bool SendText(std::string_view text) override { return Send(text, false); }

  bool PingAndWaitPong(milliseconds timeout) override {
    if (gone_ || closed_) return false;
    const int before = pongs_;
    bool done = false;
    error_code ec;
    ws_.async_ping({}, [&](error_code e) {
      ec = e;
      done = true;
    });
    if (!RunOrKill([&] { return done; }, timeout) || ec) return false;
    return Run([&] { return pongs_ > before || gone_; }, timeout) && pongs_ > before;
  }

  bool WaitPings(int n, milliseconds timeout) override {
    return Run([&] { return pings_ >= n || gone_; }, timeout) && pings_ >= n;
  }

  void Stall() override {
    Run([&] { return gone_; }, milliseconds::max());
  }

  void Freeze() override {
    std::unique_lock<std::mutex> lock(server_->mu);
    server_->cv.wait(lock, [&] { return server_->stopping.load(); });
  }

  bool WaitClientGone(milliseconds timeout) override {
    return Run([&] { return gone_; }, timeout);
  }

  void Close(uint16_t code, std::string_view reason) override {
    if (gone_ || closed_) return;
    closed_ = true;
    bool done = false;
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code),
                                            beast::string_view(reason.data(), reason.size())),
                    [&](error_code) { done = true; });
    RunOrKill([&] { return done; }, milliseconds(5000));
    Run([&] { return gone_; }, milliseconds(2000));
  }

  void CloseAbruptly() override {
    if (gone_ || closed_) return;
    closed_ = true;
    error_code ignored;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.set_option(tcp::socket::linger(true, 0), ignored);
    socket.close(ignored);
    Run([&] { return gone_; }, milliseconds(5000));
  }

 private:
  bool Handshake() {
    bool done = false;
    error_code ec;
    const milliseconds timeout(10'000);
    if constexpr (kTls) {
      ws_.next_layer().async_handshake(asio::ssl::stream_base::server, [&](error_code e) {
        ec = e;
        done = true;
      });
      if (!RunOrKill([&] { return done; }, timeout) || ec) return false;
    }
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> req;
    done = false;
    beast::http::async_read(ws_.next_layer(), buffer, req, [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!RunOrKill([&] { return done; }, timeout) || ec) return false;
    done = false;
    ws_.async_accept(req, [&](error_code e) {
      ec = e;
      done = true;
    });
    if (!RunOrKill([&] { return done; }, timeout) || ec) return false;
    {
      std::lock_guard<std::mutex> lock(server_->mu);
      index_ = static_cast<int>(server_->targets.size());
      target_ = std::string(req.target());
      server_->targets.push_back(target_);
    }
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) ++pings_;
      if (kind == websocket::frame_type::pong) ++pongs_;
    });
    StartRead();
    return true;
  }

  void StartRead() {
    ws_.async_read(read_buffer_, [this](error_code ec, size_t) {
      if (ec) {
        gone_ = true;
        return;
      }
      read_buffer_.clear();
      StartRead();
    });
  }

  bool Send(std::string_view data, bool binary) {
    if (gone_ || closed_) return false;
    ws_.binary(binary);
    bool done = false;
    error_code ec;
    ws_.async_write(asio::buffer(data.data(), data.size()), [&](error_code e, size_t) {
      ec = e;
      done = true;
    });
    return RunOrKill([&] { return done; }, milliseconds(60'000)) && !ec;
  }

  websocket::stream<Next> ws_;
  beast::flat_buffer read_buffer_;
};

}  // namespace

Status WsServer::Impl::Start() {
  if (options.tls) {
    ssl_ctx.emplace(asio::ssl::context::tls_server);
    error_code ec;
    ssl_ctx->use_certificate_chain(asio::buffer(options.cert.cert_pem), ec);
    if (!ec)
      ssl_ctx->use_private_key(asio::buffer(options.cert.key_pem), asio::ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("ws server: bad test certificate: " + ec.message());
  }
  error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Network("ws server: cannot listen: " + ec.message());
  port = acceptor.local_endpoint().port();
  started = true;
  DoAccept();
  accept_thread = std::thread([this] { accept_ioc.run(); });
  return Status::Ok();
}

void WsServer::Impl::DoAccept() {
  auto ioc = std::make_shared<asio::io_context>();
  acceptor.async_accept(*ioc, [this, ioc](error_code ec, tcp::socket socket) {
    if (ec || stopping) return;
    std::shared_ptr<ConnBase> conn;
    if (options.tls) {
      conn = std::make_shared<Conn<true>>(this, ioc, std::move(socket), *ssl_ctx);
    } else {
      conn = std::make_shared<Conn<false>>(this, ioc, std::move(socket));
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      conns.push_back(conn);
      threads.emplace_back([conn] { conn->Serve(); });
    }
    DoAccept();
  });
}

void WsServer::Impl::Stop() {
  if (!started || stopping.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu);
    cv.notify_all();
  }
  asio::post(accept_ioc, [this] {
    error_code ignored;
    acceptor.close(ignored);
  });
  accept_thread.join();
  std::vector<std::thread> to_join;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& c : conns) c->PostKill();
    to_join.swap(threads);
  }
  for (auto& t : to_join) t.join();
  conns.clear();
}

WsServer::WsServer(Script script, WsServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(script), std::move(options))) {}
WsServer::~WsServer() { Stop(); }
Status WsServer::Start() { return impl_->Start(); }
void WsServer::Stop() { impl_->Stop(); }
int WsServer::port() const { return impl_->port; }
std::string WsServer::Url(std::string_view target) const {
  return std::string(impl_->options.tls ? "wss" : "ws") +
         "://127.0.0.1:" + std::to_string(impl_->port) + std::string(target);
}
std::vector<std::string> WsServer::targets() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->targets;
}
int WsServer::failed_handshakes() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->failed_handshakes;
}

}  // namespace altscribe::testing
