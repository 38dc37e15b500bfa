// Parsing what systemctl show and launchctl print say about the service.
#include "daemon/service/unit_state.hpp"

#include <catch2/catch.hpp>

using namespace multicad;

TEST_CASE("systemctl show output gives the active enabled and PID state", "[service][unit_state]") {
  auto s = service::parse_systemctl_show(
      "ActiveState=active\nSubState=running\nUnitFileState=enabled\nMainPID=4242\n"
      "StatusText=serving 2 of 20 tasks\nSomethingElse=x\n");
  CHECK(s.active == "active");
  CHECK(s.sub == "running");
  CHECK(s.enabled == "enabled");
  CHECK(s.main_pid == 4242);
  CHECK(s.status == "serving 2 of 20 tasks");
  CHECK(s.running());
}

TEST_CASE("systemctl show of a unit that is not loaded reads as not running", "[service][unit_state]") {
  auto s = service::parse_systemctl_show("ActiveState=inactive\nSubState=dead\nUnitFileState=\nMainPID=0\nStatusText=\n");
  CHECK_FALSE(s.running());
  CHECK(s.enabled.empty());
  CHECK(s.main_pid == 0);
  CHECK(service::parse_systemctl_show("").active.empty());
}

TEST_CASE("launchctl print output gives the state PID and last exit code", "[service][unit_state]") {
  auto s = service::parse_launchctl_print(R"(gui/501/com.multica.multicad = {
	active count = 1
	path = /Users/ada/Library/LaunchAgents/com.multica.multicad.plist
	state = running

	program = /usr/local/bin/multicad
	pid = 812
	last exit code = 0

	environment = {
		PATH => /opt/homebrew/bin:/usr/bin
	}
}
)");
  CHECK(s.running());
  CHECK(s.main_pid == 812);
  CHECK(s.status == "last exit code = 0");
  auto stopped = service::parse_launchctl_print("gui/501/x = {\n\tstate = not running\n\tlast exit code = 2\n}\n");
  CHECK_FALSE(stopped.running());
  CHECK(stopped.status == "last exit code = 2");
}
