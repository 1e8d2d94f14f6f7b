#include "atproto/identity/resolver.h"

#include <gtest/gtest.h>

#include "http_server.h"

namespace altscribe::atproto {
namespace {

namespace t = altscribe::testing;
using json = nlohmann::json;

const char* kDid = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

json Doc(const std::string& did, const std::string& endpoint) {
  return {{"id", did},
          {"service", json::array({{{"id", "#atproto_pds"},
                                    {"type", "AtprotoPersonalDataServer"},
                                    {"serviceEndpoint", endpoint}}})}};
}

TEST(DidResolver, PlcLookupAndCache) {
  t::HttpServer plc;
  ASSERT_TRUE(plc.Start().ok());
  plc.ServeBytes(std::string("/") + kDid, Doc(kDid, "http://127.0.0.1:2583").dump());
  DidResolver r({.plc_url = plc.Url("")});
  auto pds = r.ResolvePds(kDid);
  ASSERT_TRUE(pds.ok()) << pds.status().message();
  EXPECT_EQ(*pds, "http://127.0.0.1:2583");
  EXPECT_EQ(*r.ResolvePds(kDid), "http://127.0.0.1:2583");
  EXPECT_EQ(plc.RequestCount(std::string("/") + kDid), 1u) << "the second lookup is cached";
}

TEST(DidResolver, Errors) {
  t::HttpServer plc;
  ASSERT_TRUE(plc.Start().ok());
  plc.ServeBytes("/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
                 Doc("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", "https://x").dump());
  plc.ServeBytes("/did:plc:cccccccccccccccccccccccc", "not json");
  DidResolver r({.plc_url = plc.Url("")});
  EXPECT_EQ(r.ResolvePds("did:plc:zzzzzzzzzzzzzzzzzzzzzzzz").status().code(), Code::kNotFound);
  EXPECT_NE(
      r.ResolvePds("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa").status().message().find("different DID"),
      std::string::npos);
  EXPECT_NE(r.ResolvePds("did:plc:cccccccccccccccccccccccc").status().message().find("not JSON"),
            std::string::npos);
  EXPECT_EQ(r.ResolvePds("did:key:z6Mk").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.ResolvePds("did:plc:short").status().code(), Code::kInvalidArgument);
}

TEST(DidResolver, DocumentParsing) {
  EXPECT_EQ(*PdsFromDidDocument(Doc("did:web:a", "https://pds.example")), "https://pds.example");
  json full_id = Doc("did:web:a", "https://pds.example");
  full_id["service"][0]["id"] = "did:web:a#atproto_pds";
  EXPECT_TRUE(PdsFromDidDocument(full_id).ok());
  EXPECT_EQ(PdsFromDidDocument(json::object()).status().code(), Code::kNotFound);
  EXPECT_EQ(PdsFromDidDocument(Doc("did:web:a", "ftp://x")).status().code(),
            Code::kInvalidArgument);
  json wrong_type = Doc("did:web:a", "https://x");
  wrong_type["service"][0]["type"] = "Other";
  EXPECT_EQ(PdsFromDidDocument(wrong_type).status().code(), Code::kNotFound);
}

TEST(DidResolver, DidWeb) {
  t::HttpServer web;
  ASSERT_TRUE(web.Start().ok());
  std::string did = "did:web:127.0.0.1%3A" + std::to_string(web.port());
  web.ServeBytes("/.well-known/did.json", Doc(did, "http://127.0.0.1:1").dump());
  DidResolver r({.allow_http_did_web = true});
  auto pds = r.ResolvePds(did);
  ASSERT_TRUE(pds.ok()) << pds.status().message();
  EXPECT_EQ(*pds, "http://127.0.0.1:1");
}

}  // namespace
}  // namespace altscribe::atproto
