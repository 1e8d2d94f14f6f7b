// core/parallel.h — a small fixed pool that runs one loop body over [0, n) on several threads.
//
// For short, independent pieces of CPU work between two GPU calls (the batch engine samples one
// row of logits per sequence after each decode step): the workers are started once and wait on
// a condition variable, the calling thread takes part, and Run() returns when every index is
// done. Indices are handed out one at a time, so uneven pieces balance themselves.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace altscribe {

class ParallelFor {
 public:
  // threads >= 1 in all, the caller included (threads - 1 workers are started).
  explicit ParallelFor(int threads);
  ~ParallelFor();
  ParallelFor(const ParallelFor&) = delete;
  ParallelFor& operator=(const ParallelFor&) = delete;

  // Calls body(i) once for every i in [0, n), on the workers and the calling thread, and returns
  // when all calls have returned. body must not throw. One Run() at a time (not reentrant).
  void Run(int n, const std::function<void(int)>& body);

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

 private:
  void Work();
  void Drain();  // takes indices of the current job until none are left

  std::mutex mu_;
  std::condition_variable wake_;                    // a new job, or stopping
  std::condition_variable done_;                    // the last index of a job finished
  const std::function<void(int)>* body_ = nullptr;  // GUARDED_BY(mu_) while a job runs
  int n_ = 0;                                       // GUARDED_BY(mu_)
  int next_ = 0;                                    // GUARDED_BY(mu_): the next index to hand out
  int finished_ = 0;                                // GUARDED_BY(mu_)
  uint64_t job_ = 0;                                // GUARDED_BY(mu_): bumps per Run()
  bool stopping_ = false;                           // GUARDED_BY(mu_)
  std::vector<std::thread> workers_;
};

}  // namespace altscribe
