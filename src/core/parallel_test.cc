// ParallelFor: every index runs exactly once, on several threads, job after job; tiny and empty
// jobs; a pool of one runs everything on the caller.
#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace altscribe {
namespace {

TEST(ParallelFor, EveryIndexRunsExactlyOnceJobAfterJob) {
  ParallelFor pool(4);
  EXPECT_EQ(pool.threads(), 4);
  for (int n : {1, 2, 3, 7, 64, 1000}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.Run(n, [&](int i) { hits[static_cast<size_t>(i)]++; });
      for (int i = 0; i < n; ++i)
        ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << n << "/" << i;
    }
  }
}

TEST(ParallelFor, SpreadsSlowPiecesOverItsThreads) {
  ParallelFor pool(3);
  std::mutex mu;
  std::set<std::thread::id> ids;
  // Each piece waits until three are running at once (or a generous deadline), so the job only
  // finishes quickly when three threads really share it.
  std::atomic<int> running{0}, peak{0};
  pool.Run(6, [&](int) {
    int now = ++running;
    for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (peak.load() < 3 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    {
      std::lock_guard<std::mutex> l(mu);
      ids.insert(std::this_thread::get_id());
    }
    --running;
  });
  EXPECT_EQ(peak.load(), 3);
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(ids.count(std::this_thread::get_id())) << "the caller takes part";
}

TEST(ParallelFor, EmptyJobsAndAPoolOfOne) {
  ParallelFor pool(1);
  EXPECT_EQ(pool.threads(), 1);
  int calls = 0;
  pool.Run(0, [&](int) { ++calls; });
  EXPECT_EQ(calls, 0);
  std::vector<std::thread::id> ids;
  pool.Run(5, [&](int) { ids.push_back(std::this_thread::get_id()); });
  ASSERT_EQ(ids.size(), 5u);
  for (auto id : ids) EXPECT_EQ(id, std::this_thread::get_id());
}

}  // namespace
}  // namespace altscribe
