// Spawning coroutines that cannot end silently. An exception escaping a
// coroutine started with asio::detached vanishes with it: a task or a loop
// just stops, and nothing says why. These spawn with a completion handler
// instead: a one-shot job's exception reaches `on_error` (and the log, at
// ERROR), and a loop that throws is logged and started again after a pause,
// until the daemon stops.
// Thread rule: call on the executor the coroutine runs on (the io_context).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace multicad::async {

// Runs `work`; an exception is logged at ERROR as "<what> failed" and then
// handed to `on_error` (its message), which may turn it into a failed task.
void spawn_guarded(boost::asio::any_io_executor ex, std::string what, boost::asio::awaitable<void> work,
                   std::function<void(const std::string& error)> on_error = {});

// Runs make() and, while !stopping(), starts it again `pause` after it threw
// ("<name> loop failed; restarting it"). A loop that returns is done.
void spawn_loop(boost::asio::any_io_executor ex, std::string name, std::function<boost::asio::awaitable<void>()> make,
                std::function<bool()> stopping, std::chrono::milliseconds pause = std::chrono::seconds(1));

// The text of an exception caught by a completion handler.
std::string describe(std::exception_ptr e);

}  // namespace multicad::async
