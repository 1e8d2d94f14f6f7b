// firehose/jetstream_consumer.cc — see jetstream_consumer.h.
#include "firehose/jetstream_consumer.h"

#include "core/log.h"

namespace altscribe::firehose {

Result<std::string> JetstreamConsumer::SubscribeUrl(std::string_view service,
                                                    const std::vector<std::string>& collections,
                                                    std::optional<int64_t> cursor_us,
                                                    bool compress) {
  std::string url(service);
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return Status::InvalidArgument("jetstream: service URL '" + url + "' has no scheme");
  }
  std::string scheme = url.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = url.substr(scheme_end + 3);
  if (scheme == "http") scheme = "ws";
  if (scheme == "https") scheme = "wss";
  if (scheme != "ws" && scheme != "wss") {
    return Status::InvalidArgument("jetstream: service URL '" + url +
                                   "': want http, https, ws or wss");
  }
  if (rest.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument("jetstream: service URL '" + url + "' has a query");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty())
    return Status::InvalidArgument("jetstream: service URL '" + url + "' has no host");
  std::string out = scheme + "://" + rest + "/subscribe";
  char sep = '?';
  for (const std::string& c : collections) {
    // NSIDs (and their ".*" prefixes) need no %-encoding; refuse anything else.
    for (char ch : c) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '*') {
        return Status::InvalidArgument("jetstream: bad collection '" + c + "'");
      }
    }
    out += sep + std::string("wantedCollections=") + c;
    sep = '&';
  }
  if (cursor_us) {
    out += sep + std::string("cursor=") + std::to_string(*cursor_us);
    sep = '&';
  }
  if (compress) out += sep + std::string("compress=true");
  return out;
}

JetstreamConsumer::JetstreamConsumer(JetstreamOptions options, JetstreamHandler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      subscription_(
          options_.subscription, [this] { return NextUrl(); },
          [this](const net::WsMessage& m) { return HandleMessage(m); }),
      floor_(options_.cursor_us.value_or(kNone)) {
  if (options_.cursor_us) last_ = *options_.cursor_us;
}

void JetstreamConsumer::OnDisconnect(std::function<void(const Status&)> fn) {
  subscription_.OnDisconnect(std::move(fn));
}

void JetstreamConsumer::OnConnect(std::function<void()> fn) {
  subscription_.OnConnect(std::move(fn));
}

std::string JetstreamConsumer::NextUrl() const {
  std::optional<int64_t> from;
  if (auto last = cursor()) from = std::max<int64_t>(0, *last - options_.rewind.count());
  auto url = SubscribeUrl(options_.service, options_.wanted_collections, from,
                          !options_.zstd_dictionary.empty());
  return url.ok() ? *url : std::string();
}

Status JetstreamConsumer::Run() {
  auto url = SubscribeUrl(options_.service, options_.wanted_collections, std::nullopt, false);
  if (!url.ok()) return url.status();
  if (!options_.zstd_dictionary.empty() && !zstd_) {
    auto d = ZstdDictDecoder::Load(options_.zstd_dictionary, options_.max_event_bytes);
    if (!d.ok()) return d.status().WithPrefix("jetstream");
    zstd_ = std::move(*d);
  }
  subscription_.Run();
  return Status::Ok();
}

std::optional<int64_t> JetstreamConsumer::cursor() const {
  int64_t last = last_.load();
  if (last == kNone) return std::nullopt;
  return last;
}

JetstreamCounters JetstreamConsumer::counters() const {
  net::SubscriptionCounters s = subscription_.counters();
  JetstreamCounters c;
  c.messages = s.messages;
  c.bytes = s.bytes;
  c.reconnects = s.reconnects;
  c.handled = handled_.load();
  c.duplicates = duplicates_.load();
  c.bad_messages = bad_messages_.load();
  c.ignored = ignored_.load();
  return c;
}

Status JetstreamConsumer::HandleMessage(const net::WsMessage& message) {
  std::string_view text = message.data;
  if (message.binary) {
    if (!zstd_) {
      bad_messages_++;
      return Status::InvalidArgument("binary message of " + std::to_string(message.data.size()) +
                                     " bytes, but no zstd dictionary was given");
    }
    Status st = zstd_->Decompress(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data.data()),
                                 message.data.size()),
        &scratch_);
    if (!st.ok()) {
      bad_messages_++;
      return st;
    }
    text = scratch_;
  }
  auto parsed = ParseJetstreamEvent(text);
  if (!parsed.ok()) {
    bad_messages_++;
    return parsed.status();
  }
  if (!parsed->has_value()) {
    ignored_++;
    return Status::Ok();
  }
  const JetstreamEvent& ev = **parsed;
  Key key{ev.time_us, ev.did,
          ev.commit ? ev.commit->rkey
                    : (ev.kind == JetstreamEvent::Kind::kIdentity ? "#identity" : "#account")};
  const int64_t last = last_.load();
  const int64_t window_start = last == kNone ? kNone : last - options_.rewind.count();
  if (ev.time_us <= floor_ || (last != kNone && ev.time_us < window_start) || seen_.count(key)) {
    duplicates_++;
    return Status::Ok();
  }
  Status st = handler_(ev);
  if (!st.ok()) {
    return st.WithPrefix("handler, event " + std::to_string(ev.time_us) + " of " + ev.did);
  }
  handled_++;
  seen_.insert(std::move(key));
  if (last == kNone || ev.time_us > last) {
    last_ = ev.time_us;
    const int64_t start = ev.time_us - options_.rewind.count();
    while (!seen_.empty() && std::get<0>(*seen_.begin()) < start) seen_.erase(seen_.begin());
  }
  return Status::Ok();
}

}  // namespace altscribe::firehose
