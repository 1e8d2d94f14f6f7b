// nats/test_server.cc — see test_server.h.
#include "nats/test_server.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_env.h"

namespace altscribe::nats::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

ConnectOptions LoopbackOptions(int port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  return o;
}

// Waits until a NATS handshake on `port` works (an auth error also proves the server is up).
Status WaitReady(int port, altscribe::testing::BackgroundProcess* process, const std::string& log,
                 std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (true) {
    ConnectOptions o = LoopbackOptions(port);
    o.connect_timeout = 1000ms;
    o.reconnect = false;
    auto c = Connection::Connect(o);
    if (c.ok() || c.status().message().find("refused the connection") != std::string::npos) {
      return Status::Ok();
    }
    if (!process->running()) return Status::Internal("nats-server exited at start; see " + log);
    if (Clock::now() > deadline) {
      return Status::Timeout("nats-server did not accept connections within " +
                             std::to_string(limit.count()) + " s; see " + log);
    }
    std::this_thread::sleep_for(50ms);
  }
}

void KillProcess(std::unique_ptr<altscribe::testing::BackgroundProcess>* process) {
  if (!*process) return;
  ::kill((*process)->pid(), SIGKILL);
  process->reset();  // reaps it
}

}  // namespace

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
  argv_ = {bin, "-js", "-a", "127.0.0.1", "-p", std::to_string(port_), "-sd", dir + "/store"};
  argv_.insert(argv_.end(), extra_args.begin(), extra_args.end());
  Start();
}

NatsServer::~NatsServer() {
  Resume();  // a paused server would sit out SIGTERM; BackgroundProcess then stops it
}

Status NatsServer::Start() {
  if (argv_.empty()) return status_;
  process_.reset();
  process_ = std::make_unique<altscribe::testing::BackgroundProcess>(
      argv_, std::vector<std::string>{}, log_path_);
  status_ = WaitReady(port_, process_.get(), log_path_, 15s);
  return status_;
}

void NatsServer::Stop() { process_.reset(); }

void NatsServer::Kill() { KillProcess(&process_); }

bool NatsServer::running() const { return process_ && process_->running(); }

void NatsServer::Pause() {
  if (process_) ::kill(process_->pid(), SIGSTOP);
}

void NatsServer::Resume() {
  if (process_) ::kill(process_->pid(), SIGCONT);
}

ConnectOptions NatsServer::options() const { return LoopbackOptions(port_); }

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

TestCluster::TestCluster(int n) {
  std::string bin = NatsServerBin();
  if (bin.empty()) {
    status_ = Status::NotFound(
        "nats-server not found (apt-get install nats-server, or set "
        "NATS_SERVER)");
    return;
  }
  nodes_.resize(n);
  for (int i = 0; i < n; ++i) {
    Node& node = nodes_[i];
    node.name = "n" + std::to_string(i);
    node.port = altscribe::testing::FreeLoopbackPort();
    node.cluster_port = altscribe::testing::FreeLoopbackPort();
    node.dir = altscribe::testing::MakeTempDir("nats-" + node.name);
    node.log = node.dir + "/nats-server.log";
  }
  for (int i = 0; i < n; ++i) {
    Node& node = nodes_[i];
    std::string routes;
    for (int j = 0; j < n; ++j) {
      if (j == i) continue;
      if (!routes.empty()) routes += ",";
      routes += "nats://127.0.0.1:" + std::to_string(nodes_[j].cluster_port);
    }
    node.argv = {bin,
                 "-js",
                 "-a",
                 "127.0.0.1",
                 "-p",
                 std::to_string(node.port),
                 "-sd",
                 node.dir + "/store",
                 "-n",
                 node.name,
                 "--cluster_name",
                 "altscribe-test",
                 "--cluster",
                 "nats://127.0.0.1:" + std::to_string(node.cluster_port),
                 "--routes",
                 routes};
    node.process = std::make_unique<altscribe::testing::BackgroundProcess>(
        node.argv, std::vector<std::string>{}, node.log);
  }
  for (int i = 0; i < n; ++i) {
    status_ = WaitReady(nodes_[i].port, nodes_[i].process.get(), nodes_[i].log, 15s);
    if (!status_.ok()) return;
  }
  status_ = WaitForMetaLeader(30s);
}

TestCluster::~TestCluster() = default;

std::string TestCluster::urls() const {
  std::string out;
  for (const Node& node : nodes_) {
    if (!out.empty()) out += ",";
    out += "nats://127.0.0.1:" + std::to_string(node.port);
  }
  return out;
}

ConnectOptions TestCluster::options() const {
  ConnectOptions o;
  (void)ParseUrl(urls(), &o);
  return o;
}

bool TestCluster::running(int i) const { return nodes_[i].process && nodes_[i].process->running(); }

void TestCluster::Kill(int i) { KillProcess(&nodes_[i].process); }

Status TestCluster::StartNode(int i) {
  Node& node = nodes_[i];
  node.process.reset();
  node.process = std::make_unique<altscribe::testing::BackgroundProcess>(
      node.argv, std::vector<std::string>{}, node.log);
  return WaitReady(node.port, node.process.get(), node.log, 15s);
}

Status TestCluster::Restart(int i) { return StartNode(i); }

Result<std::unique_ptr<Connection>> TestCluster::ConnectAny() {
  Status last = Status::Network("nats: no node of the test cluster is running");
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    ConnectOptions o = LoopbackOptions(nodes_[i].port);
    o.reconnect = false;
    o.connect_timeout = 1000ms;
    auto c = Connection::Connect(o);
    if (c.ok()) return c;
    last = c.status();
  }
  return last;
}

Status TestCluster::WaitForMetaLeader(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string last = "no answer";
  while (Clock::now() < deadline) {
    auto c = ConnectAny();
    if (c.ok()) {
      auto r = (*c)->Request("$JS.API.INFO", "", 2s);
      if (r.ok()) {
        auto j = nlohmann::json::parse(r->data, nullptr, false);
        if (j.is_object() && !j.contains("error")) return Status::Ok();
        last = r->data.substr(0, 200);
      } else {
        last = r.status().message();
      }
    } else {
      last = c.status().message();
    }
    std::this_thread::sleep_for(200ms);
  }
  return Status::Timeout("test cluster: no JetStream meta leader within " +
                         std::to_string(timeout.count()) + " ms (last: " + last + ")");
}

Result<int> TestCluster::StreamLeader(const std::string& stream,
                                      std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string last = "no answer";
  while (Clock::now() < deadline) {
    auto c = ConnectAny();
    if (c.ok()) {
      auto r = (*c)->Request("$JS.API.STREAM.INFO." + stream, "", 2s);
      if (r.ok()) {
        auto j = nlohmann::json::parse(r->data, nullptr, false);
        std::string leader;
        if (j.is_object() && j.contains("cluster") && j["cluster"].is_object()) {
          leader = j["cluster"].value("leader", "");
        }
        for (int i = 0; i < size(); ++i) {
          if (!leader.empty() && nodes_[i].name == leader) return i;
        }
        last = r->data.substr(0, 200);
      } else {
        last = r.status().message();
      }
    } else {
      last = c.status().message();
    }
    std::this_thread::sleep_for(200ms);
  }
  return Status::Timeout("test cluster: stream '" + stream + "' has no leader within " +
                         std::to_string(timeout.count()) + " ms (last: " + last + ")");
}

Result<int> TestCluster::KillStreamLeader(const std::string& stream) {
  ASSIGN_OR_RETURN(int leader, StreamLeader(stream));
  Kill(leader);
  return leader;
}

}  // namespace altscribe::nats::testing
