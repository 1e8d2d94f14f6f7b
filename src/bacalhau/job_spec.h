// bacalhau/job_spec.h — the Bacalhau v1 job that runs one altscribe Job as a batch job.
//
// BuildPutJobRequest() turns a jobs::Job into the body of PUT /api/v1/orchestrator/jobs
// (docs/bacalhau.md and ../shared/reference/bacalhau.md have the wire format):
//   {"Job": {"Type": "batch", "Count": 1, "Labels": {"app": "altscribe"},
//            "Meta": {"altscribe-job": <job id>}, "Constraints": [...],
//            "Tasks": [{"Name": "main",
//              "Engine": {"Type": "docker", "Params": {"Image", "Entrypoint": ["altscribe"],
//                         "Parameters": ["worker", "--job", "/inputs/job.json",
//                                        "--out", "/outputs/result.json"]}},
//              "InputSources": [{"Target": "/inputs/job.json", "Source": {"Type": "inline",
//                                "Params": {"URL": "data:application/json;base64,…"}}}],
//              "Resources": {"CPU": "2", "Memory": "16Gb", "GPU": "1"},   (strings, as on the wire)
//              "ResultPaths": [{"Name": "outputs", "Path": "/outputs"}],
//              "Publisher": {"Type": "s3managed"},
//              "Network": {"Type": "HTTP", "Domains": [image hosts]},
//              "Timeouts": {"QueueTimeout", "ExecutionTimeout", "TotalTimeout"}}]},
//    "Force": false}
// No Name (from v1.8 a name that exists updates that job; the server names it after its ID).
//
// NOTHING SECRET goes in: compute nodes belong to other people. The spec holds the Job (URLs,
// mode, language — jobs::Job refuses user:password@ URLs), the options below (none of which is a
// credential) and no environment variables at all. Image bytes held in memory are not sent: the
// worker fetches each image's http(s) URL (a sha256 of the held bytes is added, so the worker
// checks it gets the same image).
//
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "jobs/job.h"

namespace altscribe::bacalhau {

inline constexpr char kDefaultImage[] = "ghcr.io/altscribe/worker:latest";
inline constexpr char kLabelKey[] = "app";
inline constexpr char kLabelValue[] = "altscribe";
inline constexpr char kMetaJobKey[] = "altscribe-job";
inline constexpr char kJobInputPath[] = "/inputs/job.json";
inline constexpr char kOutputsPath[] = "/outputs";
inline constexpr char kResultFile[] = "result.json";  // in /outputs

// A node constraint: {"Key": "gpu", "Operator": "=", "Values": ["true"]}.
struct Constraint {
  std::string key;
  std::string op = "=";  // = == != in notin exists ! gt lt (selection.Operator)
  std::vector<std::string> values;
};

struct JobSpecOptions {
  std::string image = kDefaultImage;  // docker image of the worker (deploy/worker.Dockerfile)
  std::string cpu = "2";              // Bacalhau resource strings: "500m", "2"
  std::string memory = "16Gb";        // "512Mb", "16Gb"
  std::string gpu = "1";              // a count; "" or "0" = no GPU asked for
  std::string disk;                   // "" = not asked for
  std::vector<Constraint> constraints;
  int queue_timeout_s = 120;
  int execution_timeout_s = 300;
  int total_timeout_s = 600;
  std::string publisher = "s3managed";  // "s3managed" or "s3"
  // For the "s3" publisher: where results go (bucket/key prefix, region, endpoint). Never
  // credentials: the compute node's own S3 credentials publish.
  std::string s3_bucket;
  std::string s3_key;  // e.g. "altscribe/{jobID}/" — Bacalhau expands {jobID}, {executionID}
  std::string s3_region;
  std::string s3_endpoint;
  // Hosts the worker may reach (Network.Domains). Empty: the hosts of the job's image URLs.
  // "*.bsky.network" is written ".bsky.network" (Bacalhau's form for "any subdomain").
  std::vector<std::string> allowed_hosts;
  // Also reachable (the model's download host, say); appended to Domains.
  std::vector<std::string> extra_domains;
};

// Checks the options (publisher, resources, timeouts, image): one line naming the bad field.
Status ValidateOptions(const JobSpecOptions& options);

// The PutJobRequest body for `job`. InvalidArgument when the job is invalid, an image has no
// http(s) URL the worker could fetch, or the options are bad.
Result<nlohmann::json> BuildPutJobRequest(const jobs::Job& job, const JobSpecOptions& options);

// The "data:application/json;base64,…" URL of the job's JSON, and back (for tests and the fake).
std::string JobDataUrl(const jobs::Job& job);
Result<std::string> DecodeDataUrl(std::string_view url);

}  // namespace altscribe::bacalhau
