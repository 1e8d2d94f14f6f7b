// cli/flags.h — command-line flags with environment fallbacks.
//
// Each flag --some-name VALUE (or --some-name=VALUE) also reads ALTSCRIBE_SOME_NAME from the
// environment when not given on the command line; the command line wins. Secrets never go
// through flags: FlagSet::Secret() reads only the environment or a file named by it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace altscribe::cli {

class FlagSet {
 public:
  // `command` is what the user typed ("describe", "model pull") for messages and usage.
  explicit FlagSet(std::string command);

  void String(const std::string& name, std::string* out, const std::string& help,
              const std::string& value_name = "VALUE");
  void Int(const std::string& name, int64_t* out, const std::string& help);
  void Bool(const std::string& name, bool* out, const std::string& help);

  // Parses args (after the subcommand). Anything not starting with "--" is positional; "--"
  // ends flags. Errors are one line: "unknown flag --x (see altscribe describe --help)".
  Status Parse(const std::vector<std::string>& args, std::vector<std::string>* positional);

  // Applies settings from a config file (flag name → value as text) to the flags that neither
  // the command line nor the environment set. Unknown names are an error naming `origin`.
  // REQUIRES: after Parse().
  Status ApplyDefaults(const std::vector<std::pair<std::string, std::string>>& settings,
                       const std::string& origin);

  // True when --help or -h was given; Parse() then returns OK without checking values.
  bool help_requested() const { return help_; }
  // The flag list, one per line, for --help.
  std::string Usage() const;

  // ALTSCRIBE_<NAME> for a flag name ("max-tokens" -> "ALTSCRIBE_MAX_TOKENS").
  static std::string EnvName(const std::string& flag_name);

 private:
  enum class Kind { kString, kInt, kBool };
  struct Flag {
    std::string name, help, value_name;
    Kind kind;
    void* out;
  };
  Status Set(const Flag& f, const std::string& value, const std::string& origin);
  const Flag* Find(const std::string& name) const;
  void Add(Flag flag);  // aborts when the name is taken (a programming error)

  std::string command_;
  std::vector<Flag> flags_;
  std::vector<bool> seen_;  // set by the command line or the environment
  bool help_ = false;
};

// Reads a secret from $ENV_NAME or from the file named by $ENV_NAME_FILE (trailing newline
// stripped). Returns an empty string when neither is set.
Result<std::string> ReadSecret(const std::string& env_name);
// Reads a secret from a file (trailing whitespace stripped); errors name the file. When the file
// is readable or writable by its group or by others, logs one warning that names the file and
// says to chmod 600 it (never the secret), and still reads it. Every secret file goes through
// here: ReadSecret's $ENV_NAME_FILE, the bot's app-password-file, the endpoint key file.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace altscribe::cli
