// How the daemon may claim, by §11.1 of agent-toolbox.md: over the
// WebSocket's `tasks.claim` RPC once a heartbeat ack advertised `rpc-v1`,
// else over HTTP; and not at all for a safety window after an RPC whose
// outcome is unknown (sent, then the link dropped or the answer never
// came): the server may still be claiming for it, and tasks it claimed
// would be ours without our knowing. A claim then would take more work
// than there are free slots. Pure: time comes in as arguments, so the
// window is tested on a fake clock. Single-threaded.
#pragma once

#include <chrono>
#include <optional>

namespace multicad::proto::server {

class claim_gate {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::milliseconds;

  // The RPC's own limit (timeout_ms, as the HTTP batch claim's) and the
  // window after an unknown outcome: two of them, so a server still
  // working on the request when the link died has finished with it.
  static constexpr duration rpc_timeout{5'000};
  static constexpr duration uncertain_window{10'000};

  void connected() { rpc_ = false; refused_ = false; }  // a new link: wait for an ack to say rpc-v1
  void disconnected() { rpc_ = false; }
  void advertised(bool rpc) { rpc_ = rpc; }
  // The server answered the RPC as a method it does not know: HTTP until the next link.
  void refused() { refused_ = true; }
  // The RPC's outcome is unknown at `now`: claiming stops for uncertain_window.
  void lost(time_point now);

  bool use_rpc() const { return rpc_ && !refused_; }
  bool rpc_advertised() const { return rpc_; }
  // How long claiming must still wait at `now`; nullopt when it may claim.
  std::optional<duration> suppressed_for(time_point now) const;

 private:
  bool rpc_ = false, refused_ = false;
  std::optional<time_point> until_;
};

}  // namespace multicad::proto::server
