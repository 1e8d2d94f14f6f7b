#include "http/client.h"

#include <curl/curl.h>
#include <cstdint>

#include "core/files.h"
#include "core/text.h"
#include "http/curl_util.h"
#include "http/url.h"

namespace altscribe::http {
namespace {

// Collects the body, refusing to grow past `max_bytes` (servers need not send Content-Length).
struct BodySink {
  std::string* out;
  uint64_t max_bytes;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userp) {
  auto* sink = static_cast<BodySink*>(userp);
  size_t n = size * nmemb;
  if (sink->max_bytes > 0 && sink->out->size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->out->append(data, n);
  return n;
}

// Collects response headers of the final response: a new status line (after a redirect or a
// 100 Continue) starts the list afresh.
size_t WriteHeader(char* data, size_t size, size_t nmemb, void* userp) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(userp);
  std::string_view line(data, size * nmemb);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    headers->emplace_back(std::string(Trim(line.substr(0, colon))),
                          std::string(Trim(line.substr(colon + 1))));
  }
  return size * nmemb;
}

std::string AsciiUpper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

Result<Response> Send(const Request& request, const Limits& limits) {
  ASSIGN_OR_RETURN(Url url, ParseHttpUrl(request.url));
  (void)url;
  std::string method = AsciiUpper(request.method.empty() ? "GET" : request.method);
  if (method.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("invalid HTTP method '" + request.method + "'");
  }
  ASSIGN_OR_RETURN(internal::Slist headers,
                   internal::BuildHeaders(request.headers, !request.aws_sigv4.has_value()));

  internal::TransferConfig config;
  config.timeout = limits.timeout;
  config.connect_timeout = limits.connect_timeout;
  config.max_redirects = limits.max_redirects;
  config.block_private_addresses = limits.block_private_addresses;
  config.allow_loopback = limits.allow_loopback;
  config.max_filesize = limits.max_bytes;
  internal::Guard guard;
  char errbuf[CURL_ERROR_SIZE];
  internal::Easy easy = internal::NewEasy(config, &guard, errbuf);
  CURL* h = easy.get();
  if (!h) return Status::Internal("cannot create a curl handle");

  Response response;
  BodySink sink{&response.body, limits.max_bytes};
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  if (request.aws_sigv4) {
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, request.aws_sigv4->provider.c_str());
    curl_easy_setopt(h, CURLOPT_USERNAME, request.aws_sigv4->access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, request.aws_sigv4->secret_key.c_str());
  }
  if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && request.body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    // POST, PUT, PATCH, DELETE ... (and GET with a body): the body goes as is.
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    if (method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    if (sink.too_large) {
      return Status::TooLarge("response is larger than the " + FormatBytes(limits.max_bytes) +
                              " limit");
    }
    return internal::CurlError(h, code, request.url, config, guard, errbuf);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  char* content_type = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type) {
    response.content_type = content_type;
  }
  char* effective = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    response.effective_url = effective;
  }
  return response;
}

Result<Response> Get(const std::string& url, const Limits& limits) {
  Request request;
  request.url = url;
  return Send(request, limits);
}

std::string StatusText(long status) {
  const char* reason = "";
  switch (status) {
    case 200:
      reason = "OK";
      break;
    case 201:
      reason = "Created";
      break;
    case 202:
      reason = "Accepted";
      break;
    case 204:
      reason = "No Content";
      break;
    case 206:
      reason = "Partial Content";
      break;
    case 301:
      reason = "Moved Permanently";
      break;
    case 302:
      reason = "Found";
      break;
    case 303:
      reason = "See Other";
      break;
    case 304:
      reason = "Not Modified";
      break;
    case 307:
      reason = "Temporary Redirect";
      break;
    case 308:
      reason = "Permanent Redirect";
      break;
    case 400:
      reason = "Bad Request";
      break;
    case 401:
      reason = "Unauthorized";
      break;
    case 402:
      reason = "Payment Required";
      break;
    case 403:
      reason = "Forbidden";
      break;
    case 404:
      reason = "Not Found";
      break;
    case 405:
      reason = "Method Not Allowed";
      break;
    case 406:
      reason = "Not Acceptable";
      break;
    case 408:
      reason = "Request Timeout";
      break;
    case 409:
      reason = "Conflict";
      break;
    case 410:
      reason = "Gone";
      break;
    case 411:
      reason = "Length Required";
      break;
    case 413:
      reason = "Content Too Large";
      break;
    case 414:
      reason = "URI Too Long";
      break;
    case 415:
      reason = "Unsupported Media Type";
      break;
    case 416:
      reason = "Range Not Satisfiable";
      break;
    case 422:
      reason = "Unprocessable Content";
      break;
    case 429:
      reason = "Too Many Requests";
      break;
    case 500:
      reason = "Internal Server Error";
      break;
    case 501:
      reason = "Not Implemented";
      break;
    case 502:
      reason = "Bad Gateway";
      break;
    case 503:
      reason = "Service Unavailable";
      break;
    case 504:
      reason = "Gateway Timeout";
      break;
    default:
      break;
  }
  std::string out = "HTTP " + std::to_string(status);
  if (*reason) out += std::string(" ") + reason;
  return out;
}

std::string Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && StartsWithIgnoreCase(k, name)) return v;
  }
  return "";
}

}  // namespace altscribe::http
