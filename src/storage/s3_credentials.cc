// storage/s3_credentials.cc — see s3_credentials.h.
#include "storage/s3_credentials.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "core/files.h"
#include "core/log.h"
#include "core/text.h"

namespace altscribe::storage {
namespace {

constexpr uint64_t kMaxCredentialsFileBytes = 64 * 1024;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(Trim(v)) : std::string();
}

}  // namespace

Result<S3Credentials> S3Credentials::FromEnv() {
  S3Credentials c;
  c.access_key_id = Env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
  c.session_token = Env("AWS_SESSION_TOKEN");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::NotFound(
        "S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use "
        "--s3-credentials-file");
  }
  return c;
}

Result<S3Credentials> S3Credentials::FromFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, kMaxCredentialsFileBytes);
  if (!bytes.ok()) return bytes.status();
  if (struct stat st; ::stat(path.c_str(), &st) == 0 && (st.st_mode & 0066) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    LogWarn("S3 credentials file " + path + " is readable or writable by group or others (mode " +
            mode + "); run chmod 600 " + path);
  }
  std::string text(bytes->begin(), bytes->end());
  S3Credentials c;
  bool seen_id = false, seen_secret = false, seen_token = false;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line = Trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::string where = path + ":" + std::to_string(line_no);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(where + ": expected key = value");
    }
    std::string key(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    std::string* field = nullptr;
    bool* seen = nullptr;
    if (key == "access_key_id") {
      field = &c.access_key_id;
      seen = &seen_id;
    } else if (key == "secret_access_key") {
      field = &c.secret_access_key;
      seen = &seen_secret;
    } else if (key == "session_token") {
      field = &c.session_token;
      seen = &seen_token;
    } else {
      // The "key" may be a pasted secret: name it only when it looks like a key name.
      bool plain = key.size() <= 32 &&
                   key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
                       std::string::npos;
      return Status::InvalidArgument(where + ": unknown key" + (plain ? " '" + key + "'" : "") +
                                     " (expected access_key_id, secret_access_key, "
                                     "session_token)");
    }
    if (*seen) return Status::InvalidArgument(where + ": " + key + " given twice");
    if (value.empty()) return Status::InvalidArgument(where + ": " + key + " is empty");
    *seen = true;
    *field = value;
  }
  if (!seen_id) return Status::InvalidArgument(path + ": access_key_id is missing");
  if (!seen_secret) return Status::InvalidArgument(path + ": secret_access_key is missing");
  return c;
}

}  // namespace altscribe::storage
