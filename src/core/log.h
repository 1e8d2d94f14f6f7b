// core/log.h — the operator's log: leveled lines on stderr.
//
// Level comes from SetLogLevel() or ALTSCRIBE_LOG (error|warn|info|debug; default warn for the
// CLI). Thread-safe. Never log secrets: callers pass only what is safe to show.
#pragma once

#include <string>
#include <string_view>

namespace altscribe {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "error", "warn", "info", "debug"; returns false (and leaves `out`) otherwise.
bool ParseLogLevel(std::string_view name, LogLevel* out);
// Applies ALTSCRIBE_LOG if set and valid.
void InitLogLevelFromEnv();

void Log(LogLevel level, std::string_view message);
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }

}  // namespace altscribe
