// How a running task talks to whoever assigned it: the Multica server
// (server_channel) or the embedded local queue (local mode). The task runner
// is the same for both. Reports that end or describe a task are durable:
// they are stored before this returns and delivered later (the outbox), so
// they survive a server outage or a daemon restart.
// Thread rule: call on the daemon's io_context only.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

#include "proto/lifecycle/final_report.hpp"
#include "proto/server/types.hpp"

namespace multicad::core {

// What the assigner says about a task while it runs (proto/lifecycle).
using proto::lifecycle::remote_state;
using proto::lifecycle::start_failure;

class task_channel {
 public:
  virtual ~task_channel() = default;

  // dispatched -> running. A failure when the task cannot be started: a
  // final refusal (wrong state, deleted) or a transient one.
  virtual boost::asio::awaitable<std::optional<start_failure>> start(const std::string& task_id) = 0;
  virtual boost::asio::awaitable<void> progress(const std::string& task_id, const std::string& summary, int step,
                                                int total) = 0;
  virtual boost::asio::awaitable<remote_state> poll(const std::string& task_id) = 0;
  // Who cancelled when poll() says cancelled, for the log and the agent.
  virtual std::string cancel_reason() const { return "cancelled by the server"; }

  // Durable reports, in call order per task.
  virtual void messages(const std::string& task_id, std::vector<proto::server::task_message> batch) = 0;
  virtual void usage(const std::string& task_id, std::vector<proto::server::usage_entry> entries) = 0;
  // The final report; also ends the task's journal entry, atomically with storing the report.
  virtual void complete(const std::string& task_id, const proto::server::complete_request& r) = 0;
  virtual void fail(const std::string& task_id, const std::string& error) = 0;
  // Ends the journal entry without a report (cancelled, gone, failed elsewhere).
  virtual void forget(const std::string& task_id) = 0;
};

}  // namespace multicad::core
