#include "core/parallel.h"

#include <algorithm>

namespace altscribe {

ParallelFor::ParallelFor(int threads) {
  for (int i = 1; i < std::max(1, threads); ++i) workers_.emplace_back([this] { Work(); });
}

ParallelFor::~ParallelFor() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ParallelFor::Run(int n, const std::function<void(int)>& body) {
  if (n <= 0) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    body_ = &body;
    n_ = n;
    next_ = 0;
    finished_ = 0;
    ++job_;
  }
  if (n > 1) wake_.notify_all();
  Drain();
  std::unique_lock<std::mutex> l(mu_);
  done_.wait(l, [this] { return finished_ == n_; });
  body_ = nullptr;
}

void ParallelFor::Drain() {
  std::unique_lock<std::mutex> l(mu_);
  while (body_ != nullptr && next_ < n_) {
    const int i = next_++;
    const std::function<void(int)>* body = body_;
    l.unlock();
    (*body)(i);
    l.lock();
    if (++finished_ == n_) done_.notify_all();
  }
}

void ParallelFor::Work() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(mu_);
      wake_.wait(l, [&] { return stopping_ || job_ != seen; });
      if (stopping_) return;
      seen = job_;
    }
    Drain();
  }
}

}  // namespace altscribe
