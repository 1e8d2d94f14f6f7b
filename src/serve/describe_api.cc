#include "serve/describe_api.h"

#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/pipeline_metrics.h"
#include "core/text.h"
#include "http/address_guard.h"
#include "http/url.h"
#include "serve/describe_json.h"
#include "serve/http_error.h"

namespace altscribe::serve {
namespace {

using json = nlohmann::json;

std::string MediaType(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  std::string type = AsciiLower(ct.substr(0, ct.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
}

void TooMany(httplib::Response& res, int retry_after_s, const std::string& who) {
  res.set_header("Retry-After", std::to_string(retry_after_s));
  SendError(res, 429, "rate_limited",
            "too many requests " + who + "; try again in " + std::to_string(retry_after_s) + " s");
}

// The first blocked (private, loopback, …) address `host` resolves to, or "".
std::string BlockedAddressOf(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return "";
  std::string blocked;
  for (addrinfo* a = list; a && blocked.empty(); a = a->ai_next) {
    if (http::IsBlockedAddress(a->ai_addr)) blocked = http::FormatAddress(a->ai_addr);
  }
  freeaddrinfo(list);
  return blocked;
}

}  // namespace

struct DescribeApi::Input {
  std::string source;  // what the JSON calls the image: the URL or the upload's file name
  std::shared_ptr<const std::vector<uint8_t>> bytes;
  std::string mode, lang;
  double fetch_ms = 0;
};

DescribeApi::DescribeApi(DescribeApiOptions options)
    : options_(std::move(options)),
      access_(options_.tokens),
      ip_limiter_(options_.ip_limit),
      token_limiter_(options_.token_limit) {}

void DescribeApi::SetModel(vision::VisionModel* model, double load_ms) {
  load_ms_.store(load_ms);
  model_.store(model);
}

bool DescribeApi::Admit(const httplib::Request& req, httplib::Response& res) {
  if (!ready()) {
    res.set_header("Retry-After", "5");
    SendError(res, 503, "not_ready", "the model is still loading; try again shortly");
    return false;
  }
  if (RateDecision d = ip_limiter_.Take("ip " + req.remote_addr); !d.allowed) {
    TooMany(res, d.retry_after_s, "from this address");
    return false;
  }
  AccessDecision a = access_.Check(req.get_header_value("Authorization"), req.remote_addr);
  if (a.kind == AccessDecision::Kind::kUnauthorized) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "unauthorized", a.message);
    return false;
  }
  if (a.kind == AccessDecision::Kind::kForbidden) {
    SendError(res, 403, "forbidden", a.message);
    return false;
  }
  if (!a.caller.empty()) {
    if (RateDecision d = token_limiter_.Take(a.caller); !d.allowed) {
      TooMany(res, d.retry_after_s, "for this token");
      return false;
    }
  }
  return true;
}

bool DescribeApi::Fetch(const std::string& url, httplib::Response& res, Input* in) {
  auto parsed = http::ParseHttpUrl(url);
  if (!parsed.ok()) {
    SendError(res, 400, "bad_url", parsed.status().message());
    return false;
  }
  if (!jobs::HostAllowed(parsed->host, options_.fetch.allow_hosts)) {
    SendError(res, 403, "host_not_allowed",
              "host '" + parsed->host + "' is not on this server's allow-list");
    return false;
  }
  if (options_.fetch.limits.http.block_private_addresses) {
    if (std::string blocked = BlockedAddressOf(parsed->host); !blocked.empty()) {
      SendError(res, 403, "private_address",
                "refusing to fetch from a private address (" +
                    (blocked == parsed->host ? blocked : parsed->host + " is " + blocked) + ")");
      return false;
    }
  }
  jobs::JobImage image;
  image.url = url;
  auto start = std::chrono::steady_clock::now();
  auto bytes = jobs::FetchImage(image, options_.fetch);
  in->fetch_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!bytes.ok()) {
    const Status& s = bytes.status();
    int status = s.code() == Code::kTooLarge ? 413 : 422;
    SendError(res, status, status == 413 ? "payload_too_large" : "fetch_failed",
              "could not fetch the image: " + s.message());
    return false;
  }
  in->bytes = *bytes;
  in->source = http::UrlForDisplay(url);
  return true;
}

bool DescribeApi::ParseInput(const httplib::Request& req, httplib::Response& res, Input* in) {
  in->mode = req.get_param_value("mode");
  in->lang = req.get_param_value("lang");
  const std::string type = MediaType(req);
  if (type == "multipart/form-data") {
    if (!req.has_file("image")) {
      SendError(res, 400, "missing_image", "the form has no \"image\" file field");
      return false;
    }
    const auto file = req.get_file_value("image");
    in->bytes = std::make_shared<std::vector<uint8_t>>(file.content.begin(), file.content.end());
    in->source = file.filename.empty() ? "upload" : file.filename;
    if (req.has_file("mode")) in->mode = req.get_file_value("mode").content;
    if (req.has_file("lang")) in->lang = req.get_file_value("lang").content;
    return true;
  }
  if (type == "application/json") {
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) {
      SendError(res, 400, "bad_json", "the body is not a JSON object");
      return false;
    }
    for (const char* key : {"url", "mode", "lang"}) {
      if (body.contains(key) && !body[key].is_string()) {
        SendError(res, 400, "bad_json", std::string("\"") + key + "\" must be a string");
        return false;
      }
    }
    if (!body.contains("url")) {
      SendError(res, 400, "missing_url", "the JSON body needs a \"url\"");
      return false;
    }
    if (body.contains("mode")) in->mode = body["mode"].get<std::string>();
    if (body.contains("lang")) in->lang = body["lang"].get<std::string>();
    return Fetch(body["url"].get<std::string>(), res, in);
  }
  if (type.starts_with("image/") || type == "application/octet-stream") {
    in->bytes = std::make_shared<std::vector<uint8_t>>(req.body.begin(), req.body.end());
    in->source = "upload";
    return true;
  }
  SendError(res, 415, "unsupported_media_type",
            "send multipart/form-data with an \"image\" file, JSON with a \"url\", or the image "
            "bytes (image/*)");
  return false;
}

void DescribeApi::Handle(const httplib::Request& req, httplib::Response& res) {
  if (!Admit(req, res)) return;
  struct InFlight {
    std::atomic<int>& n;
    explicit InFlight(std::atomic<int>& c) : n(c) { ++n; }
    ~InFlight() { --n; }
  } in_flight(in_flight_);

  Input in;
  if (!ParseInput(req, res, &in)) return;
  vision::DescribeOptions opts = options_.describe;
  if (!in.mode.empty()) {
    auto mode = vision::ParseMode(in.mode);
    if (!mode.ok()) return SendError(res, 400, "bad_mode", mode.status().message());
    opts.mode = *mode;  // max_tokens/max_chars: the server's, or 0 for the mode's defaults
  }
  if (!in.lang.empty()) {
    auto lang = vision::Language::Parse(in.lang);
    if (!lang.ok()) return SendError(res, 400, "bad_lang", lang.status().message());
    opts.lang = *lang;
  }
  if (!in.bytes || in.bytes->empty()) {
    return SendError(res, 400, "empty_image", "the image is empty (0 bytes)");
  }
  if (auto format = vision::SniffFormat(*in.bytes); !format.ok()) {
    return SendError(res, 415, "not_an_image", format.status().message());
  }

  vision::VisionModel* model = model_.load();
  vision::Describer describer(*model, opts);
  vision::DescribeResult r = describer.DescribeBytes(in.source, *in.bytes);
  r.timings.load_ms = in.fetch_ms;
  r.timings.total_ms += in.fetch_ms;
  metrics::RecordDescribe({.fetch_ms = in.fetch_ms,
                           .decode_ms = r.timings.decode_ms,
                           .encode_ms = r.timings.encode_ms,
                           .generate_ms = r.timings.generate_ms,
                           .total_ms = r.timings.total_ms,
                           .generated_tokens = r.timings.generated_tokens},
                          r.error.code());
  if (!r.error.ok()) {
    int status = HttpStatusForDescribeError(r.error.code());
    if (status >= 500) LogWarn("describe " + in.source + ": " + r.error.message());
    res.status = status;
    json body = json::parse(ErrorJson(status, DefaultErrorCode(status), r.error.message()));
    body["image"] = DescribeResultJson(r);
    res.set_content(body.dump(), "application/json");
    return;
  }
  json doc = DescribeDocumentJson(json::array({DescribeResultJson(r)}), model->Name(), opts,
                                  load_ms_.load(), r.timings.total_ms);
  res.set_content(doc.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace altscribe::serve
