// bacalhau/submission_store.h — where the executor remembers which Bacalhau job runs which Job.
//
// Bacalhau ignores IdempotencyToken, so a retried PUT can create a second job. The executor
// therefore records a Submission BEFORE its PUT (bacalhau_id still empty), fills in the Bacalhau
// job ID once the orchestrator answers, and removes the record once `done` has a final answer.
// After a restart, BacalhauExecutor::Reconcile() (and Submit() of a job it still has a record
// for) resumes following the recorded Bacalhau job instead of submitting again; a record without
// an ID is looked up by the job's label and Meta["altscribe-job"].
//
// The bot backs this with its SQLite state store; MemorySubmissionStore is for tests and for
// embedders that accept forgetting across restarts. Implementations must be thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace altscribe::bacalhau {

struct Submission {
  std::string job_id;       // jobs::Job::id
  std::string job_json;     // jobs::Job::ToJsonText() of the job as submitted (no secrets)
  std::string bacalhau_id;  // "j-…"; "" while the PUT has not answered
};

class SubmissionStore {
 public:
  virtual ~SubmissionStore() = default;
  // Inserts or replaces the record for s.job_id; durable when it returns OK.
  virtual Status Put(const Submission& s) = 0;
  // Removes the record (OK when there is none).
  virtual Status Remove(const std::string& job_id) = 0;
  virtual Result<std::optional<Submission>> Find(const std::string& job_id) = 0;
  // Every record, in no particular order.
  virtual Result<std::vector<Submission>> List() = 0;
};

class MemorySubmissionStore final : public SubmissionStore {
 public:
  Status Put(const Submission& s) override;
  Status Remove(const std::string& job_id) override;
  Result<std::optional<Submission>> Find(const std::string& job_id) override;
  Result<std::vector<Submission>> List() override;

 private:
  std::mutex mu_;
  std::map<std::string, Submission> records_;  // GUARDED_BY(mu_)
};

}  // namespace altscribe::bacalhau
