// car_fuzz — libFuzzer target for firehose/car.h: open, then read and verify every block.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "firehose/car.h"

using namespace altscribe::firehose;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  auto car = CarReader::Open(in);
  if (!car.ok()) return 0;
  for (const CidRef& root : car->roots()) {
    if (root.ToString().empty()) abort();
  }
  altscribe::Status st = car->ForEach([&](const CarBlock& block) {
    // Blocks are views inside the input, and their hash was checked.
    if (block.data.data() < data || block.data.data() + block.data.size() > data + size) abort();
    if (!block.cid.MatchesSha256(block.data)) abort();
  });
  (void)st;
  return 0;
}
