#include "atproto/syntax/at_uri.h"

#include "core/text.h"

namespace altscribe::atproto {
namespace {

Status Invalid(std::string_view s, const std::string& why) {
  return Status::InvalidArgument("invalid AT-URI '" + std::string(Utf8Prefix(s, 120)) +
                                 "': " + why);
}

}  // namespace

Result<AtUri> AtUri::Parse(std::string_view s) {
  if (s.size() > kMaxLength) return Invalid(s, "longer than 8192 characters");
  constexpr std::string_view kScheme = "at://";
  if (s.substr(0, kScheme.size()) != kScheme) return Invalid(s, "must start with 'at://'");
  std::string_view rest = s.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Invalid(s, "query and fragment are not supported");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return Invalid(s, "empty authority");
  auto id = AtIdentifier::Parse(authority);
  if (!id.ok()) return Invalid(s, id.status().message());
  AtUri uri(std::move(id).value());
  if (slash == std::string_view::npos) return uri;

  rest = rest.substr(slash + 1);
  slash = rest.find('/');
  std::string_view collection = rest.substr(0, slash);
  if (collection.empty()) return Invalid(s, "empty collection (no trailing '/' allowed)");
  auto nsid = Nsid::Parse(collection);
  if (!nsid.ok()) return Invalid(s, nsid.status().message());
  uri.collection_ = std::move(nsid).value();
  if (slash == std::string_view::npos) return uri;

  std::string_view rkey = rest.substr(slash + 1);
  if (rkey.empty()) return Invalid(s, "empty record key (no trailing '/' allowed)");
  if (rkey.find('/') != std::string_view::npos) return Invalid(s, "too many path segments");
  auto key = RecordKey::Parse(rkey);
  if (!key.ok()) return Invalid(s, key.status().message());
  uri.rkey_ = std::move(key).value();
  return uri;
}

AtUri AtUri::ForRecord(AtIdentifier authority, Nsid collection, RecordKey rkey) {
  AtUri uri(std::move(authority));
  uri.collection_ = std::move(collection);
  uri.rkey_ = std::move(rkey);
  return uri;
}

std::string AtUri::ToString() const {
  std::string s = "at://" + authority_.str();
  if (collection_) s += "/" + collection_->str();
  if (rkey_) s += "/" + rkey_->str();
  return s;
}

}  // namespace altscribe::atproto
