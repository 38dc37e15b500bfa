#include "daemon/cli/local_wake.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace multicad::cli {

namespace {

struct fd_guard {
  int fd;
  ~fd_guard() { if (fd >= 0) ::close(fd); }
};

bool wait_for(int fd, short events, std::chrono::milliseconds limit) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(limit.count())) == 1 && (p.revents & events);
}

}  // namespace

wake_result wake_local_daemon(int port, std::chrono::milliseconds limit) {
  fd_guard s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return wake_result::no_daemon;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      (errno != EINPROGRESS || !wait_for(s.fd, POLLOUT, limit)))
    return wake_result::no_daemon;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return wake_result::no_daemon;
  const std::string req = "POST /local/wake HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  if (::send(s.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return wake_result::no_daemon;
  if (!wait_for(s.fd, POLLIN, limit)) return wake_result::no_daemon;
  char buf[64] = {};
  auto n = ::recv(s.fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return wake_result::no_daemon;
  std::string status_line(buf, static_cast<std::size_t>(n));
  return status_line.find(" 200 ") != std::string::npos ? wake_result::woken : wake_result::not_local_mode;
}

}  // namespace multicad::cli
