// altscribe bot — answer mentions on Bluesky with alt text; `altscribe bot status` shows the
// state store.
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/bot.h"
#include "bot/bot_metrics.h"
#include "bot/store.h"
#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/executor_flags.h"
#include "cli/flags.h"
#include "cli/model_flags.h"
#include "core/log.h"
#include "core/text.h"
#include "http/url.h"
#include "jobs/local_executor.h"
#include "serve/server.h"

namespace altscribe::cli {
namespace {

constexpr const char* kHelp =
    R"(Usage: altscribe bot --pds URL --handle HANDLE --state FILE.db [model flags]
       altscribe bot status --state FILE.db [--mention AT-URI] [--json]

Watches the account's mentions and replies to each with alt text for the images of the post the
person means (the mention itself, the post it quotes, or its parent). Every mention's progress is
kept in the state file, so a restart loses nothing and answers nothing twice. The app password
comes from ALTSCRIBE_APP_PASSWORD or the file named by --app-password-file (never a flag value).
SIGTERM or Ctrl-C stops after the step in progress.

Options:
)";

struct BotArgs {
  ModelFlags model;
  ExecutorFlags executor;
  std::string pds, handle, password_file, state, plc = "https://plc.directory";
  int64_t poll_ms = 1000, workers = 2, max_attempts = 5;
  bool allow_private_fetch = false;
  // Courtesy (bot/courtesy.h).
  int64_t limit_per_minute = 4, limit_per_hour = 20, new_account_days = 7,
          new_account_per_minute = 2, new_account_per_hour = 6, repeat_window_s = 3600,
          write_points_per_hour = 4000, write_points_per_day = 28000, max_thread_depth = 30;
  std::string cdn_hosts = "cdn.bsky.app";
  std::string metrics_listen, public_url;
  std::string intake = "notifications", intake_url, jetstream_zstd_dict;  // bot_stream_intake.cc
};

// --public-url: "" (off) or an http(s) URL short enough for its link to fit in a post.
Status CheckPublicUrl(const std::string& url) {
  if (url.empty()) return Status::Ok();
  auto parsed = http::ParseHttpUrl(url);
  if (!parsed.ok() || url.size() > 200) {
    return Status::InvalidArgument("--public-url '" + url +
                                   "' must be an http:// or https:// URL of at most 200 bytes");
  }
  return Status::Ok();
}

std::string FormatMs(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
  return buf;
}

int RunStatus(const std::vector<std::string>& argv) {
  std::string state, mention;
  bool as_json = false;
  FlagSet flags("bot status");
  flags.String("state", &state, "the bot's state file", "FILE");
  flags.String("mention", &mention, "show one mention in detail", "AT-URI");
  flags.Bool("json", &as_json, "print JSON");
  std::vector<std::string> rest;
  if (Status s = flags.Parse(argv, &rest); !s.ok()) {
    PrintError("bot status", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("Usage: altscribe bot status --state FILE [--mention URI] [--json]\n\n%s",
                flags.Usage().c_str());
    return 0;
  }
  if (state.empty()) {
    PrintError("bot status", "--state FILE is required");
    return 2;
  }
  auto store = bot::Store::Open(state);
  if (!store.ok()) {
    PrintError("bot status", store.status().message());
    return 1;
  }
  std::vector<bot::Mention> mentions;
  if (!mention.empty()) {
    auto m = (*store)->GetMention(mention);
    if (!m.ok()) {
      PrintError("bot status", m.status().message());
      return 1;
    }
    mentions.push_back(*m);
  } else {
    auto list = (*store)->List({.limit = 100});
    if (!list.ok()) {
      PrintError("bot status", list.status().message());
      return 1;
    }
    mentions = std::move(list).value();
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : mentions) {
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& p : m.parts) {
      parts.push_back({{"k", p.k},
                       {"rkey", p.rkey},
                       {"state", bot::PartStateName(p.state)},
                       {"uri", p.uri},
                       {"attempts", p.attempts},
                       {"text", p.text}});
    }
    out.push_back({{"uri", m.info.uri},
                   {"author", m.info.author_did},
                   {"state", bot::MentionStateName(m.state)},
                   {"reason", m.reason},
                   {"attempts", m.attempts},
                   {"received", FormatMs(m.received_ms)},
                   {"updated", FormatMs(m.updated_ms)},
                   {"parts", parts}});
  }
  if (as_json) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  for (const auto& m : out) {
    std::printf("%s  %-9s %s%s\n", m["updated"].get<std::string>().c_str(),
                m["state"].get<std::string>().c_str(), m["uri"].get<std::string>().c_str(),
                m["reason"].get<std::string>().empty()
                    ? ""
                    : ("  (" + m["reason"].get<std::string>() + ")").c_str());
    if (!mention.empty()) {
      for (const auto& p : m["parts"]) {
        std::printf("  part %d %-7s %s\n    %s\n", p["k"].get<int>(),
                    p["state"].get<std::string>().c_str(), p["uri"].get<std::string>().c_str(),
                    p["text"].get<std::string>().c_str());
      }
    }
  }
  if (out.empty()) std::printf("no mentions yet\n");
  return 0;
}

}  // namespace

int RunBot(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "status") {
    return RunStatus(std::vector<std::string>(argv.begin() + 1, argv.end()));
  }
  BotArgs a;
  std::string config;
  FlagSet flags("bot");
  flags.String("config", &config, "TOML config file (settings, several [[account]]s)", "FILE");
  flags.String("pds", &a.pds, "the bot account's PDS, e.g. https://bsky.social", "URL");
  flags.String("handle", &a.handle, "the bot account's handle", "HANDLE");
  flags.String("app-password-file", &a.password_file,
               "file holding the app password (or set ALTSCRIBE_APP_PASSWORD)", "FILE");
  flags.String("state", &a.state, "state file (SQLite; created, mode 0600)", "FILE");
  flags.String("plc", &a.plc, "PLC directory for resolving DIDs (default plc.directory)", "URL");
  flags.Int("poll-ms", &a.poll_ms, "milliseconds between notification polls (default 1000)");
  flags.Int("workers", &a.workers, "image worker threads (default 2)");
  flags.Int("max-attempts", &a.max_attempts, "give a mention up after this many tries (5)");
  flags.Bool("allow-private-fetch", &a.allow_private_fetch,
             "fetch images from loopback addresses (local test networks only; other private ranges "
             "stay refused)");
  flags.Int("limit-per-minute", &a.limit_per_minute,
            "answers per requester per minute (4); then one notice, then silence");
  flags.Int("limit-per-hour", &a.limit_per_hour, "answers per requester per hour (20)");
  flags.Int("new-account-days", &a.new_account_days,
            "accounts younger than this many days get the stricter limits below (7)");
  flags.Int("new-account-per-minute", &a.new_account_per_minute,
            "answers per minute for new accounts (2)");
  flags.Int("new-account-per-hour", &a.new_account_per_hour,
            "answers per hour for new accounts (6)");
  flags.Int("repeat-window-s", &a.repeat_window_s,
            "one answer per post per this many seconds; later requests get a link (3600; 0 = "
            "off)");
  flags.Int("write-points-per-hour", &a.write_points_per_hour,
            "PDS write budget per hour (4000; the PDS allows 5000)");
  flags.Int("write-points-per-day", &a.write_points_per_day,
            "PDS write budget per day (28000; the PDS allows 35000)");
  flags.Int("max-thread-depth", &a.max_thread_depth,
            "ignore mentions more than this many replies deep in a thread (30; 0 = no limit)");
  flags.String("cdn-hosts", &a.cdn_hosts,
               "hosts the AppView's image URLs may be fetched from when the author's PDS fails "
               "(comma-separated, *.example allowed; default cdn.bsky.app)",
               "HOSTS");
  flags.String("metrics-listen", &a.metrics_listen,
               "serve GET /metrics (Prometheus) and GET /healthz on this address, e.g. "
               "127.0.0.1:9464 (default: off)",
               "HOST:PORT");
  flags.String("public-url", &a.public_url,
               "where 'altscribe serve --state' serves /d/ID, e.g. https://alt.example: long "
               "replies then link their full description (default: off)",
               "URL");
  flags.String("intake", &a.intake,
               "where mentions come from: notifications (polling), firehose, jetstream "
               "(default notifications)",
               "KIND");
  flags.String("intake-url", &a.intake_url,
               "the relay or PDS (firehose; default the account's PDS) or the Jetstream instance",
               "URL");
  flags.String("jetstream-zstd-dict", &a.jetstream_zstd_dict,
               "Jetstream's zstd dictionary: ask for compressed events (default: uncompressed)",
               "FILE");
  AddModelFlags(flags, &a.model);
  AddExecutorFlags(flags, &a.executor);
  std::vector<std::string> rest;
  if (Status s = flags.Parse(argv, &rest); !s.ok()) {
    PrintError("bot", s.message());
    return 2;
  }
  if (flags.help_requested()) {
    std::printf("%s%s", kHelp, flags.Usage().c_str());
    return 0;
  }
  if (!rest.empty()) {
    PrintError("bot", "unexpected argument '" + rest[0] + "' (see altscribe bot --help)");
    return 2;
  }

  // Accounts: the [[account]] tables of the config file, or the one from the flags.
  struct AccountArgs {
    std::string handle, pds, password_file;
  };
  std::vector<AccountArgs> accounts;
  if (!config.empty()) {
    auto cfg = LoadConfigFile(config);
    if (!cfg.ok()) {
      PrintError("bot", cfg.status().message());
      return 2;
    }
    if (Status s = flags.ApplyDefaults(cfg->settings, config); !s.ok()) {
      PrintError("bot", s.message());
      return 2;
    }
    for (const Settings& acc : cfg->accounts) {
      AccountArgs aa{"", a.pds, ""};
      for (const auto& [k, v] : acc) {
        if (k == "handle")
          aa.handle = v;
        else if (k == "pds")
          aa.pds = v;
        else if (k == "app-password-file")
          aa.password_file = v;
        else {
          PrintError("bot", config + ": unknown [[account]] setting '" + k +
                                "' (handle, pds, app-password-file)");
          return 2;
        }
      }
      accounts.push_back(aa);
    }
  }
  if (accounts.empty()) accounts.push_back({a.handle, a.pds, a.password_file});
  if (a.state.empty()) {
    PrintError("bot", "--state FILE is required (see altscribe bot --help)");
    return 2;
  }
  if (Status s = CheckExecutorFlags(a.executor); !s.ok()) {
    PrintError("bot", s.message());
    return 2;
  }
  const bool local = a.executor.executor == "local";
  if (Status s = local ? CheckModelFlags(a.model) : Status::Ok(); !s.ok()) {
    PrintError("bot", s.message());
    return 2;
  }
  serve::ServerOptions metrics_options;
  metrics_options.describe_api = false;
  metrics_options.threads = 2;
  if (!a.metrics_listen.empty()) {
    if (Status s = serve::ParseListenAddress(a.metrics_listen, &metrics_options.host,
                                             &metrics_options.port);
        !s.ok()) {
      PrintError("bot", "--metrics-listen: " + s.message());
      return 2;
    }
  }
  if (Status s = CheckPublicUrl(a.public_url); !s.ok()) {
    PrintError("bot", s.message());
    return 2;
  }
  auto intake = bot::ParseIntake(a.intake);
  if (!intake.ok() || (*intake == bot::Intake::kJetstream && a.intake_url.empty())) {
    PrintError("bot", intake.ok() ? "--intake jetstream needs --intake-url (a Jetstream instance)"
                                  : "--intake: " + intake.status().message());
    return 2;
  }
  std::vector<std::string> passwords;
  for (const auto& acc : accounts) {
    if (acc.handle.empty() || acc.pds.empty()) {
      PrintError("bot", "every account needs a handle and a PDS (--handle, --pds or [[account]])");
      return 2;
    }
    Result<std::string> secret = acc.password_file.empty() ? ReadSecret("ALTSCRIBE_APP_PASSWORD")
                                                           : ReadSecretFile(acc.password_file);
    if (!secret.ok()) {
      PrintError("bot", secret.status().message());
      return 1;
    }
    if (secret->empty()) {
      PrintError("bot", "no app password for " + acc.handle +
                            ": set ALTSCRIBE_APP_PASSWORD or app-password-file");
      return 2;
    }
    passwords.push_back(*secret);
  }

  // Signals go to one thread, which asks the bots to stop; block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto store = bot::Store::Open(a.state);
  if (!store.ok()) {
    PrintError("bot", store.status().message());
    return 1;
  }
  // The executor: this process's model (local) or a fleet of workers (nats).
  std::unique_ptr<vision::VisionModel> model;
  std::unique_ptr<ocr::OcrEngine> ocr;
  std::unique_ptr<jobs::Executor> executor_owner;
  std::function<size_t()> describe_queue;
  std::string model_name;
  if (local) {
    auto loaded = LoadModel(a.model, nullptr);
    if (!loaded.ok()) {
      PrintError("bot", loaded.status().message());
      return 1;
    }
    model = std::move(loaded).value();
    auto engine = LoadOcr(a.model);
    if (!engine.ok()) {
      PrintError("bot", engine.status().message());
      return 1;
    }
    ocr = std::move(engine).value();
    jobs::LocalExecutorOptions eo;
    eo.threads = static_cast<int>(a.workers);
    eo.ocr = ocr.get();
    auto le = std::make_unique<jobs::LocalExecutor>(*model, eo);
    describe_queue = [e = le.get()] { return e->InFlight(); };
    model_name = model->Name();
    executor_owner = std::move(le);
  } else {
    auto remote = MakeRemoteExecutor(a.executor, a.state, &describe_queue);
    if (!remote.ok()) {
      PrintError("bot", remote.status().message());
      return 1;
    }
    model_name = a.executor.executor == "nats" ? a.executor.fleet_model : "";
    executor_owner = std::move(remote).value();
  }
  {
    auto archived = MaybeArchive(a.executor, std::move(executor_owner));
    if (!archived.ok()) {
      PrintError("bot", archived.status().message());
      return 1;
    }
    executor_owner = std::move(archived).value();
  }
  jobs::Executor& executor = *executor_owner;

  std::vector<std::unique_ptr<bot::Bot>> bots;
  for (size_t i = 0; i < accounts.size(); ++i) {
    bot::BotOptions bo;
    bo.pds_url = accounts[i].pds;
    bo.handle = accounts[i].handle;
    bo.password = passwords[i];
    bo.plc_url = a.plc;
    bo.poll_interval = std::chrono::milliseconds(a.poll_ms);
    bo.max_attempts = static_cast<int>(a.max_attempts);
    bo.allow_private_fetch = a.allow_private_fetch;
    bo.model_name = model_name;
    bo.courtesy.limits = {static_cast<int>(a.limit_per_minute), static_cast<int>(a.limit_per_hour)};
    bo.courtesy.new_account_limits = {static_cast<int>(a.new_account_per_minute),
                                      static_cast<int>(a.new_account_per_hour)};
    bo.courtesy.new_account_days = static_cast<int>(a.new_account_days);
    bo.courtesy.repeat_window_ms = a.repeat_window_s * 1000;
    bo.courtesy.write_points_per_hour = static_cast<int>(a.write_points_per_hour);
    bo.courtesy.write_points_per_day = static_cast<int>(a.write_points_per_day);
    bo.max_thread_depth = static_cast<int>(a.max_thread_depth);
    bo.cdn_hosts.clear();
    for (size_t start = 0; start <= a.cdn_hosts.size();) {
      size_t comma = a.cdn_hosts.find(',', start);
      if (comma == std::string::npos) comma = a.cdn_hosts.size();
      std::string host = CollapseWhitespace(a.cdn_hosts.substr(start, comma - start));
      if (!host.empty()) bo.cdn_hosts.push_back(host);
      start = comma + 1;
    }
    bo.public_url = a.public_url;
    bo.intake = *intake;
    bo.intake_url = a.intake_url;
    bo.jetstream_zstd_dict = a.jetstream_zstd_dict;
    bots.push_back(std::make_unique<bot::Bot>(bo, **store, executor));
  }

  // Metrics: the callbacks read the store, the executor and the bots, so they are declared after
  // them (and destroyed before them).
  std::unique_ptr<bot::BotMetrics> bot_metrics;
  std::unique_ptr<serve::Server> metrics_server;
  if (!a.metrics_listen.empty()) {
    bot::BotMetricsSources sources;
    sources.store = store->get();
    sources.describe_queue = describe_queue;
    sources.mention_queue = [&bots] {
      size_t n = 0;
      for (auto& b : bots) n += b->MentionsInFlight();
      return n;
    };
    sources.describe_workers = static_cast<int>(std::max<int64_t>(1, a.workers));
    sources.mention_workers = static_cast<int>(bots.size()) * bot::BotOptions{}.concurrency;
    bot_metrics = std::make_unique<bot::BotMetrics>(std::move(sources));
    metrics_options.ready = [&bots] {
      for (auto& b : bots) {
        if (!b->ready()) return false;
      }
      return true;
    };
    metrics_server = std::make_unique<serve::Server>(metrics_options);
    if (Status s = metrics_server->Start(); !s.ok()) {
      PrintError("bot", "--metrics-listen: " + s.message());
      return 1;
    }
    LogInfo("metrics on http://" + a.metrics_listen + "/metrics");
  }

  std::thread watcher([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    LogInfo(std::string("got ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
    for (auto& b : bots) b->RequestStop();
  });
  std::vector<Status> results(bots.size());
  std::vector<std::thread> runners;
  for (size_t i = 0; i < bots.size(); ++i) {
    runners.emplace_back([&, i] {
      results[i] = bots[i]->Run();
      if (!results[i].ok()) {
        PrintError("bot", accounts[i].handle + ": " + results[i].message());
        for (auto& b : bots) b->RequestStop();  // one account failing to start stops all
      }
    });
  }
  for (auto& r : runners) r.join();
  pthread_kill(watcher.native_handle(), SIGTERM);  // wake the watcher if nobody signalled
  watcher.join();
  if (metrics_server) metrics_server->Stop();
  executor.Shutdown(std::chrono::seconds(30));
  for (const Status& s : results) {
    if (!s.ok()) return 1;
  }
  return 0;
}

}  // namespace altscribe::cli
