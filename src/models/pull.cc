#include "models/pull.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdint>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/files.h"
#include "core/sha256.h"
#include "core/text.h"
#include "http/url.h"
#include "models/catalogue.h"
#include "models/progress.h"
#include "models/store.h"

namespace altscribe::models {
namespace {

struct Item {
  std::string url;
  std::string file;
  std::string sha256;  // lowercase hex or ""
  uint64_t approx_bytes = 0;
};

// Closes (and so unlocks) the partial file; removes it when it is still empty and this run
// created it, so that a failure before any data leaves nothing behind.
class PartFile {
 public:
  PartFile(std::string path, int fd, bool existed)
      : path_(std::move(path)), fd_(fd), existed_(existed) {}
  ~PartFile() {
    if (fd_ < 0) return;
    struct stat st;
    bool empty = ::fstat(fd_, &st) == 0 && st.st_size == 0;
    if (!existed_ && empty && !renamed_) ::unlink(path_.c_str());
    ::close(fd_);
  }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  int fd() const { return fd_; }
  void set_renamed() { renamed_ = true; }

 private:
  std::string path_;
  int fd_;
  bool existed_;
  bool renamed_ = false;
};

Result<std::vector<Item>> Resolve(const PullOptions& options) {
  std::string sha = AsciiLower(Trim(options.sha256));
  if (!sha.empty() && !IsSha256Hex(sha)) {
    return Status::InvalidArgument("--sha256 expects 64 hex digits, got '" + options.sha256 + "'");
  }
  if (http::IsHttpUrl(options.target) || options.target.find("://") != std::string::npos) {
    RETURN_IF_ERROR(http::ParseHttpUrl(options.target).status());
    std::string file = http::UrlFileName(options.target);
    if (file.empty()) {
      return Status::InvalidArgument("cannot tell a file name from URL " +
                                     http::UrlForDisplay(options.target) +
                                     " (it should end in /NAME.gguf)");
    }
    return std::vector<Item>{{options.target, file, sha, 0}};
  }
  const CatalogueEntry* entry = FindCatalogueEntry(options.target);
  if (!entry) {
    return Status::NotFound("unknown model '" + options.target +
                            "' (see 'altscribe model list', or give an http(s) URL)");
  }
  if (!sha.empty()) {
    return Status::InvalidArgument("--sha256 is for a single-file URL, not for catalogue model '" +
                                   entry->name + "'");
  }
  std::vector<Item> items;
  static const std::string kHub = "https://huggingface.co";
  for (const CatalogueFile* f : {&entry->model, &entry->mmproj}) {
    std::string url = f->url;
    if (!options.hf_endpoint.empty() && url.compare(0, kHub.size(), kHub) == 0) {
      std::string base = options.hf_endpoint;
      while (!base.empty() && base.back() == '/') base.pop_back();
      url = base + url.substr(kHub.size());
    }
    items.push_back({url, f->file, f->sha256, f->approx_bytes});
  }
  return items;
}

// Whether the token may go to this URL: Hugging Face itself or the configured mirror.
bool IsHuggingFace(const std::string& url, const std::string& hf_endpoint) {
  std::string base = hf_endpoint;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty() && url.compare(0, base.size() + 1, base + "/") == 0) return true;
  auto u = http::ParseHttpUrl(url);
  if (!u.ok()) return false;
  std::string host = AsciiLower(u->host);
  return host == "huggingface.co" ||
         (host.size() > 15 && host.compare(host.size() - 15, 15, ".huggingface.co") == 0);
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(dir + ": cannot open directory: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) {
    return Status::IoError(dir + ": cannot sync directory: " + std::strerror(err));
  }
  return Status::Ok();
}

Status CheckSha(const std::string& path, const std::string& file, const std::string& expected,
                bool delete_on_mismatch) {
  ASSIGN_OR_RETURN(std::string got, Sha256File(path));
  if (got == expected) return Status::Ok();
  if (delete_on_mismatch) ::unlink(path.c_str());
  return Status::IoError(
      "checksum mismatch for " + file + ": expected " + expected + ", got " + got +
      (delete_on_mismatch ? " (the download was deleted)" : " (delete it to download it again)"));
}

Status PullFile(const Item& item, const std::string& dir, const PullOptions& options, bool tty) {
  FILE* out = options.out;
  std::string final_path = ModelFilePath(dir, item.file);
  std::string part_path = PartFilePath(dir, item.file);
  auto present = [&]() -> Status {
    auto size = RegularFileSize(final_path);
    if (!item.sha256.empty()) RETURN_IF_ERROR(CheckSha(final_path, item.file, item.sha256, false));
    std::fprintf(out, "%s: already present (%s), skipping\n", item.file.c_str(),
                 FormatBytes(size.value_or(0)).c_str());
    return Status::Ok();
  };
  if (RegularFileSize(final_path)) return present();

  bool existed = RegularFileSize(part_path).has_value();
  int fd = ::open(part_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError("cannot create " + part_path + ": " + std::strerror(errno));
  }
  PartFile part(part_path, fd, existed);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return Status::IoError(part_path + " is being written by another altscribe process");
  }
  if (RegularFileSize(final_path)) return present();  // another process just finished it

  uint64_t have = RegularFileSize(part_path).value_or(0);
  std::string shown = http::UrlForDisplay(item.url);
  if (have > 0) {
    std::fprintf(out, "%s: resuming at %s from %s\n", item.file.c_str(), FormatBytes(have).c_str(),
                 shown.c_str());
  } else if (item.approx_bytes > 0) {
    std::fprintf(out, "%s: downloading about %s from %s\n", item.file.c_str(),
                 FormatBytes(item.approx_bytes).c_str(), shown.c_str());
  } else {
    std::fprintf(out, "%s: downloading from %s\n", item.file.c_str(), shown.c_str());
  }
  std::fflush(out);

  ProgressReporter reporter(item.file, out, tty);
  http::DownloadOptions download = options.download;
  download.progress = [&reporter](uint64_t done, uint64_t total) { reporter.Update(done, total); };
  if (!options.hf_token.empty() && IsHuggingFace(item.url, options.hf_endpoint)) {
    download.headers.push_back({"Authorization", "Bearer " + options.hf_token});
  }
  auto result = http::DownloadToFile(item.url, part_path, download);
  reporter.Finish();
  if (!result.ok()) return result.status();

  if (!item.sha256.empty()) {
    std::fprintf(out, "%s: verifying SHA-256\n", item.file.c_str());
    std::fflush(out);
    RETURN_IF_ERROR(CheckSha(part_path, item.file, item.sha256, true));
  }
  if (::fsync(fd) != 0) {
    return Status::IoError("cannot sync " + part_path + ": " + std::strerror(errno));
  }
  if (::rename(part_path.c_str(), final_path.c_str()) != 0) {
    return Status::IoError("cannot rename " + part_path + " to " + final_path + ": " +
                           std::strerror(errno));
  }
  part.set_renamed();
  RETURN_IF_ERROR(FsyncDir(dir));
  std::fprintf(out, "%s: saved %s (%s)\n", item.file.c_str(), final_path.c_str(),
               FormatBytes(result->size).c_str());
  std::fflush(out);
  return Status::Ok();
}

}  // namespace

Status Pull(const PullOptions& options) {
  ASSIGN_OR_RETURN(std::vector<Item> items, Resolve(options));
  std::string dir = options.dir.empty() ? DefaultModelDir() : options.dir;
  RETURN_IF_ERROR(MakeDirs(dir));
  bool tty = options.tty.value_or(::isatty(fileno(options.out)) == 1);
  for (const Item& item : items) RETURN_IF_ERROR(PullFile(item, dir, options, tty));
  if (const CatalogueEntry* entry = FindCatalogueEntry(options.target)) {
    std::fprintf(options.out, "%s is ready: altscribe describe --model %s --mmproj %s IMAGE\n",
                 entry->name.c_str(), ModelFilePath(dir, entry->model.file).c_str(),
                 ModelFilePath(dir, entry->mmproj.file).c_str());
  }
  return Status::Ok();
}

}  // namespace altscribe::models
