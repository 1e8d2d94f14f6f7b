// atproto/records/fixtures_test_util.h — loads the JSON fixtures in testdata/atproto/records/.
// For tests only.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/test_env.h"

namespace altscribe::atproto::testing {

inline nlohmann::json LoadFixture(const std::string& name) {
  std::string path = altscribe::testing::TestDataDir() + "/atproto/records/" + name;
  std::string data = altscribe::testing::ReadWholeFile(path);
  EXPECT_FALSE(data.empty()) << "missing fixture " << path;
  return nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
}

}  // namespace altscribe::atproto::testing
