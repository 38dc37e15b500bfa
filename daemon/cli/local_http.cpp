#include "daemon/cli/local_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace multicad::cli {
using clock = std::chrono::steady_clock;

namespace {

struct fd_guard {
  int fd;
  ~fd_guard() { if (fd >= 0) ::close(fd); }
};

int left_ms(clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return ms > 0 ? static_cast<int>(ms) : 0;
}

bool wait_for(int fd, short events, clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, left_ms(deadline)) == 1 && (p.revents & (events | POLLHUP));
}

}  // namespace

std::optional<local_reply> local_http(int port, const std::string& method, const std::string& path,
                                      std::chrono::milliseconds limit) {
  const auto deadline = clock::now() + limit;
  fd_guard s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      (errno != EINPROGRESS || !wait_for(s.fd, POLLOUT, deadline)))
    return std::nullopt;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return std::nullopt;
  // A POST carries a JSON body: the daemon refuses "simple" requests that act,
  // since a web page could send those (core/local_request.hpp).
  const std::string body = method == "POST" ? "{}" : "";
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    (body.empty() ? "" : "\r\nContent-Type: application/json") +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  if (::send(s.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return std::nullopt;
  std::string raw;
  char buf[16384];
  while (wait_for(s.fd, POLLIN, deadline)) {
    auto n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  if (raw.size() < 12 || !raw.starts_with("HTTP/1.")) return std::nullopt;
  local_reply r;
  r.status = std::atoi(raw.substr(9, 3).c_str());
  if (auto body = raw.find("\r\n\r\n"); body != std::string::npos) r.body = raw.substr(body + 4);
  return r;
}

}  // namespace multicad::cli
