#include "bacalhau/fake_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "bacalhau/job_spec.h"
#include "bacalhau/result_archive.h"

namespace altscribe::bacalhau::testing {

using json = nlohmann::json;

namespace {

constexpr size_t kStdoutCap = 2048;
constexpr char kSignature[] = "fakesignature0123456789abcdef";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* CodeFor(int status) {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    default:
      return status >= 500 ? "InternalServerError" : "Error";
  }
}

void ApiError(httplib::Response& res, int status, const std::string& message) {
  static std::atomic<int> request{0};
  res.status = status;
  json body = {{"Status", status},
               {"Message", message},
               {"RequestID", "req-" + std::to_string(++request)},
               {"Code", CodeFor(status)},
               {"Component", "APIServer"}};
  res.set_content(body.dump(), "application/json");
}

bool Terminal(const std::string& s) { return s == "Completed" || s == "Failed" || s == "Stopped"; }

}  // namespace

struct FakeOrchestrator::FakeJob {
  std::string id;
  json spec;  // the submitted Job object
  jobs::Job job;
  std::vector<std::string> schedule;
  size_t step = 0;
  std::string state;
  std::string message;
  int version = 1;
  int64_t create_ns = 0;
  int64_t modify_ns = 0;
  bool has_execution = false;
  int compute_state = 0;
  std::optional<WorkerRun> run;
  std::string archive;  // the published tar.gz, "" = none
  std::string stop_reason;
};

FakeOrchestrator::FakeOrchestrator(FakeOptions options)
    : options_(std::move(options)), schedule_(options_.schedule) {
  worker_ = [](const jobs::Job& job) {
    jobs::JobResult r;
    r.id = job.id;
    r.model = "fake-model";
    r.worker = "fake-worker";
    for (size_t i = 0; i < job.images.size(); ++i) {
      jobs::JobItem item;
      item.index = static_cast<int>(i);
      item.text = "Image " + std::to_string(i + 1) + " described.";
      r.items.push_back(item);
    }
    WorkerRun run;
    run.result_json = r.ToJsonText();
    run.stdout_text = run.result_json;
    return run;
  };
}

FakeOrchestrator::~FakeOrchestrator() { Stop(); }

Status FakeOrchestrator::Start() {
  ASSIGN_OR_RETURN(SchemaCheck check, SchemaCheck::Load(ALTSCRIBE_BACALHAU_TESTDATA));
  schema_ = std::make_unique<SchemaCheck>(std::move(check));
  http_ = std::make_unique<httplib::Server>();
  Routes();
  port_ = http_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return Status::Network("fake bacalhau: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void FakeOrchestrator::Stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeOrchestrator::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeOrchestrator::SetWorker(Worker worker) {
  std::lock_guard<std::mutex> l(mu_);
  worker_ = std::move(worker);
}

void FakeOrchestrator::SetSchedule(std::vector<std::string> schedule) {
  std::lock_guard<std::mutex> l(mu_);
  schedule_ = std::move(schedule);
}

void FakeOrchestrator::FailNext(const std::string& method, int status, const std::string& message,
                                int times) {
  std::lock_guard<std::mutex> l(mu_);
  failures_.push_back({method, status, message, times});
}

void FakeOrchestrator::LoseNextPutAnswers(int times) {
  std::lock_guard<std::mutex> l(mu_);
  lose_put_answers_ = times;
}

Status FakeOrchestrator::SetState(const std::string& id, const std::string& state,
                                  const std::string& message) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Status::NotFound("no job " + id);
  Advance(*it->second, state, message);
  it->second->schedule.clear();  // the test drives it from now on
  return Status::Ok();
}

// REQUIRES: mu_ held.
void FakeOrchestrator::Advance(FakeJob& job, const std::string& state, const std::string& message) {
  job.state = state;
  job.message = message;
  job.modify_ns = NowNs();
  if (state == "Running") {
    job.has_execution = true;
    job.compute_state = 6;
  } else if (state == "Completed") {
    job.has_execution = true;
    WorkerRun run = worker_(job.job);
    if (run.exit_code != 0) {
      job.state = "Failed";
      job.message = "execution failed: exit status " + std::to_string(run.exit_code);
      job.compute_state = 10;
    } else {
      job.compute_state = 9;
      job.message = "";
    }
    if (run.publish) {
      std::vector<std::pair<std::string, std::string>> files = {
          {"exitCode", std::to_string(run.exit_code)},
          {"stdout", run.stdout_text},
          {"stderr", run.stderr_text},
          {"outputs/", ""}};
      if (!run.result_json.empty()) files.emplace_back("outputs/result.json", run.result_json);
      job.archive = Gzip(WriteTar(files));
    }
    job.run = std::move(run);
  } else if (state == "Failed") {
    job.compute_state = job.has_execution ? 10 : 0;
    if (job.message.empty()) job.message = options_.fail_message;
  } else if (state == "Stopped") {
    if (job.has_execution) job.compute_state = 11;
  }
}

json FakeOrchestrator::ExecutionJson(const FakeJob& job) const {
  json e = {{"ID", "e-" + job.id.substr(2)},
            {"JobID", job.id},
            {"NodeID", "n-fake"},
            {"Namespace", "default"},
            {"ComputeState", {{"StateType", job.compute_state}, {"Message", ""}}},
            {"DesiredState", {{"StateType", Terminal(job.state) ? 2 : 1}}},
            {"CreateTime", job.create_ns},
            {"ModifyTime", job.modify_ns}};
  if (job.run) {
    std::string out = job.run->stdout_text;
    bool truncated = out.size() > kStdoutCap;
    if (truncated) out.resize(kStdoutCap);
    e["RunOutput"] = {
        {"Stdout", out},
        {"StdoutTruncated", truncated},
        {"stderr", job.run->stderr_text},
        {"StderrTruncated", false},
        {"ExitCode", job.run->exit_code},
        {"ErrorMsg",
         job.run->exit_code ? "exit status " + std::to_string(job.run->exit_code) : ""}};
  }
  return e;
}

json FakeOrchestrator::JobJson(const FakeJob& job) const {
  json j = job.spec;
  j["ID"] = job.id;
  j["Name"] = job.id;
  j["Namespace"] = "default";
  j["Version"] = job.version;
  j["Revision"] = job.version;
  j["CreateTime"] = job.create_ns;
  j["ModifyTime"] = job.modify_ns;
  j["State"] = {{"StateType", job.state}, {"Message", job.message}};
  return j;
}

void FakeOrchestrator::Routes() {
  httplib::Server& s = *http_;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    SeenRequest seen{req.method, req.path, "", req.body, req.get_header_value("Authorization")};
    if (auto q = req.target.find('?'); q != std::string::npos)
      seen.query = req.target.substr(q + 1);
    std::lock_guard<std::mutex> l(mu_);
    requests_.push_back(seen);
    if (req.path.rfind("/api/v1/orchestrator/", 0) != 0)
      return httplib::Server::HandlerResponse::Unhandled;
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (it->method != req.method) continue;
      ApiError(res, it->status, it->message);
      if (--it->times == 0) failures_.erase(it);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!options_.api_key.empty() && seen.authorization != "Bearer " + options_.api_key) {
      ApiError(res, 401, "missing or invalid authorization token");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.Put("/api/v1/orchestrator/jobs", [this](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    auto reject = [&](const std::string& why) {
      std::lock_guard<std::mutex> l(mu_);
      rejections_.push_back(why);
      ApiError(res, 400, "invalid job spec: " + why);
    };
    if (body.is_discarded()) return reject("body is not JSON");
    if (Status st = schema_->Check(body, "apimodels.PutJobRequest"); !st.ok()) {
      return reject(st.message());
    }
    const json& spec = body["Job"];
    jobs::Job decoded;
    bool found_input = false;
    for (const json& in : spec["Tasks"][0].value("InputSources", json::array())) {
      if (in["Source"]["Type"] != "inline" || in["Target"] != kJobInputPath) continue;
      const json& params = in["Source"].value("Params", json::object());
      if (!params.contains("URL") || !params["URL"].is_string()) {
        return reject("inline source: invalid inline params: url cannot be empty");
      }
      auto text = DecodeDataUrl(params["URL"].get<std::string>());
      if (!text.ok()) return reject("inline source: " + text.status().message());
      auto job = jobs::Job::FromJson(*text);
      if (!job.ok()) return reject("inline job: " + job.status().message());
      decoded = std::move(job).value();
      found_input = true;
    }
    if (!found_input) return reject(std::string("no inline input at ") + kJobInputPath);
    std::lock_guard<std::mutex> l(mu_);
    auto job = std::make_shared<FakeJob>();
    char id[64];
    std::snprintf(id, sizeof(id), "j-%08x-0000-4000-8000-%012x", next_id_, next_id_);
    ++next_id_;
    job->id = id;
    job->spec = spec;
    job->job = std::move(decoded);
    job->schedule = schedule_;
    job->create_ns = job->modify_ns = NowNs();
    Advance(*job, job->schedule.empty() ? "Pending" : job->schedule[0], "");
    jobs_[job->id] = job;
    order_.push_back(job->id);
    if (lose_put_answers_ > 0) {
      --lose_put_answers_;
      ApiError(res, 500, "context deadline exceeded");
      return;
    }
    json answer = {{"JobID", job->id},
                   {"EvaluationID", "ev-" + job->id.substr(2)},
                   {"Warnings", json::array()}};
    res.set_content(answer.dump(), "application/json");
  });

  s.Get("/api/v1/orchestrator/jobs", [this](const httplib::Request& req, httplib::Response& res) {
    std::string selector = req.get_param_value("labels");
    std::string key, value;
    if (!selector.empty()) {
      size_t eq = selector.find('=');
      if (eq == std::string::npos)
        return ApiError(res, 400, "unable to parse requirement: " + selector);
      key = selector.substr(0, eq);
      value = selector.substr(eq + 1);
    }
    size_t offset = req.has_param("next_token") ? std::stoul(req.get_param_value("next_token")) : 0;
    std::lock_guard<std::mutex> l(mu_);
    std::vector<json> matching;
    for (const std::string& id : order_) {
      const FakeJob& j = *jobs_[id];
      if (!key.empty() && j.spec.value("Labels", json::object()).value(key, "") != value) continue;
      matching.push_back(JobJson(j));
    }
    json items = json::array();
    for (size_t i = offset; i < matching.size() && i < offset + options_.page_size; ++i) {
      items.push_back(matching[i]);
    }
    std::string next = offset + options_.page_size < matching.size()
                           ? std::to_string(offset + options_.page_size)
                           : "";
    res.set_content(json({{"Items", items}, {"NextToken", next}}).dump(), "application/json");
  });

  s.Get(R"(/api/v1/orchestrator/jobs/([^/]+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> l(mu_);
          auto it = jobs_.find(req.matches[1]);
          if (it == jobs_.end())
            return ApiError(res, 404, "job not found: " + std::string(req.matches[1]));
          FakeJob& j = *it->second;
          json answer = {{"Job", JobJson(j)}};
          if (req.get_param_value("include") == "executions") {
            json items = json::array();
            if (j.has_execution) items.push_back(ExecutionJson(j));
            answer["Executions"] = {{"Items", items}, {"NextToken", ""}};
          }
          res.set_content(answer.dump(), "application/json");
          // The next state shows on the next GET.
          if (!Terminal(j.state) && j.step + 1 < j.schedule.size()) {
            ++j.step;
            Advance(j, j.schedule[j.step], "");
          }
        });

  s.Get(R"(/api/v1/orchestrator/jobs/([^/]+)/executions)",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> l(mu_);
          auto it = jobs_.find(req.matches[1]);
          if (it == jobs_.end()) return ApiError(res, 404, "job not found");
          json items = json::array();
          if (it->second->has_execution) items.push_back(ExecutionJson(*it->second));
          res.set_content(json({{"Items", items}, {"NextToken", ""}}).dump(), "application/json");
        });

  s.Get(R"(/api/v1/orchestrator/jobs/([^/]+)/results)",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> l(mu_);
          auto it = jobs_.find(req.matches[1]);
          if (it == jobs_.end()) return ApiError(res, 404, "job not found");
          const FakeJob& j = *it->second;
          json items = json::array();
          if (j.state == "Completed" && !j.archive.empty()) {
            json s3 = {{"Bucket", "results"}, {"Key", "altscribe/" + j.id + ".tar.gz"}};
            if (options_.presign) {
              items.push_back({{"Type", "s3PreSigned"},
                               {"Params",
                                {{"PreSignedURL", Url() + "/results/" + j.id + ".tar.gz" +
                                                      "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-"
                                                      "Expires=3600&X-Amz-Signature=" +
                                                      kSignature},
                                 {"SourceSpec", {{"Type", "s3"}, {"Params", s3}}}}}});
            } else {
              items.push_back({{"Type", "s3"}, {"Params", s3}});
            }
          }
          res.set_content(json({{"Items", items}, {"NextToken", ""}}).dump(), "application/json");
        });

  s.Delete(R"(/api/v1/orchestrator/jobs/([^/]+))",
           [this](const httplib::Request& req, httplib::Response& res) {
             std::lock_guard<std::mutex> l(mu_);
             auto it = jobs_.find(req.matches[1]);
             if (it == jobs_.end())
               return ApiError(res, 404, "job not found: " + std::string(req.matches[1]));
             FakeJob& j = *it->second;
             if (Terminal(j.state)) {
               return ApiError(res, 400, "cannot stop job in state " + j.state);
             }
             j.stop_reason = req.get_param_value("reason");
             if (j.stop_reason.empty()) j.stop_reason = "(no reason)";
             Advance(j, "Stopped", j.stop_reason);
             j.schedule.clear();
             res.set_content(json({{"EvaluationID", "ev-stop-" + j.id.substr(2)}}).dump(),
                             "application/json");
           });

  // The "S3" side: pre-signed GETs.
  s.Get(R"(/results/([^/]+)\.tar\.gz)",
        [this](const httplib::Request& req, httplib::Response& res) {
          if (req.has_header("Authorization")) {
            res.status = 400;
            res.set_content(
                "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed"
                "</Message></Error>",
                "application/xml");
            return;
          }
          if (req.get_param_value("X-Amz-Signature") != kSignature) {
            res.status = 403;
            res.set_content("<Error><Code>SignatureDoesNotMatch</Code></Error>", "application/xml");
            return;
          }
          std::lock_guard<std::mutex> l(mu_);
          auto it = jobs_.find(req.matches[1]);
          if (it == jobs_.end() || it->second->archive.empty()) {
            res.status = 404;
            res.set_content("<Error><Code>NoSuchKey</Code></Error>", "application/xml");
            return;
          }
          res.set_content(it->second->archive, "application/gzip");
        });

  s.Get("/api/v1/agent/version", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(json({{"GitVersion", "v1.9.3"},
                          {"Major", "1"},
                          {"Minor", "9"},
                          {"GOOS", "linux"},
                          {"GOARCH", "amd64"}})
                        .dump(),
                    "application/json");
  });
  s.Get("/api/v1/agent/alive", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(json({{"Status", "OK"}}).dump(), "application/json");
  });
}

std::vector<SeenRequest> FakeOrchestrator::Requests() const {
  std::lock_guard<std::mutex> l(mu_);
  return requests_;
}

size_t FakeOrchestrator::Count(const std::string& method, const std::string& path_prefix) const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (const SeenRequest& r : requests_) {
    if (r.method == method && r.path.rfind(path_prefix, 0) == 0) ++n;
  }
  return n;
}

std::vector<json> FakeOrchestrator::SubmittedJobs() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<json> out;
  for (const std::string& id : order_) out.push_back(jobs_.at(id)->spec);
  return out;
}

std::vector<std::string> FakeOrchestrator::Rejections() const {
  std::lock_guard<std::mutex> l(mu_);
  return rejections_;
}

std::vector<std::string> FakeOrchestrator::JobIds() const {
  std::lock_guard<std::mutex> l(mu_);
  return order_;
}

std::string FakeOrchestrator::StateOf(const std::string& id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? "" : it->second->state;
}

std::string FakeOrchestrator::StopReason(const std::string& id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? "" : it->second->stop_reason;
}

}  // namespace altscribe::bacalhau::testing
