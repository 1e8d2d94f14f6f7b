// The libjpeg error manager: longjmp on errors and on data-loss warnings.
#include "vision/image/jpeg_error.h"

#include <cstring>

namespace altscribe::vision::internal {
namespace {

JpegErrorManager* Manager(j_common_ptr cinfo) {
  return reinterpret_cast<JpegErrorManager*>(cinfo->err);
}

[[noreturn]] void ErrorExit(j_common_ptr cinfo) {
  JpegErrorManager* mgr = Manager(cinfo);
  cinfo->err->format_message(cinfo, mgr->message);
  std::longjmp(mgr->jump, 1);
}

void EmitMessage(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;  // trace messages
  JpegErrorManager* mgr = Manager(cinfo);
  cinfo->err->num_warnings++;
  switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:    // "Premature end of JPEG file"
    case JWRN_HIT_MARKER:  // "Corrupt JPEG data: premature end of data segment"
      mgr->truncated = true;
      break;
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:  // "found marker 0x.. instead of RST.."
      mgr->corrupt = true;
      break;
    default:
      return;  // benign: unknown JFIF revision, extraneous bytes between segments, ...
  }
  cinfo->err->format_message(cinfo, mgr->message);
  std::longjmp(mgr->jump, 1);
}

void OutputMessage(j_common_ptr) {}  // never print to stderr

}  // namespace

jpeg_error_mgr* InstallJpegErrorManager(JpegErrorManager* mgr) {
  jpeg_std_error(&mgr->pub);
  mgr->pub.error_exit = ErrorExit;
  mgr->pub.emit_message = EmitMessage;
  mgr->pub.output_message = OutputMessage;
  mgr->message[0] = '\0';
  mgr->truncated = false;
  mgr->corrupt = false;
  return &mgr->pub;
}

void JpegFail(j_common_ptr cinfo, const char* message) {
  JpegErrorManager* mgr = Manager(cinfo);
  std::strncpy(mgr->message, message, sizeof mgr->message - 1);
  mgr->message[sizeof mgr->message - 1] = '\0';
  std::longjmp(mgr->jump, 1);
}

}  // namespace altscribe::vision::internal
