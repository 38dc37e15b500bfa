// Turns a server's host into addresses to connect to, without Asio's
// resolver service. That service runs getaddrinfo on a thread of its own,
// and Asio 1.81 stops that thread in notify_fork(fork_prepare), which
// Boost.Process calls around every fork, and does not start it again: a
// lookup in flight while an agent was spawned then waited for the request
// timeout (30 s), and a lookup running at that moment held up the fork.
// Here an IP literal needs no lookup, and a name is looked up on a detached
// thread that touches nothing of the io_context: it hands its answer over
// through a socket pair the waiting coroutine reads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <vector>

namespace multicad::net {

struct lookup_result {
  std::string error;  // empty on success: getaddrinfo's words otherwise
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

// Cancellation (the request's timeout, shutdown) returns at once with the
// error "cancelled"; a lookup still running then finishes unheard.
boost::asio::awaitable<lookup_result> look_up(std::string host, std::string port);

}  // namespace multicad::net
