// storage/s3_options.cc — see s3_options.h.
#include "storage/s3_options.h"

#include <vector>

#include "http/url.h"
#include "storage/sigv4.h"

namespace altscribe::storage {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      bool room = i + 2 < s.size();
      int hi = room ? HexValue(s[i + 1]) : -1;
      int lo = room ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("bad percent-encoding in " + std::string(what));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<S3Options> S3Options::Parse(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument(
        "expected s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path_style=0|1]");
  }
  std::string_view rest = url.substr(kScheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  S3Options o;
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  if (bucket.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(
        "credentials do not go in the URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
        "--s3-credentials-file");
  }
  if (bucket.empty()) return Status::InvalidArgument("no bucket in the URL");
  o.bucket = std::string(bucket);
  for (char c : o.bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.') ||
        o.bucket.size() < 3 || o.bucket.size() > 63) {
      return Status::InvalidArgument("invalid bucket name '" + o.bucket +
                                     "' (3-63 characters: a-z, 0-9, '-', '.')");
    }
  }
  if (slash != std::string_view::npos) {
    ASSIGN_OR_RETURN(o.prefix, PercentDecode(rest.substr(slash + 1), "the prefix"));
    if (!o.prefix.empty() && o.prefix.back() != '/') o.prefix += '/';
  }
  bool have_endpoint = false, have_region = false, have_style = false;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    ASSIGN_OR_RETURN(std::string value,
                     PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1),
                                   "parameter " + name));
    auto once = [&name](bool* seen) -> Status {
      if (*seen) return Status::InvalidArgument("parameter '" + name + "' given twice");
      *seen = true;
      return Status::Ok();
    };
    if (name == "endpoint") {
      RETURN_IF_ERROR(once(&have_endpoint));
      auto parsed = http::ParseHttpUrl(value);
      if (!parsed.ok()) return parsed.status().WithPrefix("endpoint");
      if (value.find('@') != std::string::npos) {
        return Status::InvalidArgument(
            "credentials do not go in the endpoint URL; use AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY or --s3-credentials-file");
      }
      if (parsed->path != "/" || value.find_first_of("?#") != std::string::npos) {
        return Status::InvalidArgument("endpoint '" + value +
                                       "' must be http(s)://host[:port] without a path");
      }
      while (!value.empty() && value.back() == '/') value.pop_back();
      o.endpoint = value;
    } else if (name == "region") {
      RETURN_IF_ERROR(once(&have_region));
      if (value.empty()) return Status::InvalidArgument("empty region");
      o.region = value;
    } else if (name == "path_style") {
      RETURN_IF_ERROR(once(&have_style));
      if (value != "0" && value != "1") {
        return Status::InvalidArgument("path_style must be 0 or 1, not '" + value + "'");
      }
      o.path_style = value == "1";
    } else {
      return Status::InvalidArgument("unknown parameter '" + name +
                                     "' (expected endpoint, region, path_style)");
    }
  }
  if (!have_endpoint) o.endpoint = "https://s3." + o.region + ".amazonaws.com";
  if (!have_style) o.path_style = have_endpoint;
  return o;
}

std::string S3Options::ToUrl() const {
  return "s3://" + bucket + "/" + UriEncode(prefix, /*keep_slash=*/true) +
         "?endpoint=" + UriEncode(endpoint, false) + "&region=" + UriEncode(region, false) +
         "&path_style=" + (path_style ? "1" : "0");
}

S3ClientOptions S3Options::ClientOptions() const {
  S3ClientOptions c;
  c.endpoint = endpoint;
  c.region = region;
  c.path_style = path_style;
  return c;
}

}  // namespace altscribe::storage
