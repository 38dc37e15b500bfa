// decode_error_body against every error-body producer of spec §1.3.
#include <catch2/catch.hpp>

#include "proto/server/codec.hpp"

using multicad::proto::server::decode_error_body;

TEST_CASE("a handler error body with a trailing newline yields its message", "[proto][server]") {
  CHECK(decode_error_body("{\"error\":\"start task: no rows in result set\"}\n").message ==
        "start task: no rows in result set");
}

TEST_CASE("an auth middleware error body without a newline yields its message", "[proto][server]") {
  CHECK(decode_error_body(R"({"error":"invalid token"})").message == "invalid token");
}

TEST_CASE("a JSON-looking text plain body from the user auth middleware yields its message", "[proto][server]") {
  // Same bytes as the handler's, only labelled text/plain: content type is not consulted.
  CHECK(decode_error_body("{\"error\":\"missing authorization\"}\n").message == "missing authorization");
}

TEST_CASE("the router's plain 404 text is kept trimmed", "[proto][server]") {
  CHECK(decode_error_body("404 page not found\n").message == "404 page not found");
}

TEST_CASE("an empty 405 body gives an empty message", "[proto][server]") {
  CHECK(decode_error_body("").message.empty());
  CHECK(decode_error_body(" \r\n").message.empty());
}

TEST_CASE("Go's HTML escapes in an error message are decoded", "[proto][server]") {
  CHECK(decode_error_body(R"({"error":"bad \u003cinput\u003e \u0026 more"})").message == "bad <input> & more");
}

TEST_CASE("JSON without a string error member falls back to the raw text", "[proto][server]") {
  CHECK(decode_error_body(R"({"message":"nope"})").message == R"({"message":"nope"})");
  CHECK(decode_error_body(R"({"error":42})").message == R"({"error":42})");
  CHECK(decode_error_body("[\"error\"]\n").message == "[\"error\"]");
  CHECK(decode_error_body("{\"error\":\"unterminated").message == "{\"error\":\"unterminated");
}

TEST_CASE("an HTML error page from a proxy is kept as text", "[proto][server]") {
  CHECK(decode_error_body("<html><body>502 Bad Gateway</body></html>\n").message ==
        "<html><body>502 Bad Gateway</body></html>");
}

TEST_CASE("an error body is capped at 4096 bytes", "[proto][server]") {
  CHECK(decode_error_body(std::string(10'000, 'x')).message.size() == 4096);
  // A JSON body cut at the cap no longer parses, and its text is kept instead.
  auto long_json = "{\"error\":\"" + std::string(5000, 'y') + "\"}";
  auto m = decode_error_body(long_json).message;
  CHECK(m.size() == 4096);
  CHECK(m.rfind("{\"error\":\"yyy", 0) == 0);
}

TEST_CASE("the cap never splits a UTF-8 character", "[proto][server]") {
  std::string body(4095, 'a');
  body += "\xc3\xa9tail";  // a two-byte character straddling byte 4096
  auto m = decode_error_body(body).message;
  CHECK(m.size() == 4095);
  CHECK(m.back() == 'a');
}
