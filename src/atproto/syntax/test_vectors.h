// atproto/syntax/test_vectors.h — reads the shared syntax test vectors in testdata/atproto/.
// For tests only. A vector file has one vector per line; blank lines and lines starting with '#'
// are skipped; spaces are kept (some invalid vectors are about spaces).
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_env.h"

namespace altscribe::atproto::testing {

inline std::vector<std::string> ReadVectors(const std::string& name) {
  std::string path = altscribe::testing::TestDataDir() + "/atproto/" + name;
  std::string data = altscribe::testing::ReadWholeFile(path);
  EXPECT_FALSE(data.empty()) << "no test vectors in " << path;
  std::vector<std::string> out;
  std::istringstream in(data);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

// Checks that Parse accepts every vector of `valid_file` and refuses every vector of
// `invalid_file` with InvalidArgument.
template <typename T>
void CheckVectors(const std::string& valid_file, const std::string& invalid_file) {
  auto valid = ReadVectors(valid_file);
  EXPECT_GE(valid.size(), 5u);
  for (const std::string& s : valid) {
    auto r = T::Parse(s);
    EXPECT_TRUE(r.ok()) << valid_file << ": '" << s << "': " << r.status().message();
  }
  auto invalid = ReadVectors(invalid_file);
  EXPECT_GE(invalid.size(), 5u);
  for (const std::string& s : invalid) {
    auto r = T::Parse(s);
    EXPECT_FALSE(r.ok()) << invalid_file << ": '" << s << "' parsed";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << s;
      EXPECT_FALSE(r.status().message().empty()) << s;
    }
  }
}

}  // namespace altscribe::atproto::testing
