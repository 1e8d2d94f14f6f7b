// cli/model_cmd.h — `altscribe model`: the model catalogue, downloads and the test model.
//
//   altscribe model list [--dir DIR]
//       The recommended model pairs (size, CPU or GPU, installed or not in DIR) and any other
//       GGUF files in DIR.
//   altscribe model pull NAME|URL [--sha256 HEX] [--dir DIR]
//       Downloads a catalogue pair, or one GGUF file from an http(s) URL, resumably
//       (models/pull.h). HF_TOKEN / HF_TOKEN_FILE give a Hugging Face token for gated models;
//       HF_ENDPOINT a mirror.
//   altscribe model make-test --out DIR [--preset tiny|llava15-7b] [--seed N]
//       Writes the random-weight test pair DIR/model.gguf + DIR/mmproj.gguf (models/test_model.h).
//
// DIR defaults to models::DefaultModelDir(). Each subcommand has --help. Errors are one line on
// stderr, "altscribe model pull: error: ..."; the exit status is 0 on success, 1 on failure and
// 2 for a usage error.
#pragma once

#include <string>
#include <vector>

namespace altscribe::cli {

// `args` are the arguments after "model" (e.g. {"pull", "smolvlm-256m"}).
int RunModelCommand(const std::vector<std::string>& args);

}  // namespace altscribe::cli
