#include <catch2/catch.hpp>

#include "daemon/toolbox/grants.hpp"

using namespace multicad::toolbox;

TEST_CASE("a task capability is random and opens its own grant until it is revoked", "[daemon][toolbox]") {
  grants g;
  auto a = g.issue({"t1", "w1", "", "", "A", "/ws/w1/t1/workdir", "/ws/w1/t1", ""});
  auto b = g.issue({"t2", "w2", "", "", "B", "/ws/w2/t2/workdir", "/ws/w2/t2", ""});
  CHECK(a.starts_with("mct_"));
  CHECK(a.size() == 44);
  CHECK(a != b);
  REQUIRE(g.find(a) != nullptr);
  CHECK(g.find(a)->task_id == "t1");
  CHECK(g.find(b)->workspace_id == "w2");
  CHECK(g.find(a.substr(0, 43)) == nullptr);
  CHECK(g.find("mul_" + a.substr(4)) == nullptr);
  CHECK(g.find("") == nullptr);
  {
    grant_guard ends(&g, a);
  }
  CHECK(g.find(a) == nullptr);  // a finished task's capability opens nothing
  CHECK(g.find(b) != nullptr);
  CHECK(g.size() == 1);
}
