#include "bacalhau/client.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bacalhau/job_spec.h"
#include "core/text.h"

namespace altscribe::bacalhau {
namespace {

using json = nlohmann::json;
constexpr char kJobsPath[] = "/api/v1/orchestrator/jobs";

std::string PercentEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// One printable line of at most 300 bytes.
std::string OneLine(std::string_view s) {
  std::string line = CollapseWhitespace(SanitizeUtf8(s));
  if (line.size() > 300) line = std::string(Utf8Prefix(line, 300)) + "…";
  return line;
}

const json* Field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string StringField(const json& j, const char* key) {
  const json* f = Field(j, key);
  return f && f->is_string() ? f->get<std::string>() : "";
}

}  // namespace

Result<std::string> LoadApiKey() {
  if (const char* v = std::getenv("BACALHAU_API_KEY"); v && *v) return std::string(Trim(v));
  const char* file = std::getenv("BACALHAU_API_KEY_FILE");
  if (!file || !*file) return std::string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError(std::string("cannot read BACALHAU_API_KEY_FILE ") + file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key(Trim(ss.str()));
  if (key.empty())
    return Status::InvalidArgument(std::string(file) + ": the API key file is empty");
  return key;
}

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Result<std::string> Client::CallRaw(const std::string& method, const std::string& path,
                                    const std::string& query, const std::string& body) const {
  std::string what = "bacalhau: " + method + " " + path;
  http::Request request;
  request.method = method;
  request.url = options_.endpoint + path + (query.empty() ? "" : "?" + query);
  request.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (!options_.api_key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  }
  request.body = body;
  auto response = http::Send(request, options_.limits);
  if (!response.ok()) return response.status().WithPrefix(what);
  const http::Response& r = *response;
  if (r.status < 200 || r.status > 299) {
    std::string detail;
    json err = json::parse(r.body, nullptr, false);
    if (!err.is_discarded()) {
      detail = StringField(err, "Message");
      if (detail.empty()) detail = StringField(err, "message");  // echo's own HTTPError
    }
    if (detail.empty()) detail = r.body.substr(0, r.body.find('\n'));
    std::string message = what + ": " + http::StatusText(r.status);
    if (!detail.empty()) message += ": " + OneLine(detail);
    if (r.status == 404) return Status::NotFound(message);
    if (r.status >= 500) return Status::Network(message);
    return Status::InvalidArgument(message);
  }
  return std::move(response->body);
}

Result<json> Client::Call(const std::string& method, const std::string& path,
                          const std::string& query, const std::string& body) const {
  ASSIGN_OR_RETURN(std::string text, CallRaw(method, path, query, body));
  if (text.empty()) return json::object();
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Network("bacalhau: " + method + " " + path +
                           ": the answer is not a JSON object");
  }
  return j;
}

Result<Execution> ParseExecution(const json& e) {
  if (!e.is_object()) return Status::InvalidArgument("execution: expected an object");
  Execution x;
  x.id = StringField(e, "ID");
  x.node_id = StringField(e, "NodeID");
  if (const json* cs = Field(e, "ComputeState")) {
    const json* st = Field(*cs, "StateType");
    if (st && st->is_number_integer()) x.compute_state = st->get<int64_t>();
    x.compute_message = StringField(*cs, "Message");
  }
  if (const json* ro = Field(e, "RunOutput"); ro && ro->is_object()) {
    x.has_run_output = true;
    x.stdout_text = StringField(*ro, "Stdout");
    x.stderr_text = StringField(*ro, "stderr");
    x.error_msg = StringField(*ro, "ErrorMsg");
    if (const json* t = Field(*ro, "StdoutTruncated"); t && t->is_boolean()) {
      x.stdout_truncated = t->get<bool>();
    }
    if (const json* c = Field(*ro, "ExitCode"); c && c->is_number_integer()) {
      x.exit_code = c->get<int64_t>();
    }
  }
  return x;
}

Result<JobInfo> ParseJob(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("Job: expected an object");
  JobInfo info;
  info.id = StringField(j, "ID");
  if (info.id.empty()) return Status::InvalidArgument("Job.ID: expected a string");
  const json* state = Field(j, "State");
  const json* type = state ? Field(*state, "StateType") : nullptr;
  if (!type || !type->is_string()) {
    return Status::InvalidArgument("Job.State.StateType: expected a string");
  }
  info.state = type->get<std::string>();
  info.message = StringField(*state, "Message");
  if (const json* meta = Field(j, "Meta")) info.our_job_id = StringField(*meta, kMetaJobKey);
  return info;
}

Result<std::string> Client::Submit(const json& put_job_request) const {
  ASSIGN_OR_RETURN(json r, Call("PUT", kJobsPath, "", put_job_request.dump()));
  std::string id = StringField(r, "JobID");
  if (id.empty()) return Status::Network("bacalhau: PUT " + std::string(kJobsPath) + ": no JobID");
  return id;
}

Result<JobInfo> Client::Get(const std::string& id, bool with_executions) const {
  std::string path = std::string(kJobsPath) + "/" + PercentEncode(id);
  ASSIGN_OR_RETURN(json r, Call("GET", path, with_executions ? "include=executions" : "", ""));
  const json* job = Field(r, "Job");
  if (!job) return Status::Network("bacalhau: GET " + path + ": the answer has no Job");
  auto info = ParseJob(*job);
  if (!info.ok()) return Status::Network("bacalhau: GET " + path + ": " + info.status().message());
  if (const json* ex = Field(r, "Executions")) {
    if (const json* items = Field(*ex, "Items"); items && items->is_array()) {
      for (const json& e : *items) {
        auto x = ParseExecution(e);
        if (x.ok()) info->executions.push_back(std::move(x).value());
      }
    }
  }
  return info;
}

Result<std::vector<Execution>> Client::Executions(const std::string& id) const {
  std::string path = std::string(kJobsPath) + "/" + PercentEncode(id) + "/executions";
  std::vector<Execution> out;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    std::string query = "order_by=created_at";
    if (!token.empty()) query += "&next_token=" + PercentEncode(token);
    ASSIGN_OR_RETURN(json r, Call("GET", path, query, ""));
    if (const json* items = Field(r, "Items"); items && items->is_array()) {
      for (const json& e : *items) {
        auto x = ParseExecution(e);
        if (x.ok()) out.push_back(std::move(x).value());
      }
    }
    token = StringField(r, "NextToken");
    if (token.empty()) break;
  }
  return out;
}

Result<std::vector<PublishedResult>> Client::Results(const std::string& id) const {
  std::string path = std::string(kJobsPath) + "/" + PercentEncode(id) + "/results";
  ASSIGN_OR_RETURN(json r, Call("GET", path, "", ""));
  std::vector<PublishedResult> out;
  if (const json* items = Field(r, "Items"); items && items->is_array()) {
    for (const json& item : *items) {
      PublishedResult p;
      p.type = StringField(item, "Type");
      if (const json* params = Field(item, "Params")) p.params = *params;
      if (p.params.is_object()) p.presigned_url = StringField(p.params, "PreSignedURL");
      if (!p.type.empty()) out.push_back(std::move(p));
    }
  }
  return out;
}

Status Client::Stop(const std::string& id, const std::string& reason) const {
  std::string path = std::string(kJobsPath) + "/" + PercentEncode(id);
  auto r = Call("DELETE", path, "reason=" + PercentEncode(reason), "");
  return r.status();
}

Result<std::vector<JobInfo>> Client::ListByLabel(const std::string& key,
                                                 const std::string& value) const {
  std::vector<JobInfo> out;
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    std::string query = "labels=" + PercentEncode(key + "=" + value) + "&limit=100";
    if (!token.empty()) query += "&next_token=" + PercentEncode(token);
    ASSIGN_OR_RETURN(json r, Call("GET", kJobsPath, query, ""));
    if (const json* items = Field(r, "Items"); items && items->is_array()) {
      for (const json& j : *items) {
        auto info = ParseJob(j);
        if (info.ok()) out.push_back(std::move(info).value());
      }
    }
    token = StringField(r, "NextToken");
    if (token.empty()) break;
  }
  return out;
}

Result<std::string> Client::Version() const {
  ASSIGN_OR_RETURN(json r, Call("GET", "/api/v1/agent/version", "", ""));
  std::string v = StringField(r, "GitVersion");
  if (v.empty()) {
    if (const json* b = Field(r, "BuildVersionInfo")) v = StringField(*b, "GitVersion");
  }
  return v;
}

Status Client::Alive() const { return CallRaw("GET", "/api/v1/agent/alive", "", "").status(); }

Result<std::string> Client::FetchPresigned(const std::string& url) const {
  http::Limits limits = options_.limits;
  limits.max_bytes = options_.max_result_bytes;
  limits.timeout = std::max(limits.timeout, std::chrono::milliseconds(60'000));
  auto r = http::Get(url, limits);  // no Authorization: the URL carries its own signature
  if (!r.ok()) return r.status().WithPrefix("bacalhau: GET pre-signed result");
  if (r->status < 200 || r->status > 299) {
    std::string message = "bacalhau: GET pre-signed result: " + http::StatusText(r->status);
    return r->status >= 500 ? Status::Network(message) : Status::NotFound(message);
  }
  return std::move(r->body);
}

}  // namespace altscribe::bacalhau
