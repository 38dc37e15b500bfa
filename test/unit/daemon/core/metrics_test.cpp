// The /metrics writer: exact integers, escaped labels, started and finished
// tasks apart, build info. promtool checks a real scrape in
// test/integration/operations_test.cpp.
#include <catch2/catch.hpp>

#include "daemon/build_info.hpp"
#include "daemon/core/exposition.hpp"
#include "daemon/core/metrics.hpp"

using namespace multicad::core;
using Catch::Contains;

TEST_CASE("exposition prints integers exactly where %.6g lost digits", "[daemon][metrics]") {
  exposition out;
  out.family("c_total", "counter", "a counter");
  out.sample("c_total", {}, std::uint64_t{1234567});              // %.6g: 1.23457e+06
  out.sample("c_total", {{"k", "v"}}, std::uint64_t{18446744073709551615ULL});
  out.sample("g", {}, std::int64_t{-42});
  CHECK(out.take() == "# HELP c_total a counter\n# TYPE c_total counter\nc_total 1234567\n"
                      "c_total{k=\"v\"} 18446744073709551615\ng -42\n");
}

TEST_CASE("exposition escapes label values and help text as the format says", "[daemon][metrics]") {
  exposition out;
  out.family("m", "gauge", "back\\slash and\nnewline");
  out.sample("m", {{"path", "a\"b\\c\nd"}}, std::int64_t{1});
  CHECK(out.take() == "# HELP m back\\\\slash and\\nnewline\n# TYPE m gauge\nm{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("exposition prints doubles in their shortest exact form", "[daemon][metrics]") {
  CHECK(format_value(0.0025) == "0.0025");
  CHECK(format_value(1.0) == "1");
  CHECK(format_value(1234567.125) == "1234567.125");
  CHECK(format_value(1.0 / 0.0) == "+Inf");
  CHECK(format_value(-1.0 / 0.0) == "-Inf");
  CHECK(format_value(0.0 / 0.0) == "NaN");
}

TEST_CASE("metrics count started tasks apart from finished ones so sums do not double", "[daemon][metrics]") {
  metrics m;
  m.tasks_started = 3'000'001;
  m.tasks_completed = 2'000'000;
  m.tasks_failed = 1'000'001;
  auto text = m.render(7);
  CHECK_THAT(text, Contains("\nmulticad_tasks_started_total 3000001\n"));
  CHECK_THAT(text, Contains("\nmulticad_tasks_finished_total{state=\"completed\"} 2000000\n"));
  CHECK_THAT(text, Contains("\nmulticad_tasks_finished_total{state=\"failed\"} 1000001\n"));
  CHECK(text.find("state=\"started\"") == std::string::npos);
  CHECK_THAT(text, Contains("\nmulticad_outbox_depth 7\n"));
  CHECK(m.render(-1).find("multicad_outbox_depth") == std::string::npos);  // unknown: left out, not -1
}

TEST_CASE("metrics carry multicad_build_info with version and commit and build type", "[daemon][metrics]") {
  const auto& b = multicad::this_build();
  CHECK_THAT(metrics{}.render(0), Contains("# TYPE multicad_build_info gauge\nmulticad_build_info{version=\"" +
                                           std::string(b.version) + "\",commit=\"" + b.commit + "\",build_type=\"" +
                                           b.build_type + "\"} 1\n"));
  CHECK(std::string(b.commit) != "");
}

TEST_CASE("histograms print cumulative buckets and exact counts", "[daemon][metrics]") {
  metrics m;
  m.record_request("POST", "/api/daemon/tasks/0b7f6e1c-2f1d-4c1e-9a55-0d8c1f3e2a11/complete", 200,
                   std::chrono::milliseconds(3), true);
  m.record_request("POST", "/api/daemon/tasks/0b7f6e1c-2f1d-4c1e-9a55-0d8c1f3e2a11/complete", 503,
                   std::chrono::milliseconds(30), false);
  auto text = m.render(0);
  const std::string l = "method=\"POST\",path=\"/api/daemon/tasks/{id}/complete\"";
  CHECK_THAT(text, Contains("multicad_server_requests_total{" + l + ",outcome=\"5xx\"} 1\n"));
  CHECK_THAT(text, Contains("multicad_server_request_duration_seconds_bucket{" + l + ",le=\"0.0025\"} 0\n"));
  CHECK_THAT(text, Contains("multicad_server_request_duration_seconds_bucket{" + l + ",le=\"0.005\"} 1\n"));
  CHECK_THAT(text, Contains("multicad_server_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} 2\n"));
  CHECK_THAT(text, Contains("multicad_server_request_duration_seconds_count{" + l + "} 2\n"));
  CHECK_THAT(text, Contains("multicad_server_request_duration_seconds_sum{" + l + "} 0.033\n"));
}
