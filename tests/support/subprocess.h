// tests/support/subprocess.h — run a program the way a user would, and look at what it did.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace altscribe::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;      // stdout
  std::string err;      // stderr
  long max_rss_kb = 0;  // peak resident memory of the child
};

// Runs argv[0] with arguments, extra environment entries ("K=V"), and optional shell-style
// resource limit on file size (bytes, 0 = none). Blocks until it exits.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {}, long file_size_limit = 0);

// Starts argv in the background with stdout+stderr appended to `log_path`; returns its pid
// (the caller reaps it).
pid_t SpawnProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& log_path);

// A background process (e.g. llama-server) killed and reaped by the destructor.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Finds a free TCP port on 127.0.0.1 (bind to 0, read it back, close).
int FreeLoopbackPort();

}  // namespace altscribe::testing
