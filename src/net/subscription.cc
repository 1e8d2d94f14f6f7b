// net/subscription.cc — see subscription.h.
#include "net/subscription.h"

#include <chrono>

#include "core/log.h"

namespace altscribe::net {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

Subscription::Subscription(SubscriptionOptions options, UrlFn url, MessageFn on_message)
    : options_(std::move(options)),
      url_(std::move(url)),
      on_message_(std::move(on_message)),
      backoff_(options_.backoff) {}

void Subscription::Run() {
  WsMessage message;
  while (!stopping_) {
    const std::string url = url_();
    WebSocket socket(options_.ws);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      socket_ = &socket;
    }
    Status why = socket.Connect(url);
    const Clock::time_point connected_at = Clock::now();
    const bool connected = why.ok();
    if (connected) {
      LogInfo(options_.name + ": connected to " + url);
      if (on_connect_) on_connect_();
    }
    while (why.ok() && !stopping_) {
      why = socket.Read(&message);
      if (!why.ok()) break;
      messages_.fetch_add(1, std::memory_order_relaxed);
      bytes_.fetch_add(message.data.size(), std::memory_order_relaxed);
      why = on_message_(message);
    }
    socket.Close();
    {
      std::lock_guard<std::mutex> lock(mu_);
      socket_ = nullptr;
    }
    if (stopping_) break;
    if (connected) {
      backoff_.ConnectionLasted(
          std::chrono::duration_cast<milliseconds>(Clock::now() - connected_at));
    }
    reconnects_.fetch_add(1, std::memory_order_relaxed);
    const milliseconds wait = backoff_.Next(std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
    LogWarn(options_.name + ": " + why.message() + "; reconnecting in " +
            std::to_string(wait.count()) + " ms");
    if (on_disconnect_) on_disconnect_(why);
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, wait, [this] { return stopping_.load(); });
  }
}

void Subscription::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (socket_ != nullptr) socket_->Interrupt();
  wake_.notify_all();
}

SubscriptionCounters Subscription::counters() const {
  SubscriptionCounters c;
  c.messages = messages_.load(std::memory_order_relaxed);
  c.bytes = bytes_.load(std::memory_order_relaxed);
  c.reconnects = reconnects_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace altscribe::net
