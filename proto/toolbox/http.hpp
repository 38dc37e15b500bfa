// The HTTP exchanges of the `multica` command as values, and the Go net/http
// behaviour around them that shows in its output (agent-toolbox.md §2.2):
// URL checks with Go's error texts, `Get "url": …` transport errors, the
// `<METHOD> <path> returned <code>: <body>` status errors, redirects as
// http.Client follows them, and multipart uploads as mime/multipart writes
// them. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::proto::toolbox {

struct header {
  std::string name, value;
};

struct http_request {
  std::string method;  // GET, POST, PUT, DELETE
  std::string url;     // absolute http(s) URL
  std::vector<header> headers;
  std::string body;
  int timeout_ms = 0;              // the client's own timeout for the whole exchange; 0: none
  std::size_t max_body_bytes = 0;  // keep at most this much of the body (Go's LimitReader); 0: all
};

struct http_response {
  int status = 0;
  std::vector<header> headers;
  std::string body;
  // A transport failure in Go's words, without the `Get "url": ` prefix
  // ("dial tcp 127.0.0.1:1: connect: connection refused", "context deadline exceeded").
  std::string error;
  // The headers came but the body was cut short (Go's body read error,
  // "unexpected EOF"); `body` holds what arrived.
  std::string body_error;

  std::string header_value(std::string_view name) const;  // case-insensitive; "" when absent
};

// The parts of an absolute URL a connection needs.
struct url_parts {
  bool tls = false;
  std::string host;         // without brackets
  std::string port;         // "80"/"443" by default
  std::string host_header;  // as Go sends it: the port only when given in the URL
  std::string target;       // path and query, "/" at least
};

// Go's url.Parse plus the client's scheme check. On failure, the error the
// CLI prints: `parse "u": …` (request not built) or `Get "u": unsupported
// protocol scheme "x"` (built, refused by the transport).
struct url_check {
  std::optional<url_parts> parts;
  std::string error;
};
url_check check_url(const std::string& method, const std::string& url);

// url.Error: `<Method> "<url>": <inner>` with the method as Go spells the
// operation ("Get", "Post").
std::string url_error(const std::string& method, const std::string& url, const std::string& inner);

// The CLI's status error: "GET /api/issues/x returned 404: <first 4096 bytes, trimmed>".
std::string status_error(const std::string& method, const std::string& path, const http_response& r);
// The same for the upload and download helpers: "<what> returned 500: <body>".
std::string plain_status_error(const std::string& what, const http_response& r);

// http.Client's redirect policy: the next request for a 301/302/303/307/308
// with a Location header, or nullopt to hand `r` to the caller. `sent` counts
// the requests made so far, this one included; when it reaches 10, `error`
// gets Go's message and `error_url` the raw Location, which Go's url.Error names.
std::optional<http_request> follow_redirect(const http_request& req, const http_response& r, int sent,
                                            std::string& error, std::string& error_url);

// mime/multipart as UploadFile writes it: part "file" (base name of `path`,
// application/octet-stream), then the field issue_id when non-empty.
struct multipart {
  std::string content_type;  // "multipart/form-data; boundary=…"
  std::string body;
};
multipart multipart_upload(const std::string& boundary, const std::string& path, const std::string& data,
                           const std::string& issue_id);

}  // namespace multicad::proto::toolbox
