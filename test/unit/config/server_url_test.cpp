#include <catch2/catch.hpp>

#include "config/server_url.hpp"

using multicad::config::normalize_server_url;
using multicad::config::url_error;

namespace {
std::string ok(std::string_view in) {
  auto r = normalize_server_url(in);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}
std::string bad(std::string_view in) {
  auto r = normalize_server_url(in);
  REQUIRE(std::holds_alternative<url_error>(r));
  return std::get<url_error>(r).message;
}
}  // namespace

TEST_CASE("server URLs are normalised as the spec says", "[config][url]") {
  CHECK(ok("ws://localhost:8080/ws") == "http://localhost:8080");
  CHECK(ok("wss://multica.example.com/ws") == "https://multica.example.com");
  CHECK(ok("https://multica.example.com/") == "https://multica.example.com");
  CHECK(ok("http://10.0.0.1:9000/api/ws") == "http://10.0.0.1:9000/api/ws");
  CHECK(ok("https://h.example/prefix///") == "https://h.example/prefix");
  CHECK(ok("https://h.example/ws/?x=1#frag") == "https://h.example/ws");
  CHECK(ok("https://h.example/ws?x=1") == "https://h.example");
  CHECK(ok("WSS://H.example/ws") == "https://H.example");
}

TEST_CASE("server URLs with other schemes or no host are refused", "[config][url]") {
  CHECK_THAT(bad("ftp://h.example"), Catch::Contains("unsupported scheme \"ftp\""));
  CHECK_THAT(bad("localhost:8080"), Catch::Contains("scheme"));
  CHECK_THAT(bad("not a url"), Catch::Contains("not an absolute URL"));
  CHECK_THAT(bad("http:///path"), Catch::Contains("no host"));
  CHECK_THAT(bad("https://user:pw@h.example"), Catch::Contains("credentials"));
}
