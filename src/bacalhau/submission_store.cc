#include "bacalhau/submission_store.h"

namespace altscribe::bacalhau {

Status MemorySubmissionStore::Put(const Submission& s) {
  std::lock_guard<std::mutex> l(mu_);
  records_[s.job_id] = s;
  return Status::Ok();
}

Status MemorySubmissionStore::Remove(const std::string& job_id) {
  std::lock_guard<std::mutex> l(mu_);
  records_.erase(job_id);
  return Status::Ok();
}

Result<std::optional<Submission>> MemorySubmissionStore::Find(const std::string& job_id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = records_.find(job_id);
  if (it == records_.end()) return std::optional<Submission>();
  return std::optional<Submission>(it->second);
}

Result<std::vector<Submission>> MemorySubmissionStore::List() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Submission> out;
  for (const auto& [id, s] : records_) out.push_back(s);
  return out;
}

}  // namespace altscribe::bacalhau
