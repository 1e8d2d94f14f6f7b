// cli/commands.h — the subcommands of the altscribe binary. Each takes the arguments after its
// name and returns the process exit code: 0 success, 1 failure, 2 usage error.
#pragma once

#include <string>
#include <vector>

namespace altscribe::cli {

int RunDescribe(const std::vector<std::string>& args);
int RunModelCommand(const std::vector<std::string>& args);  // model_cmd.cc
int RunDoctor(const std::vector<std::string>& args);
int RunBot(const std::vector<std::string>& args);     // bot_cmd.cc
int RunServe(const std::vector<std::string>& args);   // serve_cmd.cc
int RunWorker(const std::vector<std::string>& args);  // worker_cmd.cc
int RunFleet(const std::vector<std::string>& args);   // worker_cmd.cc

// Prints "altscribe <command>: error: <message>" on stderr.
void PrintError(const std::string& command, const std::string& message);

}  // namespace altscribe::cli
