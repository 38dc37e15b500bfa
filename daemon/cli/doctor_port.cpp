// The health-port check of `multicad doctor`: free, or which process holds it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "daemon/cli/doctor_checks.hpp"

namespace multicad::cli {
namespace fs = std::filesystem;

namespace {

// The inode of the socket listening on 127.0.0.1:port or 0.0.0.0:port, from /proc/net/tcp.
std::string listening_inode(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  char want[8];
  std::snprintf(want, sizeof want, ":%04X", port);
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
    f >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
    if (state == "0A" && local.size() > 5 && local.substr(local.size() - 5) == want) return inode;
  }
  return {};
}

// "1234 (multicad run --config /etc/multicad/config.toml)" for the process holding socket `inode`.
std::string holder_of(const std::string& inode) {
  const std::string target = "socket:[" + inode + "]";
  std::error_code ec;
  for (const auto& p : fs::directory_iterator("/proc", ec)) {
    auto pid = p.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code inner;
    for (const auto& fd : fs::directory_iterator(p.path() / "fd", inner)) {
      if (fs::read_symlink(fd.path(), inner).string() != target) continue;
      std::ifstream cmd(p.path() / "cmdline");
      std::string args((std::istreambuf_iterator<char>(cmd)), {});
      for (auto& c : args) if (c == '\0') c = ' ';
      return pid + " (" + args.substr(0, args.find_last_not_of(' ') + 1) + ")";
    }
  }
  return {};
}

}  // namespace

check port_check(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {"health port", verdict::warn, "cannot create a socket", ""};
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the daemon binds it
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  auto where = "127.0.0.1:" + std::to_string(port);
  if (free) return {"health port", verdict::pass, where + " is free", ""};
  auto inode = listening_inode(port);
  auto holder = inode.empty() ? std::string() : holder_of(inode);
  std::string found = where + " is in use" + (holder.empty() ? " (by a process this user cannot see)" : " by pid " + holder);
  return {"health port", verdict::warn, found,
          holder.find("multicad") != std::string::npos ? "a daemon already runs: see `multicad status`"
                                                       : "stop that program, or set health_port (MULTICA_DAEMON_HEALTH_PORT)"};
}

}  // namespace multicad::cli
