#include "bot/planner.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "atproto/records/views.h"

namespace altscribe::bot {
namespace {

using json = nlohmann::json;
namespace ap = altscribe::atproto;

const char* const kKindNames[] = {"describe", "no_images", "not_found",       "blocked",
                                  "ignore",   "help",      "rate_limited",    "opted_out",
                                  "stopped",  "started",   "already_answered"};

// The label values on a post: its own self-labels and the (non-negated) labels the AppView shows.
std::vector<std::string> LabelValues(const std::vector<std::string>& self,
                                     const std::vector<ap::Label>& applied) {
  std::vector<std::string> out = self;
  for (const ap::Label& l : applied) {
    if (!l.neg) out.push_back(l.val);
  }
  return out;
}

// Images of one post: its record gives blob CIDs, its view gives URLs and alt text.
void AddImages(const std::string& author, const std::vector<ap::ImageItem>& items,
               const std::vector<ap::ImageView>& views, std::vector<PlannedImage>* out) {
  for (size_t i = 0; i < items.size() || i < views.size(); ++i) {
    PlannedImage img;
    img.author_did = author;
    if (i < items.size()) {
      img.cid = items[i].image.cid.str();
      img.mime = items[i].image.mime_type;
      img.existing_alt = items[i].alt;
    }
    if (i < views.size()) {
      img.url = views[i].fullsize.empty() ? views[i].thumb : views[i].fullsize;
      if (img.existing_alt.empty()) img.existing_alt = views[i].alt;
    }
    out->push_back(std::move(img));
  }
}

// The media of a post (record + view), if any.
void MediaImages(const std::string& author, const ap::MediaEmbed* record_media,
                 const ap::MediaView* view_media, std::vector<PlannedImage>* out) {
  const std::vector<ap::ImageItem> none;
  const std::vector<ap::ImageView> no_views;
  if (record_media) {
    if (auto* im = std::get_if<ap::ImagesEmbed>(record_media)) {
      auto* v = view_media ? std::get_if<ap::ImagesView>(view_media) : nullptr;
      AddImages(author, im->images, v ? v->images : no_views, out);
      return;
    }
    if (auto* g = std::get_if<ap::GalleryEmbed>(record_media)) {
      auto* v = view_media ? std::get_if<ap::GalleryView>(view_media) : nullptr;
      AddImages(author, g->items, v ? v->items : no_views, out);
      return;
    }
    if (auto* ext = std::get_if<ap::ExternalEmbed>(record_media); ext && ext->thumb) {
      PlannedImage img{author, ext->thumb->cid.str(), ext->thumb->mime_type, "", "", false};
      if (auto* v = view_media ? std::get_if<ap::ExternalView>(view_media) : nullptr) {
        img.url = v->thumb;
      }
      out->push_back(std::move(img));
      return;
    }
    if (std::get_if<ap::VideoEmbed>(record_media)) {
      auto* v = view_media ? std::get_if<ap::VideoView>(view_media) : nullptr;
      if (v && !v->thumbnail.empty()) {
        out->push_back({author, "", "image/jpeg", v->thumbnail, v->alt.value_or(""), true});
      }
      return;
    }
  }
}

ap::MediaEmbed ToMedia(const ap::Embed& e, bool* ok) {
  *ok = true;
  if (auto* x = std::get_if<ap::ImagesEmbed>(&e)) return *x;
  if (auto* x = std::get_if<ap::GalleryEmbed>(&e)) return *x;
  if (auto* x = std::get_if<ap::VideoEmbed>(&e)) return *x;
  if (auto* x = std::get_if<ap::ExternalEmbed>(&e)) return *x;
  *ok = false;
  return ap::UnknownEmbed{};
}

ap::MediaView ToMediaView(const ap::EmbedView& e, bool* ok) {
  *ok = true;
  if (auto* x = std::get_if<ap::ImagesView>(&e.value)) return *x;
  if (auto* x = std::get_if<ap::GalleryView>(&e.value)) return *x;
  if (auto* x = std::get_if<ap::VideoView>(&e.value)) return *x;
  if (auto* x = std::get_if<ap::ExternalView>(&e.value)) return *x;
  *ok = false;
  return ap::UnknownView{};
}

// The images a post shows itself (its own media, including recordWithMedia's media).
std::vector<PlannedImage> OwnImages(const std::string& author, const ap::Post& post,
                                    const std::optional<ap::EmbedView>& view) {
  std::vector<PlannedImage> out;
  if (!post.embed) return out;
  const ap::MediaView* vm = nullptr;
  ap::MediaView view_media;
  if (view) {
    bool ok = false;
    if (auto* rwm = std::get_if<ap::RecordWithMediaView>(&view->value)) {
      view_media = rwm->media;
      ok = true;
    } else {
      view_media = ToMediaView(*view, &ok);
    }
    if (ok) vm = &view_media;
  }
  if (auto* rwm = std::get_if<ap::RecordWithMediaEmbed>(&*post.embed)) {
    MediaImages(author, &rwm->media, vm, &out);
  } else {
    bool ok = false;
    ap::MediaEmbed m = ToMedia(*post.embed, &ok);
    if (ok) MediaImages(author, &m, vm, &out);
  }
  return out;
}

}  // namespace

const char* PlanKindName(Plan::Kind kind) { return kKindNames[static_cast<int>(kind)]; }

std::string Plan::ToJsonText() const {
  json imgs = json::array();
  for (const auto& i : images) {
    imgs.push_back({{"did", i.author_did},
                    {"cid", i.cid},
                    {"mime", i.mime},
                    {"url", i.url},
                    {"alt", i.existing_alt},
                    {"video", i.video_thumbnail}});
  }
  return json{{"kind", PlanKindName(kind)},
              {"reason", reason},
              {"target", target_uri},
              {"mode", vision::ModeName(command.mode)},
              {"again", command.again},
              {"lang", lang},
              {"text_langs", text_langs},
              {"requester", requester_did},
              {"target_author", target_author_did},
              {"labels", labels},
              {"earlier_mention", earlier_mention},
              {"images", imgs}}
      .dump();
}

Result<Plan> Plan::FromJsonText(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Internal("stored plan is not a JSON object");
  Plan p;
  try {
    std::string kind = j.at("kind");
    bool found = false;
    for (int k = 0; k < static_cast<int>(std::size(kKindNames)); ++k) {
      if (kind == kKindNames[k]) {
        p.kind = static_cast<Kind>(k);
        found = true;
      }
    }
    if (!found) return Status::Internal("stored plan has unknown kind " + kind);
    p.reason = j.value("reason", "");
    p.target_uri = j.value("target", "");
    auto mode = vision::ParseMode(j.value("mode", "alt"));
    if (!mode.ok()) return mode.status();
    p.command.mode = *mode;
    p.command.again = j.value("again", false);
    p.lang = j.value("lang", "en");
    p.text_langs = j.value("text_langs", std::vector<std::string>{});
    p.requester_did = j.value("requester", "");
    p.target_author_did = j.value("target_author", "");
    p.labels = j.value("labels", std::vector<std::string>{});
    p.earlier_mention = j.value("earlier_mention", "");
    for (const auto& i : j.at("images")) {
      p.images.push_back(
          {i.at("did"), i.at("cid"), i.at("mime"), i.at("url"), i.at("alt"), i.at("video")});
    }
  } catch (const json::exception& e) {
    return Status::Internal(std::string("stored plan is malformed: ") + e.what());
  }
  return p;
}

Planner::Planner(atproto::Agent& agent, std::string bot_did, int max_thread_depth)
    : agent_(agent), bot_did_(std::move(bot_did)), max_thread_depth_(max_thread_depth) {}

Result<Plan> Planner::PlanMention(const std::string& mention_uri) {
  Plan plan;
  ASSIGN_OR_RETURN(json out, agent_.Query("app.bsky.feed.getPosts", {{"uris", mention_uri}}));
  auto posts = ap::ParseGetPostsOutput(out);
  if (!posts.ok()) return posts.status().WithPrefix("getPosts " + mention_uri);
  for (int wait = 0; posts->empty() && exists_; ++wait) {
    ASSIGN_OR_RETURN(bool exists, exists_(mention_uri));
    if (!exists) break;
    if (wait == 20) {
      return Status::Network("getPosts " + mention_uri + ": not indexed by the AppView yet");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSIGN_OR_RETURN(out, agent_.Query("app.bsky.feed.getPosts", {{"uris", mention_uri}}));
    posts = ap::ParseGetPostsOutput(out);
    if (!posts.ok()) return posts.status().WithPrefix("getPosts " + mention_uri);
  }
  if (posts->empty()) {
    plan.kind = Plan::Kind::kIgnore;
    plan.reason = "the mention was deleted before it was read";
    return plan;
  }
  const ap::PostView& m = (*posts)[0];
  const std::string author = m.author.did.str();
  if (author == bot_did_) {
    plan.kind = Plan::Kind::kIgnore;
    plan.reason = "the bot's own post";
    return plan;
  }
  if (m.author.HasLabel("bot") ||
      std::find(m.record.labels.begin(), m.record.labels.end(), "bot") != m.record.labels.end()) {
    plan.kind = Plan::Kind::kIgnore;
    plan.reason = "the author is labelled as a bot";
    return plan;
  }
  auto bot = ap::Did::Parse(bot_did_);
  if (!bot.ok() || !ap::MentionsDid(m.record, *bot)) {
    plan.kind = Plan::Kind::kIgnore;
    plan.reason = "the post does not mention the bot (no mention facet)";
    return plan;
  }
  if (max_thread_depth_ > 0 && m.record.reply) {
    // Count the mention's ancestors, one more than allowed at most.
    ASSIGN_OR_RETURN(json t,
                     agent_.Query("app.bsky.feed.getPostThread",
                                  {{"uri", mention_uri},
                                   {"depth", "0"},
                                   {"parentHeight", std::to_string(max_thread_depth_ + 1)}}));
    int depth = 0;
    const json* node = t.contains("thread") ? &t["thread"] : nullptr;
    while (node && node->is_object() && node->contains("parent")) {
      ++depth;
      node = &(*node)["parent"];
    }
    if (depth > max_thread_depth_) {
      plan.kind = Plan::Kind::kIgnore;
      plan.reason = "the mention is more than " + std::to_string(max_thread_depth_) +
                    " replies deep in its thread";
      return plan;
    }
  }
  plan.requester_did = author;
  plan.command = ParseCommand(m.record.text);
  plan.lang = plan.command.lang.value_or(m.record.langs.empty() ? "en" : m.record.langs[0]);
  if (auto l = vision::Language::Parse(plan.lang); l.ok()) {
    plan.lang = l->tag;
  } else {
    plan.lang = "en";
  }
  if (plan.command.help || plan.command.stop || plan.command.start) {
    plan.kind = Plan::Kind::kHelp;
    return plan;
  }

  // 1. The mention's own images.
  plan.images = OwnImages(author, m.record, m.embed);
  if (!plan.images.empty()) {
    plan.target_uri = mention_uri;
    plan.text_langs = m.record.langs;
    plan.target_author_did = author;
    plan.labels = LabelValues(m.record.labels, m.labels);
    return plan;
  }
  // 2. The quoted post.
  if (m.embed) {
    const ap::RecordView* rv = std::get_if<ap::RecordView>(&m.embed->value);
    if (auto* rwm = std::get_if<ap::RecordWithMediaView>(&m.embed->value)) rv = &rwm->record;
    if (rv) {
      if (auto* vr = std::get_if<ap::ViewRecord>(&rv->record)) {
        plan.target_uri = vr->uri.ToString();
        if (vr->post) {
          std::optional<ap::EmbedView> ev;
          if (!vr->embeds.empty()) ev = vr->embeds[0];
          plan.images = OwnImages(vr->author.did.str(), *vr->post, ev);
          plan.text_langs = vr->post->langs;
          plan.target_author_did = vr->author.did.str();
          plan.labels = LabelValues(vr->post->labels, vr->labels);
        }
        plan.kind = plan.images.empty() ? Plan::Kind::kNoImages : Plan::Kind::kDescribe;
        return plan;
      }
      if (std::get_if<ap::ViewBlocked>(&rv->record)) {
        plan.kind = Plan::Kind::kBlocked;
        plan.reason = "the quoted post is blocked";
        return plan;
      }
      if (std::get_if<ap::ViewNotFound>(&rv->record) ||
          std::get_if<ap::ViewDetached>(&rv->record)) {
        plan.kind = Plan::Kind::kNotFound;
        plan.reason = "the quoted post was deleted";
        return plan;
      }
    }
  }
  // 3. The parent.
  if (!m.record.reply) {
    plan.kind = Plan::Kind::kNoImages;
    return plan;
  }
  std::string parent_uri = m.record.reply->parent.uri.ToString();
  plan.target_uri = parent_uri;
  auto thread = agent_.Query("app.bsky.feed.getPostThread",
                             {{"uri", parent_uri}, {"depth", "0"}, {"parentHeight", "0"}});
  if (!thread.ok() && thread.status().code() == Code::kNotFound) {
    plan.kind = Plan::Kind::kNotFound;  // the AppView answers 400 NotFound for deleted posts
    plan.reason = "the parent post was deleted";
    return plan;
  }
  if (!thread.ok()) return thread.status();
  auto node = ap::ParseGetPostThreadOutput(*thread);
  if (!node.ok()) return node.status().WithPrefix("getPostThread " + parent_uri);
  if (auto* tv = std::get_if<ap::ThreadViewPost>(&node->value)) {
    plan.images = OwnImages(tv->post.author.did.str(), tv->post.record, tv->post.embed);
    plan.text_langs = tv->post.record.langs;
    plan.target_author_did = tv->post.author.did.str();
    plan.labels = LabelValues(tv->post.record.labels, tv->post.labels);
    plan.kind = plan.images.empty() ? Plan::Kind::kNoImages : Plan::Kind::kDescribe;
  } else if (std::get_if<ap::BlockedPost>(&node->value)) {
    plan.kind = Plan::Kind::kBlocked;
    plan.reason = "the parent post is blocked";
  } else {
    plan.kind = Plan::Kind::kNotFound;
    plan.reason = "the parent post was deleted";
  }
  return plan;
}

}  // namespace altscribe::bot
