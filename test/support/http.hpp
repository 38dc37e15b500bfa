// A blocking HTTP/1.1 client for tests (loopback only): one request per
// connection, Content-Length bodies, a time limit on everything.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace multicad::test {

struct http_reply {
  int status = 0;  // 0: no answer (refused, timed out)
  std::string body;
};

http_reply http_request(int port, const std::string& method, const std::string& path, const std::string& body = "",
                        std::chrono::milliseconds limit = std::chrono::seconds(10));

// The same with exactly these headers (Host included; Connection and
// Content-Length are added), for tests of what a server makes of them.
http_reply http_request_with_headers(int port, const std::string& method, const std::string& path,
                                     const std::vector<std::pair<std::string, std::string>>& headers,
                                     const std::string& body = "",
                                     std::chrono::milliseconds limit = std::chrono::seconds(10));

// A port nothing listens on right now (bound to 0, then released).
int free_port();

}  // namespace multicad::test
