// vision/endpoint_model.h — a vision model behind an OpenAI-compatible chat-completions API.
//
// Works with llama.cpp's llama-server, Ollama, vLLM and hosted APIs: POST
// {base}/v1/chat/completions with the image as a JPEG data URL. The base URL may be given with or
// without /v1 or the full /v1/chat/completions path. An API key, when needed, comes from
// ALTSCRIBE_ENDPOINT_KEY (or the file named by ALTSCRIBE_ENDPOINT_KEY_FILE), never from a flag; it
// is never logged.
#pragma once

#include <memory>
#include <string>

#include "http/client.h"
#include "vision/model.h"

namespace altscribe::vision {

struct EndpointOptions {
  std::string url;      // e.g. http://127.0.0.1:8080
  std::string model;    // the endpoint's model name (llama-server ignores it)
  std::string api_key;  // empty = none
  http::Limits limits{.max_bytes = 4'000'000, .timeout = std::chrono::milliseconds(120'000)};
};

class EndpointVisionModel final : public VisionModel {
 public:
  // Validates the URL (http/https) without contacting the server.
  static Result<std::unique_ptr<EndpointVisionModel>> Create(EndpointOptions options);

  // Thread-safe (one HTTP request per call).
  Result<ModelOutput> Generate(const Image& image, const Prompt& prompt, int max_tokens) override;
  std::string Name() const override { return options_.model; }

  const std::string& completions_url() const { return completions_url_; }

 private:
  explicit EndpointVisionModel(EndpointOptions o) : options_(std::move(o)) {}
  EndpointOptions options_;
  std::string completions_url_;
};

// "http://h:1" -> "http://h:1/v1/chat/completions"; "http://h:1/v1" -> ".../v1/chat/completions".
std::string CompletionsUrl(const std::string& base);

}  // namespace altscribe::vision
