#include "firehose/car.h"

#include <gtest/gtest.h>

#include "firehose/test_encoder.h"

namespace altscribe::firehose {
namespace {

using testing::CborWriter;
using testing::CidFor;
using testing::MakeCar;
using testing::PutVarint;

std::vector<uint8_t> Record(std::string_view text) {
  CborWriter w;
  w.Map(2).Text("text").Text(text).Text("$type").Text("app.bsky.feed.post");
  return w.Take();
}

std::string OpenError(const std::vector<uint8_t>& car) {
  auto r = CarReader::Open(car);
  return r.ok() ? "" : r.status().message();
}

// Reads every block; returns the first error or "".
std::string ReadError(const std::vector<uint8_t>& car) {
  auto r = CarReader::Open(car);
  if (!r.ok()) return r.status().message();
  Status st = r->ForEach([](const CarBlock&) {});
  return st.ok() ? "" : st.message();
}

TEST(CarTest, ReadsRootsAndVerifiedBlocks) {
  std::vector<std::vector<uint8_t>> blocks = {Record("one"), Record("two"), {0xDE, 0xAD}};
  std::vector<uint8_t> root = CidFor(blocks[0]);
  std::vector<uint8_t> car = MakeCar({root}, blocks);
  auto reader = CarReader::Open(car);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  ASSERT_EQ(reader->roots().size(), 1u);
  EXPECT_EQ(
      std::vector<uint8_t>(reader->roots()[0].bytes().begin(), reader->roots()[0].bytes().end()),
      root);
  size_t i = 0;
  while (!reader->done()) {
    auto block = reader->Next();
    ASSERT_TRUE(block.ok()) << block.status().message();
    ASSERT_LT(i, blocks.size());
    EXPECT_EQ(std::vector<uint8_t>(block->data.begin(), block->data.end()), blocks[i]);
    EXPECT_EQ(block->cid.codec(), 0x71u);
    EXPECT_GE(block->data.data(), car.data());  // a view into the CAR
    EXPECT_LT(block->data.data(), car.data() + car.size());
    ++i;
  }
  EXPECT_EQ(i, blocks.size());
}

TEST(CarTest, EmptyCarHasNoBlocks) {
  auto reader = CarReader::Open(MakeCar({}, {}));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_TRUE(reader->roots().empty());
  EXPECT_TRUE(reader->done());
}

TEST(CarTest, HashMismatch) {
  std::vector<uint8_t> car = MakeCar({}, {Record("hello")});
  car.back() ^= 1;  // flip a bit of the block: its CID no longer matches
  std::string err = ReadError(car);
  EXPECT_NE(err.find("does not match its CID's sha-256"), std::string::npos) << err;
  EXPECT_EQ(err.rfind("CAR: byte ", 0), 0u) << err;
}

TEST(CarTest, TruncatedSection) {
  std::vector<uint8_t> car = MakeCar({}, {Record("hello")});
  car.pop_back();
  std::string err = ReadError(car);
  EXPECT_NE(err.find("bytes, but only"), std::string::npos) << err;
}

TEST(CarTest, BadHeaders) {
  EXPECT_EQ(OpenError({}), "CAR: byte 0: header length: truncated varint");
  EXPECT_EQ(OpenError({0x80, 0x00}), "CAR: byte 0: header length: varint not in shortest form");
  EXPECT_EQ(OpenError({0x05, 0xA0}), "CAR: byte 1: header of 5 bytes, but only 1 bytes left");
  CborWriter v2;
  v2.Map(2).Text("roots").Array(0).Text("version").Int(2);
  std::vector<uint8_t> car;
  PutVarint(&car, v2.bytes().size());
  car.insert(car.end(), v2.bytes().begin(), v2.bytes().end());
  EXPECT_EQ(OpenError(car), "CAR: byte 1: CAR version 2, expected 1");
  CborWriter unsorted;
  unsorted.Map(2).Text("version").Int(1).Text("roots").Array(0);
  car.clear();
  PutVarint(&car, unsorted.bytes().size());
  car.insert(car.end(), unsorted.bytes().begin(), unsorted.bytes().end());
  EXPECT_EQ(OpenError(car),
            "CAR: byte 1: header: cbor: byte 10: map key \"roots\" out of order (keys sort by "
            "length, then bytewise)");
}

TEST(CarTest, LengthClaiming4GB) {
  std::vector<uint8_t> car = MakeCar({}, {});
  PutVarint(&car, 0xFFFFFFFFull);
  car.push_back(0x01);
  std::string err = ReadError(car);
  EXPECT_NE(err.find("section of 4294967295 bytes, over the 2097152-byte limit"), std::string::npos)
      << err;
  std::vector<uint8_t> header;
  PutVarint(&header, 0xFFFFFFFFull);
  EXPECT_EQ(OpenError(header), "CAR: header of 4294967295 bytes, over the 65536-byte limit");
}

TEST(CarTest, RefusesNonAtprotoCids) {
  std::vector<uint8_t> block = {1, 2, 3};
  std::vector<uint8_t> cid = CidFor(block, 0x70);  // dag-pb
  std::vector<uint8_t> car = MakeCar({}, {});
  PutVarint(&car, cid.size() + block.size());
  car.insert(car.end(), cid.begin(), cid.end());
  car.insert(car.end(), block.begin(), block.end());
  std::string err = ReadError(car);
  EXPECT_NE(err.find("CID codec 0x70, hash 0x12 is not an atproto block"), std::string::npos)
      << err;
}

TEST(CarTest, EmptySection) {
  std::vector<uint8_t> car = MakeCar({}, {});
  car.push_back(0x00);
  std::string err = ReadError(car);
  EXPECT_NE(err.find("empty section"), std::string::npos) << err;
}

TEST(CarTest, OverallSizeCap) {
  CarReader::Limits limits;
  limits.max_bytes = 10;
  auto r = CarReader::Open(MakeCar({}, {Record("x")}), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kTooLarge);
}

}  // namespace
}  // namespace altscribe::firehose
