#include "test/support/http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace multicad::test {
using clock = std::chrono::steady_clock;

namespace {
struct fd_guard {
  int fd;
  ~fd_guard() { if (fd >= 0) ::close(fd); }
};

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}
}  // namespace

int free_port() {
  fd_guard s{::socket(AF_INET, SOCK_STREAM, 0)};
  auto a = loopback(0);
  ::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

http_reply http_request(int port, const std::string& method, const std::string& path, const std::string& body,
                        std::chrono::milliseconds limit) {
  std::vector<std::pair<std::string, std::string>> headers{{"Host", "127.0.0.1:" + std::to_string(port)}};
  if (!body.empty() || method == "POST") headers.emplace_back("Content-Type", "application/json");
  return http_request_with_headers(port, method, path, headers, body, limit);
}

http_reply http_request_with_headers(int port, const std::string& method, const std::string& path,
                                     const std::vector<std::pair<std::string, std::string>>& headers,
                                     const std::string& body, std::chrono::milliseconds limit) {
  auto deadline = clock::now() + limit;
  fd_guard s{::socket(AF_INET, SOCK_STREAM, 0)};
  auto a = loopback(port);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return {};
  std::string req = method + " " + path + " HTTP/1.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  if (::send(s.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return {};
  std::string raw;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return {};
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return {};
    auto n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  http_reply r;
  if (raw.size() < 12) return {};
  r.status = std::atoi(raw.substr(9, 3).c_str());
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  auto head = raw.substr(0, head_end);
  r.body = raw.substr(head_end + 4);
  // Chunked bodies (large fake-server replies): join the chunks.
  if (head.find("chunked") != std::string::npos || head.find("Chunked") != std::string::npos) {
    std::string joined, rest = r.body;
    for (;;) {
      auto nl = rest.find("\r\n");
      if (nl == std::string::npos) break;
      auto size = std::stoul(rest.substr(0, nl), nullptr, 16);
      if (size == 0) break;
      joined += rest.substr(nl + 2, size);
      rest.erase(0, nl + 2 + size + 2);
    }
    r.body = joined;
  }
  return r;
}

}  // namespace multicad::test
