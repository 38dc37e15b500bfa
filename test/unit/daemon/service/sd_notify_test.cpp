// sd_notify against real AF_UNIX datagram sockets, as systemd listens: one
// bound to a path in a temp folder and one in the abstract namespace.
#include "daemon/service/sd_notify.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "test/support/temp_dir.hpp"
#include "test/unit/daemon/service/fakes.hpp"

using namespace multicad;
using namespace std::chrono_literals;

namespace {

// A datagram socket standing in for systemd's notify socket.
class listener {
 public:
  // `name`: a path, or "@name" for the abstract namespace.
  explicit listener(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(name.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  }
  ~listener() { ::close(fd_); }

  // The next datagram, or "" when none arrives within two seconds.
  std::string receive() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return "";
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST_CASE("sd_notify sends one datagram to a socket path in NOTIFY_SOCKET", "[service][sd_notify]") {
  test::temp_dir dir;
  auto path = (dir / "notify").string();
  listener systemd(path);
  test::scoped_env socket("NOTIFY_SOCKET", path);

  CHECK(service::sd_notify("READY=1"));
  CHECK(systemd.receive() == "READY=1");
  CHECK(service::sd_notify("STATUS=serving 2 of 20 tasks\nWATCHDOG=1"));
  CHECK(systemd.receive() == "STATUS=serving 2 of 20 tasks\nWATCHDOG=1");
}

TEST_CASE("sd_notify reaches an abstract socket named with a leading at sign", "[service][sd_notify]") {
  auto name = "@multicad-test-notify-" + std::to_string(::getpid());
  listener systemd(name);
  test::scoped_env socket("NOTIFY_SOCKET", name);

  CHECK(service::sd_notify("STOPPING=1"));
  CHECK(systemd.receive() == "STOPPING=1");
}

TEST_CASE("sd_notify is a no-op that returns false outside systemd", "[service][sd_notify]") {
  {
    test::scoped_env socket("NOTIFY_SOCKET", std::nullopt);
    CHECK_FALSE(service::sd_notify("READY=1"));
  }
  {
    test::scoped_env socket("NOTIFY_SOCKET", "relative/notify");
    CHECK_FALSE(service::sd_notify("READY=1"));
  }
  {
    test::temp_dir dir;
    test::scoped_env socket("NOTIFY_SOCKET", (dir / "nobody-listens").string());
    CHECK_FALSE(service::sd_notify("READY=1"));
  }
  {
    test::scoped_env socket("NOTIFY_SOCKET", "/" + std::string(200, 'x'));  // longer than sun_path
    CHECK_FALSE(service::sd_notify("READY=1"));
  }
}

TEST_CASE("watchdog_interval reads WATCHDOG_USEC when WATCHDOG_PID is this process or unset", "[service][sd_notify]") {
  test::scoped_env usec("WATCHDOG_USEC", "60000000");
  {
    test::scoped_env pid("WATCHDOG_PID", std::nullopt);
    REQUIRE(service::watchdog_interval());
    CHECK(*service::watchdog_interval() == 60s);
  }
  {
    test::scoped_env pid("WATCHDOG_PID", std::to_string(::getpid()));
    CHECK(service::watchdog_interval() == std::chrono::microseconds(60'000'000));
  }
  {
    // Inherited by a child of the daemon: the watchdog is not the child's to feed.
    test::scoped_env pid("WATCHDOG_PID", std::to_string(::getpid() + 1));
    CHECK_FALSE(service::watchdog_interval());
  }
}

TEST_CASE("watchdog_interval is empty without a usable WATCHDOG_USEC", "[service][sd_notify]") {
  test::scoped_env pid("WATCHDOG_PID", std::nullopt);
  for (const char* bad : {"", "0", "abc", "60s", "-5"}) {
    test::scoped_env usec("WATCHDOG_USEC", std::string(bad));
    INFO(bad);
    CHECK_FALSE(service::watchdog_interval());
  }
  test::scoped_env usec("WATCHDOG_USEC", std::nullopt);
  CHECK_FALSE(service::watchdog_interval());
}
