// nats/test_server.h — a real nats-server for tests: its own port, store dir and log.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nats/connection.h"
#include "subprocess.h"

namespace altscribe::nats::testing {

// The nats-server binary: $NATS_SERVER, else /usr/sbin or /usr/bin/nats-server ("" if none).
std::string NatsServerBin();

// Starts `nats-server -js -a 127.0.0.1 -p <free port> -sd <temp dir> <extra_args>` and waits
// (up to 15 s) until it answers a NATS handshake. The destructor stops it.
class NatsServer {
 public:
  explicit NatsServer(const std::vector<std::string>& extra_args = {});
  // OK once the server accepts connections; otherwise why not (binary missing, exited...).
  const Status& status() const { return status_; }
  int port() const { return port_; }
  ConnectOptions options() const;
  const std::string& log_path() const { return log_path_; }

 private:
  int port_ = 0;
  std::string log_path_;
  Status status_;
  std::unique_ptr<altscribe::testing::BackgroundProcess> process_;
};

}  // namespace altscribe::nats::testing
