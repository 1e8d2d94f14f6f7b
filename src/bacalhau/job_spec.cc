#include "bacalhau/job_spec.h"

#include <algorithm>
#include <set>

#include "core/base64.h"
#include "core/sha256.h"
#include "core/text.h"
#include "http/url.h"

namespace altscribe::bacalhau {
namespace {

using json = nlohmann::json;

// A Kubernetes-style quantity as Bacalhau parses it: digits, an optional fraction, a unit.
bool IsQuantity(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0) return false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool IsCount(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "*.bsky.network" -> ".bsky.network"; hosts lowercased.
std::string DomainFor(std::string_view pattern) {
  std::string p = AsciiLower(pattern);
  if (p.rfind("*.", 0) == 0) p.erase(0, 1);
  return p;
}

// The Job as the worker gets it: URLs only; held bytes become a sha256 to check against.
Result<jobs::Job> RemoteJob(const jobs::Job& job) {
  RETURN_IF_ERROR(job.Validate());
  jobs::Job remote = job;
  for (size_t i = 0; i < remote.images.size(); ++i) {
    jobs::JobImage& img = remote.images[i];
    if (!http::IsHttpUrl(img.url) || !http::ParseHttpUrl(img.url).ok()) {
      return Status::InvalidArgument("job " + job.id + ": images[" + std::to_string(i) +
                                     "]: the bacalhau executor sends URLs only, and '" +
                                     img.url.substr(0, 64) + "' is not an http(s) URL");
    }
    if (img.bytes && !img.sha256) {
      img.sha256 = Sha256Hex(
          std::string_view(reinterpret_cast<const char*>(img.bytes->data()), img.bytes->size()));
    }
    img.bytes.reset();
  }
  return remote;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

Status ValidateOptions(const JobSpecOptions& o) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("bacalhau: " + what); };
  if (o.image.empty() || o.image.find_first_of(" \t\r\n") != std::string::npos) {
    return bad("image: expected a docker image name, got '" + o.image + "'");
  }
  if (!IsQuantity(o.cpu, true)) return bad("cpu: expected a quantity like \"2\" or \"500m\"");
  if (!IsQuantity(o.memory, true)) return bad("memory: expected a size like \"16Gb\"");
  if (!IsQuantity(o.disk, true)) return bad("disk: expected a size like \"40Gb\"");
  if (!o.gpu.empty() && !IsCount(o.gpu)) return bad("gpu: expected a count like \"1\"");
  if (o.queue_timeout_s < 0 || o.execution_timeout_s < 0 || o.total_timeout_s < 0) {
    return bad("timeouts must not be negative");
  }
  if (o.publisher != "s3managed" && o.publisher != "s3") {
    return bad("publisher: expected s3managed or s3, got '" + o.publisher + "'");
  }
  if (o.publisher == "s3" && o.s3_bucket.empty()) return bad("publisher s3 needs a bucket");
  static const std::set<std::string> kOps = {
      "!", "=", "==", "in", "!=", "notin", "exists", "gt", "lt"};
  for (const Constraint& c : o.constraints) {
    if (c.key.empty()) return bad("constraint with an empty key");
    if (!kOps.count(c.op)) return bad("constraint " + c.key + ": unknown operator '" + c.op + "'");
  }
  return Status::Ok();
}

std::string JobDataUrl(const jobs::Job& job) {
  return "data:application/json;base64," + Base64Encode(job.ToJsonText());
}

Result<std::string> DecodeDataUrl(std::string_view url) {
  constexpr std::string_view kPrefix = "data:";
  if (url.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("not a data: URL");
  }
  size_t comma = url.find(',');
  if (comma == std::string_view::npos) return Status::InvalidArgument("data: URL without ','");
  std::string_view meta = url.substr(kPrefix.size(), comma - kPrefix.size());
  if (meta.size() < 7 || meta.substr(meta.size() - 7) != ";base64") {
    return Status::InvalidArgument("data: URL is not base64");
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : url.substr(comma + 1)) {
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = Base64Value(c);
    if (v < 0 || pad > 0) return Status::InvalidArgument("data: URL has invalid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (pad > 2) return Status::InvalidArgument("data: URL has invalid base64 padding");
  return out;
}

Result<nlohmann::json> BuildPutJobRequest(const jobs::Job& job, const JobSpecOptions& o) {
  RETURN_IF_ERROR(ValidateOptions(o));
  ASSIGN_OR_RETURN(jobs::Job remote, RemoteJob(job));

  std::vector<std::string> domains;
  auto add_domain = [&domains](std::string d) {
    if (!d.empty() && std::find(domains.begin(), domains.end(), d) == domains.end()) {
      domains.push_back(std::move(d));
    }
  };
  if (!o.allowed_hosts.empty()) {
    for (const std::string& h : o.allowed_hosts) add_domain(DomainFor(h));
  } else {
    for (const jobs::JobImage& img : remote.images) {
      add_domain(AsciiLower(http::ParseHttpUrl(img.url)->host));
    }
  }
  for (const std::string& h : o.extra_domains) add_domain(DomainFor(h));

  json resources = json::object();
  if (!o.cpu.empty()) resources["CPU"] = o.cpu;
  if (!o.memory.empty()) resources["Memory"] = o.memory;
  if (!o.disk.empty()) resources["Disk"] = o.disk;
  if (!o.gpu.empty() && o.gpu != "0") resources["GPU"] = o.gpu;

  json publisher = {{"Type", o.publisher}};
  if (o.publisher == "s3") {
    json params = {{"Bucket", o.s3_bucket}};
    if (!o.s3_key.empty()) params["Key"] = o.s3_key;
    if (!o.s3_region.empty()) params["Region"] = o.s3_region;
    if (!o.s3_endpoint.empty()) params["Endpoint"] = o.s3_endpoint;
    publisher["Params"] = std::move(params);
  }

  json constraints = json::array();
  for (const Constraint& c : o.constraints) {
    constraints.push_back({{"Key", c.key}, {"Operator", c.op}, {"Values", c.values}});
  }

  json task = {
      {"Name", "main"},
      {"Engine",
       {{"Type", "docker"},
        {"Params",
         {{"Image", o.image},
          {"Entrypoint", {"altscribe"}},
          {"Parameters",
           {"worker", "--job", kJobInputPath, "--out",
            std::string(kOutputsPath) + "/" + kResultFile}}}}}},
      {"InputSources",
       {{{"Target", kJobInputPath},
         {"Source", {{"Type", "inline"}, {"Params", {{"URL", JobDataUrl(remote)}}}}}}}},
      {"Resources", std::move(resources)},
      {"ResultPaths", {{{"Name", "outputs"}, {"Path", kOutputsPath}}}},
      {"Publisher", std::move(publisher)},
      {"Network", {{"Type", "HTTP"}, {"Domains", domains}}},
      {"Timeouts",
       {{"QueueTimeout", o.queue_timeout_s},
        {"ExecutionTimeout", o.execution_timeout_s},
        {"TotalTimeout", o.total_timeout_s}}},
  };
  json spec = {
      {"Type", "batch"},
      {"Count", 1},
      {"Labels", {{kLabelKey, kLabelValue}}},
      {"Meta", {{kMetaJobKey, job.id}}},
      {"Constraints", std::move(constraints)},
      {"Tasks", json::array({std::move(task)})},
  };
  return json{{"Job", std::move(spec)}, {"Force", false}};
}

}  // namespace altscribe::bacalhau
