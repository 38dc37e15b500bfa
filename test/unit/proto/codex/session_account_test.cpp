#include <catch2/catch.hpp>

#include "session_driver.hpp"

using namespace multicad::proto::codex;
using namespace multicad::proto::codex::testing;

TEST_CASE("codex without credentials fails the task before a thread starts", "[proto][codex]") {
  driver d;
  d.auto_account = false;
  d.start();
  d.answer("initialize", initialize_result);
  REQUIRE(d.last()["method"] == "account/read");
  d.answer("account/read", account_result_not_logged_in);
  REQUIRE(d.s.finished());
  CHECK(d.s.result().result == outcome::status::failed);
  CHECK_THAT(d.s.result().error, Catch::Contains("codex has no credentials") && Catch::Contains("codex login"));
  for (const auto& line : d.sent) CHECK(line.value("method", "") != "thread/start");
}

TEST_CASE("a logged-in account or a custom provider goes on to the thread", "[proto][codex]") {
  for (const char* answer : {account_result_chatgpt, account_result_custom_provider}) {
    driver d;
    d.auto_account = false;
    d.start();
    d.answer("initialize", initialize_result);
    d.answer("account/read", answer);
    CHECK_FALSE(d.s.finished());
    CHECK(d.last()["method"] == "thread/start");
  }
}

TEST_CASE("a codex without account/read is not refused", "[proto][codex]") {
  driver d;
  d.auto_account = false;
  d.start();
  d.answer("initialize", initialize_result);
  d.feed(R"({"id":)" + std::to_string(d.id_of("account/read")) +
         R"(,"error":{"code":-32600,"message":"Invalid request: unknown variant `account/read`"}})");
  CHECK_FALSE(d.s.finished());
  CHECK(d.last()["method"] == "thread/start");
}
