#include <catch2/catch.hpp>

#include "execenv/gc_meta.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::execenv;
using namespace std::chrono;
using multicad::test::temp_dir;
using multicad::test::write_file;

TEST_CASE("gc meta round-trips with an RFC 3339 UTC time", "[execenv][gc_meta]") {
  temp_dir d;
  gc_meta m{"issue-1", "ws-1", sys_days{2026y / 11 / 26} + 17h + 29min + 5s};
  REQUIRE(write_gc_meta(d.path(), m).has_value());
  CHECK_THAT(multicad::test::read_file(d / ".gc_meta.json"), Catch::Contains("\"completed_at\": \"2026-11-26T17:29:05Z\""));
  auto back = read_gc_meta(d.path());
  REQUIRE(back.has_value());
  CHECK(*back == m);
}

TEST_CASE("gc meta that is missing or malformed is an error", "[execenv][gc_meta]") {
  temp_dir d;
  CHECK_FALSE(read_gc_meta(d.path()).has_value());
  write_file(d / ".gc_meta.json", "{\"issue_id\": 3}");
  CHECK_FALSE(read_gc_meta(d.path()).has_value());
  write_file(d / ".gc_meta.json", "{\"issue_id\":\"a\",\"workspace_id\":\"b\",\"completed_at\":\"yesterday\"}");
  CHECK_THAT(read_gc_meta(d.path()).error().message, Catch::Contains("yesterday"));
}

TEST_CASE("parse_rfc3339 accepts offsets and fractions", "[execenv][gc_meta]") {
  auto base = sys_days{2026y / 4 / 12} + 9h + 30min + 5s;
  CHECK(parse_rfc3339("2026-04-12T09:30:05Z") == base);
  CHECK(parse_rfc3339("2026-04-12T11:30:05+02:00") == base);
  CHECK(parse_rfc3339("2026-04-12T09:30:05.123456Z") == base + 123456us);
  CHECK_FALSE(parse_rfc3339("2026-04-12 09:30").has_value());
  CHECK_FALSE(parse_rfc3339("2026-13-12T09:30:05Z").has_value());
  CHECK_FALSE(parse_rfc3339("2026-04-12T09:30:05").has_value());
}

TEST_CASE("recording an issue status keeps the folder's modification time", "[execenv][gc_meta]") {
  temp_dir d;
  gc_meta m{"issue-1", "ws-1", sys_days{2026y / 11 / 26} + 17h};
  REQUIRE(write_gc_meta(d.path(), m).has_value());
  auto old = std::filesystem::file_time_type::clock::now() - 100h;
  std::filesystem::last_write_time(d.path(), old);
  auto at = sys_days{2026y / 11 / 27} + 9h;
  REQUIRE(record_issue_status(d.path(), m, "in_review", at).has_value());
  CHECK(std::filesystem::last_write_time(d.path()) == old);  // the orphan rule's clock did not move
  auto back = read_gc_meta(d.path());
  REQUIRE(back.has_value());
  CHECK(back->issue_status == "in_review");
  CHECK(back->issue_checked_at == at);
  CHECK(back->completed_at == m.completed_at);
}
