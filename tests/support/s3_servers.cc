// tests/support/s3_servers.cc — see s3_servers.h.
#include "s3_servers.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/text.h"
#include "http/client.h"
#include "test_env.h"

namespace altscribe::testing {
namespace {

// A swift-*-server launcher that reads swift.conf from our temp dir instead of
// /etc/swift/swift.conf (a path Swift hard-codes; storage policies and constraints read it at
// import time, so it is redirected before they are imported).
constexpr char kSwiftLauncher[] = R"(import sys
from swift.common import utils
utils.SWIFT_CONF_FILE = sys.argv[1]
from swift.common import constraints, storage_policy  # noqa: F401 (read SWIFT_CONF_FILE)
from swift.common.wsgi import run_wsgi
sys.exit(run_wsgi(sys.argv[3], sys.argv[2], verbose=True))
)";

std::string UserName() {
  struct passwd* pw = ::getpwuid(::geteuid());
  return pw && pw->pw_name ? pw->pw_name : "root";
}

// True when an HTTP request to 127.0.0.1:port gets any response.
bool Answers(int port, const std::string& path) {
  http::Limits limits;
  limits.timeout = std::chrono::milliseconds(2000);
  limits.connect_timeout = std::chrono::milliseconds(500);
  limits.max_redirects = 0;
  return http::Get("http://127.0.0.1:" + std::to_string(port) + path, limits).ok();
}

std::string Tail(const std::string& path) {
  std::string log = ReadWholeFile(path);
  if (log.size() > 600) log = log.substr(log.size() - 600);
  return CollapseWhitespace(log);
}

}  // namespace

S3TestServer::S3TestServer(std::string name, std::string access_key, std::string secret_key,
                           bool verifies_signatures)
    : name_(std::move(name)),
      access_key_(std::move(access_key)),
      secret_key_(std::move(secret_key)),
      verifies_signatures_(verifies_signatures) {
  dir_ = MakeTempDir(name_);
}

S3TestServer::~S3TestServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void S3TestServer::Stop() {
  // Proxy first (the last started), so nothing is half-served by a dying backend.
  while (!processes_.empty()) processes_.pop_back();
}

void S3TestServer::WaitUntilReady(int seconds, const std::string& log_path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    if (Answers(port_, "/")) {
      status_ = Status::Ok();
      return;
    }
    for (auto& p : processes_) {
      if (!p->running()) {
        status_ =
            Status::Internal(name_ + " exited at start; log " + log_path + ": " + Tail(log_path));
        return;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      status_ =
          Status::Timeout(name_ + " did not answer on port " + std::to_string(port_) + " within " +
                          std::to_string(seconds) + " s; log " + log_path + ": " + Tail(log_path));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

S3rverServer::S3rverServer() : S3TestServer("s3rver", "S3RVER", "S3RVER", false) {
  std::string script = TestDataDir() + "/../tests/support/install_s3rver.sh";
  ProcessResult install = RunProcess({"/bin/bash", script});
  if (install.exit_code != 0) {
    status_ = Status::NotFound("s3rver: " + script + " failed: " + CollapseWhitespace(install.err));
    return;
  }
  std::string bin = std::string(Trim(install.out)) + "/node_modules/.bin/s3rver";
  if (::access(bin.c_str(), X_OK) != 0) {
    status_ = Status::NotFound("s3rver: " + bin + " is missing after install_s3rver.sh");
    return;
  }
  std::string log = dir_ + "/s3rver.log";
  port_ = FreeLoopbackPort();
  std::filesystem::create_directories(dir_ + "/data");
  processes_.push_back(std::make_unique<BackgroundProcess>(
      // DES (s3rver's continuation tokens) is in OpenSSL 3's legacy provider.
      std::vector<std::string>{"/usr/bin/env", "node", "--openssl-legacy-provider", bin,
                               "--directory", dir_ + "/data", "--address", "127.0.0.1", "--port",
                               std::to_string(port_), "--service-endpoint", "localhost",
                               "--silent"},
      std::vector<std::string>{}, log));
  WaitUntilReady(30, log);
}

SwiftS3Server::SwiftS3Server() : S3TestServer("swift", "test:tester", "testing", true) {
  for (const char* bin :
       {"/usr/bin/python3", "/usr/bin/swift-ring-builder", "/usr/bin/swift-proxy-server",
        "/usr/bin/swift-object-server", "/usr/bin/swift-container-server",
        "/usr/bin/swift-account-server", "/usr/bin/memcached"}) {
    if (::access(bin, X_OK) != 0) {
      status_ = Status::NotFound(std::string("swift: ") + bin +
                                 " is missing (scripts/setup installs swift swift-proxy "
                                 "swift-object swift-container swift-account memcached)");
      return;
    }
  }
  const std::string& d = dir_;
  std::string user = UserName();
  int memcached_port = FreeLoopbackPort();
  struct Backend {
    const char* type;
    int port;
  };
  std::vector<Backend> backends = {{"object", FreeLoopbackPort()},
                                   {"container", FreeLoopbackPort()},
                                   {"account", FreeLoopbackPort()}};
  port_ = FreeLoopbackPort();
  std::filesystem::create_directories(d + "/srv/d1");
  std::filesystem::create_directories(d + "/cache");
  WriteWholeFile(d + "/launch.py", std::string_view(kSwiftLauncher));
  WriteWholeFile(d + "/swift.conf",
                 std::string_view("[swift-hash]\n"
                                  "swift_hash_path_suffix = altscribe-test\n"
                                  "swift_hash_path_prefix = altscribe-test\n"
                                  "[storage-policy:0]\nname = Policy-0\ndefault = yes\n"));
  // Common to every server: loopback, one process, no syslog, everything under `d`.
  std::string common = "bind_ip = 127.0.0.1\nworkers = 0\nuser = " + user + "\nswift_dir = " + d +
                       "\nlog_address = " + d + "/no-syslog\nlog_level = WARNING\n";
  for (const Backend& b : backends) {
    std::string type = b.type;
    std::string builder = d + "/" + type + ".builder";
    for (std::vector<std::string> argv :
         {std::vector<std::string>{"/usr/bin/swift-ring-builder", builder, "create", "0", "1", "1"},
          std::vector<std::string>{"/usr/bin/swift-ring-builder", builder, "add",
                                   "r1z1-127.0.0.1:" + std::to_string(b.port) + "/d1", "1"},
          std::vector<std::string>{"/usr/bin/swift-ring-builder", builder, "rebalance"}}) {
      ProcessResult r = RunProcess(argv);
      if (r.exit_code != 0) {
        status_ = Status::Internal("swift: swift-ring-builder " + argv[2] +
                                   " failed: " + CollapseWhitespace(r.out + " " + r.err));
        return;
      }
    }
    WriteWholeFile(
        d + "/" + type + "-server.conf",
        std::string_view("[DEFAULT]\n" + common + "bind_port = " + std::to_string(b.port) +
                         "\ndevices = " + d +
                         "/srv\nmount_check = false\n"
                         "[pipeline:main]\npipeline = " +
                         type +
                         "-server\n"
                         "[app:" +
                         type + "-server]\nuse = egg:swift#" + type + "\nrecon_cache_path = " + d +
                         "/cache\n"
                         "[" +
                         type + "-replicator]\n[" + type + "-updater]\n[" + type + "-auditor]\n"));
  }
  WriteWholeFile(
      d + "/proxy-server.conf",
      std::string_view(
          "[DEFAULT]\n" + common + "bind_port = " + std::to_string(port_) +
          "\n[pipeline:main]\n"
          "pipeline = catch_errors proxy-logging cache s3api tempauth slo proxy-logging "
          "proxy-server\n"
          "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n"
          "[filter:catch_errors]\nuse = egg:swift#catch_errors\n"
          "[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n"
          "[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = 127.0.0.1:" +
          std::to_string(memcached_port) +
          "\n[filter:s3api]\nuse = egg:swift#s3api\nlocation = us-east-1\n"
          "storage_domain = s3.localhost\n"
          "[filter:tempauth]\nuse = egg:swift#tempauth\nuser_test_tester = testing .admin\n"
          "[filter:slo]\nuse = egg:swift#slo\n"));

  std::vector<std::string> memcached = {"/usr/bin/memcached",           "-l", "127.0.0.1", "-p",
                                        std::to_string(memcached_port), "-U", "0"};
  if (::geteuid() == 0) {
    memcached.push_back("-u");
    memcached.push_back(user);
  }
  processes_.push_back(std::make_unique<BackgroundProcess>(memcached, std::vector<std::string>{},
                                                           d + "/memcached.log"));
  for (const Backend& b : backends) {
    std::string type = b.type;
    processes_.push_back(std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/bin/python3", d + "/launch.py", d + "/swift.conf",
                                 type + "-server", d + "/" + type + "-server.conf"},
        std::vector<std::string>{}, d + "/" + type + ".log"));
  }
  processes_.push_back(std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/bin/python3", d + "/launch.py", d + "/swift.conf",
                               "proxy-server", d + "/proxy-server.conf"},
      std::vector<std::string>{}, d + "/proxy.log"));
  WaitUntilReady(60, d + "/proxy.log");
  if (!status_.ok()) return;
  // The proxy answers before the backends may; wait for those too.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const Backend& b : backends) {
    while (!Answers(b.port, "/")) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::string log = d + "/" + b.type + ".log";
        status_ =
            Status::Timeout(std::string("swift: the ") + b.type +
                            " server did not answer within 30 s; log " + log + ": " + Tail(log));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace altscribe::testing
