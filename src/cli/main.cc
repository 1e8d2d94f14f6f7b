// altscribe — alt text for images, from the command line, a bot, or an HTTP API.
// This file only dispatches to the subcommands (cli/*_cmd.cc).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/log.h"

namespace {

constexpr const char* kUsage =
    R"(altscribe — alt text for images, written by a vision-language model

Usage:
  altscribe describe --model M.gguf --mmproj P.gguf [options] IMAGE...
  altscribe describe --endpoint URL --endpoint-model NAME [options] IMAGE...
  altscribe bot --pds URL --handle HANDLE --state FILE.db [model flags]
  altscribe bot status --state FILE.db
  altscribe serve --listen 127.0.0.1:8080 [model flags]
  altscribe worker --nats URL [model flags]
  altscribe fleet --nats URL
  altscribe model list | pull NAME|URL | make-test --out DIR
  altscribe doctor

Commands:
  describe   write alt text for image files or http(s) URLs (JPEG, PNG, WebP, GIF, BMP)
  bot        answer mentions on Bluesky with alt text for the images of the post meant
  serve      an HTTP API, a web page for authors, full-description pages and /metrics
  worker     take jobs from a NATS JetStream queue (a GPU fleet), or run one batch job
  fleet      list the fleet's workers and the jobs waiting for each model
  model      list recommended models, download them, or generate a tiny test model
  doctor     check the llama.cpp build, compute backends and installed models

Run 'altscribe COMMAND --help' for a command's options. Every option can also be set with an
ALTSCRIBE_* environment variable (--max-tokens -> ALTSCRIBE_MAX_TOKENS).
Set ALTSCRIBE_LOG=debug to see what happens inside, including llama.cpp's own log.

Example:
  altscribe model make-test --out /tmp/tiny
  altscribe describe --model /tmp/tiny/model.gguf --mmproj /tmp/tiny/mmproj.gguf photo.jpg
)";

}  // namespace

int main(int argc, char** argv) {
  altscribe::InitLogLevelFromEnv();
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    std::printf("altscribe %s\n", ALTSCRIBE_VERSION);
    return 0;
  }
  if (cmd == "describe") return altscribe::cli::RunDescribe(args);
  if (cmd == "model") return altscribe::cli::RunModelCommand(args);
  if (cmd == "doctor") return altscribe::cli::RunDoctor(args);
  if (cmd == "bot") return altscribe::cli::RunBot(args);
  if (cmd == "serve") return altscribe::cli::RunServe(args);
  if (cmd == "worker") return altscribe::cli::RunWorker(args);
  if (cmd == "fleet") return altscribe::cli::RunFleet(args);
  std::fprintf(stderr, "altscribe: unknown command '%s' (run altscribe --help)\n", cmd.c_str());
  return 2;
}
