// The task channel of server mode: start, progress and status go straight
// to the server; every report goes into the outbox first (stored, then
// delivered by outbox_delivery) so none is lost to an outage or a restart.
// Thread rule: the daemon's io_context only.
#pragma once

#include <functional>

#include "daemon/core/task_channel.hpp"
#include "daemon/net/server_client.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/store/outbox.hpp"

namespace multicad::core {

class server_channel final : public task_channel {
 public:
  // Requires: every argument outlives the channel. `wake_delivery` is called
  // after each stored report.
  server_channel(net::server_client& client, store::database& db, std::function<void()> wake_delivery);

  boost::asio::awaitable<std::optional<start_failure>> start(const std::string& task_id) override;
  boost::asio::awaitable<void> progress(const std::string& task_id, const std::string& summary, int step,
                                        int total) override;
  boost::asio::awaitable<remote_state> poll(const std::string& task_id) override;
  void messages(const std::string& task_id, std::vector<proto::server::task_message> batch) override;
  void usage(const std::string& task_id, std::vector<proto::server::usage_entry> entries) override;
  void complete(const std::string& task_id, const proto::server::complete_request& r) override;
  void fail(const std::string& task_id, const std::string& error) override;
  void forget(const std::string& task_id) override;

 private:
  void store_report(const std::string& task_id, const std::string& kind, const std::string& payload, bool final);
  net::server_client& client_;
  store::database& db_;
  store::journal journal_;
  store::outbox outbox_;
  std::function<void()> wake_;
};

// Maps a status answer (or error) to what the task runner should do.
remote_state remote_state_of(const net::api_result<proto::server::status_response>& r);

}  // namespace multicad::core
