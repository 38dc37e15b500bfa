#include "daemon/net/name_lookup.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace multicad::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Written by the lookup thread before it signals, read by the coroutine after.
struct shared_answer {
  std::mutex m;
  lookup_result result;
};

lookup_result getaddrinfo_answer(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  lookup_result out;
  if (rc != 0) {
    out.error = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
    return out;
  }
  for (const addrinfo* a = list; a; a = a->ai_next) {
    tcp::endpoint e;
    if (a->ai_addrlen > e.capacity()) continue;
    std::memcpy(e.data(), a->ai_addr, a->ai_addrlen);
    e.resize(a->ai_addrlen);
    out.endpoints.push_back(e);
  }
  ::freeaddrinfo(list);
  if (out.endpoints.empty()) out.error = "no address";
  return out;
}

}  // namespace

asio::awaitable<lookup_result> look_up(std::string host, std::string port) {
  boost::system::error_code ec;
  if (auto address = asio::ip::make_address(host, ec); !ec) {
    unsigned long number = std::strtoul(port.c_str(), nullptr, 10);
    if (number == 0 || number > 65535) co_return lookup_result{"invalid port " + port, {}};
    co_return lookup_result{{}, {tcp::endpoint(address, static_cast<unsigned short>(number))}};
  }

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    co_return lookup_result{std::string("cannot start a lookup: ") + std::strerror(errno), {}};
  asio::posix::stream_descriptor done(co_await asio::this_coro::executor, fds[0]);
  auto answer = std::make_shared<shared_answer>();
  try {
    std::thread([answer, host, port, signal_fd = fds[1]] {
      auto r = getaddrinfo_answer(host, port);
      {
        std::lock_guard lock(answer->m);
        answer->result = std::move(r);
      }
      const char byte = 1;
      (void)::send(signal_fd, &byte, 1, MSG_NOSIGNAL);  // EPIPE when nobody waits any more
      ::close(signal_fd);
    }).detach();
  } catch (const std::system_error& e) {
    ::close(fds[1]);
    co_return lookup_result{std::string("cannot start a lookup: ") + e.what(), {}};
  }
  char byte = 0;
  auto [read_ec, n] = co_await asio::async_read(done, asio::buffer(&byte, 1), asio::as_tuple(asio::use_awaitable));
  if (read_ec == asio::error::operation_aborted) co_return lookup_result{"cancelled", {}};
  if (read_ec) co_return lookup_result{"lookup failed: " + read_ec.message(), {}};
  std::lock_guard lock(answer->m);
  co_return std::move(answer->result);
}

}  // namespace multicad::net
