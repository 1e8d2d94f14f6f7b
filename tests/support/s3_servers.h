// tests/support/s3_servers.h — real S3 servers on loopback for tests, each in its own temp dir.
//
//   S3rverServer   s3rver 3.7.1 (npm, installed once into the cache by install_s3rver.sh).
//                  Key pair S3RVER/S3RVER. Quick to start, but it does NOT verify SigV4
//                  signatures (only the access key).
//   SwiftS3Server  OpenStack Swift (Debian packages: swift-proxy/-object/-container/-account,
//                  memcached) as a single node with its S3 layer (s3api + tempauth). Key
//                  "test:tester", secret "testing". It DOES verify signatures (header and query
//                  SigV4). Takes ~6 s to start.
//
// Both listen on free loopback ports, accept path-style requests at endpoint() and
// virtual-host style ones at vhost_endpoint() ("http://s3.localhost:PORT": the bucket goes in
// front, "http://BUCKET.s3.localhost:PORT"; curl resolves *.localhost to loopback). Everything
// they write (config, rings, data, logs) lives in one temp dir; the destructor (or Stop()) stops
// every process and removes the dir. status() says why a server could not start, with the log
// to read: tests must fail on it, not skip.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "subprocess.h"

namespace altscribe::testing {

class S3TestServer {
 public:
  virtual ~S3TestServer();
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  const Status& status() const { return status_; }
  const std::string& name() const { return name_; }
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string vhost_endpoint() const { return "http://s3.localhost:" + std::to_string(port_); }
  const std::string& access_key() const { return access_key_; }
  const std::string& secret_key() const { return secret_key_; }
  bool verifies_signatures() const { return verifies_signatures_; }
  const std::string& dir() const { return dir_; }

  // Stops every process (the port then refuses connections); the dir stays until destruction.
  void Stop();

 protected:
  S3TestServer(std::string name, std::string access_key, std::string secret_key,
               bool verifies_signatures);
  // Waits up to `seconds` until endpoint() answers HTTP; sets status_ otherwise.
  void WaitUntilReady(int seconds, const std::string& log_path);

  std::string name_;
  std::string access_key_;
  std::string secret_key_;
  bool verifies_signatures_ = false;
  std::string dir_;
  int port_ = 0;
  Status status_;
  std::vector<std::unique_ptr<BackgroundProcess>> processes_;
};

class S3rverServer : public S3TestServer {
 public:
  S3rverServer();
};

class SwiftS3Server : public S3TestServer {
 public:
  SwiftS3Server();
};

}  // namespace altscribe::testing
