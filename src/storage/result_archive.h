// storage/result_archive.h — every job's JobResult, kept as JSON in an S3 bucket.
//
// Layout: one object per job at
//   <prefix>results/<job id, UriEncode()d: every byte but A-Z a-z 0-9 - . _ ~ as %XX>.json
// e.g. job "at://did:plc:abc/app.bsky.feed.post/3k" in s3://b/alt →
//   b: alt/results/at%3A%2F%2Fdid%3Aplc%3Aabc%2Fapp.bsky.feed.post%2F3k.json
// (one flat key per job, whatever characters the id holds), body JobResult::ToJsonText(),
// Content-Type application/json. Storing a job again replaces its object, so a redelivered
// job leaves exactly one object. Load() reads it back, so a restarted bot or a batch executor
// can recover a result that was finished while it was away.
//
// The archive is optional for the bot: see ArchivingExecutor (archiving_executor.h), which
// logs archive failures and delivers the result anyway.
//
// Thread-safe: const methods may be called concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "jobs/job.h"
#include "storage/s3_client.h"
#include "storage/s3_credentials.h"
#include "storage/s3_options.h"

namespace altscribe::storage {

class ResultArchive {
 public:
  // A client for `options` with `credentials`; creates the bucket when it does not exist (so a
  // wrong endpoint, key or bucket shows at start-up, with the S3 error).
  static Result<std::unique_ptr<ResultArchive>> Open(const S3Options& options,
                                                     const S3Credentials& credentials);

  // REQUIRES: prefix "" or ending in '/'. Does not contact the server.
  ResultArchive(S3Client client, std::string bucket, std::string prefix);

  // The object key of a job's result.
  std::string KeyFor(std::string_view job_id) const;

  // Writes (or replaces) the result of `result.id`. Errors are the client's one-line S3 errors.
  Status Store(const jobs::JobResult& result) const;

  // The stored result of `job_id`; nullopt when there is none. InvalidArgument when the object
  // is not a valid JobResult or answers another job; TooLarge over kMaxJobJsonBytes.
  Result<std::optional<jobs::JobResult>> Load(std::string_view job_id) const;

  const S3Client& client() const { return client_; }
  const std::string& bucket() const { return bucket_; }
  const std::string& prefix() const { return prefix_; }

 private:
  S3Client client_;
  std::string bucket_;
  std::string prefix_;
};

}  // namespace altscribe::storage
