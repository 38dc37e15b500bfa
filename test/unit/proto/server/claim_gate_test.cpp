// The claim rules of §11.1 on a fake clock: RPC only after an ack said
// rpc-v1, HTTP after the server refused the method, and no claim at all
// for the safety window after an RPC whose outcome is unknown.
#include <catch2/catch.hpp>

#include "proto/server/claim_gate.hpp"

using multicad::proto::server::claim_gate;
using namespace std::chrono_literals;

namespace {
const claim_gate::time_point t0{std::chrono::hours(1)};
}

TEST_CASE("claim gate: RPC only once an ack advertised rpc-v1 on this link", "[unit][push]") {
  claim_gate g;
  CHECK_FALSE(g.use_rpc());
  g.connected();
  CHECK_FALSE(g.use_rpc());  // connected, but no ack yet
  g.advertised(true);
  CHECK(g.use_rpc());
  g.advertised(false);  // a server that stopped offering it
  CHECK_FALSE(g.use_rpc());
  g.advertised(true);
  g.disconnected();
  CHECK_FALSE(g.use_rpc());
}

TEST_CASE("claim gate: a refused method means HTTP until the next link", "[unit][push]") {
  claim_gate g;
  g.connected();
  g.advertised(true);
  g.refused();
  CHECK_FALSE(g.use_rpc());
  g.advertised(true);  // later acks do not undo it
  CHECK_FALSE(g.use_rpc());
  g.connected();
  g.advertised(true);
  CHECK(g.use_rpc());
}

TEST_CASE("claim gate: an unknown outcome suppresses claiming for the window on the fake clock", "[unit][push]") {
  claim_gate g;
  CHECK_FALSE(g.suppressed_for(t0));
  g.lost(t0);
  CHECK(g.suppressed_for(t0) == claim_gate::uncertain_window);
  CHECK(g.suppressed_for(t0 + claim_gate::uncertain_window - 1ms) == 1ms);
  CHECK_FALSE(g.suppressed_for(t0 + claim_gate::uncertain_window));
  CHECK(claim_gate::uncertain_window >= 2 * claim_gate::rpc_timeout);
}

TEST_CASE("claim gate: a second loss extends the window and an earlier one never shortens it", "[unit][push]") {
  claim_gate g;
  g.lost(t0 + 4s);
  g.lost(t0);  // reported late: the later window stands
  CHECK(g.suppressed_for(t0 + 4s) == claim_gate::uncertain_window);
  g.lost(t0 + 8s);
  CHECK(g.suppressed_for(t0 + 14s) == 4s);
  g.connected();  // a new link does not end the window: the old request may still be claiming
  CHECK(g.suppressed_for(t0 + 14s) == 4s);
}
