// altscribe model — list, pull and make-test.
#include "cli/commands.h"

#include <unistd.h>
#include <cstdint>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "cli/commands.h"
#include "cli/flags.h"
#include "core/files.h"
#include "models/catalogue.h"
#include "models/pull.h"
#include "models/store.h"
#include "models/test_model.h"

namespace altscribe::cli {
namespace {

constexpr const char* kHelp = R"(Usage: altscribe model COMMAND [options]

Commands:
  list        the recommended vision models, and which are installed
  pull        download a recommended model pair by name, or a GGUF file by URL
  make-test   generate a tiny random-weight model pair (for tests and benchmarks)

Run 'altscribe model COMMAND --help' for its options.
)";

constexpr const char* kDirHelp = "model directory instead of the default (see above)";

constexpr const char* kDirText = R"(The model directory is --dir, else $ALTSCRIBE_MODEL_DIR, else
$XDG_DATA_HOME/altscribe/models, else ~/.local/share/altscribe/models.
)";

constexpr const char* kPullHelp = R"(Usage: altscribe model pull NAME|URL [options]

Downloads a recommended model pair by NAME (the text model and its projector; see
'altscribe model list'), or one GGUF file from an http(s) URL, into the model directory.
An interrupted download continues where it stopped when you run the command again; files
that are already there are skipped. A file appears under its final name only once it is
complete (and matches --sha256 when given).

A Hugging Face access token for gated models is read from HF_TOKEN (or from the file named
by HF_TOKEN_FILE) and sent to huggingface.co only. HF_ENDPOINT points at a mirror instead.

%s
Examples:
  altscribe model pull smolvlm-256m
  altscribe model pull https://example.com/models/model.gguf --sha256 9f86d0...

Options:
)";

constexpr const char* kListHelp = R"(Usage: altscribe model list [options]

Lists the recommended vision model pairs: name, whether they suit a CPU or want a GPU,
approximate download size, and whether they are installed in the model directory (yes,
partial: one file or an unfinished download, or no). Then lists any other GGUF files there.

%s
Options:
)";

constexpr const char* kMakeTestHelp = R"(Usage: altscribe model make-test --out DIR [options]

Writes DIR/model.gguf and DIR/mmproj.gguf: a LLaVA-style model pair with deterministic random
weights. llama.cpp loads and runs it for real; what it writes is gibberish. 'tiny' (about
2 MB) runs in milliseconds and is what the tests use; 'llava15-7b' has LLaVA-1.5-7B's shapes
(about 4.4 GB, Q4_0 text) to measure speed without downloading; 'llava15-7b-f16' the same with
F16 text weights (about 14 GB). Same preset and seed, same bytes.

Options:
)";

int Usage(const std::string& command, const std::string& message) {
  PrintError(command, message);
  return 2;
}

int Fail(const std::string& command, const Status& status) {
  PrintError(command, status.message());
  return 1;
}

int RunPull(const std::vector<std::string>& args) {
  const std::string cmd = "model pull";
  models::PullOptions options;
  FlagSet flags(cmd);
  flags.String("dir", &options.dir, kDirHelp, "DIR");
  flags.String("sha256", &options.sha256, "expected SHA-256 of the file (URL downloads)", "HEX");
  std::vector<std::string> positional;
  if (Status s = flags.Parse(args, &positional); !s.ok()) return Usage(cmd, s.message());
  if (flags.help_requested()) {
    std::printf(kPullHelp, kDirText);
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (positional.size() != 1) {
    return Usage(cmd, "expected one model NAME or URL (see altscribe model pull --help)");
  }
  options.target = positional[0];
  auto token = ReadSecret("HF_TOKEN");
  if (!token.ok()) return Fail(cmd, token.status());
  options.hf_token = *token;
  if (const char* endpoint = std::getenv("HF_ENDPOINT"); endpoint && *endpoint) {
    options.hf_endpoint = endpoint;
  }
  options.out = stderr;
  if (Status s = models::Pull(options); !s.ok()) return Fail(cmd, s);
  return 0;
}

// "yes", "partial" or "no" for a catalogue entry in `dir`.
std::string InstalledState(const models::CatalogueEntry& e, const std::string& dir) {
  int complete = 0, partial = 0;
  for (const auto* f : {&e.model, &e.mmproj}) {
    if (models::RegularFileSize(models::ModelFilePath(dir, f->file))) {
      ++complete;
    } else if (models::RegularFileSize(models::PartFilePath(dir, f->file))) {
      ++partial;
    }
  }
  if (complete == 2) return "yes";
  return complete + partial > 0 ? "partial" : "no";
}

int RunList(const std::vector<std::string>& args) {
  const std::string cmd = "model list";
  std::string dir;
  FlagSet flags(cmd);
  flags.String("dir", &dir, kDirHelp, "DIR");
  std::vector<std::string> positional;
  if (Status s = flags.Parse(args, &positional); !s.ok()) return Usage(cmd, s.message());
  if (flags.help_requested()) {
    std::printf(kListHelp, kDirText);
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!positional.empty()) {
    return Usage(cmd,
                 "unexpected argument '" + positional[0] + "' (see altscribe model list --help)");
  }
  if (dir.empty()) dir = models::DefaultModelDir();
  auto installed = models::ListInstalled(dir);
  if (!installed.ok()) return Fail(cmd, installed.status());

  std::printf("Recommended models (install with: altscribe model pull NAME)\n\n");
  std::printf("  %-16s%-5s%-10s%-11s%s\n", "NAME", "FOR", "SIZE", "INSTALLED", "DESCRIPTION");
  std::set<std::string> known;
  for (const auto& e : models::Catalogue()) {
    known.insert(e.model.file);
    known.insert(e.mmproj.file);
    std::string size = FormatBytes(e.approx_total_bytes());
    std::printf("  %-16s%-5s~%-9s%-11s%s\n", e.name.c_str(), models::HardwareName(e.hardware),
                size.c_str(), InstalledState(e, dir).c_str(), e.description.c_str());
  }
  std::printf("\nModel directory: %s\n", dir.c_str());
  bool header = false;
  for (const auto& f : *installed) {
    if (known.count(f.name)) continue;
    if (!header) std::printf("Other GGUF files there:\n");
    header = true;
    std::printf("  %-40s  %s\n", f.name.c_str(), FormatBytes(f.size).c_str());
  }
  return 0;
}

int RunMakeTest(const std::vector<std::string>& args) {
  const std::string cmd = "model make-test";
  std::string out, preset_name = "tiny";
  int64_t seed = 42;
  FlagSet flags(cmd);
  flags.String("out", &out, "directory to write model.gguf and mmproj.gguf into (required)", "DIR");
  flags.String("preset", &preset_name, "tiny (default), llava15-7b or llava15-7b-f16", "NAME");
  flags.Int("seed", &seed, "random seed for the weights (default 42)");
  std::vector<std::string> positional;
  if (Status s = flags.Parse(args, &positional); !s.ok()) return Usage(cmd, s.message());
  if (flags.help_requested()) {
    std::printf("%s%s", kMakeTestHelp, flags.Usage().c_str());
    return 0;
  }
  if (!positional.empty()) {
    return Usage(
        cmd, "unexpected argument '" + positional[0] + "' (see altscribe model make-test --help)");
  }
  if (out.empty()) return Usage(cmd, "--out DIR is required");
  if (seed < 0) return Usage(cmd, "--seed must not be negative");
  auto preset = models::ParseTestModelPreset(preset_name);
  if (!preset.ok()) return Usage(cmd, preset.status().message());
  if (Status s = MakeDirs(out); !s.ok()) return Fail(cmd, s);

  bool tty = ::isatty(STDERR_FILENO) == 1;
  int last = -1;
  auto progress = [&](double fraction) {
    int pct = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100);
    if (pct == last || (!tty && pct / 10 == last / 10 && pct != 100)) return;
    last = pct;
    std::fprintf(stderr, tty ? "\rwriting the test model: %3d%%" : "writing the test model: %d%%\n",
                 pct);
    if (tty && pct == 100) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
  Status s = models::WriteTestModel(out, *preset, static_cast<uint64_t>(seed), progress);
  if (tty && last >= 0 && last < 100) std::fputc('\n', stderr);
  if (!s.ok()) return Fail(cmd, s);
  std::string model = models::ModelFilePath(out, "model.gguf");
  std::string mmproj = models::ModelFilePath(out, "mmproj.gguf");
  std::printf("wrote %s (%s) and %s (%s)\n", model.c_str(),
              FormatBytes(models::RegularFileSize(model).value_or(0)).c_str(), mmproj.c_str(),
              FormatBytes(models::RegularFileSize(mmproj).value_or(0)).c_str());
  return 0;
}

}  // namespace

int RunModelCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  const std::string& sub = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "-h" || sub == "--help" || sub == "help") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (sub == "pull") return RunPull(rest);
  if (sub == "list") return RunList(rest);
  if (sub == "make-test") return RunMakeTest(rest);
  return Usage("model", "unknown command '" + sub + "' (see altscribe model --help)");
}

}  // namespace altscribe::cli
