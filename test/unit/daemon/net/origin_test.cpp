// Base URL parsing (daemon/net/origin.hpp).
#include <catch2/catch.hpp>

#include "daemon/net/origin.hpp"

using namespace multicad::net;

TEST_CASE("an http base URL gives host port and Host header", "[net][origin]") {
  auto o = parse_origin("http://localhost:8080");
  REQUIRE(o.has_value());
  CHECK_FALSE(o->tls);
  CHECK(o->host == "localhost");
  CHECK(o->port == "8080");
  CHECK(o->host_header == "localhost:8080");
  CHECK(o->path_prefix.empty());
}

TEST_CASE("the default port is implied and left out of the Host header", "[net][origin]") {
  auto https = parse_origin("https://api.multica.ai");
  REQUIRE(https.has_value());
  CHECK(https->tls);
  CHECK(https->port == "443");
  CHECK(https->host_header == "api.multica.ai");
  auto http = parse_origin("HTTP://example.com:80/");
  REQUIRE(http.has_value());
  CHECK(http->port == "80");
  CHECK(http->host_header == "example.com");
}

TEST_CASE("a base path is kept as the prefix of every endpoint path", "[net][origin]") {
  auto o = parse_origin("https://example.com/multica/?x=1#frag");
  REQUIRE(o.has_value());
  CHECK(o->path_prefix == "/multica");
}

TEST_CASE("an IPv6 literal keeps its brackets only in the Host header", "[net][origin]") {
  auto o = parse_origin("http://[::1]:9000");
  REQUIRE(o.has_value());
  CHECK(o->host == "::1");
  CHECK(o->host_header == "[::1]:9000");
  CHECK(is_ip_literal(o->host));
  CHECK(is_ip_literal("127.0.0.1"));
  CHECK_FALSE(is_ip_literal("localhost"));
}

TEST_CASE("unusable base URLs are rejected with a reason", "[net][origin]") {
  CHECK_THAT(parse_origin("ws://localhost:8080/ws").error(), Catch::Contains("unsupported scheme"));
  CHECK_THAT(parse_origin("localhost:8080").error(), Catch::Contains("no scheme"));
  CHECK_THAT(parse_origin("http://:8080").error(), Catch::Contains("no host"));
  CHECK_THAT(parse_origin("http://host:0").error(), Catch::Contains("bad port"));
  CHECK_THAT(parse_origin("http://host:70000").error(), Catch::Contains("bad port"));
  CHECK_THAT(parse_origin("http://host:8x").error(), Catch::Contains("bad port"));
  CHECK_THAT(parse_origin("http://user:pw@host").error(), Catch::Contains("user info"));
  CHECK_THAT(parse_origin("http://[::1").error(), Catch::Contains("IPv6"));
}
