// The task channel of local mode: the "server" is the store's local queue.
// Reports are written straight into it (already durable), in the shapes the
// server would receive; `multicad tasks` reads them back.
// Thread rule: the daemon's io_context only.
#pragma once

#include "daemon/core/task_channel.hpp"
#include "daemon/store/journal.hpp"
#include "daemon/store/local_tasks.hpp"

namespace multicad::core {

class local_channel final : public task_channel {
 public:
  explicit local_channel(store::database& db);

  boost::asio::awaitable<std::optional<start_failure>> start(const std::string& task_id) override;
  boost::asio::awaitable<void> progress(const std::string& task_id, const std::string& summary, int step,
                                        int total) override;
  boost::asio::awaitable<remote_state> poll(const std::string& task_id) override;
  std::string cancel_reason() const override { return "cancelled by the user (multicad tasks cancel)"; }
  void messages(const std::string& task_id, std::vector<proto::server::task_message> batch) override;
  void usage(const std::string& task_id, std::vector<proto::server::usage_entry> entries) override;
  void complete(const std::string& task_id, const proto::server::complete_request& r) override;
  void fail(const std::string& task_id, const std::string& error) override;
  void forget(const std::string& task_id) override;

 private:
  void finish(const std::string& task_id, const std::string& status, const std::string& output,
              const std::string& error, const std::string& session_id, const std::string& work_dir);
  store::database& db_;
  store::journal journal_;
  store::local_tasks tasks_;
};

}  // namespace multicad::core
