// altscribe serve — the HTTP API, the page for authors, full-description pages and metrics.
#include <signal.h>
#include <algorithm>

#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/model_flags.h"
#include "core/log.h"
#include "serve/access.h"
#include "serve/server.h"

namespace altscribe::cli {
namespace {

constexpr const char* kHelp = R"(Usage: altscribe serve [--listen HOST:PORT] [model flags] [options]

Serves alt text over HTTP (the model is loaded once; /healthz says when it is ready):
  POST /v1/describe   an image as multipart/form-data (field "image"), as the body
                      (Content-Type: image/...), or JSON {"url": "https://..."}; "mode" and
                      "lang" as form fields, JSON fields or query parameters. Answers the JSON
                      of 'altscribe describe --json'; errors are JSON {"error","code","status"}.
  GET  /              a page for authors: choose, drop or paste an image, copy the alt text
  GET  /d/ID          the full description behind a shortened bot reply (needs --state)
  GET  /healthz       200 when ready, 503 while the model loads
  GET  /metrics       Prometheus metrics

Access: API tokens come from ALTSCRIBE_SERVE_TOKEN, or from the file named by
ALTSCRIBE_SERVE_TOKEN_FILE (one token per line), never from a flag. Callers then send
"Authorization: Bearer TOKEN". Without a token only loopback callers may use the API.
URLs are fetched with the bot's limits; private and loopback addresses are refused.

Example:
  altscribe serve --listen 127.0.0.1:8080 --model M.gguf --mmproj P.gguf
  curl -F image=@photo.jpg http://127.0.0.1:8080/v1/describe

Options:
)";

struct ServeArgs {
  ModelFlags model;
  std::string listen = "127.0.0.1:8080", state, mode = "alt", lang = "en";
  std::string allow_hosts;
  int64_t threads = 8, max_mb = 20, timeout = 20, max_tokens = 0, max_side = 2048;
  int64_t max_megapixels = 64;
  int64_t ip_rate = 60, ip_burst = 20, token_rate = 120, token_burst = 30;
  bool allow_private_fetch = false;
};

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string part = s.substr(pos, comma - pos);
    if (!part.empty()) out.push_back(part);
    pos = comma + 1;
  }
  return out;
}

}  // namespace

int RunServe(const std::vector<std::string>& argv) {
  ServeArgs a;
  FlagSet flags("serve");
  flags.String("listen", &a.listen, "address to serve on (default 127.0.0.1:8080)", "HOST:PORT");
  AddModelFlags(flags, &a.model);
  flags.String("state", &a.state, "the bot's state file, for /d/ID pages", "FILE");
  flags.String("mode", &a.mode, "default mode: alt (default), detail, classify or hotdog", "MODE");
  flags.String("lang", &a.lang, "default language (default en)", "CODE");
  // (--threads is the model's CPU threads, from the model flags.)
  flags.Int("http-threads", &a.threads, "HTTP worker threads (default 8)");
  flags.Int("max-mb", &a.max_mb, "largest upload or download in MB (default 20)");
  flags.Int("timeout", &a.timeout, "seconds allowed for each URL download (default 20)");
  flags.Int("max-tokens", &a.max_tokens, "tokens to generate per image (default by mode)");
  flags.Int("max-side", &a.max_side, "downscale images whose longer side is larger (2048)");
  flags.Int("max-megapixels", &a.max_megapixels, "refuse larger images before decoding (64)");
  flags.Int("ip-rate", &a.ip_rate, "requests per minute per client address (60; 0 = no limit)");
  flags.Int("ip-burst", &a.ip_burst, "requests a client address may make at once (20)");
  flags.Int("token-rate", &a.token_rate, "requests per minute per API token (120; 0 = no limit)");
  flags.Int("token-burst", &a.token_burst, "requests a token may make at once (30)");
  flags.String("allow-hosts", &a.allow_hosts,
               "only fetch URLs from these hosts, comma-separated (*.example.com allowed)",
               "HOSTS");
  flags.Bool("allow-private-fetch", &a.allow_private_fetch,
             "fetch URLs on loopback/private addresses (local tests only)");
  std::vector<std::string> rest;
  if (Status s = flags.Parse(argv, &rest); !s.ok()) {
    PrintError("serve", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s%s", kHelp, flags.Usage().c_str());
    return 0;
  }
  auto usage_error = [](const std::string& m) {
    PrintError("serve", m);
    return 2;
  };
  if (!rest.empty()) return usage_error("unexpected argument '" + rest[0] + "'");
  serve::ServerOptions so;
  if (Status s = serve::ParseListenAddress(a.listen, &so.host, &so.port); !s.ok()) {
    return usage_error(s.message());
  }
  auto mode = vision::ParseMode(a.mode);
  if (!mode.ok()) return usage_error(mode.status().message());
  auto lang = vision::Language::Parse(a.lang);
  if (!lang.ok()) return usage_error(lang.status().message());
  if (a.threads <= 0 || a.max_mb <= 0 || a.timeout <= 0 || a.max_side < 0 ||
      a.max_megapixels <= 0 || a.ip_burst <= 0 || a.token_burst <= 0) {
    return usage_error(
        "--threads, --max-mb, --timeout, --max-megapixels and the bursts must be positive");
  }
  if (Status s = CheckModelFlags(a.model); !s.ok()) return usage_error(s.message());
  auto tokens = serve::Access::FromEnvironment();
  if (!tokens.ok()) {
    PrintError("serve", tokens.status().message());
    return 2;
  }

  // With --batch K, K requests must be able to reach the model at once.
  so.threads = static_cast<int>(std::max(a.threads, a.model.batch));
  a.model.max_tokens = static_cast<int>(a.max_tokens);
  so.max_body_bytes = static_cast<uint64_t>(a.max_mb) * 1'000'000;
  so.api.tokens = *tokens;
  so.api.ip_limit = {static_cast<double>(a.ip_rate), static_cast<double>(a.ip_burst)};
  so.api.token_limit = {static_cast<double>(a.token_rate), static_cast<double>(a.token_burst)};
  so.api.fetch.allow_hosts = SplitComma(a.allow_hosts);
  so.api.fetch.limits.max_file_bytes = so.max_body_bytes;
  so.api.fetch.limits.http.max_bytes = so.max_body_bytes;
  so.api.fetch.limits.http.timeout = std::chrono::seconds(a.timeout);
  so.api.fetch.limits.http.block_private_addresses = !a.allow_private_fetch;
  so.api.describe.mode = *mode;
  so.api.describe.lang = *lang;
  so.api.describe.max_tokens = static_cast<int>(a.max_tokens);
  so.api.describe.decode.max_side = static_cast<uint32_t>(a.max_side);
  so.api.describe.decode.max_pixels = static_cast<uint64_t>(a.max_megapixels) * 1'000'000;

  std::unique_ptr<bot::Store> store;
  if (!a.state.empty()) {
    auto opened = bot::Store::Open(a.state);
    if (!opened.ok()) {
      PrintError("serve", opened.status().message());
      return 1;
    }
    store = std::move(opened).value();
    so.descriptions = store.get();
  }

  // Signals go to one thread; block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  // The same engine as describe and the bot: text in images is read by OCR and quoted.
  auto ocr = LoadOcr(a.model);
  if (!ocr.ok()) {
    PrintError("serve", ocr.status().message());
    return 1;
  }
  so.api.describe.ocr = ocr->get();

  serve::Server server(so);
  if (Status s = server.Start(); !s.ok()) {
    PrintError("serve", s.message());
    return 1;
  }
  const std::string where =
      (so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host) + ":" +
      std::to_string(server.port());
  std::fprintf(stderr, "altscribe serve: listening on http://%s/ (%s)\n", where.c_str(),
               tokens->empty() ? "no API token: loopback callers only" : "API token required");
  double load_ms = 0;
  auto model = LoadModel(a.model, &load_ms);
  if (!model.ok()) {
    PrintError("serve", model.status().message());
    server.Stop();
    return 1;
  }
  server.SetModel(model->get(), load_ms);
  std::fprintf(stderr, "altscribe serve: ready (%s loaded in %.0f ms)\n", (*model)->Name().c_str(),
               load_ms);

  int sig = 0;
  sigwait(&sigs, &sig);
  LogInfo(std::string("got ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
  server.Stop();
  return 0;
}

}  // namespace altscribe::cli
