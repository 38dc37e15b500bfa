#include <catch2/catch.hpp>

#include "config/duration.hpp"

using namespace multicad::config;
using namespace std::chrono_literals;

TEST_CASE("parse_duration reads Go duration syntax", "[config][duration]") {
  CHECK(parse_duration("3s") == duration(3s));
  CHECK(parse_duration("1h30m") == duration(90min));
  CHECK(parse_duration("1.5h") == duration(90min));
  CHECK(parse_duration("2h45m10s") == duration(2h + 45min + 10s));
  CHECK(parse_duration("250ms") == duration(250ms));
  CHECK(parse_duration("10us") == duration(10us));
  CHECK(parse_duration("10\xC2\xB5s") == duration(10us));
  CHECK(parse_duration("7ns") == duration(7ns));
  CHECK(parse_duration("0") == duration(0));
  CHECK(parse_duration("+5m") == duration(5min));
  CHECK(parse_duration("-5m") == duration(-5min));
  CHECK(parse_duration(".5s") == duration(500ms));
  CHECK(parse_duration("120h") == duration(120h));
}

TEST_CASE("parse_duration rejects what Go rejects", "[config][duration]") {
  for (const char* bad : {"", "3", "s", "3x", "1d", "5 m", "3s ", "1..5s", ".s", "-", "9223372036854775808ns",
                          "10000000h"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("format_duration prints like Go's Duration.String", "[config][duration]") {
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(2h) == "2h0m0s");
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(120h) == "120h0m0s");
  CHECK(format_duration(-3s) == "-3s");
  CHECK(format_duration(1us) == "1\xC2\xB5s");
  CHECK(format_duration(5ns) == "5ns");
}

TEST_CASE("format_duration output parses back to the same value", "[config][duration]") {
  for (auto d : {duration(0), duration(1ns), duration(1234567ns), duration(59s), duration(3h + 2min + 1s + 5ms)}) {
    INFO(format_duration(d));
    CHECK(parse_duration(format_duration(d)) == d);
  }
}
