// atproto/identity/resolver.h — from a DID to the PDS that hosts its repository.
//
// did:plc is looked up in the PLC directory (GET {plc}/{did}); did:web at
// https://{host}/.well-known/did.json. The PDS is the service with id "#atproto_pds" and type
// "AtprotoPersonalDataServer". Results are cached for `ttl`. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "http/client.h"

namespace altscribe::atproto {

struct ResolverOptions {
  std::string plc_url = "https://plc.directory";
  http::Limits limits{.max_bytes = 1'000'000, .timeout = std::chrono::milliseconds(10'000)};
  std::chrono::seconds ttl{600};
  bool allow_http_did_web = false;  // did:web over http (local test networks only)
};

class DidResolver {
 public:
  explicit DidResolver(ResolverOptions options);

  // The PDS service endpoint URL of `did`. Errors: InvalidArgument (not a DID we can resolve),
  // NotFound (no such DID / no PDS service), Network.
  Result<std::string> ResolvePds(const std::string& did);

 private:
  Result<nlohmann::json> FetchDocument(const std::string& did);
  ResolverOptions options_;
  std::mutex mu_;
  struct Entry {
    std::string pds;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, Entry> cache_;  // GUARDED_BY(mu_)
};

// The "#atproto_pds" endpoint of a DID document, or NotFound.
Result<std::string> PdsFromDidDocument(const nlohmann::json& doc);

}  // namespace altscribe::atproto
