// nats/test_server.cc — see test_server.h.
#include "nats/test_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "test_env.h"

namespace altscribe::nats::testing {

std::string NatsServerBin() {
  if (const char* env = std::getenv("NATS_SERVER"); env && *env) return env;
  for (const char* p : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

NatsServer::NatsServer(const std::vector<std::string>& extra_args) {
  std::string bin = NatsServerBin();
  if (bin.empty()) {
    status_ = Status::NotFound(
        "nats-server not found (apt-get install nats-server, or set "
        "NATS_SERVER)");
    return;
  }
  std::string dir = altscribe::testing::MakeTempDir("nats");
  log_path_ = dir + "/nats-server.log";
  port_ = altscribe::testing::FreeLoopbackPort();
  std::vector<std::string> argv = {
      bin, "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd", dir + "/store"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<altscribe::testing::BackgroundProcess>(
      argv, std::vector<std::string>{}, log_path_);
  // Ready when a TCP connect gets INFO; an auth error also proves it is up.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (true) {
    ConnectOptions o = options();
    o.connect_timeout = std::chrono::milliseconds(1000);
    auto c = Connection::Connect(o);
    if (c.ok() || c.status().message().find("refused the connection") != std::string::npos) {
      status_ = Status::Ok();
      return;
    }
    if (!process_->running()) {
      status_ = Status::Internal("nats-server exited at start; see " + log_path_);
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      status_ =
          Status::Timeout("nats-server did not accept connections within 15 s; see " + log_path_);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

ConnectOptions NatsServer::options() const {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  return o;
}

}  // namespace altscribe::nats::testing
