// frame_fuzz — libFuzzer target for firehose/frame.h; a #commit's blocks go through the CAR
// reader too, and the commit through the mention filter (firehose/mentions.h), as the consumer
// will do. The filter's bot DIDs are the ones the seeds mention (make_seeds.cc).
#include <cstdint>
#include <span>
#include <variant>

#include "firehose/car.h"
#include "firehose/frame.h"
#include "firehose/mentions.h"

using namespace altscribe::firehose;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FrameParser parser;  // reused, as a connection would
  auto frame = parser.Parse(std::span<const uint8_t>(data, size));
  if (!frame.ok()) return 0;
  if (const auto* commit = std::get_if<CommitMessage>(&*frame)) {
    auto car = CarReader::Open(commit->blocks);
    if (car.ok()) {
      size_t n = 0;
      altscribe::Status st = car->ForEach([&](const CarBlock& b) {
        for (const RepoOp& op : commit->ops) n += op.cid && *op.cid == b.cid;
      });
      (void)st;
      (void)n;
    }
    static MentionFilter filter({"did:plc:abc", "did:plc:bot2222222222222222222222"});
    CommitEvents events;
    if (filter.Scan(*commit, &events).ok()) {
      for (const MentionEvent& m : events.mentions) {
        if (m.uri.rfind("at://", 0) != 0 || m.cid.empty()) __builtin_trap();
      }
    }
  }
  return 0;
}
