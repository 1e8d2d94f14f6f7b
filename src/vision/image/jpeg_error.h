// vision/image/jpeg_error.h — internal: a libjpeg error manager that jumps back instead of
// calling exit(), shared by the JPEG decoder and encoder.
//
// Usage: zero-initialise the jpeg_*_struct, point its err at InstallJpegErrorManager(&mgr), and
// call setjmp(mgr.jump) in the function that then drives libjpeg. Keep every value that must
// survive the jump in memory reached through a pointer (not in locals changed after setjmp), and
// destroy the libjpeg struct after returning from that function.
#pragma once

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t declared first

#include <jpeglib.h>
// jerror.h after jpeglib.h: the JERR_/JWRN_ codes and ERREXIT.
#include <jerror.h>

namespace altscribe::vision::internal {

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first, so libjpeg's jpeg_error_mgr* is also a JpegErrorManager*
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];  // libjpeg's text for the error that jumped, or ours
  // Set when a warning said data is missing ("Premature end of JPEG file") or damaged ("bad
  // Huffman code"); libjpeg itself would go on and fill the rest of the picture with grey.
  bool truncated;
  bool corrupt;
};

// Initialises `mgr` and returns the pointer to store in cinfo.err. Errors, and warnings about
// missing or damaged data, fill mgr->message and longjmp to mgr->jump.
jpeg_error_mgr* InstallJpegErrorManager(JpegErrorManager* mgr);

// Stops the current libjpeg call with `message` (from a callback such as a progress monitor).
[[noreturn]] void JpegFail(j_common_ptr cinfo, const char* message);

}  // namespace altscribe::vision::internal
