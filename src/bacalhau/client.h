// bacalhau/client.h — the Bacalhau v1 orchestrator API, the calls the executor needs.
//
//   Submit    PUT    /api/v1/orchestrator/jobs                 → the Bacalhau job ID ("j-…")
//   Get       GET    /api/v1/orchestrator/jobs/{id}[?include=executions]
//   Executions GET   /api/v1/orchestrator/jobs/{id}/executions
//   Results   GET    /api/v1/orchestrator/jobs/{id}/results    → published results (SpecConfig)
//   Stop      DELETE /api/v1/orchestrator/jobs/{id}?reason=…
//   List      GET    /api/v1/orchestrator/jobs?labels=app%3Daltscribe (all pages)
//   Version/Alive GET /api/v1/agent/version, /api/v1/agent/alive
//
// Wire quirks handled here (see docs/bacalhau.md): Job.State.StateType is a string; execution
// ComputeState.StateType is an integer whose numbering changed between releases (kept as a
// number, never interpreted); RunOutput keys are mixed case ("Stdout", "StdoutTruncated",
// "stderr", "ExitCode", "ErrorMsg").
//
// Errors are one line: "bacalhau: PUT /api/v1/orchestrator/jobs: 400 Bad Request: <Message>"
// from the APIError body ({"Status", "Message", "RequestID", "Code", "Component"}), or the body's
// first line when it is not JSON. Codes: 404 → NotFound; other 4xx → InvalidArgument (retrying
// will not help); 5xx → Network (retry later); transport errors keep their http::Send code
// (Network, Timeout). Nothing is retried here: callers own their retry policy.
//
// Auth: "Authorization: Bearer <key>" when a key is set (API keys, or a token from the legacy
// auth flow). LoadApiKey() reads BACALHAU_API_KEY or the file named by BACALHAU_API_KEY_FILE.
// The key never appears in an error, a log line or a URL; pre-signed result URLs are fetched
// without it (they are signed for S3, and S3 refuses a second auth mechanism).
//
// Thread-safe: const methods only, each call its own curl handle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "http/client.h"

namespace altscribe::bacalhau {

struct ClientOptions {
  std::string endpoint = "http://127.0.0.1:1234";  // the orchestrator's API, no trailing path
  std::string api_key;                             // "" = no Authorization header
  http::Limits limits = [] {
    http::Limits l;
    l.max_bytes = 16'000'000;
    l.timeout = std::chrono::seconds(15);
    return l;
  }();
  uint64_t max_result_bytes = 64'000'000;  // a published result archive
};

// The key from BACALHAU_API_KEY, else the file named by BACALHAU_API_KEY_FILE (trimmed), else "".
// IoError naming the file (never its contents) when the file cannot be read.
Result<std::string> LoadApiKey();

// One execution, as far as the executor cares.
struct Execution {
  std::string id;
  std::string node_id;
  int64_t compute_state = 0;  // integer on the wire; numbering differs between releases
  std::string compute_message;
  bool has_run_output = false;  // the container ran (RunOutput present)
  std::string stdout_text;      // RunOutput.Stdout (capped at 2 KB by Bacalhau)
  bool stdout_truncated = false;
  std::string stderr_text;  // RunOutput.stderr (lower case on the wire)
  int64_t exit_code = 0;
  std::string error_msg;  // RunOutput.ErrorMsg
};

struct JobInfo {
  std::string id;     // "j-…"
  std::string state;  // Pending | Queued | Running | Completed | Failed | Stopped
  std::string message;
  std::string our_job_id;             // Meta["altscribe-job"], "" when absent
  std::vector<Execution> executions;  // with Get(id, true) only

  bool terminal() const { return state == "Completed" || state == "Failed" || state == "Stopped"; }
};

// A published result: {"Type": "s3PreSigned", "Params": {"PreSignedURL", "SourceSpec"}} or
// {"Type": "s3", "Params": {"Bucket", "Key", "Region", "Endpoint"}}.
struct PublishedResult {
  std::string type;
  nlohmann::json params;
  std::string presigned_url;  // Params.PreSignedURL for s3PreSigned, else ""
};

class Client {
 public:
  explicit Client(ClientOptions options);

  Result<std::string> Submit(const nlohmann::json& put_job_request) const;
  Result<JobInfo> Get(const std::string& id, bool with_executions) const;
  Result<std::vector<Execution>> Executions(const std::string& id) const;
  Result<std::vector<PublishedResult>> Results(const std::string& id) const;
  Status Stop(const std::string& id, const std::string& reason) const;
  // Every job carrying label key=value (all pages).
  Result<std::vector<JobInfo>> ListByLabel(const std::string& key, const std::string& value) const;
  Result<std::string> Version() const;  // GitVersion
  Status Alive() const;
  // GETs a pre-signed URL (no Authorization header), up to max_result_bytes.
  Result<std::string> FetchPresigned(const std::string& url) const;

  const std::string& endpoint() const { return options_.endpoint; }

 private:
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const std::string& query, const std::string& body) const;
  Result<std::string> CallRaw(const std::string& method, const std::string& path,
                              const std::string& query, const std::string& body) const;

  const ClientOptions options_;
};

// Parsers for the response shapes (exposed for tests). InvalidArgument naming the field.
Result<JobInfo> ParseJob(const nlohmann::json& job);
Result<Execution> ParseExecution(const nlohmann::json& execution);

}  // namespace altscribe::bacalhau
