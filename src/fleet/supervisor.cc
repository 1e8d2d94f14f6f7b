#include "fleet/supervisor.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "core/log.h"

namespace altscribe::fleet {

int Supervise(const std::function<int()>& child_main) {
  sigset_t watched, old;
  sigemptyset(&watched);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGCHLD);
  sigprocmask(SIG_BLOCK, &watched, &old);
  auto delay = std::chrono::milliseconds(1000);
  bool stopping = false;
  while (true) {
    pid_t pid = fork();
    if (pid < 0) {
      LogError(std::string("worker: fork failed: ") + strerror(errno));
      return 1;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the supervisor
      if (getppid() == 1) _exit(1);      // it died before prctl took effect
      sigprocmask(SIG_SETMASK, &old, nullptr);
      _exit(child_main());
    }
    auto started = std::chrono::steady_clock::now();
    int status = 0;
    while (true) {
      siginfo_t info{};
      int sig = sigwaitinfo(&watched, &info);
      if (sig == SIGTERM || sig == SIGINT) {
        stopping = true;
        kill(pid, sig);
        continue;
      }
      if (sig == SIGCHLD && waitpid(pid, &status, WNOHANG) == pid) break;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (stopping) return 0;
    int sig = WTERMSIG(status);
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(1))
      delay = std::chrono::milliseconds(1000);
    LogError("worker process " + std::to_string(pid) + " died (signal " + std::to_string(sig) +
             ", " + strsignal(sig) + "); restarting it in " + std::to_string(delay.count()) +
             " ms (its job goes back to the queue)");
    // Wait out the back-off, still honouring SIGTERM.
    timespec ts{static_cast<time_t>(delay.count() / 1000),
                static_cast<long>(delay.count() % 1000) * 1000000};
    auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
      int s = sigtimedwait(&watched, nullptr, &ts);
      if (s == SIGTERM || s == SIGINT) return 0;
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      ts = {static_cast<time_t>(left.count() / 1000000000),
            static_cast<long>(left.count() % 1000000000)};
    }
    delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(30));
  }
}

}  // namespace altscribe::fleet
