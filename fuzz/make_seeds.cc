// make_fuzz_seeds DIR — writes small valid inputs for the fuzz targets into DIR/cbor, DIR/car and
// DIR/frame (a commit frame with its CAR, identity/account/info/error frames, records).
#include <filesystem>
#include <fstream>
#include <string>

#include "firehose/test_encoder.h"

using namespace altscribe::firehose::testing;

namespace {

void Write(const std::filesystem::path& dir, const std::string& name,
           const std::vector<uint8_t>& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::filesystem::path root = argv[1];
  CborWriter post;
  post.Map(3)
      .Text("text")
      .Text("hi @bot ✓")
      .Text("$type")
      .Text("app.bsky.feed.post")
      .Text("createdAt")
      .Text("2024-05-01T00:00:00.000Z");
  CborWriter misc;
  misc.Array(6).Int(-5).Int(1 << 20).Null().Bool(true).Bytes({1, 2, 3}).Link(CidFor({7}));
  Write(root / "cbor", "post", post.bytes());
  Write(root / "cbor", "misc", misc.bytes());

  std::vector<uint8_t> commit_block = post.bytes();
  std::vector<uint8_t> car = MakeCar({CidFor(commit_block)}, {commit_block, misc.bytes()});
  Write(root / "car", "two_blocks", car);

  Write(root / "frame", "commit", Concat(Header(1, "#commit"), CommitBody(misc.bytes())));
  CborWriter identity;
  identity.Map(4)
      .Text("did")
      .Text("did:plc:x")
      .Text("seq")
      .Int(7)
      .Text("time")
      .Text("t")
      .Text("handle")
      .Text("alice.test");
  Write(root / "frame", "identity", Concat(Header(1, "#identity"), identity.bytes()));
  CborWriter account;
  account.Map(5)
      .Text("did")
      .Text("did:plc:x")
      .Text("seq")
      .Int(8)
      .Text("time")
      .Text("t")
      .Text("active")
      .Bool(false)
      .Text("status")
      .Text("deleted");
  Write(root / "frame", "account", Concat(Header(1, "#account"), account.bytes()));
  CborWriter info;
  info.Map(2).Text("name").Text("OutdatedCursor").Text("message").Text("m");
  Write(root / "frame", "info", Concat(Header(1, "#info"), info.bytes()));
  CborWriter error;
  error.Map(2).Text("error").Text("FutureCursor").Text("message").Text("m");
  Write(root / "frame", "error", Concat(Header(-1, ""), error.bytes()));
  return 0;
}
