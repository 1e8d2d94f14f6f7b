// storage/archiving_executor.h — an Executor that archives every finished result in S3.
//
// Wraps any jobs::Executor (local, nats, bacalhau): each successful JobResult is stored with
// ResultArchive::Store() on the executor's thread, and only then handed to the caller's `done`
// (so whoever sees a result can also find it in the bucket). Failed jobs (non-OK status) are
// passed through unarchived. The archive is optional: when storing fails, one line is logged
// ("results archive: s3: PUT b/k: cannot connect to ...; result delivered without it") and the
// result is delivered anyway. Outcomes and threading are otherwise the wrapped executor's
// (executor.h); Shutdown() shuts it down.
#pragma once

#include <memory>

#include "jobs/executor.h"
#include "storage/result_archive.h"

namespace altscribe::storage {

class ArchivingExecutor : public jobs::Executor {
 public:
  // REQUIRES: inner and archive non-null.
  ArchivingExecutor(std::unique_ptr<jobs::Executor> inner,
                    std::shared_ptr<const ResultArchive> archive);
  ~ArchivingExecutor() override;
  ArchivingExecutor(const ArchivingExecutor&) = delete;
  ArchivingExecutor& operator=(const ArchivingExecutor&) = delete;

  Status Submit(jobs::Job job, Done done) override;
  void Shutdown(std::chrono::milliseconds grace) override;

 private:
  std::unique_ptr<jobs::Executor> inner_;
  std::shared_ptr<const ResultArchive> archive_;
};

}  // namespace altscribe::storage
