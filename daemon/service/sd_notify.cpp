#include "daemon/service/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace multicad::service {

namespace {

std::optional<std::string_view> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string_view(v);
}

std::optional<unsigned long long> parse_unsigned(std::string_view s) {
  unsigned long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

bool sd_notify(std::string_view state) {
  auto where = env("NOTIFY_SOCKET");
  // systemd also knows "vsock:" addresses (VMs); a daemon on the host never gets one.
  if (!where || ((*where)[0] != '/' && (*where)[0] != '@')) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (where->size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, where->data(), where->size());
  // An abstract address starts with a NUL byte and its length is exact: no
  // terminator, or the kernel would look up a different name.
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + where->size());

  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // MSG_DONTWAIT: this runs on the daemon's event loop, which must never wait for systemd.
  auto sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(&addr), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  auto usec = env("WATCHDOG_USEC");
  if (!usec) return std::nullopt;
  auto value = parse_unsigned(*usec);
  if (!value || *value == 0) return std::nullopt;
  if (auto pid = env("WATCHDOG_PID")) {
    auto owner = parse_unsigned(*pid);
    if (!owner || *owner != static_cast<unsigned long long>(::getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*value));
}

}  // namespace multicad::service
