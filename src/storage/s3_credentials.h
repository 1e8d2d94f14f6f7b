// storage/s3_credentials.h — the S3 key pair, from the environment or a file; never from flags.
//
// Environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN.
//
// File (--s3-credentials-file; keep it mode 0600 — a file readable or writable by group or others
// gets a warning in the log, as for the CLI's other secrets): key = value lines, '#' starts a
// comment line, blank lines are ignored, spaces around key and value are trimmed:
//
//   # altscribe S3 credentials
//   access_key_id = <your access key id>
//   secret_access_key = <your secret access key>
//   session_token = ...        (optional)
//
// Errors name the file and line but never show a secret value ("creds.txt:3: unknown key
// 'secret'"). S3Credentials has no printing helpers on purpose: nothing logs it.
#pragma once

#include <string>

#include "core/status.h"

namespace altscribe::storage {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" = none (long-term keys)

  // NotFound when AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is unset or empty.
  static Result<S3Credentials> FromEnv();
  // The file format above. IoError/NotFound when unreadable; InvalidArgument for a malformed
  // line, an unknown or repeated key, or a missing access_key_id/secret_access_key.
  static Result<S3Credentials> FromFile(const std::string& path);
};

}  // namespace altscribe::storage
