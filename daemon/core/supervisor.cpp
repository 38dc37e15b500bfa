#include "daemon/core/supervisor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>

#include "daemon/service/sd_notify.hpp"

namespace multicad::core {
namespace asio = boost::asio;

namespace {
std::string last_status_;

bool under_systemd() {
  const char* s = std::getenv("NOTIFY_SOCKET");
  return s && *s;
}

std::string task_status(const services& svc) {
  if (svc.stopping) return "draining: " + std::to_string(svc.tasks.size()) + " task(s) left";
  return svc.mode + " mode: " + std::to_string(svc.tasks.size()) + " of " +
         std::to_string(svc.settings.max_concurrent_tasks) + " task slots busy";
}
}  // namespace

void announce_status(services&, const std::string& status) {
  if (status == last_status_) return;
  last_status_ = status;
  service::sd_notify("STATUS=" + status);
}

void announce_ready(services& svc, const std::string& status) {
  if (svc.announced) return announce_status(svc, status);
  svc.announced = true;
  last_status_ = status;
  service::sd_notify("READY=1\nSTATUS=" + status);
}

void announce_stopping(services&, const std::string& status) {
  last_status_ = status;
  service::sd_notify("STOPPING=1\nSTATUS=" + status);
}

asio::awaitable<void> supervise(services& svc) {
  if (!under_systemd()) co_return;
  auto watchdog = service::watchdog_interval();
  // Half the watchdog interval (systemd's advice), and at most 5 s so the
  // STATUS line follows the task count closely.
  auto period = std::chrono::milliseconds(5000);
  if (watchdog) period = std::min(period, std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog / 2));
  asio::steady_timer timer(svc.io);
  while (!svc.stopping || svc.tasks.size() > 0) {
    if (watchdog) service::sd_notify("WATCHDOG=1");
    if (svc.announced) announce_status(svc, task_status(svc));
    timer.expires_after(period);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace multicad::core
