// One blocking HTTP/1.1 exchange for the `multica` command: plain TCP or TLS
// (system CA store, SSL_CERT_FILE/SSL_CERT_DIR honoured, peer and host name
// verified), one connection per request, bounded by the request's own
// timeout and by the command's deadline. Failures come back as values in
// Go's words (proto/toolbox/http.hpp). Beast and OpenSSL stay in the .cpp.
// Thread rule: any thread; each call is independent. HTTP proxies
// (HTTP_PROXY, HTTPS_PROXY) are not used.
#pragma once

#include <chrono>

#include "proto/toolbox/http.hpp"

namespace multicad::toolbox {

// Sends `r` (Requires: its URL passed proto::toolbox::check_url) and reads
// the whole response, or the first r.max_body_bytes of its body. Redirects
// are not followed here (proto/toolbox does that).
proto::toolbox::http_response perform(const proto::toolbox::http_request& r,
                                      std::chrono::steady_clock::time_point command_deadline);

}  // namespace multicad::toolbox
