#include "http/download.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdint>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/files.h"
#include "core/text.h"
#include "http/client.h"
#include "http/curl_util.h"
#include "http/url.h"

namespace altscribe::http {
namespace {

constexpr uint64_t kUnknown = UINT64_MAX;

// "bytes 100-199/1000" -> first 100, last 199, total 1000; "bytes */1000" -> total only.
// Fields not present stay kUnknown. Returns false when the header is not of this form.
bool ParseContentRange(std::string_view v, uint64_t* first, uint64_t* last, uint64_t* total) {
  *first = *last = *total = kUnknown;
  v = Trim(v);
  if (!StartsWithIgnoreCase(v, "bytes ")) return false;
  std::string s(Trim(v.substr(6)));
  auto slash = s.find('/');
  if (slash == std::string::npos) return false;
  std::string range = s.substr(0, slash), size = s.substr(slash + 1);
  auto number = [](const std::string& t, uint64_t* out) {
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    *out = std::strtoull(t.c_str(), nullptr, 10);
    return errno == 0;
  };
  if (size != "*" && !number(size, total)) return false;
  if (range == "*") return true;
  auto dash = range.find('-');
  if (dash == std::string::npos) return false;
  return number(range.substr(0, dash), first) && number(range.substr(dash + 1), last);
}

struct State {
  const std::string* path;
  const DownloadOptions* options;
  uint64_t offset = 0;  // bytes in the partial file when the request was sent

  // The response being received (reset at every status line: redirects, 1xx).
  long status = 0;
  std::string content_range;
  uint64_t content_length = kUnknown;

  enum class Mode { kPending, kWrite, kDiscard } mode = Mode::kPending;
  int fd = -1;
  uint64_t base = 0;      // file offset where this response's body goes
  uint64_t written = 0;   // body bytes written to the file
  uint64_t total = 0;     // the whole file's size; 0 = unknown
  bool complete = false;  // 416 for a file that is whole already
  bool restart = false;   // the partial file must go; fetch again from 0
  bool too_large = false;
  int write_errno = 0;
  std::string write_op;  // what failed with write_errno ("write", "open" ...)
};

// Records errno as the cause of a failed file operation; returns false for convenience.
bool Fail(State* st, const char* op) {
  st->write_errno = errno;
  st->write_op = op;
  return false;
}

// Opens the file and positions it at `base`, dropping anything after it.
bool OpenAt(State* st, uint64_t base) {
  st->fd = ::open(st->path->c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (st->fd < 0) return Fail(st, "open");
  if (::ftruncate(st->fd, static_cast<off_t>(base)) != 0) return Fail(st, "truncate");
  if (::lseek(st->fd, static_cast<off_t>(base), SEEK_SET) < 0) return Fail(st, "seek");
  st->base = base;
  return true;
}

// Called at the end of each response's headers. Returns false to abort the transfer.
bool Decide(State* st) {
  long s = st->status;
  if (s < 200 || (s >= 300 && s < 400)) return true;  // 1xx, or a redirect curl follows
  uint64_t first, last, total;
  bool has_range = ParseContentRange(st->content_range, &first, &last, &total);
  if (s == 416 && st->offset > 0) {
    st->mode = State::Mode::kDiscard;
    if (!has_range || total == kUnknown || total == st->offset) {
      st->complete = true;
      st->total = st->offset;
      return true;
    }
    st->restart = true;  // the remote file is not what we have the start of
    return false;
  }
  if (s == 206) {
    if (!has_range || first != st->offset) {
      st->restart = true;  // not the range we asked for: start over cleanly
      return false;
    }
    st->total = total != kUnknown ? total : 0;
    if (!OpenAt(st, st->offset)) return false;
  } else if (s >= 200 && s < 300) {
    // The whole file (a 200 answer to a Range request included): start from 0.
    st->total = st->content_length != kUnknown ? st->content_length : 0;
    if (!OpenAt(st, 0)) return false;
  } else {
    st->mode = State::Mode::kDiscard;  // an error status: keep the file as it is
    return true;
  }
  st->mode = State::Mode::kWrite;
  uint64_t max = st->options->max_bytes;
  if (max > 0 && st->total > max) {
    st->too_large = true;
    return false;
  }
  if (st->options->progress) st->options->progress(st->base, st->total);
  return true;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* userp) {
  auto* st = static_cast<State*>(userp);
  size_t n = size * nmemb;
  std::string_view line(data, n);
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    st->status = 0;
    st->content_range.clear();
    st->content_length = kUnknown;
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) st->status = std::strtol(data + sp + 1, nullptr, 10);
    return n;
  }
  std::string_view trimmed = Trim(line);
  if (trimmed.empty()) return Decide(st) ? n : 0;
  auto colon = trimmed.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = AsciiLower(trimmed.substr(0, colon));
  std::string_view value = Trim(trimmed.substr(colon + 1));
  if (name == "content-range") {
    st->content_range = std::string(value);
  } else if (name == "content-length") {
    std::string v(value);
    if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
      st->content_length = std::strtoull(v.c_str(), nullptr, 10);
    }
  }
  return n;
}

size_t OnBody(char* data, size_t size, size_t nmemb, void* userp) {
  auto* st = static_cast<State*>(userp);
  size_t n = size * nmemb;
  if (st->mode != State::Mode::kWrite) return n;  // an error page or a redirect's body
  uint64_t max = st->options->max_bytes;
  if (max > 0 && st->base + st->written + n > max) {
    st->too_large = true;
    return 0;
  }
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(st->fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      Fail(st, "write");
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    done += static_cast<size_t>(w);
  }
  st->written += n;
  if (st->options->progress) st->options->progress(st->base + st->written, st->total);
  return n;
}

uint64_t FileSize(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return 0;
  return static_cast<uint64_t>(info.st_size);
}

Status WriteError(const State& st) {
  int e = st.write_errno;
  std::string cause = std::strerror(e);
  if (e == ENOSPC || e == EFBIG || e == EDQUOT) {
    return Status::IoError("disk full or file too large while writing " + *st.path + ": " + cause);
  }
  return Status::IoError("cannot " + st.write_op + " " + *st.path + ": " + cause);
}

std::string Progress(uint64_t got, uint64_t total) {
  return total > 0 ? FormatBytes(got) + " of " + FormatBytes(total) : FormatBytes(got);
}

// One request. Sets *restart when the partial file must be dropped and the request repeated.
Result<DownloadResult> Attempt(const std::string& url, const std::string& path,
                               const DownloadOptions& options, bool* restart) {
  *restart = false;
  State st;
  st.path = &path;
  st.options = &options;
  st.offset = FileSize(path);

  internal::TransferConfig config;
  config.timeout = options.timeout;
  config.connect_timeout = options.connect_timeout;
  config.max_redirects = options.max_redirects;
  config.block_private_addresses = options.block_private_addresses;
  config.low_speed_bytes = static_cast<long>(options.low_speed_bytes);
  config.low_speed_seconds = static_cast<long>(options.low_speed_time.count());
  internal::Guard guard;
  char errbuf[CURL_ERROR_SIZE];
  internal::Easy easy = internal::NewEasy(config, &guard, errbuf);
  CURL* h = easy.get();
  if (!h) return Status::Internal("cannot create a curl handle");
  ASSIGN_OR_RETURN(internal::Slist headers, internal::BuildHeaders(options.headers));
  std::string range = std::to_string(st.offset) + "-";
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (st.offset > 0) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);

  CURLcode code = curl_easy_perform(h);
  if (st.fd >= 0 && ::close(st.fd) != 0 && st.write_errno == 0 && code == CURLE_OK) {
    Fail(&st, "write");
  }
  std::string shown = UrlForDisplay(url);
  if (st.restart) {
    if (::truncate(path.c_str(), 0) != 0 && errno != ENOENT) {
      Fail(&st, "truncate");
      return WriteError(st);
    }
    *restart = true;
    return Status::Network("the server's answer to a Range request did not fit " + path);
  }
  if (st.write_errno != 0) return WriteError(st);
  if (st.too_large) {
    return Status::TooLarge(shown + " is larger than the " + FormatBytes(options.max_bytes) +
                            " limit");
  }
  uint64_t got = st.base + st.written;
  if (code != CURLE_OK) {
    Status s = internal::CurlError(h, code, url, config, guard, errbuf);
    if (st.mode == State::Mode::kWrite) {
      return Status(s.code(),
                    s.message() + "; got " + Progress(got, st.total) + ", run again to resume");
    }
    return s;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (!st.complete && (status < 200 || status >= 300)) {
    std::string what = StatusText(status) + " from " + shown;
    if (status == 404 || status == 410) return Status::NotFound(what);
    if (status == 401 || status == 403) {
      return Status::Network(what + " (the file may need an access token)");
    }
    return Status::Network(what);
  }
  if (st.mode == State::Mode::kWrite && st.total > 0 && got != st.total) {
    return Status::Network("download of " + shown + " ended early: got " + Progress(got, st.total) +
                           ", run again to resume");
  }
  DownloadResult result;
  result.already_complete = st.complete;
  result.size = st.complete ? st.offset : got;
  result.resumed_from = st.complete ? st.offset : st.base;
  result.transferred = st.written;
  char* effective = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    result.effective_url = effective;
  }
  return result;
}

}  // namespace

Result<DownloadResult> DownloadToFile(const std::string& url, const std::string& part_path,
                                      const DownloadOptions& options) {
  RETURN_IF_ERROR(ParseHttpUrl(url).status());
  bool restart = false;
  auto result = Attempt(url, part_path, options, &restart);
  if (restart) result = Attempt(url, part_path, options, &restart);
  return result;
}

}  // namespace altscribe::http
