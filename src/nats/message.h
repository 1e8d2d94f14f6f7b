// nats/message.h — a received message, and a queue that hands messages to a waiting thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "nats/protocol.h"

namespace altscribe::nats {

struct Message {
  std::string subject;
  std::string reply;        // "" when none
  Headers headers;          // from HMSG; empty for MSG
  int status = 0;           // the header status line's code (503 no responders, 408, 404...), or 0
  std::string description;  // the status line's text ("Request Timeout"), or ""
  std::string data;

  // The first value of header `key` (case-sensitive, as NATS compares), or "".
  std::string Header(const std::string& key) const {
    for (const auto& [k, v] : headers) {
      if (k == key) return v;
    }
    return "";
  }
};

// A thread-safe FIFO of messages: the reader thread pushes, one consumer pops with a deadline.
class MessageQueue {
 public:
  // Notifies under the lock, so a Pop that returns can't see this call still running: a
  // queue on the popping thread's stack may be destroyed right after.
  void Push(Message m) {
    std::lock_guard<std::mutex> lock(mu_);
    q_.push_back(std::move(m));
    cv_.notify_all();
  }
  // Wakes every Pop with nullopt once the queue is empty (connection closed).
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // The next message, or nullopt at `deadline` or when closed and drained.
  std::optional<Message> Pop(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    Message m = std::move(q_.front());
    q_.pop_front();
    return m;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Message> q_;
  bool closed_ = false;
};

}  // namespace altscribe::nats
