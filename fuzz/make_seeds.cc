// make_fuzz_seeds DIR — writes small valid inputs for the fuzz targets into DIR/cbor, DIR/car and
// DIR/frame (a commit frame with its CAR, identity/account/info/error frames, records).
#include <filesystem>
#include <fstream>
#include <string>

#include "firehose/test_commits.h"
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

  // Commits the mention filter acts on (frame_fuzz's bot DID): a reply mentioning the bot with
  // an image, and a deletion; then network-like commits of every kind.
  const std::string bot = "did:plc:bot2222222222222222222222";
  PostSpec mention;
  mention.text = "@scribe.test describe this";
  mention.facets.push_back({0, 12, "app.bsky.richtext.facet#mention", bot, ""});
  mention.reply_root = StrongRefSpec{"at://did:plc:op/app.bsky.feed.post/3kroot", "bafyreiroot"};
  mention.langs = {"en"};
  mention.images = 1;
  CommitSpec create;
  create.ops.push_back({"create", "app.bsky.feed.post/3kp1", PostRecord(mention)});
  create.mst = {MstNode(1, 3)};
  Write(root / "frame", "mention", CommitFrame(create));
  Write(root / "cbor", "mention_post", PostRecord(mention));
  CommitSpec del;
  del.ops.push_back({"delete", "app.bsky.feed.post/3kp1", {}});
  Write(root / "frame", "delete", CommitFrame(del));
  for (uint64_t n = 0; n < 8; ++n) {
    Write(root / "frame", "network_" + std::to_string(n), NetworkLikeCommit(n, bot, 2));
  }
  return 0;
}
