// nats/test_server.h — real nats-server processes for tests: one server with its own port, store
// dir and log, which can be stopped and started again on the same port; and a 3-node JetStream
// cluster on loopback whose nodes can be killed and restarted.
#pragma once

#include <chrono>
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
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // OK once the server accepts connections; otherwise why not (binary missing, exited...).
  const Status& status() const { return status_; }
  int port() const { return port_; }
  ConnectOptions options() const;
  std::string url() const;  // "nats://127.0.0.1:<port>"
  const std::string& log_path() const { return log_path_; }

  // Stops the server (SIGTERM: clients see their connection closed). Its port and store dir are
  // kept for Start().
  void Stop();
  // Kills it with SIGKILL (no goodbye to clients; JetStream recovers from its store on Start()).
  void Kill();
  // Starts it again on the same port with the same store dir and arguments, and waits until it
  // accepts connections. Also updates status().
  Status Start();
  bool running() const;
  // SIGSTOP / SIGCONT: the server keeps its sockets but answers nothing (a hung server or a
  // network partition, as clients see it).
  void Pause();
  void Resume();

 private:
  std::vector<std::string> argv_;
  int port_ = 0;
  std::string log_path_;
  Status status_;
  std::unique_ptr<altscribe::testing::BackgroundProcess> process_;
};

// A JetStream cluster of `nodes` nats-server processes on loopback ("n0", "n1", ...; one cluster
// "altscribe-test", routes between all of them, a store dir and log each). The constructor waits
// until every node accepts clients and JetStream has a meta leader (up to 30 s; status() says
// why not). The destructor stops every node.
class TestCluster {
 public:
  explicit TestCluster(int nodes = 3);
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  const Status& status() const { return status_; }
  int size() const { return static_cast<int>(nodes_.size()); }
  // "nats://127.0.0.1:p0,nats://127.0.0.1:p1,..." — every node, in index order.
  std::string urls() const;
  // Options with every node in `servers` (first node first).
  ConnectOptions options() const;
  int port(int i) const { return nodes_[i].port; }
  const std::string& server_name(int i) const { return nodes_[i].name; }
  const std::string& log_path(int i) const { return nodes_[i].log; }
  bool running(int i) const;

  // SIGKILL node i (as a crashed machine would go).
  void Kill(int i);
  // Starts node i again with the same ports and store dir; waits until it accepts clients.
  Status Restart(int i);

  // Waits until a running node answers $JS.API.INFO without error (a meta leader exists).
  Status WaitForMetaLeader(std::chrono::milliseconds timeout);
  // The index of the node that leads `stream`, from $JS.API.STREAM.INFO's cluster.leader, asked
  // of a running node; waits up to `timeout` while there is none (an election).
  Result<int> StreamLeader(const std::string& stream,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Kills the leader of `stream` and returns its index.
  Result<int> KillStreamLeader(const std::string& stream);

 private:
  struct Node {
    std::string name;
    int port = 0, cluster_port = 0;
    std::string dir, log;
    std::vector<std::string> argv;
    std::unique_ptr<altscribe::testing::BackgroundProcess> process;
  };
  Status StartNode(int i);
  // A connection (no reconnect) to some running node, trying each.
  Result<std::unique_ptr<Connection>> ConnectAny();

  std::vector<Node> nodes_;
  Status status_;
};

}  // namespace altscribe::nats::testing
