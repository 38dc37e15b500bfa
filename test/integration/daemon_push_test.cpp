// Dispatch against the fake server's daemon WebSocket and batch claim
// (agent-toolbox.md §11.1): a seed-era server is polled as before, a newer
// one wakes the daemon, carries its heartbeats and says what it lost. Every
// wait is on an event: a recorded call, a received frame, a log line.
#include <catch2/catch.hpp>

#include "test/support/http.hpp"
#include "test/support/server_daemon_fixture.hpp"

using namespace multicad::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct push_fixture : server_daemon_fixture {
  json ws() { return server.control("GET", "/_fake/ws"); }
  void configure(const json& b) { server.control("POST", "/_fake/ws/config", b); }
  void send(const json& b) { server.control("POST", "/_fake/ws/send", b); }

  // Calls whose path is exactly `path` (and method), after call number `after`.
  std::vector<json> calls(const std::string& method, const std::string& path, int after = 0) {
    std::vector<json> out;
    const auto all = server.calls();
    for (const auto& c : all)
      if (c.at("method") == method && c.at("path") == path && c.at("seq").get<int>() > after) out.push_back(c);
    return out;
  }
  int last_seq() {
    auto all = server.calls();
    return all.empty() ? 0 : all.back().at("seq").get<int>();
  }
  // WebSocket heartbeats the fake received.
  int ws_beats() {
    int n = 0;
    const auto view = ws();  // named: a range-for over a temporary's member dangles
    for (const auto& m : view.at("received")) n += m.at("type") == "daemon:heartbeat";
    return n;
  }
  // Waits for a log line; shows the log when it does not come.
  bool saw(const std::string& line, std::chrono::milliseconds limit = 20s) {
    bool ok = daemon->wait_log(line, limit);
    if (!ok) UNSCOPED_INFO("daemon log:\n" << daemon->log());
    return ok;
  }
  std::string runtime_id() { return server.state().at("runtimes").at(0).at("id"); }
};

}  // namespace

TEST_CASE("a server without the daemon WebSocket is polled with the batch claim and health says poll",
          "[integration][daemon][push]") {
  push_fixture f;
  auto& d = f.start();
  REQUIRE(f.saw("the server offers no daemon WebSocket; tasks arrive by polling"));
  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));
  auto upgrades = f.calls("GET", "/api/daemon/ws");
  REQUIRE_FALSE(upgrades.empty());
  CHECK(upgrades[0].at("status") == 404);
  CHECK_FALSE(f.calls("POST", "/api/daemon/tasks/claim").empty());
  auto h = d.health();
  CHECK(h.at("dispatch").at("mode") == "poll");
  CHECK_FALSE(h.at("dispatch").at("since").get<std::string>().empty());
}

TEST_CASE("a server without the batch claim is claimed from per runtime and asked only once",
          "[integration][daemon][push]") {
  push_fixture f;
  f.configure({{"batch_claim", false}});
  f.start();
  REQUIRE(f.saw("the server has no batch claim; claiming per runtime"));
  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));
  const auto per_runtime = "/api/daemon/runtimes/" + f.runtime_id() + "/tasks/claim";
  CHECK(f.calls("POST", per_runtime).size() >= 2);
  CHECK(f.calls("POST", "/api/daemon/tasks/claim").size() == 1);
}

TEST_CASE("a task queued while the WebSocket is up is claimed at once and not at the next poll",
          "[integration][daemon][push]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  // Polling alone would not see the task for a minute; the test's limit is 30 s.
  auto& d = f.start({{"MULTICA_DAEMON_POLL_INTERVAL", "60s"}});
  REQUIRE(f.saw("daemon WebSocket connected; tasks arrive by push"));
  auto h = d.health();
  CHECK(h.at("dispatch").at("mode") == "push");
  auto conn = f.ws().at("connections");
  REQUIRE(conn.size() == 1);
  CHECK(conn[0].at("runtime_ids") == json::array({f.runtime_id()}));
  CHECK(conn[0].at("headers").at("x-client-platform") == "multicad");
  auto metrics = http_request(d.health_port(), "GET", "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("multicad_dispatch_push 1"));
  CHECK_THAT(metrics.body, Catch::Contains("multicad_push_connects_total 1"));

  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));
}

TEST_CASE("heartbeats go over the WebSocket and HTTP heartbeats resume at once when it drops",
          "[integration][daemon][push]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  // Every 2 s: an ack counts as fresh for two intervals, so a slow machine
  // (the sanitizer build on 2 busy cores) has 2 s of slack, not 1.
  auto& d = f.start({{"MULTICA_DAEMON_HEARTBEAT_INTERVAL", "2s"}});
  REQUIRE(f.saw("daemon WebSocket connected; tasks arrive by push"));
  bool beats = eventually([&] { return f.ws_beats() >= 2; });
  if (!beats) UNSCOPED_INFO(f.ws().dump() << "\n" << d.log());
  REQUIRE(beats);
  const int acked_from = f.last_seq();  // acks are fresh from here on
  REQUIRE(eventually([&] { return f.ws_beats() >= 4; }));
  CHECK(f.calls("POST", "/api/daemon/heartbeat", acked_from).empty());

  f.configure({{"websocket", false}});  // the server's WebSocket goes away and stays away
  const int dropped_at = f.last_seq();
  f.server.control("POST", "/_fake/ws/drop");
  REQUIRE(f.saw("the daemon WebSocket dropped; polling until it reconnects"));
  CHECK(eventually([&] { return !f.calls("POST", "/api/daemon/heartbeat", dropped_at).empty(); }, 10s));
  CHECK(eventually([&] { return d.health().at("dispatch").at("mode") == "poll"; }, 10s));
}

TEST_CASE("the server's runtime_gone and workspaces_changed and runtime_profiles_changed and pending_work are acted on at once",
          "[integration][daemon][push]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  // Nothing periodic within the test: each reaction is the message's doing.
  f.start({{"MULTICA_DAEMON_HEARTBEAT_INTERVAL", "60s"}});
  REQUIRE(f.saw("daemon WebSocket connected; tasks arrive by push"));
  const auto rt = f.runtime_id();

  const int before_beats = f.ws_beats();
  f.send({{"type", "daemon:pending_work"}, {"payload", {{"runtime_id", rt}, {"kind", "ping"}}}});
  CHECK(eventually([&] { return f.ws_beats() > before_beats; }, 10s));

  const int before_sync = f.last_seq();
  f.send({{"type", "daemon:workspaces_changed"}, {"payload", json::object()}});
  CHECK(eventually([&] { return !f.calls("GET", "/api/workspaces", before_sync).empty(); }, 10s));

  const int before_profiles = f.last_seq();
  f.send({{"type", "daemon:runtime_profiles_changed"}, {"payload", {{"workspace_id", f.workspace}}}});
  CHECK(eventually([&] { return !f.calls("GET", "/api/workspaces", before_profiles).empty(); }, 10s));

  const int before_gone = f.last_seq();
  f.send({{"type", "daemon:heartbeat_ack"}, {"payload", {{"runtime_id", rt}, {"status", "ok"}, {"runtime_gone", true}}}});
  REQUIRE(f.saw("the server no longer knows this runtime; registering again"));
  CHECK(eventually([&] { return !f.calls("POST", "/api/daemon/register", before_gone).empty(); }, 10s));
}

TEST_CASE("a garbage message is logged and ignored but a frame over 64 MiB drops the link and it reconnects",
          "[integration][daemon][push]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  auto& d = f.start();
  REQUIRE(f.saw("daemon WebSocket connected; tasks arrive by push"));
  f.send({{"raw", "{not json"}});
  REQUIRE(f.saw("the server sent a WebSocket message the daemon cannot read; ignoring it"));
  CHECK(f.ws().at("upgrades") == 1);

  f.send({{"huge_bytes", 100 * 1024 * 1024}});
  REQUIRE(f.saw("the daemon WebSocket dropped; polling until it reconnects"));
  CHECK_THAT(d.log(), Catch::Contains("larger than 64 MiB"));
  CHECK(eventually([&] { return f.ws().at("upgrades").get<int>() >= 2; }, 15s));
  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));
}

TEST_CASE("claims go over the WebSocket's tasks.claim RPC once an ack advertised rpc-v1",
          "[integration][daemon][push]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  f.start({{"MULTICA_DAEMON_POLL_INTERVAL", "60s"}});
  REQUIRE(f.saw("the server takes claims over the daemon WebSocket (rpc-v1)"));
  CHECK(f.ws().at("connections").at(0).at("headers").at("x-client-capabilities") == "rpc-v1");
  const int queued_at = f.last_seq();
  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));
  json rpc;
  const auto view = f.ws();
  for (const auto& m : view.at("received"))
    if (m.at("type") == "daemon:rpc_request") rpc = m.at("payload");
  REQUIRE(rpc.is_object());
  CHECK(rpc.at("method") == "tasks.claim");
  CHECK(rpc.at("body").at("runtime_ids") == json::array({f.runtime_id()}));
  CHECK(rpc.at("body").at("max_tasks").get<int>() >= 1);
  CHECK(f.calls("POST", "/api/daemon/tasks/claim", queued_at).empty());  // not over HTTP
}

TEST_CASE("server faults: the link dropped mid-RPC pauses claiming and the task it claimed unseen is failed once",
          "[integration][daemon][push][matrix]") {
  push_fixture f;
  // The server claims for the RPC, then the connection dies before the answer.
  f.configure({{"websocket", true}, {"rpc_fault", {{"mode", "drop_after"}, {"count", 1}}}});
  auto& d = f.start({{"MULTICA_DAEMON_POLL_INTERVAL", "60s"}});
  REQUIRE(f.saw("the server takes claims over the daemon WebSocket (rpc-v1)"));
  auto lost = f.task();
  REQUIRE(f.saw("a claim over the WebSocket has an unknown outcome; claiming pauses so no task is claimed twice"));
  auto next = f.task();
  REQUIRE(f.wait_status(next, "completed", 60s));
  REQUIRE(f.wait_status(lost, "failed", 60s));
  CHECK_THAT(f.server.task(lost).at("error").get<std::string>(), Catch::Contains("lost the server's answer"));
  CHECK(f.calls("POST", "/api/daemon/tasks/" + lost + "/start").empty());  // never run, failed once
  CHECK(f.calls("POST", "/api/daemon/tasks/" + lost + "/fail").size() == 1);
  // The reconnect's claim waited for the pause: the next task was claimed after it ended.
  auto log = d.log();
  auto resumed = log.find("claiming resumes after the pause");
  REQUIRE(resumed != std::string::npos);
  CHECK(resumed < log.find(next));
}

TEST_CASE("server faults: a refused upgrade (503) leaves the daemon polling and tasks complete",
          "[integration][daemon][push][matrix]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  f.server.control("POST", "/_fake/faults", {{"path", "^/api/daemon/ws$"}, {"mode", "status"}, {"status", 503},
                                              {"body", {{"error", "daemon websocket unavailable"}}}, {"count", -1}});
  auto& d = f.start({{"MULTICA_DAEMON_POLL_INTERVAL", "1s"}});
  REQUIRE(f.saw("the server offers no daemon WebSocket; tasks arrive by polling"));
  CHECK_THAT(d.log(), Catch::Contains("503"));
  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(d.health().at("dispatch").at("mode") == "poll");
  CHECK(f.calls("POST", "/api/daemon/tasks/" + id + "/start").size() == 1);
}

TEST_CASE("server faults: an upgrade that hangs is cut off by the handshake timeout while polling serves",
          "[integration][daemon][push][matrix]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  f.server.control("POST", "/_fake/faults", {{"path", "^/api/daemon/ws$"}, {"mode", "hang"}, {"count", 1}});
  auto& d = f.start({{"MULTICA_DAEMON_POLL_INTERVAL", "1s"}});
  auto id = f.task();
  REQUIRE(f.wait_status(id, "completed"));  // by polling, while the upgrade hangs
  REQUIRE(f.saw("cannot open the daemon WebSocket; tasks arrive by polling meanwhile"));
  REQUIRE(f.saw("daemon WebSocket connected; tasks arrive by push", 30s));  // the next attempt is served
  CHECK(d.health().at("dispatch").at("mode") == "push");
}

TEST_CASE("server faults: a frame that breaks the protocol drops the link which reconnects and no task runs twice",
          "[integration][daemon][push][matrix]") {
  push_fixture f;
  f.configure({{"websocket", true}});
  auto& d = f.start({{"MULTICA_DAEMON_POLL_INTERVAL", "1s"}});
  REQUIRE(f.saw("daemon WebSocket connected; tasks arrive by push"));
  auto id = f.task({{"FAKE_CODEX_SCENARIO", "tools"}});
  f.send({{"bad_frame", true}});
  REQUIRE(f.saw("the daemon WebSocket dropped; polling until it reconnects"));
  REQUIRE(f.wait_status(id, "completed"));
  CHECK(eventually([&] { return f.ws().at("upgrades").get<int>() >= 2; }, 15s));
  auto second = f.task();
  REQUIRE(f.wait_status(second, "completed"));
  for (const auto& t : {id, second}) CHECK(f.calls("POST", "/api/daemon/tasks/" + t + "/start").size() == 1);
  CHECK(eventually([&] { return d.health().at("outbox").at("depth") == 0; }));
}
