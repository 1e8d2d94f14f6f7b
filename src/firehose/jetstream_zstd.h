// firehose/jetstream_zstd.h — Jetstream's compressed messages: with compress=true each binary
// message is one zstd frame made with Jetstream's published dictionary (zstd_dictionary in the
// Jetstream repository). The operator supplies that dictionary as a file; it is not fetched.
//
// Refused: a dictionary file that cannot be read or is empty (IoError / InvalidArgument); a
// message that is not one whole zstd frame, was made with another dictionary, or is corrupt
// (InvalidArgument, "zstd: …"); output over max_output bytes (TooLarge, checked from the frame
// header when it states the size, else while decompressing: nothing over the cap is kept).
// Not thread-safe: one per connection thread. O(output) per message.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/status.h"

namespace altscribe::firehose {

class ZstdDictDecoder {
 public:
  static Result<std::unique_ptr<ZstdDictDecoder>> Load(const std::string& dictionary_path,
                                                       size_t max_output);
  ~ZstdDictDecoder();
  ZstdDictDecoder(const ZstdDictDecoder&) = delete;
  ZstdDictDecoder& operator=(const ZstdDictDecoder&) = delete;

  // Decompresses one frame into *out (replacing its contents).
  Status Decompress(std::span<const uint8_t> frame, std::string* out);

 private:
  ZstdDictDecoder() = default;
  struct State;
  std::unique_ptr<State> state_;
  size_t max_output_ = 0;
};

}  // namespace altscribe::firehose
