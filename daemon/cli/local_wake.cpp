#include "daemon/cli/local_wake.hpp"

#include "daemon/cli/local_http.hpp"

namespace multicad::cli {

wake_result wake_local_daemon(int port, std::chrono::milliseconds limit) {
  auto r = local_http(port, "POST", "/local/wake", limit);
  if (!r) return wake_result::no_daemon;
  if (r->status == 503) return wake_result::store_lost;
  return r->status == 200 ? wake_result::woken : wake_result::not_local_mode;
}

}  // namespace multicad::cli
