// bacalhau/fake_server.h — a loopback Bacalhau orchestrator for tests (the wire fake).
//
// It speaks the v1 API the way the real orchestrator does, quirks included: Job.State.StateType
// as a string (Pending, Queued, Running, Completed, Failed, Stopped), execution ComputeState as an
// integer (Running 6, Completed 9, Failed 10, Cancelled 11 — v1.5.2+ numbering), RunOutput with
// "Stdout"/"StdoutTruncated"/"stderr"/"ExitCode"/"ErrorMsg" and stdout capped at 2 KB, APIError
// bodies {"Status", "Message", "RequestID", "Code", "Component"}, DELETE → Stopped, label
// filters (?labels=k=v) with NextToken paging, and published results as s3PreSigned URLs that
// the fake itself serves (a tar.gz of stdout, stderr, exitCode and outputs/, like a publisher
// writes). Pre-signed GETs must not carry an Authorization header (S3 refuses two mechanisms).
//
// Every PUT body is checked against the swagger definitions in testdata/ (schema_check.h) and
// the inline job input must decode to a valid jobs::Job: anything else is a 400 APIError, and
// the problem is kept in Rejections() so a test sees the spec drift.
//
// A job moves one step along the schedule on each GET of it (default Pending → Queued →
// Running → Completed; the last state stays), or where a test puts it (SetState). Reaching
// Completed runs the Worker on the decoded Job: a non-zero exit code makes the job Failed
// instead, as a failed container does. A schedule that reaches Failed without Running means the
// network never ran it (no RunOutput).
//
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bacalhau/schema_check.h"
#include "core/status.h"
#include "jobs/job.h"

namespace httplib {
class Server;
}

namespace altscribe::bacalhau::testing {

// What the container did with a job.
struct WorkerRun {
  int exit_code = 0;
  std::string result_json;  // written to /outputs/result.json ("" = no file)
  std::string stdout_text;
  std::string stderr_text;
  bool publish = true;  // false: no published result (publisher failed / none configured)
};
using Worker = std::function<WorkerRun(const jobs::Job&)>;

struct FakeOptions {
  std::string api_key;  // "" = no auth; else every orchestrator call needs "Bearer <api_key>"
  std::vector<std::string> schedule = {"Pending", "Queued", "Running", "Completed"};
  std::string fail_message = "no compute node matched the job's constraints";
  bool presign = true;     // results as s3PreSigned; false: plain "s3" SpecConfigs
  size_t page_size = 100;  // list jobs: items per page
};

struct SeenRequest {
  std::string method;
  std::string path;
  std::string query;  // raw, after '?'
  std::string body;
  std::string authorization;
};

class FakeOrchestrator {
 public:
  explicit FakeOrchestrator(FakeOptions options = {});
  ~FakeOrchestrator();
  FakeOrchestrator(const FakeOrchestrator&) = delete;
  FakeOrchestrator& operator=(const FakeOrchestrator&) = delete;

  Status Start();  // binds 127.0.0.1:0
  void Stop();
  std::string Url() const;  // "http://127.0.0.1:PORT"

  void SetWorker(Worker worker);
  void SetSchedule(std::vector<std::string> schedule);  // for jobs submitted from now on
  // Puts a job in `state` now (Completed runs the worker, as on the schedule).
  Status SetState(const std::string& id, const std::string& state, const std::string& message = "");
  // The next `times` requests with this method answer `status` with an APIError.
  void FailNext(const std::string& method, int status, const std::string& message, int times = 1);
  // The next `times` PUTs create the job and then answer 500 (the answer is "lost").
  void LoseNextPutAnswers(int times);

  std::vector<SeenRequest> Requests() const;
  size_t Count(const std::string& method, const std::string& path_prefix) const;
  std::vector<nlohmann::json> SubmittedJobs() const;  // the Job objects of accepted PUTs
  std::vector<std::string> Rejections() const;        // validation failures answered with 400
  std::vector<std::string> JobIds() const;
  std::string StateOf(const std::string& id) const;
  std::string StopReason(const std::string& id) const;  // "" when never DELETEd

 private:
  struct FakeJob;
  void Advance(FakeJob& job, const std::string& state, const std::string& message);
  nlohmann::json JobJson(const FakeJob& job) const;
  nlohmann::json ExecutionJson(const FakeJob& job) const;
  void Routes();

  const FakeOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<SchemaCheck> schema_;

  mutable std::mutex mu_;
  Worker worker_;
  std::vector<std::string> schedule_;
  std::map<std::string, std::shared_ptr<FakeJob>> jobs_;  // by Bacalhau id
  std::vector<std::string> order_;                        // ids in submission order
  std::vector<SeenRequest> requests_;
  std::vector<std::string> rejections_;
  struct Failure {
    std::string method;
    int status;
    std::string message;
    int times;
  };
  std::vector<Failure> failures_;
  int lose_put_answers_ = 0;
  int next_id_ = 1;
};

}  // namespace altscribe::bacalhau::testing
