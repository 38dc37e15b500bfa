#include <catch2/catch.hpp>

#include "config/disk_values.hpp"
#include "config/keys.hpp"
#include "config/loader.hpp"
#include "test/support/temp_dir.hpp"

using namespace multicad::config;
using multicad::test::temp_dir;
using multicad::test::write_file;

namespace {
constexpr std::uint64_t GiB = 1024ULL * 1024 * 1024;

std::vector<artifact_pattern> patterns(std::string_view text) {
  auto r = parse_artifact_patterns(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::vector<artifact_pattern>>(r));
  return std::get<std::vector<artifact_pattern>>(r);
}

std::string pattern_error(std::string_view text) {
  auto r = parse_artifact_patterns(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}
}  // namespace

TEST_CASE("sizes take B KB MB GB and TB in powers of 1024", "[config][disk]") {
  CHECK(parse_size("50GB") == 50 * GiB);
  CHECK(parse_size("2TB") == 2 * 1024 * GiB);
  CHECK(parse_size("1tib") == 1024 * GiB);
  CHECK(parse_size("0") == 0u);
  CHECK_FALSE(parse_size("5 PB").has_value());
  CHECK_FALSE(parse_size("-1GB").has_value());
  CHECK_FALSE(parse_size("20000000TB").has_value());  // does not fit in 64 bits
  CHECK(format_size(50 * GiB) == "50GB");
  CHECK(format_size(3 * 1024 * GiB) == "3TB");
}

TEST_CASE("a free-space floor is bytes or a percentage of the file system", "[config][disk]") {
  auto bytes = std::get<space_floor>(parse_space_floor("10GB"));
  CHECK(bytes.bytes == 10 * GiB);
  CHECK(bytes.of(1000 * GiB) == 10 * GiB);
  auto share = std::get<space_floor>(parse_space_floor("5%"));
  CHECK(share.of(200 * GiB) == 10 * GiB);
  CHECK(std::get<space_floor>(parse_space_floor("12.5%")).of(800) == 100);
  CHECK(std::get<space_floor>(parse_space_floor("0")).of(1000) == 0);
  CHECK(format_space_floor(share) == "5%");
  CHECK(format_space_floor(bytes) == "10GB");
  for (const char* bad : {"0%", "100%", "150%", "-5%", "%", "ten", "5 %"}) {
    INFO(bad);
    CHECK(std::holds_alternative<std::string>(parse_space_floor(bad)));
  }
}

TEST_CASE("artifact patterns are names with an optional marker", "[config][disk]") {
  auto p = patterns("node_modules, .next ,target when Cargo.toml,.venv when .venv/pyvenv.cfg");
  REQUIRE(p.size() == 4);
  CHECK(p[0] == artifact_pattern{"node_modules", ""});
  CHECK(p[1] == artifact_pattern{".next", ""});
  CHECK(p[2] == artifact_pattern{"target", "Cargo.toml"});
  CHECK(p[3] == artifact_pattern{".venv", ".venv/pyvenv.cfg"});
  CHECK(format_artifact_patterns(p) == "node_modules, .next, target when Cargo.toml, .venv when .venv/pyvenv.cfg");
  CHECK(patterns(format_artifact_patterns(default_artifact_patterns())) == default_artifact_patterns());
  CHECK(patterns("").empty());
}

TEST_CASE("artifact patterns never name source or escape the folder", "[config][disk]") {
  CHECK_THAT(pattern_error(".git"), Catch::Contains("never an artifact"));
  CHECK_THAT(pattern_error("node_modules,output"), Catch::Contains("never an artifact"));
  CHECK_THAT(pattern_error("logs"), Catch::Contains("never an artifact"));
  CHECK_THAT(pattern_error("a/b"), Catch::Contains("not a folder name"));
  CHECK_THAT(pattern_error(".."), Catch::Contains("not a folder name"));
  CHECK_THAT(pattern_error("node_modules,,.next"), Catch::Contains("empty item"));
  CHECK_THAT(pattern_error("target when ../Cargo.toml"), Catch::Contains("not a relative path"));
  CHECK_THAT(pattern_error("target when /etc/passwd"), Catch::Contains("not a relative path"));
  CHECK_THAT(pattern_error("target when "), Catch::Contains("nothing after"));
}

TEST_CASE("disk settings load from TOML arrays and comma lists", "[config][disk]") {
  temp_dir d;
  write_file(d / "c.toml", "[gc]\nartifact_patterns = [\"node_modules\", \"target when Cargo.toml\"]\nmax_size = \"2GB\"\n"
                           "min_free = \"5%\"\nartifact_ttl = \"30m\"\n");
  load_inputs in;
  in.config_file = d / "c.toml";
  in.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  in.home = d.path();
  in.cwd = d.path();
  in.system_config_dir = d / "etc";
  auto r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.gc.artifact_patterns == std::vector<artifact_pattern>{{"node_modules", ""}, {"target", "Cargo.toml"}});
  CHECK(r->values.gc.max_size == 2 * GiB);
  CHECK(r->values.gc.min_free.percent == 5);
  CHECK(r->values.gc.artifact_ttl == std::chrono::minutes(30));

  in.getenv = [](const std::string& k) -> std::optional<std::string> {
    if (k == "MULTICA_GC_ARTIFACT_PATTERNS") return "node_modules,.next";
    if (k == "MULTICA_GC_MIN_FREE") return "1GB";
    return std::nullopt;
  };
  r = load(in);
  REQUIRE(r.has_value());
  CHECK(r->values.gc.artifact_patterns == std::vector<artifact_pattern>{{"node_modules", ""}, {".next", ""}});
  CHECK(r->values.gc.min_free == space_floor{GiB, 0});

  write_file(d / "c.toml", "[gc]\nartifact_patterns = [\"a,b\"]\n");
  auto bad = load(in);
  REQUIRE_FALSE(bad.has_value());
  CHECK_THAT(bad.error().to_string(), Catch::Contains("c.toml:2") && Catch::Contains("without commas"));
}

TEST_CASE("human sizes use binary units with one decimal", "[config][disk]") {
  CHECK(human_size(0) == "0 B");
  CHECK(human_size(1023) == "1023 B");
  CHECK(human_size(1536) == "1.5 KiB");
  CHECK(human_size(50 * GiB) == "50.0 GiB");
}
