// storage/archiving_executor.cc — see archiving_executor.h.
#include "storage/archiving_executor.h"

#include <utility>

#include "core/log.h"

namespace altscribe::storage {

ArchivingExecutor::ArchivingExecutor(std::unique_ptr<jobs::Executor> inner,
                                     std::shared_ptr<const ResultArchive> archive)
    : inner_(std::move(inner)), archive_(std::move(archive)) {}

ArchivingExecutor::~ArchivingExecutor() = default;

Status ArchivingExecutor::Submit(jobs::Job job, Done done) {
  return inner_->Submit(
      std::move(job), [archive = archive_, done = std::move(done)](Result<jobs::JobResult> result) {
        if (result.ok()) {
          Status stored = archive->Store(*result);
          if (!stored.ok()) {
            LogWarn("results archive: " + stored.message() + "; result delivered without it");
          }
        }
        done(std::move(result));
      });
}

void ArchivingExecutor::Shutdown(std::chrono::milliseconds grace) { inner_->Shutdown(grace); }

}  // namespace altscribe::storage
