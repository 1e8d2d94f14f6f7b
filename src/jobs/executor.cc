#include "jobs/executor.h"

#include <memory>

namespace altscribe::jobs {

std::future<Result<JobResult>> SubmitFuture(Executor& executor, Job job) {
  auto promise = std::make_shared<std::promise<Result<JobResult>>>();
  auto future = promise->get_future();
  Status st = executor.Submit(std::move(job),
                              [promise](Result<JobResult> r) { promise->set_value(std::move(r)); });
  if (!st.ok()) promise->set_value(std::move(st));
  return future;
}

Result<JobResult> SubmitAndWait(Executor& executor, Job job) {
  return SubmitFuture(executor, std::move(job)).get();
}

}  // namespace altscribe::jobs
