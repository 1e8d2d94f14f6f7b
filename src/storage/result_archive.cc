// storage/result_archive.cc — see result_archive.h.
#include "storage/result_archive.h"

#include "storage/sigv4.h"

namespace altscribe::storage {

Result<std::unique_ptr<ResultArchive>> ResultArchive::Open(const S3Options& options,
                                                           const S3Credentials& credentials) {
  ASSIGN_OR_RETURN(S3Client client, S3Client::Create(options.ClientOptions(), credentials));
  RETURN_IF_ERROR(client.CreateBucket(options.bucket));
  return std::make_unique<ResultArchive>(std::move(client), options.bucket, options.prefix);
}

ResultArchive::ResultArchive(S3Client client, std::string bucket, std::string prefix)
    : client_(std::move(client)), bucket_(std::move(bucket)), prefix_(std::move(prefix)) {}

std::string ResultArchive::KeyFor(std::string_view job_id) const {
  return prefix_ + "results/" + UriEncode(job_id, /*keep_slash=*/false) + ".json";
}

Status ResultArchive::Store(const jobs::JobResult& result) const {
  if (result.id.empty()) return Status::InvalidArgument("results archive: result without a job id");
  return client_.PutObject(bucket_, KeyFor(result.id), result.ToJsonText(), "application/json");
}

Result<std::optional<jobs::JobResult>> ResultArchive::Load(std::string_view job_id) const {
  std::string key = KeyFor(job_id);
  auto body = client_.GetObject(bucket_, key, jobs::kMaxJobJsonBytes);
  if (!body.ok()) {
    if (body.status().code() == Code::kNotFound) return std::optional<jobs::JobResult>();
    return body.status();
  }
  auto result = jobs::JobResult::FromJson(*body);
  if (!result.ok()) return result.status().WithPrefix("results archive: " + bucket_ + "/" + key);
  if (result->id != job_id) {
    return Status::InvalidArgument("results archive: " + bucket_ + "/" + key +
                                   " holds the result of another job");
  }
  return std::optional<jobs::JobResult>(std::move(result).value());
}

}  // namespace altscribe::storage
