// Shutdown of server mode (after shutdown()): wait for running tasks up to
// shutdown_grace, stop the rest (their failure is stored in the outbox),
// deliver what the outbox holds for a few seconds, then deregister.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/core/server_worker.hpp"
#include "daemon/log/log.hpp"

namespace multicad::core {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// Final reports get this long to reach the server at shutdown; whatever is
// left stays in the outbox for the next start.
constexpr auto shutdown_delivery_budget = 5s;
}  // namespace

asio::awaitable<void> server_worker::drain_and_deregister() {
  co_await tasks_.drain(svc_.settings.shutdown_grace);
  // The delivery loop keeps running; give it a moment to send the final
  // reports the stopped tasks just stored (items backing off stay queued).
  delivery_.wake();
  store::outbox outbox(svc_.db);
  auto deadline = std::chrono::steady_clock::now() + shutdown_delivery_budget;
  bool empty = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto depth = outbox.depth();
    if ((empty = depth && depth->items == 0)) break;
    asio::steady_timer t(svc_.io, 100ms);
    co_await t.async_wait(use_tuple);
  }
  delivery_.stop();
  if (!empty) log::warn("reports not yet delivered stay queued for the next start", {{"state_dir", svc_.settings.state_dir.string()}});

  proto::server::deregister_request d;
  for (const auto& [id, w] : svc_.workspaces)
    for (const auto& rt : w.runtimes) d.runtime_ids.push_back(rt.id);
  if (!d.runtime_ids.empty()) {
    auto r = co_await client_.deregister(d, net::retry_policy::none());
    if (!r) log::warn("cannot deregister runtimes; the server marks them offline within 75s",
                      {{"error", r.error().to_string()}});
    else log::info("runtimes deregistered", {{"count", std::to_string(d.runtime_ids.size())}});
  }
}

}  // namespace multicad::core
