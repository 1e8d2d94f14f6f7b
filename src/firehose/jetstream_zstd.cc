// firehose/jetstream_zstd.cc — see jetstream_zstd.h. Streaming decompression (ZSTD_DCtx with a
// referenced ZSTD_DDict) so the cap holds whether or not the frame states its size.
#include "firehose/jetstream_zstd.h"

#include <zstd.h>

#include <fstream>
#include <iterator>

namespace altscribe::firehose {

struct ZstdDictDecoder::State {
  ZSTD_DDict* ddict = nullptr;
  ZSTD_DCtx* dctx = nullptr;
  ~State() {
    ZSTD_freeDCtx(dctx);
    ZSTD_freeDDict(ddict);
  }
};

ZstdDictDecoder::~ZstdDictDecoder() = default;

Result<std::unique_ptr<ZstdDictDecoder>> ZstdDictDecoder::Load(const std::string& path,
                                                               size_t max_output) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("zstd dictionary " + path + ": cannot open");
  std::string dict((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IoError("zstd dictionary " + path + ": read failed");
  if (dict.empty()) return Status::InvalidArgument("zstd dictionary " + path + ": empty file");
  std::unique_ptr<ZstdDictDecoder> d(new ZstdDictDecoder());
  d->state_ = std::make_unique<State>();
  d->state_->ddict = ZSTD_createDDict(dict.data(), dict.size());
  d->state_->dctx = ZSTD_createDCtx();
  if (d->state_->ddict == nullptr || d->state_->dctx == nullptr) {
    return Status::InvalidArgument("zstd dictionary " + path + ": not a usable dictionary");
  }
  // Jetstream's frames are small; refuse windows over 8 MB (memory per connection).
  ZSTD_DCtx_setParameter(d->state_->dctx, ZSTD_d_windowLogMax, 23);
  d->max_output_ = max_output;
  return d;
}

Status ZstdDictDecoder::Decompress(std::span<const uint8_t> frame, std::string* out) {
  out->clear();
  const unsigned long long stated = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (stated == ZSTD_CONTENTSIZE_ERROR) {
    return Status::InvalidArgument("zstd: not a zstd frame (" + std::to_string(frame.size()) +
                                   " bytes)");
  }
  if (stated != ZSTD_CONTENTSIZE_UNKNOWN && stated > max_output_) {
    return Status::TooLarge("zstd: frame decompresses to " + std::to_string(stated) +
                            " bytes, over the " + std::to_string(max_output_) + "-byte cap");
  }
  ZSTD_DCtx* dctx = state_->dctx;
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  ZSTD_DCtx_refDDict(dctx, state_->ddict);
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  const size_t chunk =
      stated != ZSTD_CONTENTSIZE_UNKNOWN ? static_cast<size_t>(stated) + 1 : ZSTD_DStreamOutSize();
  for (;;) {
    const size_t have = out->size();
    const size_t room = std::min(chunk, max_output_ + 1 - have);
    out->resize(have + room);
    ZSTD_outBuffer ob{out->data() + have, room, 0};
    const size_t r = ZSTD_decompressStream(dctx, &ob, &in);
    out->resize(have + ob.pos);
    if (ZSTD_isError(r)) {
      out->clear();
      return Status::InvalidArgument(std::string("zstd: ") + ZSTD_getErrorName(r));
    }
    if (out->size() > max_output_) {
      out->clear();
      return Status::TooLarge("zstd: frame decompresses to over the " +
                              std::to_string(max_output_) + "-byte cap");
    }
    if (r == 0) break;  // the frame is complete
    if (in.pos == in.size && ob.pos < ob.size) {
      out->clear();
      return Status::InvalidArgument("zstd: truncated frame");
    }
  }
  if (in.pos != in.size) {
    out->clear();
    return Status::InvalidArgument("zstd: " + std::to_string(in.size - in.pos) +
                                   " bytes after the frame");
  }
  return Status::Ok();
}

}  // namespace altscribe::firehose
