// The capabilities the daemon hands to running tasks. Each task's agent gets
// a random token of its own (MULTICA_TOKEN) instead of the owner's: on the
// daemon's loopback endpoint it opens exactly the agent-facing calls for that
// task's workspace (forwarder.hpp) and the task's repository checkouts
// (repo_checkout.hpp), and only until the task ends. It is worth nothing
// anywhere else, so an agent steered into sending it away leaks nothing.
// Thread rule: the daemon's io_context only.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace multicad::toolbox {

struct task_grant {
  std::string task_id;
  std::string workspace_id;
  std::string issue_id;
  std::string agent_id;
  std::string agent_name;
  std::filesystem::path workdir;    // the task's own; checkouts land only below it
  std::filesystem::path task_root;  // the task directory (checkouts are staged there, out of the sandbox's reach)
  // A task-scoped token from the claim (a newer server's `mat_…`) to send
  // upstream instead of the owner's; empty: the owner's.
  std::string upstream_token;
};

class grants {
 public:
  // Returns the new capability: "mct_" + 40 random hex digits (getrandom).
  std::string issue(task_grant g);
  void revoke(std::string_view capability);
  // The grant a capability stands for, or nullptr (unknown, or its task ended).
  // The comparison takes the same time whatever the capability holds.
  const task_grant* find(std::string_view capability) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::string capability;
    task_grant grant;
  };
  std::vector<entry> entries_;  // a handful at most (one per running task)
};

// Revokes a capability when the task's run ends, however it ends.
class grant_guard {
 public:
  grant_guard() = default;
  grant_guard(grants* g, std::string capability) : grants_(g), capability_(std::move(capability)) {}
  grant_guard(grant_guard&& o) noexcept : grants_(o.grants_), capability_(std::move(o.capability_)) { o.grants_ = nullptr; }
  grant_guard& operator=(grant_guard&&) = delete;
  ~grant_guard() { revoke(); }
  // Revokes now (the agent is gone); idempotent.
  void revoke() {
    if (grants_) grants_->revoke(capability_);
    grants_ = nullptr;
  }

 private:
  grants* grants_ = nullptr;
  std::string capability_;
};

}  // namespace multicad::toolbox
