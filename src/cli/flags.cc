#include "cli/flags.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/files.h"
#include "core/log.h"
#include "core/text.h"

namespace altscribe::cli {

FlagSet::FlagSet(std::string command) : command_(std::move(command)) {}

// A flag registered twice would silently bind only the first variable: a programming error.
void FlagSet::Add(Flag flag) {
  if (Find(flag.name) != nullptr) {
    std::fprintf(stderr, "altscribe %s: internal error: flag --%s registered twice\n",
                 command_.c_str(), flag.name.c_str());
    std::abort();
  }
  flags_.push_back(std::move(flag));
}

void FlagSet::String(const std::string& name, std::string* out, const std::string& help,
                     const std::string& value_name) {
  Add({name, help, value_name, Kind::kString, out});
}
void FlagSet::Int(const std::string& name, int64_t* out, const std::string& help) {
  Add({name, help, "N", Kind::kInt, out});
}
void FlagSet::Bool(const std::string& name, bool* out, const std::string& help) {
  Add({name, help, "", Kind::kBool, out});
}

std::string FlagSet::EnvName(const std::string& flag_name) {
  std::string env = "ALTSCRIBE_";
  for (char c : flag_name) {
    env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return env;
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status FlagSet::Set(const Flag& f, const std::string& value, const std::string& origin) {
  switch (f.kind) {
    case Kind::kString:
      *static_cast<std::string*>(f.out) = value;
      return Status::Ok();
    case Kind::kInt: {
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0) {
        return Status::InvalidArgument(origin + " expects a whole number, got '" + value + "'");
      }
      *static_cast<int64_t*>(f.out) = v;
      return Status::Ok();
    }
    case Kind::kBool: {
      std::string v = AsciiLower(value);
      if (v == "1" || v == "true" || v == "yes" || v == "on") {
        *static_cast<bool*>(f.out) = true;
      } else if (v == "0" || v == "false" || v == "no" || v == "off") {
        *static_cast<bool*>(f.out) = false;
      } else {
        return Status::InvalidArgument(origin + " expects true or false, got '" + value + "'");
      }
      return Status::Ok();
    }
  }
  return Status::Internal("bad flag kind");
}

Status FlagSet::Parse(const std::vector<std::string>& args, std::vector<std::string>* positional) {
  std::vector<bool>& seen = seen_;
  seen.assign(flags_.size(), false);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      positional->insert(positional->end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a == "-h" || a == "--help") {
      help_ = true;
      return Status::Ok();
    }
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a.size() > 1 && a[0] == '-') {
        return Status::InvalidArgument("unknown flag " + a + " (see altscribe " + command_ +
                                       " --help)");
      }
      positional->push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    const Flag* f = Find(name);
    if (!f) {
      return Status::InvalidArgument("unknown flag --" + name + " (see altscribe " + command_ +
                                     " --help)");
    }
    if (!has_value) {
      if (f->kind == Kind::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Status::InvalidArgument("--" + name + " needs a value");
      }
    }
    RETURN_IF_ERROR(Set(*f, value, "--" + name));
    seen[f - flags_.data()] = true;
  }
  for (size_t k = 0; k < flags_.size(); ++k) {
    if (seen[k]) continue;
    std::string env = EnvName(flags_[k].name);
    if (const char* v = std::getenv(env.c_str()); v && *v) {
      RETURN_IF_ERROR(Set(flags_[k], v, env));
      seen[k] = true;
    }
  }
  return Status::Ok();
}

Status FlagSet::ApplyDefaults(const std::vector<std::pair<std::string, std::string>>& settings,
                              const std::string& origin) {
  seen_.resize(flags_.size(), false);
  for (const auto& [name, value] : settings) {
    const Flag* f = Find(name);
    if (!f) {
      return Status::InvalidArgument(origin + ": unknown setting '" + name + "' (see altscribe " +
                                     command_ + " --help for the names)");
    }
    if (seen_[f - flags_.data()]) continue;
    RETURN_IF_ERROR(Set(*f, value, origin + ": " + name));
  }
  return Status::Ok();
}

std::string FlagSet::Usage() const {
  std::string out;
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    out += left + f.help + "\n";
  }
  return out;
}

Result<std::string> ReadSecret(const std::string& env_name) {
  if (const char* v = std::getenv(env_name.c_str()); v && *v) return std::string(v);
  std::string file_env = env_name + "_FILE";
  if (const char* path = std::getenv(file_env.c_str()); path && *path) {
    auto secret = ReadSecretFile(path);
    if (!secret.ok()) return secret.status().WithPrefix(file_env);
    return secret;
  }
  return std::string();
}

Result<std::string> ReadSecretFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, 64 * 1024);
  if (!bytes.ok()) return bytes.status();
  if (struct stat st; ::stat(path.c_str(), &st) == 0 && (st.st_mode & 0066) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    LogWarn("secret file " + path + " is readable or writable by group or others (mode " + mode +
            "); run chmod 600 " + path);
  }
  std::string s(bytes->begin(), bytes->end());
  return std::string(Trim(s));
}

}  // namespace altscribe::cli
