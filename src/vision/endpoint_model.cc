#include "vision/endpoint_model.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/base64.h"

namespace altscribe::vision {

using json = nlohmann::json;

std::string CompletionsUrl(const std::string& base) {
  std::string u = base;
  while (!u.empty() && u.back() == '/') u.pop_back();
  auto ends_with = [&](std::string_view s) {
    return u.size() >= s.size() && u.compare(u.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with("/chat/completions")) return u;
  if (ends_with("/v1")) return u + "/chat/completions";
  return u + "/v1/chat/completions";
}

Result<std::unique_ptr<EndpointVisionModel>> EndpointVisionModel::Create(EndpointOptions o) {
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("--endpoint must be an http:// or https:// URL, got '" + o.url +
                                   "'");
  }
  if (o.model.empty()) {
    return Status::InvalidArgument(
        "--endpoint needs --endpoint-model NAME (the model the "
        "server should use)");
  }
  std::unique_ptr<EndpointVisionModel> m(new EndpointVisionModel(std::move(o)));
  m->completions_url_ = CompletionsUrl(m->options_.url);
  return m;
}

Result<ModelOutput> EndpointVisionModel::Generate(const Image& image, const Prompt& prompt,
                                                  int max_tokens) {
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::string jpeg, EncodeJpeg(image, 90));
  json body = {
      {"model", options_.model},
      {"max_tokens", max_tokens},
      {"temperature", 0},
      {"stream", false},
      {"messages",
       json::array(
           {{{"role", "system"}, {"content", prompt.system}},
            {{"role", "user"},
             {"content",
              json::array({{{"type", "text"}, {"text", prompt.user}},
                           {{"type", "image_url"},
                            {"image_url",
                             {{"url", "data:image/jpeg;base64," + Base64Encode(jpeg)}}}}})}}})}};
  http::Request req;
  req.method = "POST";
  req.url = completions_url_;
  req.headers.push_back({"Content-Type", "application/json"});
  if (!options_.api_key.empty())
    req.headers.push_back({"Authorization", "Bearer " + options_.api_key});
  req.body = body.dump();
  auto resp = http::Send(req, options_.limits);
  if (!resp.ok()) return resp.status().WithPrefix("endpoint " + options_.url);

  json answer = json::parse(resp->body, nullptr, /*allow_exceptions=*/false);
  if (resp->status < 200 || resp->status >= 300) {
    std::string why = http::StatusText(resp->status);
    if (answer.is_object() && answer.contains("error")) {
      const json& e = answer["error"];
      if (e.is_object() && e.contains("message") && e["message"].is_string()) {
        why += ": " + e["message"].get<std::string>();
      } else if (e.is_string()) {
        why += ": " + e.get<std::string>();
      }
    }
    return Status::Model("endpoint " + options_.url + " answered " + why);
  }
  if (!answer.is_object() || !answer.contains("choices") || !answer["choices"].is_array() ||
      answer["choices"].empty()) {
    return Status::Model("endpoint " + options_.url +
                         " sent a reply that is not a chat completion (no choices)");
  }
  const json& msg = answer["choices"][0]["message"];
  if (!msg.is_object() || !msg.contains("content") || !msg["content"].is_string()) {
    return Status::Model("endpoint " + options_.url + " sent a chat completion without text");
  }
  ModelOutput out;
  out.text = msg["content"].get<std::string>();
  if (answer.contains("usage") && answer["usage"].is_object()) {
    const json& u = answer["usage"];
    out.prompt_tokens = u.value("prompt_tokens", 0);
    out.generated_tokens = u.value("completion_tokens", 0);
  }
  out.encode_ms = 0;
  out.generate_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace altscribe::vision
