#include "cli/config_file.h"

#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "core/files.h"

namespace altscribe::cli {
namespace {

std::string FlagName(std::string_view key) {
  std::string s(key);
  for (char& c : s) c = c == '_' ? '-' : c;
  return s;
}

Status Collect(const toml::table& table, const std::string& path, Settings* out) {
  for (const auto& [key, node] : table) {
    std::string name = FlagName(key.str());
    if (name == "app-password" || name == "password") {
      return Status::InvalidArgument(path +
                                     ": secrets do not belong in the config file; use "
                                     "app-password-file or ALTSCRIBE_APP_PASSWORD");
    }
    if (node.is_boolean()) {
      out->push_back({name, *node.value<bool>() ? "true" : "false"});
    } else if (node.is_string()) {
      out->push_back({name, *node.value<std::string>()});
    } else if (node.is_integer()) {
      out->push_back({name, std::to_string(*node.value<int64_t>())});
    } else if (node.is_table()) {
      RETURN_IF_ERROR(Collect(*node.as_table(), path, out));
    } else {
      return Status::InvalidArgument(path + ": '" + std::string(key.str()) +
                                     "' must be a string, a number or true/false");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ConfigFile> LoadConfigFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, 1'000'000);
  if (!bytes.ok()) return bytes.status();
  std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) {
    const auto& e = parsed.error();
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  ConfigFile cfg;
  toml::table& root = parsed.table();
  for (const auto& [key, node] : root) {
    if (key.str() == "account") {
      const toml::array* arr = node.as_array();
      if (!arr) return Status::InvalidArgument(path + ": use [[account]] tables for accounts");
      for (const auto& item : *arr) {
        if (!item.is_table()) return Status::InvalidArgument(path + ": bad [[account]] entry");
        Settings account;
        RETURN_IF_ERROR(Collect(*item.as_table(), path, &account));
        cfg.accounts.push_back(std::move(account));
      }
      continue;
    }
    toml::table single;
    single.insert(key, node);
    RETURN_IF_ERROR(Collect(single, path, &cfg.settings));
  }
  return cfg;
}

}  // namespace altscribe::cli
