// serve/http_error.h — every refusal as one JSON shape:
//   {"error": "<one line in plain words>", "code": "<machine-readable>", "status": 413}
// and the mapping from a Status code to an HTTP status for describe failures.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace altscribe::serve {

// Sets status, a JSON body and Content-Type; counts the refusal in altscribe_errors_total
// under `code`.
void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message);

// The JSON body alone (for tests and the error handler).
std::string ErrorJson(int status, std::string_view code, std::string_view message);

// The default code for an HTTP status ("payload_too_large" for 413, …).
const char* DefaultErrorCode(int status);

// How a failed describe of image bytes is answered: too large (pixels, bytes) → 413, not an
// image or a format we do not read → 415, damaged data → 422, the model failing → 500.
int HttpStatusForDescribeError(Code code);

}  // namespace altscribe::serve
