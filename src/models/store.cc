#include "models/store.h"

#include <sys/stat.h>
#include <cstdint>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace altscribe::models {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string DefaultModelDir() {
  if (std::string dir = Env("ALTSCRIBE_MODEL_DIR"); !dir.empty()) return dir;
  if (std::string xdg = Env("XDG_DATA_HOME"); !xdg.empty() && xdg[0] == '/') {
    return xdg + "/altscribe/models";
  }
  std::string home = Env("HOME");
  if (home.empty()) home.push_back('.');
  return home + "/.local/share/altscribe/models";
}

Result<std::vector<InstalledFile>> ListInstalled(const std::string& dir) {
  std::vector<InstalledFile> out;
  std::error_code ec;
  auto status = std::filesystem::status(dir, ec);
  if (ec || !std::filesystem::exists(status)) return out;
  if (!std::filesystem::is_directory(status)) {
    return Status::InvalidArgument(dir + ": not a directory");
  }
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Status::IoError(dir + ": cannot list: " + ec.message());
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (!EndsWith(name, ".gguf")) continue;
    auto size = RegularFileSize(entry.path().string());
    if (!size) continue;
    out.push_back({name, ModelFilePath(dir, name), *size});
  }
  std::sort(out.begin(), out.end(),
            [](const InstalledFile& a, const InstalledFile& b) { return a.name < b.name; });
  return out;
}

std::string ModelFilePath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string PartFilePath(const std::string& dir, const std::string& name) {
  return ModelFilePath(dir, name) + ".part";
}

std::optional<uint64_t> RegularFileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace altscribe::models
