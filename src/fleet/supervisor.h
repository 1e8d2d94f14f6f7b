// fleet/supervisor.h — keeps a worker process alive through crashes.
//
// Supervise() runs `child_main` in a forked child process and waits. SIGTERM/SIGINT sent to the
// supervisor are passed on to the child, and Supervise() returns the child's exit status once it
// exits. A child that exits by itself is not restarted (0: it was asked to stop; 1: a fatal
// error such as an unreachable NATS or a missing model; 2: a usage error) and its status is
// returned. A child killed by a signal (a crash: SIGSEGV in a decoder, SIGABRT, the OOM killer's
// SIGKILL) is restarted after a back-off (1 s, doubling up to 30 s, back to 1 s after a minute
// of uptime), with one log line naming the signal. Its job is redelivered by JetStream.
//
// REQUIRES: called before the process starts any thread (fork() copies only the caller).
#pragma once

#include <functional>

namespace altscribe::fleet {

int Supervise(const std::function<int()>& child_main);

}  // namespace altscribe::fleet
