// firehose/repo_stream.cc — see repo_stream.h.
#include "firehose/repo_stream.h"

#include "core/log.h"
#include "firehose/car.h"

namespace altscribe::firehose {
namespace {

std::optional<int64_t> SeqOf(const Frame& frame) {
  if (auto* c = std::get_if<CommitMessage>(&frame)) return c->seq;
  if (auto* s = std::get_if<SyncMessage>(&frame)) return s->seq;
  if (auto* i = std::get_if<IdentityMessage>(&frame)) return i->seq;
  if (auto* a = std::get_if<AccountMessage>(&frame)) return a->seq;
  return std::nullopt;
}

// Every block of `car` matches its CID (firehose/car.h).
Status VerifyBlocks(std::span<const uint8_t> car) {
  auto reader = CarReader::Open(car);
  if (!reader.ok()) return reader.status();
  return reader->ForEach([](const CarBlock&) {});
}

std::string Optional(const std::optional<std::string_view>& s) {
  return s ? ": " + std::string(*s) : std::string();
}

}  // namespace

Result<std::string> RepoStream::SubscribeUrl(std::string_view service,
                                             std::optional<int64_t> cursor) {
  std::string url(service);
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return Status::InvalidArgument("firehose: service URL '" + url + "' has no scheme");
  }
  std::string scheme = url.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = url.substr(scheme_end + 3);
  if (scheme == "http") {
    scheme = "ws";
  } else if (scheme == "https") {
    scheme = "wss";
  } else if (scheme != "ws" && scheme != "wss") {
    return Status::InvalidArgument("firehose: service URL '" + url +
                                   "': want http, https, ws or wss");
  }
  if (rest.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument("firehose: service URL '" + url + "' has a query");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty())
    return Status::InvalidArgument("firehose: service URL '" + url + "' has no host");
  std::string out = scheme + "://" + rest + "/xrpc/com.atproto.sync.subscribeRepos";
  if (cursor) out += "?cursor=" + std::to_string(*cursor);
  return out;
}

RepoStream::RepoStream(RepoStreamOptions options, RepoHandler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      subscription_(
          options_.subscription,
          [this] {
            auto url = SubscribeUrl(options_.service, cursor());
            return url.ok() ? *url : std::string();
          },
          [this](const net::WsMessage& m) { return HandleMessage(m); }) {
  if (options_.cursor) cursor_ = *options_.cursor;
}

void RepoStream::OnDisconnect(std::function<void(const Status&)> fn) {
  subscription_.OnDisconnect(std::move(fn));
}

void RepoStream::OnConnect(std::function<void()> fn) { subscription_.OnConnect(std::move(fn)); }

Status RepoStream::Run() {
  auto url = SubscribeUrl(options_.service, std::nullopt);
  if (!url.ok()) return url.status();
  subscription_.Run();
  return Status::Ok();
}

std::optional<int64_t> RepoStream::cursor() const {
  int64_t c = cursor_.load();
  if (c == kNoCursor) return std::nullopt;
  return c;
}

RepoStreamCounters RepoStream::counters() const {
  net::SubscriptionCounters s = subscription_.counters();
  RepoStreamCounters c;
  c.frames = s.messages;
  c.bytes = s.bytes;
  c.reconnects = s.reconnects;
  c.handled = handled_.load();
  c.duplicates = duplicates_.load();
  c.bad_frames = bad_frames_.load();
  c.ignored = ignored_.load();
  return c;
}

std::string RepoStream::After() const {
  auto c = cursor();
  return c ? "after seq " + std::to_string(*c) : std::string("with no cursor");
}

Status RepoStream::HandleMessage(const net::WsMessage& message) {
  if (!message.binary) {
    bad_frames_++;
    return Status::InvalidArgument("text message of " + std::to_string(message.data.size()) +
                                   " bytes " + After() + " (frames are binary)");
  }
  auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data.data()),
                                        message.data.size());
  auto frame = parser_.Parse(bytes);
  if (!frame.ok()) {
    bad_frames_++;
    return frame.status().WithPrefix("bad frame " + After());
  }
  return HandleFrame(*frame);
}

Status RepoStream::HandleFrame(const Frame& frame) {
  if (auto* error = std::get_if<ErrorFrame>(&frame)) {
    const std::string what = std::string(error->error) + Optional(error->message);
    if (error->is_outdated_cursor()) {
      LogWarn("firehose: error frame OutdatedCursor" + Optional(error->message) +
              "; carrying on from the oldest event the server has");
      return Status::Ok();
    }
    if (error->is_future_cursor()) {
      const std::string was = After();
      cursor_ = kNoCursor;
      if (on_cursor_reset_) on_cursor_reset_();
      return Status::Network("error frame " + what + " (" + was + "); dropping the cursor");
    }
    return Status::Network("error frame " + what + " " + After());
  }
  if (auto* unknown = std::get_if<UnknownMessage>(&frame)) {
    ignored_++;
    LogDebug("firehose: ignoring a frame of op " + std::to_string(unknown->op) + " type '" +
             std::string(unknown->type) + "'");
    return Status::Ok();
  }
  if (auto* info = std::get_if<InfoMessage>(&frame)) {
    if (info->name == "OutdatedCursor") {
      LogWarn("firehose: #info OutdatedCursor" + Optional(info->message) +
              "; carrying on from the oldest event the server has");
    }
    Status st = handler_(frame, 0);
    if (!st.ok()) return st.WithPrefix("handler, #info " + std::string(info->name));
    handled_++;
    return Status::Ok();
  }
  const int64_t seq = *SeqOf(frame);
  if (auto last = cursor(); last && seq <= *last) {
    duplicates_++;
    return Status::Ok();
  }
  if (options_.verify_blocks) {
    std::span<const uint8_t> blocks;
    const char* type = "#sync";
    if (auto* c = std::get_if<CommitMessage>(&frame)) {
      blocks = c->blocks;
      type = "#commit";
    } else if (auto* s = std::get_if<SyncMessage>(&frame)) {
      blocks = s->blocks;
    }
    if (!blocks.empty()) {
      Status st = VerifyBlocks(blocks);
      if (!st.ok()) {
        bad_frames_++;
        return st.WithPrefix("bad frame " + After() + ": " + type + " seq " + std::to_string(seq));
      }
    }
  }
  Status st = handler_(frame, seq);
  if (!st.ok())
    return st.WithPrefix("handler, seq " + std::to_string(seq) + ", resuming " + After());
  cursor_ = seq;
  handled_++;
  return Status::Ok();
}

}  // namespace altscribe::firehose
