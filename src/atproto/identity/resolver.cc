#include "atproto/identity/resolver.h"

namespace altscribe::atproto {

Result<std::string> PdsFromDidDocument(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("service") || !doc["service"].is_array()) {
    return Status::NotFound("the DID document lists no services");
  }
  for (const auto& s : doc["service"]) {
    if (!s.is_object()) continue;
    std::string id = s.value("id", std::string());
    std::string type = s.value("type", std::string());
    bool pds_id = id == "#atproto_pds" || (id.size() > 12 && id.ends_with("#atproto_pds"));
    if (pds_id && type == "AtprotoPersonalDataServer" && s.contains("serviceEndpoint") &&
        s["serviceEndpoint"].is_string()) {
      std::string url = s["serviceEndpoint"];
      if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        return Status::InvalidArgument("the DID document's PDS endpoint is not an http(s) URL");
      }
      return url;
    }
  }
  return Status::NotFound("the DID document has no #atproto_pds service");
}

DidResolver::DidResolver(ResolverOptions options) : options_(std::move(options)) {
  while (!options_.plc_url.empty() && options_.plc_url.back() == '/') options_.plc_url.pop_back();
}

Result<nlohmann::json> DidResolver::FetchDocument(const std::string& did) {
  std::string url;
  if (did.rfind("did:plc:", 0) == 0 && did.size() == 32) {
    url = options_.plc_url + "/" + did;
  } else if (did.rfind("did:web:", 0) == 0 && did.size() > 8 &&
             did.find(':', 8) == std::string::npos) {
    std::string host = did.substr(8);
    for (size_t p; (p = host.find("%3A")) != std::string::npos;) host.replace(p, 3, ":");
    url = (options_.allow_http_did_web ? "http://" : "https://") + host + "/.well-known/did.json";
  } else {
    return Status::InvalidArgument("cannot resolve '" + did + "' (only did:plc and did:web)");
  }
  auto r = http::Get(url, options_.limits);
  if (!r.ok()) return r.status().WithPrefix("resolving " + did);
  if (r->status == 404 || r->status == 410) return Status::NotFound("no such DID: " + did);
  if (r->status != 200) {
    return Status::Network("resolving " + did + ": " + http::StatusText(r->status));
  }
  auto doc = nlohmann::json::parse(r->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Network("resolving " + did + ": the DID document is not JSON");
  }
  if (doc.value("id", std::string()) != did) {
    return Status::Network("resolving " + did + ": the document is for a different DID");
  }
  return doc;
}

Result<std::string> DidResolver::ResolvePds(const std::string& did) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = cache_.find(did); it != cache_.end() && it->second.expires > now) {
      return it->second.pds;
    }
  }
  ASSIGN_OR_RETURN(nlohmann::json doc, FetchDocument(did));
  auto pds = PdsFromDidDocument(doc);
  if (!pds.ok()) return pds.status().WithPrefix(did);
  std::lock_guard<std::mutex> lock(mu_);
  cache_[did] = {*pds, now + options_.ttl};
  return *pds;
}

}  // namespace altscribe::atproto
